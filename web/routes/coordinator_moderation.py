"""Moderation on the console: read a reported message because of its report, decide on a
concern, work the appeals (never one's own decisions), and, for the safeguarding lead, the
whole record and its CSV. The same services as /api/v1/coordination (api/moderation)."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.concerns import service as concerns
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, Invalid
from api.moderation import appeals, decisions, records
from api.moderation.models import DecisionKind
from api.paging import Window
from api.safety import safeguarding
from web.auth import redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.coordinator import Staff

router = APIRouter()
KINDS = {
    "note": "A note for the record only (nobody is told)",
    "warn": "A kind written warning",
    "hide_message": "Hide the reported message from both people",
    "suspend": "Suspend their account until a day",
    "end_relationship": "End the relationship for safety",
}
OUTCOMES = {
    "in_force": "In force",
    "appealed": "Appeal waiting",
    "upheld": "Upheld on appeal",
    "overturned": "Overturned on appeal",
}
Text = Annotated[str, Form(max_length=2000)]


async def _concern_page(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    concern_id: UUID,
    *,
    read: bool = False,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = await concerns.get_concern(db, me, settings=settings, concern_id=concern_id)
    message = None
    if read and view.concern.message_id is not None:
        message = await safeguarding.read_reported(db, me, settings=settings, concern_id=concern_id)
    made = await appeals.on_concern(db, me, settings=settings, concern_id=concern_id)
    context: dict[str, Any] = {
        "view": view,
        "message": message,
        "decisions": made,
        "kinds": KINDS,
        "outcomes": OUTCOMES,
        "errors": errors or {},
        "values": values or {},
        "tab": "concerns",
    }
    return render(request, "pages/coordinator_moderate.html", context, status_code=status_code)


@router.get("/coordinator/concerns/{concern_id}/moderate", response_class=HTMLResponse)
async def moderate_page(
    request: Request,
    concern_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    read: bool = False,
) -> Response:
    """The decision form; with `read`, the reported message (the read is recorded)."""
    return await _concern_page(request, me, db, settings, concern_id, read=read)


@router.post(
    "/coordinator/concerns/{concern_id}/moderate",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def moderate(
    request: Request,
    concern_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()] = "",
    reason: Text = "",
    to_person: Annotated[str, Form(max_length=1000)] = "",
    suspend_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    values = {"kind": kind, "reason": reason, "to_person": to_person, "until": suspend_until}
    try:
        if kind not in KINDS:
            raise Invalid.field("kind", "Choose what to do.")
        until = None
        if suspend_until:
            try:
                until = decisions.from_day(date.fromisoformat(suspend_until))
            except ValueError:
                raise Invalid.field("suspend_until", "Use a date like 2026-05-04.") from None
        await decisions.decide(
            db,
            me,
            settings=settings,
            concern_id=concern_id,
            kind=DecisionKind(kind),
            reason=reason,
            to_person=to_person,
            suspend_until=until,
        )
    except DomainError as error:
        await db.rollback()
        return await _concern_page(
            request,
            me,
            db,
            settings,
            concern_id,
            errors=field_errors(error),
            values=values,
            status_code=error.status,
        )
    return redirect(request, f"/coordinator/concerns/{concern_id}/moderate?done=1")


@router.get("/coordinator/moderation", response_class=HTMLResponse)
async def moderation_page(
    request: Request, me: Staff, db: SessionDep, settings: SettingsDep
) -> Response:
    """Appeals waiting (those I may decide; all of them for the lead), and for the lead the
    latest decisions with the CSV for a regulator."""
    waiting = await appeals.appeals_queue(db, me, settings=settings, window=Window(limit=100))
    record = None
    if appeals.sees_every_appeal(me):
        record = await records.decisions(db, me, window=Window(limit=50), filters=records.Filters())
    context = {
        "waiting": waiting.items,
        "record": record.items if record else None,
        "kinds": KINDS,
        "outcomes": OUTCOMES,
        "lead": appeals.sees_every_appeal(me),
        "tab": "moderation",
    }
    return render(request, "pages/coordinator_moderation.html", context)


async def _decision_page(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    decision_id: UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await appeals.for_staff(db, me, settings=settings, decision_id=decision_id)
    context = {
        "d": found,
        "kinds": KINDS,
        "outcomes": OUTCOMES,
        "errors": errors or {},
        "mine": found.decided_by == me.user_id,
        "tab": "moderation",
    }
    return render(request, "pages/coordinator_decision.html", context, status_code=status_code)


@router.get("/coordinator/moderation/{decision_id}", response_class=HTMLResponse)
async def decision_page(
    request: Request, decision_id: UUID, me: Staff, db: SessionDep, settings: SettingsDep
) -> Response:
    return await _decision_page(request, me, db, settings, decision_id)


@router.post(
    "/coordinator/moderation/{decision_id}",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def decide_appeal(
    request: Request,
    decision_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    outcome: Annotated[str, Form()] = "",
    answer: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        if outcome not in ("upheld", "overturned"):
            raise Invalid.field("outcome", "Choose to uphold or overturn the decision.")
        await appeals.decide_appeal(
            db,
            me,
            settings=settings,
            decision_id=decision_id,
            outcome=outcome,  # type: ignore[arg-type]
            answer=answer,
        )
    except DomainError as error:
        await db.rollback()
        return await _decision_page(
            request,
            me,
            db,
            settings,
            decision_id,
            errors=field_errors(error),
            status_code=error.status,
        )
    return redirect(request, f"/coordinator/moderation/{decision_id}")


@router.get("/coordinator/moderation-record.csv", response_class=PlainTextResponse)
async def record_csv(me: Staff, db: SessionDep) -> PlainTextResponse:
    """The same CSV as the API's, for the safeguarding lead signed in to the PWA."""
    return PlainTextResponse(
        await records.export_csv(db, me, filters=records.Filters()),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="kindred-moderation.csv"'},
    )
