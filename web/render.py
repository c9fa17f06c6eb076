"""Render a full page, or one named block of it for an htmx request (one template, no copies)."""

from typing import Any, cast

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2_fragments.fastapi import Jinja2Blocks

from api.errors import DomainError, FieldError, Problem
from web import WEB_ROOT, csrf

templates = Jinja2Blocks(directory=str(WEB_ROOT / "templates"))
HTMX_VERSION = "2.0.11"


def field_errors(error: DomainError) -> dict[str, str]:
    """Messages by field, for showing next to each field; '' holds the general message."""
    errors: list[FieldError] = error.errors or []
    by_field = {e.field: e.message for e in errors}
    if not by_field:
        by_field[""] = error.detail or error.title
    return by_field


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    """The page, or only ``block`` when htmx asked for a part of it (not a boosted navigation)."""
    settings = request.app.state.settings
    cookie_value, new_cookie = csrf.current_cookie(request)
    # A boosted navigation or a history restore (Back) needs the whole page.
    headers = request.headers
    partial = (
        headers.get("hx-request")
        and not headers.get("hx-boosted")
        and not headers.get("hx-history-restore-request")
    )
    values = {
        "request": request,
        "me": getattr(request.state, "principal", None),
        "unread_notices": getattr(request.state, "unread_notices", 0),
        "settings": settings,
        "csrf_token": csrf.token_for(settings, cookie_value),
        "htmx_version": HTMX_VERSION,
        "errors": {},
        **(context or {}),
    }
    # An HTMLResponse, whole page or block, though jinja2-fragments declares Response.
    response = cast(
        HTMLResponse,
        templates.TemplateResponse(
            request,
            template,
            values,
            status_code=status_code,
            block_name=block if partial and block else None,
        ),
    )
    if new_cookie:
        response.set_cookie(
            csrf.cookie_name(settings),
            cookie_value,
            httponly=True,
            secure=settings.cookie_secure,
            samesite="strict",
            path="/",
        )
    return response


def error_page(request: Request, problem: Problem) -> HTMLResponse:
    return render(request, "pages/error.html", {"problem": problem}, status_code=problem.status)
