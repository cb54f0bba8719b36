"""Errors the domain raises; adapters turn them into HTTP statuses or error events.

Messages are English message ids marked with ``N_`` so that Babel extracts them;
the adapters translate them into the user's language when they answer.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (Babel keyword)."""
    return message


class DomainError(Exception):
    """A request the domain refuses; ``status`` is the matching HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.params = params

    def text(self) -> str:
        """The message in English with its parameters filled in (the command line's)."""
        return self.message % self.params if self.params else self.message


class NotFound(DomainError):
    """The session, participant, reflection or conclusion does not exist."""

    status = 404
    code = "not_found"


class Unauthorized(DomainError):
    """No valid token or cookie identifies the caller."""

    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    """The caller's role may never do this."""

    status = 403
    code = "forbidden"


class NotNow(DomainError):
    """The current agenda step (or a lock) does not allow this right now."""

    status = 409
    code = "not_allowed_now"


class Invalid(DomainError):
    """The input is malformed: empty, too long, of the wrong type, unknown field."""

    status = 422
    code = "invalid"


class Conflict(DomainError):
    """A concurrent change made this write impossible (retry exhausted, code taken)."""

    status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too many requests in a short time; the client may retry a little later."""

    status = 429
    code = "rate_limited"
