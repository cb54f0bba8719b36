"""Checks on user input that every adapter shares: text, names, ids, choices.

Text is normalised to NFC, stripped of control characters (newlines and tabs
are kept) and of leading/trailing space, then checked for length.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .errors import N_, Invalid

# C0/C1 controls except tab and newline; also lone surrogates and noncharacters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,80}$")


def clean_text(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Return normalised text, or raise Invalid with a message for ``field``."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(N_("This field must be text."), field=field)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value)).replace("\r\n", "\n").strip()
    if required and not text:
        raise Invalid(N_("This field cannot be empty."), field=field)
    if len(text) > max_length:
        raise Invalid(N_("This text is too long (at most %(max)s characters)."), field=field,
                      max=max_length)
    return text


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
