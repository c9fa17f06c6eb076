"""Decisions coordinators made about me, what they wrote to me, and my one appeal (PWA),
through the same services as /api/v1/moderation (api/moderation/appeals.py)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.deps import SettingsDep
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
