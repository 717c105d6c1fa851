"""One exception tree for the whole platform.

Each class carries the HTTP status the API answers with; the CLI turns any of them into a one-line
message and exit code 1. ``errors`` holds field-level problems as ``{field: message}``.
"""

from __future__ import annotations


class InterdictError(Exception):
    status = 500
    title = "Internal error"
    code = "internal_error"

    def __init__(self, detail: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class BadInputError(InterdictError):
    status = 422
    title = "Invalid input"
    code = "invalid_input"


class MalformedRequestError(InterdictError):
    status = 400
    title = "Malformed request"
    code = "malformed_request"


class AuthenticationError(InterdictError):
    status = 401
    title = "Authentication required"
    code = "authentication_required"


class MfaRequiredError(AuthenticationError):
    title = "Second factor required"
    code = "mfa_required"


class ForbiddenError(InterdictError):
    status = 403
    title = "Forbidden"
    code = "forbidden"


class NotFoundError(InterdictError):
    """Also the answer for records the caller may not see: existence is itself information."""

    status = 404
    title = "Not found"
    code = "not_found"


class ConflictError(InterdictError):
    status = 409
    title = "Conflict"
    code = "conflict"


class PayloadTooLargeError(InterdictError):
    status = 413
    title = "Payload too large"
    code = "payload_too_large"


class LockedError(InterdictError):
    status = 429
    title = "Too many failed attempts"
    code = "locked"
