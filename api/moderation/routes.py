"""Moderation routes: coordinators decide on a concern and on appeals
(``/coordination/...``); the safeguarding lead reads and exports the whole record; the person
a decision is about reads it and appeals once (``/moderation/...``)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import PlainTextResponse

from api.auth.deps import CurrentCoordinator, CurrentPrincipal
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep, client_address
from api.errors import RATE_LIMITED, problem_response_docs
from api.moderation import appeals, decisions, records
from api.moderation.models import DecisionKind, Outcome
from api.moderation.schemas import (
    AppealDecisionIn,
    AppealIn,
    DecisionForStaff,
    DecisionIn,
    DecisionOut,
    RecordRowOut,
    SuspendedAppealIn,
)
from api.paging import ListOut, Period, page_of

router = APIRouter(tags=["moderation"])

KindQuery = Annotated[DecisionKind | None, Query(description="Only decisions of this kind")]
OutcomeQuery = Annotated[Outcome | None, Query(description="Only decisions with this outcome")]


@router.post(
    "/coordination/concerns/{concern_id}/decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionForStaff,
    responses=problem_response_docs(403, 404, 409, 422),
)
async def decide(
    concern_id: UUID,
    body: DecisionIn,
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
) -> DecisionForStaff:
    """Make a moderation decision on a concern (a reported message's or any other) with its
    recorded reason: note, warn, hide the reported message, suspend until a day, or end the
    relationship for safety. The person is told in `to_person`'s words and may appeal once."""
    made = await decisions.decide(
        db,
        me,
        settings=settings,
        concern_id=concern_id,
        kind=body.kind,
        reason=body.reason,
        to_person=body.to_person,
        about=body.about,
        suspend_until=decisions.from_day(body.suspend_until) if body.suspend_until else None,
    )
    return DecisionForStaff.of(
        await appeals.for_staff(db, me, settings=settings, decision_id=made.id)
    )


@router.get(
    "/coordination/concerns/{concern_id}/decisions",
    response_model=ListOut[DecisionForStaff],
    responses=problem_response_docs(403, 404),
)
async def concern_decisions(
    concern_id: UUID, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep, window: PageDep
) -> ListOut[DecisionForStaff]:
    """The decisions made on one concern, oldest first, with any appeal."""
    found = await appeals.on_concern(db, me, settings=settings, concern_id=concern_id)
    shown = page_of(found, window, id_of=lambda v: v.id)
    return ListOut(data=[DecisionForStaff.of(v) for v in shown.items], has_more=shown.has_more)


@router.get(
    "/coordination/moderation/appeals",
    response_model=ListOut[DecisionForStaff],
    responses=problem_response_docs(403),
)
async def appeals_queue(
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    window: PageDep,
    waiting: Annotated[bool, Query(description="Only appeals not yet decided")] = True,
) -> ListOut[DecisionForStaff]:
    """Appealed decisions, oldest appeal first: those I may decide (not my own decisions), or
    every one for the safeguarding lead and administrators."""
    found = await appeals.appeals_queue(db, me, settings=settings, window=window, waiting=waiting)
    return ListOut(data=[DecisionForStaff.of(v) for v in found.items], has_more=found.has_more)


@router.get(
    "/coordination/moderation/decisions/{decision_id}",
    response_model=DecisionForStaff,
    responses=problem_response_docs(403, 404),
)
async def staff_decision(
    decision_id: UUID, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> DecisionForStaff:
    """One decision: its reason, what the person was told, and any appeal."""
    return DecisionForStaff.of(
        await appeals.for_staff(db, me, settings=settings, decision_id=decision_id)
    )


@router.post(
    "/coordination/moderation/decisions/{decision_id}/appeal-decision",
    response_model=DecisionForStaff,
    responses=problem_response_docs(403, 404, 409, 422),
)
async def decide_appeal(
    decision_id: UUID,
    body: AppealDecisionIn,
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
) -> DecisionForStaff:
    """Uphold or overturn an appeal (overturning shows a hidden message again or ends a
    suspension); the person is told in `answer`'s words. The coordinator who made the decision
    can't decide its appeal (403)."""
    return DecisionForStaff.of(
        await appeals.decide_appeal(
            db,
            me,
            settings=settings,
            decision_id=decision_id,
            outcome=body.outcome,
            answer=body.answer,
        )
    )


def _filters(period: Period, kind: DecisionKind | None, outcome: Outcome | None) -> records.Filters:
    return records.Filters(
        period=period,
        kind=None if kind is None else str(kind),
        outcome=None if outcome is None else str(outcome),
    )


@router.get(
    "/coordination/moderation/decisions",
    response_model=ListOut[RecordRowOut],
    responses=problem_response_docs(403, 422),
)
async def record(
    me: CurrentCoordinator,
    db: SessionDep,
    window: PageDep,
    period: PeriodDep,
    kind: KindQuery = None,
    outcome: OutcomeQuery = None,
) -> ListOut[RecordRowOut]:
    """Every decision and its appeal, newest first: ids, kinds, dates, who decided, outcome,
    never anything anyone wrote (the safeguarding lead and administrators)."""
    found = await records.decisions(db, me, window=window, filters=_filters(period, kind, outcome))
    return ListOut(
        data=[RecordRowOut.model_validate(r) for r in found.items], has_more=found.has_more
    )


@router.get(
    "/coordination/moderation/decisions.csv",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}, **problem_response_docs(403, 422)},
)
async def record_csv(
    me: CurrentCoordinator,
    db: SessionDep,
    period: PeriodDep,
    kind: KindQuery = None,
    outcome: OutcomeQuery = None,
) -> PlainTextResponse:
    """The same record as CSV, oldest first, for a regulator; the export is itself audited."""
    text = await records.export_csv(db, me, filters=_filters(period, kind, outcome))
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="kindred-moderation.csv"'},
    )


