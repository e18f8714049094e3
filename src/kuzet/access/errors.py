"""Access failures with the HTTP status they mean; the API maps them one to one."""

from __future__ import annotations


class AccessError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.retry_after = retry_after


class AuthFailed(AccessError):
    status, code = 401, "unauthorized"


class Throttled(AccessError):
    status, code = 429, "too_many_attempts"


class Forbidden(AccessError):
    status, code = 403, "forbidden"


class NotFound(AccessError):
    status, code = 404, "not_found"


class Conflict(AccessError):
    status, code = 409, "conflict"


class Invalid(AccessError):
    status, code = 422, "validation_error"


class Busy(AccessError):
    """Too many password hashes at once (each takes tens of MiB): try again shortly."""

    status, code = 503, "busy"
