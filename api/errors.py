"""Domain errors with stable types, rendered as RFC 9457 problem+json by the API."""

from typing import Any

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str = Field(examples=["password"])
    message: str = Field(examples=["Use at least 8 characters."])


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["/problems/validation"])
    title: str = Field(examples=["Some fields need another look"])
    status: int = Field(examples=[422])
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    status = 400
    type = "bad-request"
    title = "The request could not be handled"
    # True when the work done before the error must still be saved (a refused login is recorded).
    keeps_changes = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=f"/problems/{self.type}",
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
        )


class Unauthorized(DomainError):
    status = 401
    type = "unauthorized"
    title = "Please log in"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(DomainError):
    status = 403
    type = "forbidden"
    title = "You can't do that"


class NotFound(DomainError):
    status = 404
    type = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    type = "conflict"
    title = "That clashes with the current state"


class PreconditionFailed(DomainError):
    status = 412
    type = "stale"
    title = "Someone changed this in the meantime"


class PreconditionRequired(DomainError):
    status = 428
    type = "precondition-required"
    title = "Send the version you are changing"


class Invalid(DomainError):
    status = 422
    type = "validation"
    title = "Some fields need another look"

    @classmethod
    def field(cls, field: str, message: str) -> "Invalid":
        return cls(message, errors=[FieldError(field=field, message=message)])


class TooManyRequests(DomainError):
    status = 429
    type = "too-many-requests"
    title = "Too many attempts"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))})
        self.retry_after_seconds = max(1, retry_after_seconds)


PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_response_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting problem+json answers."""
    return {status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}} for status in statuses}
