"""Language choice and translated error bodies, shared by HTTP and Socket.IO."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _gettext

from ..domain.errors import DomainError

LANGUAGES = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    """?lang= first (the switch), then the remembered cookie, then Accept-Language; Dutch."""
    if not has_request_context():
        return "nl"
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    return request.accept_languages.best_match(list(LANGUAGES), default="nl") or "nl"


def gettext(message: str, **params: Any) -> str:
    """Translate a message id (works outside a request too, falling back to English)."""
    try:
        return _gettext(message, **params)
    except (RuntimeError, KeyError):
        return message % params if params else message


def error_body(exc: DomainError) -> dict[str, Any]:
    """The JSON error shape: {"error": {"code", "message", "field"?}} in the user's language."""
    params = {k: v for k, v in exc.params.items() if isinstance(v, (str, int, float))}
    try:
        message = _gettext(exc.message, **params)
    except (RuntimeError, KeyError, ValueError, TypeError):
        message = exc.message
    body: dict[str, Any] = {"code": exc.code, "message": message}
    if "field" in exc.params:
        body["field"] = exc.params["field"]
    return {"error": body}
