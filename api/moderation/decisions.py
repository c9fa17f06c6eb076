"""Coordinators' moderation decisions on a report or a concern.

A decision is one of: a note for the record, a kind written warning, hiding the reported
message from both people, suspending the person's account until a date, or ending the
relationship for safety (the one existing path, ``coordination.safety.end_for_safety``). Each
carries the coordinator's reason (sealed, for the record and the audit log) and, unless it is a
note, what the person is told in the coordinator's own words (sealed); the person gets a notice
and may appeal once (``appeals.py``). Every decision is in the staff audit log.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from api.audit import service as audit
from api.audit.service import Action
from api.auth import suspension
from api.auth.principal import Principal
from api.common import utcnow
from api.concerns import service as concerns
from api.concerns.models import Concern, ConcernStatus
from api.config import Settings
from api.contact import reports
from api.contact.models import Message
from api.coordination import safety as coordination
from api.crypto import seal
from api.errors import Conflict, Invalid, NotFound
from api.moderation.models import TOLD, DecisionKind, ModerationDecision
from api.notices import service as notices
from api.relationships.models import Relationship

MIN_REASON, MAX_REASON = 10, 2000
MIN_TO_PERSON, MAX_TO_PERSON = 10, 1000
LONGEST_SUSPENSION = timedelta(days=365)
Side = Literal["seeker", "supporter"]


def reason_context(decision_id: UUID) -> bytes:
    return decision_id.bytes + b"reason"


def to_person_context(decision_id: UUID) -> bytes:
    return decision_id.bytes + b"to_person"


def _text(value: str | None, field: str, low: int, high: int, what: str) -> str:
    value = (value or "").strip()
    if not low <= len(value) <= high:
        raise Invalid.field(field, f"{what} ({low} to {high} characters).")
    return value


async def _person(
    db: AsyncSession, concern: Concern, relationship: Relationship, about: Side | None
) -> tuple[UUID | None, str | None]:
    """Who the decision is about: the sender of a reported message, otherwise whoever the
    coordinator names (the other person than the one who raised it, if they don't)."""
    if concern.message_id is not None and about is None:
        sender = await db.scalar(select(Message.sender_id).where(Message.id == concern.message_id))
        if sender is not None:
            side = "seeker" if sender == relationship.seeker_id else "supporter"
            return sender, side
    side = about or ("supporter" if concern.raised_by_role == "seeker" else "seeker")
    return (relationship.seeker_id if side == "seeker" else relationship.supporter_id), side


def _until(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        raise Invalid.field("suspend_until", "Choose the date the suspension ends.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not now < value <= now + LONGEST_SUSPENSION:
        raise Invalid.field(
            "suspend_until", "Choose a date after today and at most a year from now."
        )
    return value


def from_day(day: date) -> datetime:
    """A suspension "until 14 December" ends as that day begins (UTC): log-in works again then."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


async def decide(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    concern_id: UUID,
    kind: DecisionKind,
    reason: str,
    to_person: str | None = None,
    about: Side | None = None,
    suspend_until: datetime | None = None,
) -> ModerationDecision:
    """Make one moderation decision on a concern, with its recorded reason; the person it is
    about is told (unless it is a note) and may appeal once."""
    concerns.require_coordinator(me)
    concern = await db.get(Concern, concern_id)
    if concern is None:
        raise NotFound("No such concern.")
    relationship = await db.get(Relationship, concern.relationship_id, populate_existing=True)
    assert relationship is not None  # a concern goes with its relationship
    reason = _text(reason, "reason", MIN_REASON, MAX_REASON, "Record the reason")
    if kind in TOLD:
        to_person = _text(
            to_person,
            "to_person",
            MIN_TO_PERSON,
            MAX_TO_PERSON,
            "Write what the person will read, kindly",
        )
    else:
        to_person = None
    person_id, side = await _person(db, concern, relationship, about)
    if kind in TOLD and person_id is None:
        raise Conflict("That person has left Kindred; only a note can be recorded now.")
    now = utcnow()
    decision = ModerationDecision(
        kind=kind,
        concern_id=concern.id,
        relationship_id=relationship.id,
        person_id=person_id,
        person_role=side,
        decided_by=me.user_id,
        decided_by_name=me.display_name,
        decided_at=now,
    )
    if kind == DecisionKind.hide_message:
        if concern.message_id is None:
            raise Conflict("Only a reported message can be hidden; this concern has none.")
        await reports.hide(
            db, relationship=relationship, message_id=concern.message_id, hidden=True
        )
        decision.message_id = concern.message_id
    elif kind == DecisionKind.suspend:
        assert person_id is not None and to_person is not None
        decision.suspended_until = _until(suspend_until, now)
        await suspension.suspend(
            db, settings, user_id=person_id, until=decision.suspended_until, why=to_person
        )
    elif kind == DecisionKind.end_relationship:
        await coordination.end_for_safety(
            db,
            me,
            settings=settings,
            relationship_id=relationship.id,
            reason=reason,
            concern_id=concern.id,
        )
    decision.reason_sealed = seal(settings, reason, reason_context(decision.id))
    decision.to_person_sealed = seal(settings, to_person, to_person_context(decision.id))
    db.add(decision)
    await db.flush()
    await concerns.record(
        db,
        settings=settings,
        concern=concern,
        actor_id=me.user_id,
        action=f"moderation_{kind}",
        to_status=ConcernStatus.in_progress if concern.status == ConcernStatus.new else None,
    )
    if kind in TOLD:
        await notices.notify(
            db,
            user_id=person_id,
            relationship_id=relationship.id,
            kind=f"moderation_{kind}",
            key=f"moderation/{decision.id}",
            decision_id=str(decision.id),
            **(
                {"until": decision.suspended_until.date().isoformat()}
                if decision.suspended_until
                else {}
            ),
        )
    await audit.record(
        db,
        me,
        action=Action.moderation_decided,
        subject_type="moderation_decision",
        subject_id=decision.id,
        reason=reason,
        details={
            "kind": str(kind),
            "concern_id": str(concern.id),
            "relationship_id": str(relationship.id),
            "person_role": side or "",
        }
        | ({"message_id": str(decision.message_id)} if decision.message_id else {})
        | (
            {"suspended_until": decision.suspended_until.isoformat()}
            if decision.suspended_until
            else {}
        ),
    )
    return decision
