"""After (or instead of) an ending, on the PWA: raise a concern, block, ask for a new match,
meet again, leave private feedback. Shares the page helpers of web/routes/safety.py."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.concerns import service as concerns
from api.concerns.models import ConcernKind
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, Invalid
from api.safety import aftercare
from web.auth import Peer, redirect
from web.csrf import Checked
from web.routes.safety import BASE, CONCERN_KINDS, failed, page, url

router = APIRouter()


# ---- concerns and blocking ---------------------------------------------------------------


@router.get(f"{BASE}/concern", response_class=HTMLResponse)
async def concern_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    context: dict[str, Any] = {"values": {}}
    return await page(
        request, db, settings, me, relationship_id, "pages/safety_concern.html", context
    )


@router.post(f"{BASE}/concern", response_class=HTMLResponse, dependencies=[Checked])
async def raise_concern(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    kind: Annotated[str, Form(max_length=40)] = "",
    details: Annotated[str, Form(max_length=5000)] = "",
    anonymous: Annotated[bool, Form()] = False,
) -> Response:
    values = {"kind": kind, "details": details, "anonymous": anonymous}
    try:
        if kind not in {k.value for k, _ in CONCERN_KINDS}:
            raise Invalid.field("kind", "Choose what the concern is about.")
        await concerns.raise_concern(
            db,
            me,
            settings=settings,
            relationship_id=relationship_id,
            kind=ConcernKind(kind),
            details=details,
            anonymous=anonymous,
        )
    except DomainError as error:
        return await failed(
            request,
            db,
            settings,
            me,
            relationship_id,
            "pages/safety_concern.html",
            error,
            {"values": values},
        )
    context = {"values": {}, "raised": True}
    return await page(
        request, db, settings, me, relationship_id, "pages/safety_concern.html", context
    )


@router.get(f"{BASE}/block", response_class=HTMLResponse)
async def block_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    return await page(request, db, settings, me, relationship_id, "pages/safety_block.html")


@router.post(f"{BASE}/block", response_class=HTMLResponse, dependencies=[Checked])
async def block(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    try:
        await aftercare.block(db, me, relationship_id=relationship_id)
    except DomainError as error:
        return await failed(
            request, db, settings, me, relationship_id, "pages/safety_block.html", error
        )
    return redirect(request, url(relationship_id) + "?done=blocked")


# ---- after the ending --------------------------------------------------------------------


@router.post(f"{BASE}/new-match", response_class=HTMLResponse, dependencies=[Checked])
async def new_match(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    """One tap: looking again with the same request and preferences."""
    try:
        await aftercare.new_match(db, me, relationship_id=relationship_id)
    except DomainError as error:
        return await failed(request, db, settings, me, relationship_id, "pages/safety.html", error)
    return redirect(request, "/find")


@router.post(f"{BASE}/match-again", response_class=HTMLResponse, dependencies=[Checked])
async def match_again(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    glad: Annotated[bool, Form()] = False,
) -> Response:
    try:
        await aftercare.match_again(db, me, relationship_id=relationship_id, glad=glad)
    except DomainError as error:
        return await failed(request, db, settings, me, relationship_id, "pages/safety.html", error)
    return redirect(request, url(relationship_id))


@router.post(f"{BASE}/feedback", response_class=HTMLResponse, dependencies=[Checked])
async def feedback(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        await aftercare.leave_feedback(
            db, me, settings=settings, relationship_id=relationship_id, text=text
        )
    except DomainError as error:
        context = {"feedback": text}
        return await failed(
            request, db, settings, me, relationship_id, "pages/safety.html", error, context
        )
    return redirect(request, url(relationship_id) + "?done=feedback")
