"""Report this message, and "I haven't heard from them", on the PWA: two taps each, with an
optional note, through the same services as /api/v1 (api/safety/reports.py)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.common import utcnow
from api.contact import reports as contact_reports
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from api.safety import reports
from web.auth import Peer
from web.csrf import Checked
from web.render import field_errors
from web.routes.safety import BASE, page

router = APIRouter()
REPORT = "pages/safety_report.html"
NOT_HEARD = "pages/safety_not_heard.html"


@router.get(f"{BASE}/messages/{{message_id}}/report", response_class=HTMLResponse)
async def report_page(
    request: Request,
    relationship_id: UUID,
    message_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Tap one: the message, and an optional note (404 unless it reached me from them)."""
    message = await contact_reports.reportable(
        db, me, relationship_id=relationship_id, message_id=message_id, now=utcnow()
    )
    context: dict[str, Any] = {"message_id": message.id, "sent_at": message.sent_at, "values": {}}
    return await page(request, db, settings, me, relationship_id, REPORT, context)


@router.post(
    f"{BASE}/messages/{{message_id}}/report", response_class=HTMLResponse, dependencies=[Checked]
)
async def report(
    request: Request,
    relationship_id: UUID,
    message_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    note: Annotated[str, Form(max_length=5000)] = "",
    anonymous: Annotated[bool, Form()] = False,
) -> Response:
    """Tap two: it goes to the coordinators; then they are offered to block."""
    context: dict[str, Any] = {"message_id": message_id, "values": {"note": note}}
    try:
        await reports.report_message(
            db,
            me,
            settings=settings,
            relationship_id=relationship_id,
            message_id=message_id,
            note=note,
            anonymous=anonymous,
        )
    except DomainError as error:
        if error.status == 404:
            raise
        await db.rollback()
        context["errors"] = field_errors(error)
        return await page(
            request, db, settings, me, relationship_id, REPORT, context, status_code=error.status
        )
    return await page(request, db, settings, me, relationship_id, REPORT, {"reported": True})


@router.get(f"{BASE}/not-heard", response_class=HTMLResponse)
async def not_heard_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    found = await reports.silence(db, me, relationship_id=relationship_id)
    context = {"silence": found, "values": {}}
    return await page(request, db, settings, me, relationship_id, NOT_HEARD, context)


@router.post(f"{BASE}/not-heard", response_class=HTMLResponse, dependencies=[Checked])
async def not_heard(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    new_match: Annotated[bool, Form()] = False,
) -> Response:
    """One tap: the coordinators are told; with `new_match`, first in line for someone new."""
    try:
        done = await reports.not_heard(
            db, me, settings=settings, relationship_id=relationship_id, new_match=new_match
        )
    except DomainError as error:
        if error.status == 404:
            raise
        await db.rollback()
        found = await reports.silence(db, me, relationship_id=relationship_id)
        context = {"silence": found, "errors": field_errors(error)}
        return await page(
            request, db, settings, me, relationship_id, NOT_HEARD, context, status_code=error.status
        )
    context = {"told": True, "new_match": done.request is not None}
    return await page(request, db, settings, me, relationship_id, NOT_HEARD, context)
