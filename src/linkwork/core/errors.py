"""Domain errors. Each has a stable code; the API maps them to {"error": {code, message, fields}}."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "INVALID_REQUEST"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"
    status = 422


class NotFound(DomainError):
    """Raised for records that are missing *and* for records the actor may not see."""

    code = "NOT_FOUND"
    status = 404

    def __init__(self, message: str = "Not found.", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    status = 403

    def __init__(self, message: str = "You do not have permission to do that.", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    status = 429


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"
    status = 409


class EditConflict(DomainError):
    """The record changed after the editor opened it; nothing was saved. `current` holds the record as
    it is now and `yours` what the editor sent, each with its version, so both can be shown."""

    code = "EDIT_CONFLICT"
    status = 409

    def __init__(
        self,
        message: str,
        *,
        current: dict[str, Any] | None = None,
        yours: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.current = current or {}
        self.yours = yours or {}
