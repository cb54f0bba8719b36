"""A session's house style for its reports (issue 16): an optional colour and logo.

The organiser sets them in the session's spec (``report_colour``,
``report_logo``); ``spec.apply_spec`` checks them here and the session stores
them. The report formats use them: the colour for the title, headings and
rules (HTML/PDF and Word), the logo above the title (HTML/PDF and Word;
Markdown has no place for a picture).

* The colour is a hex colour (``#0B3D60``) dark enough for text on white:
  a contrast of at least 4.5:1 (WCAG 2.1 AA), so headings stay readable.
* The logo is a PNG of at most ``MAX_LOGO_BYTES`` and ``MAX_LOGO_PIXELS`` a side,
  given as a data URL (``data:image/png;base64,...``): it travels in the spec and
  the archive as text and needs no file storage. Not SVG: Word wants a bitmap,
  and an SVG can carry script.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from typing import Any

from ..errors import N_, Invalid

DEFAULT_COLOUR = "#0B3D60"
MIN_CONTRAST = 4.5
MAX_LOGO_BYTES = 100_000
MAX_LOGO_PIXELS = 2000
LOGO_PREFIX = "data:image/png;base64,"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_PNG = b"\x89PNG\r\n\x1a\n"


def contrast(colour: str) -> float:
    """The contrast ratio of a hex colour against white (1 to 21)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def clean_colour(value: Any) -> str:
    """A valid house colour in upper case, or "" for none; Invalid otherwise."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _HEX.match(value.strip()):
        raise Invalid(N_("Use a colour like #0B3D60."), field="report_colour")
    colour = value.strip().upper()
    if contrast(colour) < MIN_CONTRAST:
        raise Invalid(N_("This colour is too light for text on white: choose a darker one "
                         "(contrast at least 4.5 to 1)."), field="report_colour")
    return colour


def clean_logo(value: Any) -> str:
    """A valid logo data URL, or "" for none; Invalid otherwise."""
    if value is None or value == "":
        return ""
    if logo_bytes(value) is None:
        raise Invalid(N_("Use a PNG image of at most %(kb)s KB and %(px)s pixels a side, "
                         "as a data URL (data:image/png;base64,...)."), field="report_logo",
                      kb=MAX_LOGO_BYTES // 1000, px=MAX_LOGO_PIXELS)
    return value.strip()


def logo_bytes(value: Any) -> bytes | None:
    """The PNG bytes of a logo data URL when it is valid (see the module docstring)."""
    if not isinstance(value, str) or not value.strip().startswith(LOGO_PREFIX):
        return None
    encoded = value.strip()[len(LOGO_PREFIX):]
    if len(encoded) > MAX_LOGO_BYTES * 4 // 3 + 4:
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(data) > MAX_LOGO_BYTES or not data.startswith(_PNG) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_LOGO_PIXELS and 0 < height <= MAX_LOGO_PIXELS):
        return None
    return data


def logo_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a checked PNG."""
    width, height = struct.unpack(">II", data[16:24])
    return width, height
