"""Checks on user input that every adapter shares: text, names, ids, choices.

Text is normalised to NFC, stripped of control characters (newlines and tabs
are kept), of bidirectional overrides and of runs of more than three combining
marks on one character, and of leading/trailing space; text that shows nothing
(only zero-width characters) counts as empty; then it is checked for length.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .errors import N_, Invalid

# C0/C1 controls except tab and newline; also lone surrogates and noncharacters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# Bidirectional overrides, embeddings, isolates and marks: on a projector a right-to-left
# override turns the rest of a line around. Dutch and English text never needs them.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Characters that show nothing: text made only of these (and spaces) is empty.
_INVISIBLE = re.compile("[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d"
                        "\u2060-\u2064\u3164\ufe00-\ufe0f\ufeff\uffa0\\s]")
#: combining marks kept on one base character (é needs one; Vietnamese two; a stack of
#: hundreds draws over the lines above and below it)
MAX_MARKS = 3
_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,80}$")


def clean_text(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Return normalised text, or raise Invalid with a message for ``field``."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(N_("This field must be text."), field=field)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value)).replace("\r\n", "\n")
    text = _limit_marks(_BIDI.sub("", text)).strip()
    if not _INVISIBLE.sub("", text):  # nothing a reader would see
        text = ""
    if required and not text:
        raise Invalid(N_("This field cannot be empty."), field=field)
    if len(text) > max_length:
        raise Invalid(N_("This text is too long (at most %(max)s characters)."), field=field,
                      max=max_length)
    return text


def _limit_marks(text: str) -> str:
    """Keep at most ``MAX_MARKS`` combining marks after each base character."""
    out, run = [], 0
    for char in text:
        if unicodedata.combining(char):
            run += 1
            if run > MAX_MARKS:
                continue
        else:
            run = 0
        out.append(char)
    return "".join(out)


def clean_id(value: Any, *, field: str, required: bool = True) -> str | None:
    """Return an identifier (letters, digits, ``_.:-``), or raise Invalid."""
    if value is None or value == "":
        if required:
            raise Invalid(N_("This field cannot be empty."), field=field)
        return None
    if not isinstance(value, str) or not _ID.match(value):
        raise Invalid(N_("This is not a valid identifier."), field=field)
    return value


def clean_choice(value: Any, choices: set[str] | frozenset[str], *, field: str) -> str:
    """Return ``value`` when it is one of ``choices``, or raise Invalid."""
    if not isinstance(value, str) or value not in choices:
        raise Invalid(N_("Choose one of the offered options."), field=field,
                      choices=sorted(choices))
    return value


def digits(text: str, max_length: int | None = None) -> bool:
    """Whether ``text`` is a whole number written in ASCII digits (at most ``max_length``
    of them): ``str.isdigit`` alone also takes "²" or "٣", which ``int`` refuses."""
    return text.isascii() and text.isdigit() and (max_length is None
                                                  or len(text) <= max_length)


def clean_bool(value: Any, *, field: str) -> bool:
    """Return a boolean, or raise Invalid (no truthy strings)."""
    if not isinstance(value, bool):
        raise Invalid(N_("This field must be true or false."), field=field)
    return value


def reject_unknown(payload: Any, allowed: set[str]) -> dict[str, Any]:
    """Return ``payload`` as a dict, refusing non-objects and fields we do not know."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise Invalid(N_("The request must be a JSON object."))
    unknown = sorted(str(k)[:40] for k in payload if k not in allowed)
    if unknown:
        raise Invalid(N_("Unknown field: %(fields)s."), fields=", ".join(unknown))
    return payload
