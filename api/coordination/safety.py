"""What coordinators do for safety: pause or end a relationship with a recorded reason, and see
its health (states, dates, kinds and counts; never what the two people said to each other)."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.principal import Principal
from api.concerns import service as concerns
from api.concerns.models import Concern, ConcernStatus
from api.config import Settings
from api.crypto import unseal
from api.errors import Conflict, Invalid, NotFound
from api.profiles.service import display_names
from api.relationships.models import EndKind, Relationship, State
from api.relationships.service import role_in
from api.safety import endings, pauses
from api.safety.models import Ending

MIN_REASON, MAX_REASON = 10, 2000


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise Invalid.field(
            "reason", f"Record the reason ({MIN_REASON} to {MAX_REASON} characters)."
        )
    return reason


async def _relationship(db: AsyncSession, me: Principal, relationship_id: UUID) -> Relationship:
    concerns.require_coordinator(me)
    relationship = await db.get(Relationship, relationship_id, populate_existing=True)
    if relationship is None:
        raise NotFound("No such relationship.")
    return relationship


async def _follow_up(
    db: AsyncSession,
    settings: Settings,
    me: Principal,
    relationship: Relationship,
    concern_id: UUID | None,
    action: str,
) -> None:
    if concern_id is None:
        return
    concern = await concerns.concern_of(db, relationship=relationship, concern_id=concern_id)
    status = (
        ConcernStatus.in_progress
        if concern.status in (ConcernStatus.new, ConcernStatus.triaged)
        else None
    )
    await concerns.record(
        db, settings=settings, concern=concern, actor_id=me.user_id, action=action, to_status=status
    )


async def pause_for_safety(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    reason: str,
    concern_id: UUID | None = None,
) -> Relationship:
    """Pause for safety: the two can't carry on until a coordinator lifts it."""
    relationship = await _relationship(db, me, relationship_id)
    reason = _reason(reason)
    if relationship.state not in (State.active, State.paused):
        raise Conflict(
            f"This relationship is {relationship.state}; only an active one can be paused "
            "(you can end it for safety instead)."
        )
    if concern_id is not None:
        await concerns.concern_of(db, relationship=relationship, concern_id=concern_id)
    await pauses.safety_pause(
        db, settings=settings, relationship=relationship, coordinator_id=me.user_id, reason=reason
    )
    await _follow_up(db, settings, me, relationship, concern_id, "safety_pause")
    await audit.record(
        db,
        me,
        action=Action.relationship_paused,
        subject_type="relationship",
        subject_id=relationship.id,
        reason=reason,
        details={"concern_id": str(concern_id)} if concern_id else {},
    )
    return relationship


async def lift_safety_pause(
    db: AsyncSession, me: Principal, *, relationship_id: UUID
) -> Relationship:
    """Lift a safety pause; the two carry on when both are ready."""
    relationship = await _relationship(db, me, relationship_id)
    await pauses.lift_safety_pause(db, relationship=relationship)
    await audit.record(
        db,
        me,
        action=Action.safety_pause_lifted,
        subject_type="relationship",
        subject_id=relationship.id,
    )
    return relationship


async def end_for_safety(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    reason: str,
    concern_id: UUID | None = None,
) -> Relationship:
    """End for safety, with the reason recorded (both people are told, kindly, not why)."""
    relationship = await _relationship(db, me, relationship_id)
    reason = _reason(reason)
    if concern_id is not None:
        await concerns.concern_of(db, relationship=relationship, concern_id=concern_id)
    await endings.end(
        db,
        relationship=relationship,
        actor_id=me.user_id,
        kind=EndKind.ended_for_safety,
        settings=settings,
        safety_reason=reason,
        concern_id=concern_id,
    )
    await _follow_up(db, settings, me, relationship, concern_id, "safety_end")
    await audit.record(
        db,
        me,
        action=Action.relationship_ended,
        subject_type="relationship",
        subject_id=relationship.id,
        reason=reason,
        details={"concern_id": str(concern_id)} if concern_id else {},
    )
    return relationship


@dataclass(frozen=True)
class ConcernBrief:
    id: UUID
    kind: str
    status: str
    raised_by_role: str
    created_at: datetime


@dataclass(frozen=True)
class Health:
    """A relationship as coordinators see it: states, dates, kinds and counts."""

    relationship_id: UUID
    state: str
    seeker_name: str | None
    supporter_name: str | None
    created_at: datetime
    answered_at: datetime | None
    sessions_held: int
    paused_at: datetime | None
    paused_until: date | None
    paused_by: str | None  # "seeker", "supporter", "coordinator"
    safety_hold: bool
    safety_pause_reason: str | None
    ended_at: datetime | None
    end_kind: str | None
    ended_by: str | None
    reason_category: str | None
    safety_end_reason: str | None
    concerns: list[ConcernBrief]


def _role(relationship: Relationship, user_id: UUID | None) -> str | None:
    if user_id is None:
        return None
    return role_in(relationship, user_id) or "coordinator"


async def health(
    db: AsyncSession, me: Principal, *, settings: Settings, relationship_id: UUID
) -> Health:
    relationship = await _relationship(db, me, relationship_id)
    names = await display_names(
        db, user_ids=[u for u in (relationship.seeker_id, relationship.supporter_id) if u]
    )
    pause = await pauses.current_pause(db, relationship_id=relationship.id)
    ending = await db.get(Ending, relationship.id)
    found = await db.scalars(
        select(Concern)
        .where(Concern.relationship_id == relationship.id)
        .order_by(col(Concern.created_at))
    )
    return Health(
        relationship_id=relationship.id,
        state=relationship.state,
        seeker_name=names.get(relationship.seeker_id) if relationship.seeker_id else None,
        supporter_name=names.get(relationship.supporter_id) if relationship.supporter_id else None,
        created_at=relationship.created_at,
        answered_at=relationship.answered_at,
        sessions_held=relationship.sessions_held,
        paused_at=pause.paused_at if pause else None,
        paused_until=pause.until if pause else None,
        paused_by=_role(relationship, pause.paused_by) if pause else None,
        safety_hold=bool(pause and pause.safety_hold),
        safety_pause_reason=(
            unseal(settings, pause.safety_reason_sealed, pause.id.bytes) if pause else None
        ),
        ended_at=relationship.ended_at,
        end_kind=relationship.end_kind,
        ended_by=_role(relationship, relationship.ended_by),
        reason_category=ending.reason_category if ending else None,
        safety_end_reason=(
            unseal(settings, ending.safety_reason_sealed, endings.safety_context(relationship.id))
            if ending
            else None
        ),
        concerns=[
            ConcernBrief(c.id, c.kind, c.status, c.raised_by_role, c.created_at)
            for c in found.all()
        ],
    )