# ---- the person a decision is about ----------------------------------------------------------


@router.get("/moderation/decisions", response_model=ListOut[DecisionOut])
async def my_decisions(
    me: CurrentPrincipal, db: SessionDep, settings: SettingsDep, window: PageDep
) -> ListOut[DecisionOut]:
    """Coordinators' decisions about me, newest first, with what they wrote to me and my
    appeal."""
    found = await appeals.my_decisions(db, me, settings=settings, window=window)
    return ListOut(data=[DecisionOut.of(v) for v in found.items], has_more=found.has_more)


@router.get(
    "/moderation/decisions/{decision_id}",
    response_model=DecisionOut,
    responses=problem_response_docs(404),
)
async def my_decision(
    decision_id: UUID, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> DecisionOut:
    """One decision about me."""
    return DecisionOut.of(
        await appeals.my_decision(db, me, settings=settings, decision_id=decision_id)
    )


@router.post(
    "/moderation/decisions/{decision_id}/appeal",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    responses=problem_response_docs(404, 409, 422),
)
async def appeal(
    decision_id: UUID, body: AppealIn, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> DecisionOut:
    """Ask another coordinator to look at a decision about me again (once)."""
    return DecisionOut.of(
        await appeals.appeal(db, me, settings=settings, decision_id=decision_id, text=body.text)
    )


@router.post(
    "/moderation/suspension-appeal",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    responses=problem_response_docs(401, 409, 422),
    openapi_extra={RATE_LIMITED: True},
)
async def appeal_suspension(
    body: SuspendedAppealIn, request: Request, db: SessionDep, settings: SettingsDep
) -> DecisionOut:
    """A suspended person can't log in: they appeal their suspension (once) with their email
    and password instead, throttled like a log-in. Another coordinator decides it."""
    return DecisionOut.of(
        await appeals.appeal_while_suspended(
            db,
            settings=settings,
            email=body.email,
            password=body.password,
            address=client_address(request),
            text=body.text,
        )
    )
