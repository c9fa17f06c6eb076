"""Domain errors with stable types, rendered as RFC 9457 problem+json by the API."""

from typing import Any

from pydantic import BaseModel, Field, ValidationError


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
#: Marks a route whose calls are limited (``openapi_extra={RATE_LIMITED: True}``): the OpenAPI
#: document then shows its 429, Retry-After and RateLimit headers (api/openapi.py).
RATE_LIMITED = "x-rate-limited"


def problem_response_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting problem+json answers."""
    return {status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}} for status in statuses}


def field_errors_from(exc: ValidationError, *, prefix: str = "") -> list[tuple[str, str]]:
    """Pydantic's errors as (field, kind message), fields spelt like "windows[1].start"."""
    found: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        name = prefix
        for part in error["loc"]:
            if isinstance(part, int):
                name += f"[{part}]"
            elif part != "[key]":
                name = f"{name}.{part}" if name else str(part)
        found.append((name, _kind_message(error)))
    return found


def _kind_message(error: Any) -> str:
    if template := _PLAIN_WORDS.get(error["type"]):
        return template.format(**(error.get("ctx") or {}))
    return str(error["msg"]).removeprefix("Value error, ")


# Pydantic's messages are written for programmers; people filling in a form get these.
_PLAIN_WORDS = {
    "missing": "This is needed.",
    "greater_than_equal": "Use {ge} or more.",
    "less_than_equal": "Use {le} or fewer.",
    "too_short": "Choose at least {min_length}.",
    "too_long": "Choose at most {max_length}.",
    "string_too_short": "This can't be empty.",
    "string_too_long": "Keep this to {max_length} characters or fewer.",
    "literal_error": "Choose one of the options.",
    "extra_forbidden": "This isn't part of the terms.",
    "int_parsing": "Use a whole number.",
    "int_type": "Use a whole number.",
    "date_parsing": "Use a date like 2026-05-04.",
    "date_from_datetime_parsing": "Use a date like 2026-05-04.",
    "bool_parsing": "Choose yes or no.",
}
