"""Short join codes people can read off a projector and type on a phone.

The alphabet is Crockford's base 32: no I, L, O or U, so nothing looks alike;
what people type is upper-cased, stripped of spaces and dashes, and the
look-alikes are mapped (O -> 0, I and L -> 1).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_VALID = re.compile(rf"^[{ALPHABET}]{{{LENGTH},12}}$")


def new_code(length: int = LENGTH) -> str:
    """A random code of ``length`` characters from the unambiguous alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be a code."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    cleaned = re.sub(r"[\s\-_.]", "", typed).upper().translate(_LOOKALIKES)
    return cleaned if _VALID.match(cleaned) else None


def display(code: str) -> str:
    """The code grouped in threes for the projector: ``ABC 123``."""
    return " ".join(code[i:i + 3] for i in range(0, len(code), 3))
