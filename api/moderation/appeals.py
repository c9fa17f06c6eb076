"""What the person affected sees of a decision about them, their one appeal, and another
coordinator's answer.

A person reads the decisions about them (never a note, which is only for the record) with what
the coordinator wrote to them, and may appeal each once with a short text. A coordinator who
did not make the decision decides the appeal: upheld, or overturned, which undoes a hidden
message or a suspension. The person is told either way. Coordinators see the appeals they may
decide; the safeguarding lead (and administrators) see them all.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth import service as auth
from api.auth import suspension
from api.auth.principal import Principal
from api.common import utcnow
from api.concerns import service as concerns
from api.concerns.models import Concern
from api.config import Settings
from api.contact import reports
from api.crypto import seal, unseal
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.moderation.decisions import reason_context, to_person_context
from api.moderation.models import TOLD, Appeal, DecisionKind, ModerationDecision, Outcome
from api.notices import service as notices
from api.paging import Order, Page, Window, page
from api.relationships.models import Relationship

MAX_APPEAL, MIN_ANSWER, MAX_ANSWER = 1000, 10, 1000
Verdict = Literal["upheld", "overturned"]


class OwnDecision(Forbidden):
    type = "own-decision"
    title = "Another coordinator decides this appeal"


def text_context(appeal_id: UUID) -> bytes:
    return appeal_id.bytes + b"appeal"


def answer_context(appeal_id: UUID) -> bytes:
    return appeal_id.bytes + b"answer"


@dataclass(frozen=True)
class AppealView:
    id: UUID
    made_at: datetime
    text: str | None
    outcome: str | None
    decided_at: datetime | None
    decided_by_name: str | None  # coordinators only; the person reads "another coordinator"
    answer: str | None


@dataclass(frozen=True)
class DecisionView:
    """A decision with its words: for the person it is about, or for coordinators."""

    id: UUID
    kind: str
    outcome: str
    decided_at: datetime
    relationship_id: UUID | None
    concern_id: UUID | None
    person_role: str | None
    suspended_until: datetime | None
    reversed_at: datetime | None
    to_person: str | None
    appeal: AppealView | None
    can_appeal: bool
    # Coordinators only (None for the person):
    decided_by: UUID | None = None
    decided_by_name: str | None = None
    reason: str | None = None
    may_decide_appeal: bool = False


def _appeal_view(settings: Settings, appeal: Appeal | None, staff: bool) -> AppealView | None:
    if appeal is None:
        return None
    return AppealView(
        id=appeal.id,
        made_at=appeal.made_at,
        text=unseal(settings, appeal.text_sealed, text_context(appeal.id)),
        outcome=appeal.outcome,
        decided_at=appeal.decided_at,
        decided_by_name=appeal.decided_by_name if staff else None,
        answer=unseal(settings, appeal.answer_sealed, answer_context(appeal.id)),
    )


def view(
    settings: Settings,
    decision: ModerationDecision,
    appeal: Appeal | None,
    staff: Principal | None = None,
) -> DecisionView:
    """A decision as the person it is about sees it, or (with `staff`) as coordinators do."""
    return DecisionView(
        id=decision.id,
        kind=decision.kind,
        outcome=decision.outcome,
        decided_at=decision.decided_at,
        relationship_id=decision.relationship_id,
        concern_id=decision.concern_id,
        person_role=decision.person_role,
        suspended_until=decision.suspended_until,
        reversed_at=decision.reversed_at,
        to_person=unseal(settings, decision.to_person_sealed, to_person_context(decision.id)),
        appeal=_appeal_view(settings, appeal, staff is not None),
        can_appeal=appeal is None and decision.kind in TOLD,
        decided_by=decision.decided_by if staff else None,
        decided_by_name=decision.decided_by_name if staff else None,
        reason=(
            unseal(settings, decision.reason_sealed, reason_context(decision.id)) if staff else None
        ),
        may_decide_appeal=bool(
            staff
            and appeal is not None
            and appeal.outcome is None
            and decision.decided_by != staff.user_id
        ),
    )


def _with_appeal() -> Select[Any]:
    joined = sa_select(ModerationDecision, Appeal).outerjoin(
        Appeal, col(Appeal.decision_id) == ModerationDecision.id
    )
    return cast("Select[Any]", joined)


def _mine(me: Principal) -> Select[Any]:
    return _with_appeal().where(
        col(ModerationDecision.person_id) == me.user_id,
        col(ModerationDecision.kind) != DecisionKind.note,
    )


async def my_decisions(
    db: AsyncSession, me: Principal, *, settings: Settings, window: Window
) -> Page[DecisionView]:
    """The decisions about me, newest first, with what I was told and my appeal."""
    found = await page(
        db,
        _mine(me),
        Order(col(ModerationDecision.decided_at), col(ModerationDecision.id), descending=True),
        window,
        anchor=lambda cursor: select(ModerationDecision.decided_at).where(
            col(ModerationDecision.id) == cursor, col(ModerationDecision.person_id) == me.user_id
        ),
    )
    return Page([view(settings, d, a) for d, a in found.items], found.has_more)


async def my_decision(
    db: AsyncSession, me: Principal, *, settings: Settings, decision_id: UUID
) -> DecisionView:
    """One decision about me (404 for anyone else's)."""
    row = (await db.execute(_mine(me).where(col(ModerationDecision.id) == decision_id))).first()
    if row is None:
        raise NotFound("No such decision about you.")
    return view(settings, row[0], row[1])


async def appeal(
    db: AsyncSession, me: Principal, *, settings: Settings, decision_id: UUID, text: str
) -> DecisionView:
    """Ask another coordinator to look at a decision about me again: once, with a short text."""
    found = await my_decision(db, me, settings=settings, decision_id=decision_id)
    if found.appeal is not None:
        raise Conflict("You have already appealed this decision; you can appeal only once.")
    decision = await db.get(ModerationDecision, decision_id)
    assert decision is not None
    await _file(db, settings, decision, me.user_id, text)
    return await my_decision(db, me, settings=settings, decision_id=decision_id)


async def _file(
    db: AsyncSession, settings: Settings, decision: ModerationDecision, user_id: UUID, text: str
) -> Appeal:
    text = (text or "").strip()
    if not text or len(text) > MAX_APPEAL:
        raise Invalid.field("text", f"Tell us why, in up to {MAX_APPEAL} characters.")
    made = Appeal(decision_id=decision.id, appellant_id=user_id)
    made.text_sealed = seal(settings, text, text_context(made.id))
    try:
        async with db.begin_nested():  # two appeals at once: the unique decision_id keeps one
            db.add(made)
            decision.outcome = Outcome.appealed
    except IntegrityError:
        raise Conflict(
            "You have already appealed this decision; you can appeal only once."
        ) from None
    if decision.concern_id is not None and (c := await db.get(Concern, decision.concern_id)):
        await concerns.record(db, settings=settings, concern=c, actor_id=user_id, action="appealed")
    return made


async def appeal_while_suspended(
    db: AsyncSession,
    *,
    settings: Settings,
    email: str,
    password: str,
    address: str,
    text: str,
) -> DecisionView:
    """A suspended person can't log in, so they appeal their suspension with their password
    instead (throttled like a log-in); once, like any appeal."""
    user = await auth.suspended_account(
        db, settings=settings, email=email, password=password, address=address
    )
    decision = await db.scalar(
        select(ModerationDecision)
        .where(
            col(ModerationDecision.person_id) == user.id,
            col(ModerationDecision.kind) == DecisionKind.suspend,
            col(ModerationDecision.reversed_at).is_(None),
        )
        .order_by(col(ModerationDecision.decided_at).desc())
        .limit(1)
    )
    if decision is None:
        raise Conflict("There's no suspension to appeal here. Please contact the service.")
    if await db.scalar(select(Appeal.id).where(col(Appeal.decision_id) == decision.id)):
        raise Conflict("You have already appealed this suspension; you can appeal only once.")
    made = await _file(db, settings, decision, user.id, text)
    return view(settings, decision, made)


def sees_every_appeal(me: Principal) -> bool:
    return me.is_safeguarding_lead or me.is_admin


async def appeals_queue(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    window: Window,
    waiting: bool = True,
) -> Page[DecisionView]:
    """Appealed decisions, oldest appeal first: those I may decide (anything but my own
    decisions), or every one for the safeguarding lead. `waiting=False`: decided ones too."""
    concerns.require_coordinator(me)
    query = _with_appeal().where(col(Appeal.id).is_not(None))
    if waiting:
        query = query.where(col(Appeal.outcome).is_(None))
    if not sees_every_appeal(me):
        query = query.where(col(ModerationDecision.decided_by).is_distinct_from(me.user_id))
    found = await page(
        db,
        query,
        Order(col(Appeal.made_at), col(ModerationDecision.id), descending=False),
        window,
        anchor=lambda cursor: select(Appeal.made_at).where(Appeal.decision_id == cursor),
    )
    return Page([view(settings, d, a, me) for d, a in found.items], found.has_more)


async def for_staff(
    db: AsyncSession, me: Principal, *, settings: Settings, decision_id: UUID
) -> DecisionView:
    """One decision with its reason, what the person was told, and any appeal."""
    concerns.require_coordinator(me)
    row = (
        await db.execute(_with_appeal().where(col(ModerationDecision.id) == decision_id))
    ).first()
    if row is None:
        raise NotFound("No such decision.")
    return view(settings, row[0], row[1], me)


async def on_concern(
    db: AsyncSession, me: Principal, *, settings: Settings, concern_id: UUID
) -> list[DecisionView]:
    """The decisions made on one concern, oldest first."""
    concerns.require_coordinator(me)
    if await db.get(Concern, concern_id) is None:
        raise NotFound("No such concern.")
    rows = await db.execute(
        _with_appeal()
        .where(col(ModerationDecision.concern_id) == concern_id)
        .order_by(col(ModerationDecision.decided_at), col(ModerationDecision.id))
    )
    return [view(settings, d, a, me) for d, a in rows.all()]


async def _undo(db: AsyncSession, decision: ModerationDecision) -> None:
    if decision.kind == DecisionKind.hide_message and decision.message_id is not None:
        relationship = (
            await db.get(Relationship, decision.relationship_id)
            if decision.relationship_id
            else None
        )
        if relationship is not None:
            await reports.hide(
                db, relationship=relationship, message_id=decision.message_id, hidden=False
            )
    elif decision.kind == DecisionKind.suspend and decision.person_id is not None:
        await suspension.lift(db, user_id=decision.person_id)
    decision.reversed_at = utcnow()


async def decide_appeal(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    decision_id: UUID,
    outcome: Verdict,
    answer: str,
) -> DecisionView:
    """Decide an appeal against someone else's decision: uphold it, or overturn it (a hidden
    message shows again, a suspension ends); the person is told, in `answer`'s words."""
    concerns.require_coordinator(me)
    decision = await db.get(ModerationDecision, decision_id, populate_existing=True)
    made = await db.scalar(select(Appeal).where(Appeal.decision_id == decision_id))
    if decision is None or made is None:
        raise NotFound("No appeal against that decision.")
    if decision.decided_by == me.user_id:
        raise OwnDecision(
            "You made this decision, so another coordinator decides its appeal. "
            "The safeguarding lead can see every appeal waiting."
        )
    if made.outcome is not None:
        raise Conflict("This appeal has already been decided.")
    if outcome not in ("upheld", "overturned"):
        raise Invalid.field("outcome", "Choose to uphold or overturn the decision.")
    answer = (answer or "").strip()
    if not MIN_ANSWER <= len(answer) <= MAX_ANSWER:
        raise Invalid.field(
            "answer",
            f"Write what the person will read, kindly ({MIN_ANSWER} to {MAX_ANSWER} characters).",
        )
    made.outcome, made.decided_at = outcome, utcnow()
    made.decided_by, made.decided_by_name = me.user_id, me.display_name
    made.answer_sealed = seal(settings, answer, answer_context(made.id))
    decision.outcome = Outcome(outcome)
    if outcome == "overturned":
        await _undo(db, decision)
    await db.flush()
    if decision.concern_id is not None and (c := await db.get(Concern, decision.concern_id)):
        await concerns.record(
            db, settings=settings, concern=c, actor_id=me.user_id, action=f"appeal_{outcome}"
        )
    await notices.notify(
        db,
        user_id=decision.person_id,
        relationship_id=decision.relationship_id,
        kind=f"appeal_{outcome}",
        key=f"appeal/{made.id}",
        decision_id=str(decision.id),
        decision_kind=str(decision.kind),
    )
    await audit.record(
        db,
        me,
        action=Action.appeal_decided,
        subject_type="moderation_decision",
        subject_id=decision.id,
        reason=answer,
        details={"appeal_id": str(made.id), "outcome": outcome, "kind": str(decision.kind)},
    )
    return await for_staff(db, me, settings=settings, decision_id=decision_id)
