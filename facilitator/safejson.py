"""JSON decoding that turns absurdly deep nesting into a plain ValueError.

The standard library raises RecursionError on input like ``[[[[...]]]]``
nested tens of thousands deep; callers (Flask's ``get_json``, python-socketio's
packet decoder) expect ValueError for bad JSON, so a hostile body would
otherwise surface as a server error.
"""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64


def _too_deep(text: str | bytes) -> bool:
    """A cheap upper bound on nesting: count brackets without parsing."""
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8", "replace")
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return True
        elif char in "]}":
            depth -= 1
    return False


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that refuses nesting deeper than MAX_DEPTH with a ValueError."""
    if _too_deep(text):
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return json.loads(text, **kwargs)


def dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` (here so this module can stand in for ``json``)."""
    return json.dumps(obj, **kwargs)


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with the depth guard on loading."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)
