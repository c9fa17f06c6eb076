"""Every error leaves as RFC 9457 problem+json (API) or a readable page (PWA); never a bare 500."""

import re
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import PROBLEM_MEDIA_TYPE, DomainError, FieldError, Problem, Unauthorized

log = structlog.get_logger("kindred.errors")

#: Set in the request's scope when it was refused before its endpoint began (unreadable
#: input, no valid login): nothing was done, so an idempotency key is not spent on it.
REFUSED_BEFORE_ENDPOINT = "kindred.refused_before_endpoint"

_HTTP_TITLES = {
    400: ("bad-request", "The request could not be read"),
    401: ("unauthorized", "Please log in"),
    403: ("forbidden", "You can't do that"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "That method is not allowed here"),
    413: ("too-large", "The request is too large"),
    415: ("unsupported-media-type", "That content type is not supported"),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem_response(
    request: Request, problem: Problem, headers: dict[str, str] | None = None
) -> Response:
    # Outside /api/ the PWA renders its own error pages: create_app() hands its renderer over.
    page = getattr(request.app.state, "error_page", None)
    if page is not None and not _is_api(request):
        shown: Response = page(request, problem)
        shown.headers.update(headers or {})
        return shown
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "The body is not valid JSON."
    if error.get("type") == "missing":
        return "This field is required."
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, Unauthorized):
        request.scope[REFUSED_BEFORE_ENDPOINT] = True
    return problem_response(request, exc.problem(request.url.path), exc.headers)


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    request.scope[REFUSED_BEFORE_ENDPOINT] = True
    unreadable = any(e.get("type") == "json_invalid" for e in exc.errors())
    errors = [
        FieldError(field="body" if unreadable else _field_name(e["loc"]), message=_message(e))
        for e in exc.errors()
    ]
    problem = Problem(
        type="/problems/bad-request" if unreadable else "/problems/validation",
        title="The request could not be read" if unreadable else "Some fields need another look",
        status=400 if unreadable else 422,
        instance=request.url.path,
        errors=errors,
    )
    return problem_response(request, problem)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_TITLES.get(exc.status_code, ("error", "Something went wrong"))
    # Starlette's default detail is the status phrase ("Not Found"): the title says it already.
    said = {title.casefold(), HTTPStatus(exc.status_code).phrase.casefold()}
    detail = (
        exc.detail if isinstance(exc.detail, str) and exc.detail.casefold() not in said else None
    )
    problem = Problem(
        type=f"/problems/{slug}",
        title=title,
        status=exc.status_code,
        detail=detail,
        instance=request.url.path,
    )
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request, headers.get("Allow", "")))
    return problem_response(request, problem, headers)


_SEGMENT = {"uuid": "[0-9a-fA-F-]{32,36}", "integer": "-?[0-9]+"}


def _template_pattern(template: str, operation: dict[str, Any]) -> str:
    """A path template as a pattern, each parameter as its declared type allows."""
    kinds = {
        p["name"]: p.get("schema", {}).get("format") or p.get("schema", {}).get("type")
        for p in operation.get("parameters", [])
        if p.get("in") == "path"
    }
    pattern = re.escape(template)
    for name, kind in kinds.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), _SEGMENT.get(kind or "", "[^/]+"))
    return "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", pattern) + "$"


def allowed_methods(request: Request, named: str) -> list[str]:
    """Every method the path answers: the one route Starlette names, and every operation the
    OpenAPI document has at a path template matching this path (routes can share a path)."""
    methods = {m.strip().upper() for m in named.split(",") if m.strip()}
    for template, item in request.app.openapi().get("paths", {}).items():
        for method, operation in item.items():
            if re.match(_template_pattern(template, operation), request.url.path):
                methods.add(method.upper())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


# SQLSTATEs of a database that can't take this request right now: connection exceptions (08),
# no connection left on the server (53300), the server shutting down, restarting or not yet
# accepting connections (57P01-57P03).
UNREACHABLE_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03")
RETRY_AFTER_SECONDS = 2


def database_unreachable(exc: BaseException) -> bool:
    """The database is restarting, failing over, out of reach or out of connections: nothing
    is wrong with the request, and the same request will work again in a moment."""
    if isinstance(exc, ConnectionError | TimeoutError):  # refused, reset, timed out
        return True
    if isinstance(exc, DBAPIError):
        state = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", "") or "")
        return exc.connection_invalidated or state.startswith(UNREACHABLE_SQLSTATES)
    return False


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    # Only the exception's class: its message may carry personal data.
    if database_unreachable(exc):
        log.warning("database_unreachable", error=type(exc).__name__)
        unavailable = Problem(
            type="/problems/unavailable",
            title="Kindred is briefly unavailable",
            status=503,
            detail="The service can't reach its database just now. Please try again in a moment.",
            instance=request.url.path,
        )
        return problem_response(
            request, unavailable, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    log.error("unhandled_error", error=type(exc).__name__)
    problem = Problem(
        type="/problems/internal",
        title="Something went wrong on our side",
        status=500,
        detail="It has been logged. Please try again in a moment.",
        instance=request.url.path,
    )
    return problem_response(request, problem)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
