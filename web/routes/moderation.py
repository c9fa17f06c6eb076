"""Decisions coordinators made about me, what they wrote to me, and my one appeal (PWA),
through the same services as /api/v1/moderation (api/moderation/appeals.py)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.deps import SettingsDep, client_address
from api.errors import DomainError
from api.moderation import appeals
from api.paging import Window
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
WHAT = {
    "warn": "A warning",
    "hide_message": "One of your messages was hidden",
    "suspend": "Your account was suspended",
    "end_relationship": "Your support was ended for safety",
}


async def _page(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    *,
    errors: dict[str, str] | None = None,
    failed: UUID | None = None,
    status_code: int = 200,
) -> Response:
    found = await appeals.my_decisions(db, me, settings=settings, window=Window(limit=100))
    context = {
        "decisions": found.items,
        "what": WHAT,
        "errors": errors or {},
        "failed": failed,
        "appealed": request.query_params.get("appealed"),
    }
    return render(request, "pages/moderation.html", context, status_code=status_code)


@router.get("/moderation", response_class=HTMLResponse)
async def moderation_page(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    return await _page(request, me, db, settings)


@router.post(
    "/moderation/{decision_id}/appeal", response_class=HTMLResponse, dependencies=[Checked]
)
async def appeal(
    request: Request,
    decision_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        await appeals.appeal(db, me, settings=settings, decision_id=decision_id, text=text)
    except DomainError as error:
        await db.rollback()
        return await _page(
            request,
            me,
            db,
            settings,
            errors=field_errors(error),
            failed=decision_id,
            status_code=error.status,
        )
    return redirect(request, "/moderation?appealed=1")


@router.get("/moderation/suspended", response_class=HTMLResponse)
async def suspended_page(request: Request) -> Response:
    """A suspended person can't log in: they appeal with their email and password instead."""
    return render(request, "pages/moderation_suspended.html", {"values": {}, "errors": {}})


@router.post("/moderation/suspended", response_class=HTMLResponse, dependencies=[Checked])
async def suspended_appeal(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        await appeals.appeal_while_suspended(
            db,
            settings=settings,
            email=email,
            password=password,
            address=client_address(request),
            text=text,
        )
    except DomainError as error:
        context = {"values": {"email": email, "text": text}, "errors": field_errors(error)}
        response = render(
            request, "pages/moderation_suspended.html", context, status_code=error.status
        )
        response.headers.update(error.headers)
        return response
    done: dict[str, Any] = {"values": {}, "errors": {}, "done": True}
    return render(request, "pages/moderation_suspended.html", done)
