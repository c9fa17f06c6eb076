"""Pauses: time out without ending. The supporter's place stays held; no sessions or messages.

- Either person pauses an active relationship, with no reason, optionally until a date.
- Carrying on needs both: one asks, the other acknowledges (then it is active again). If both
  ask, the second ask is the acknowledgement.
- From the planned date on, the person who paused counts as having asked; the other person
  still acknowledges, so contact never restarts without both. The person who paused can
  change or clear the date while it lasts (which also takes back their own ask).
- A coordinator's safety pause can't be resumed by the two until a coordinator lifts it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.crypto import seal
from api.errors import Conflict, Invalid
from api.notices import service as notices
from api.relationships import lifecycle
from api.relationships.models import Relationship, State
from api.relationships.service import mine, other_of
from api.safety.models import Pause

LONGEST_PAUSE_DAYS = 365


@dataclass(frozen=True)
class PauseView:
    pause: Pause
    requested_by: UUID | None  # who has asked to carry on (the planned date counts)
    requested_at: datetime | None
    date_passed: bool


def today() -> date:
    return utcnow().date()


async def current_pause(db: AsyncSession, *, relationship_id: UUID) -> Pause | None:
    return await db.scalar(
        select(Pause)
        .where(Pause.relationship_id == relationship_id, col(Pause.over_at).is_(None))
        .order_by(col(Pause.paused_at).desc())
        .limit(1)
    )


def view(pause: Pause) -> PauseView:
    passed = pause.until is not None and pause.until <= today()
    requested_by, requested_at = pause.resume_requested_by, pause.resume_requested_at
    if requested_by is None and passed and not pause.safety_hold and pause.paused_by:
        requested_by = pause.paused_by
    return PauseView(pause, requested_by, requested_at, passed)


def _check_until(until: date | None) -> None:
    if until is None:
        return
    if until <= today():
        raise Invalid.field("until", "Choose a date after today, or leave it empty.")
    if until > today() + timedelta(days=LONGEST_PAUSE_DAYS):
        raise Invalid.field("until", "Choose a date within a year.")


async def pause(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, until: date | None = None
) -> Relationship:
    """Pause an active relationship, with no reason needed, optionally until a date."""
    _check_until(until)
    relationship = await mine(db, me, relationship_id=relationship_id)
    moved = await lifecycle.move(
        db, relationship=relationship, target=State.paused, actor_id=me.user_id
    )
    # The pause begins the moment the state changed (api/contact reads it from the history).
    db.add(
        Pause(
            relationship_id=relationship.id, paused_by=me.user_id, until=until, paused_at=moved.at
        )
    )
    params = {"until": until.isoformat()} if until else {}
    await notices.notify(
        db,
        user_id=other_of(relationship, me.user_id),
        relationship_id=relationship.id,
        kind="paused",
        **params,
    )
    await db.flush()
    return relationship


async def change_until(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, until: date | None
) -> Relationship:
    """The person who paused changes (or clears) the planned date while the pause lasts."""
    _check_until(until)
    relationship, current = await _paused(db, me, relationship_id)
    if current.paused_by != me.user_id:
        raise Conflict("Only the person who paused can change its planned date.")
    current.until = until
    if current.resume_requested_by == me.user_id:
        current.resume_requested_by = current.resume_requested_at = None
    params = {"until": until.isoformat()} if until else {}
    other = other_of(relationship, me.user_id)
    await notices.notify(
        db, user_id=other, relationship_id=relationship.id, kind="pause_changed", **params
    )
    await db.flush()
    return relationship


async def _resume(
    db: AsyncSession, relationship: Relationship, current: Pause, actor: UUID
) -> None:
    await lifecycle.move(db, relationship=relationship, target=State.active, actor_id=actor)
    current.over_at = utcnow()


async def _paused(
    db: AsyncSession, me: Principal, relationship_id: UUID
) -> tuple[Relationship, Pause]:
    relationship = await mine(db, me, relationship_id=relationship_id)
    current = (
        await current_pause(db, relationship_id=relationship.id)
        if relationship.state == State.paused
        else None
    )
    if current is None:
        raise Conflict("This relationship isn't paused.")
    if current.safety_hold:
        raise Conflict(
            "A coordinator has paused this for safety. They will be in touch, and will lift "
            "the pause when it is right to carry on."
        )
    return relationship, current


async def ask_to_resume(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Relationship:
    """Ask to carry on; if the other person has already asked, this carries on at once."""
    relationship, current = await _paused(db, me, relationship_id)
    other = other_of(relationship, me.user_id)
    asked = view(current).requested_by
    if asked is not None and asked != me.user_id:
        await _resume(db, relationship, current, me.user_id)
        await notices.notify(db, user_id=other, relationship_id=relationship.id, kind="resumed")
    elif asked is None:
        current.resume_requested_by, current.resume_requested_at = me.user_id, utcnow()
        await notices.notify(
            db, user_id=other, relationship_id=relationship.id, kind="resume_requested"
        )
    await db.flush()
    return relationship


async def acknowledge_resume(
    db: AsyncSession, me: Principal, *, relationship_id: UUID
) -> Relationship:
    """Agree to the other person's request to carry on: the relationship is active again."""
    relationship, current = await _paused(db, me, relationship_id)
    asked = view(current).requested_by
    if asked is None:
        raise Conflict("Nobody has asked to carry on yet. You can ask instead.")
    if asked == me.user_id:
        raise Conflict("You've asked to carry on; the other person needs to agree.")
    await _resume(db, relationship, current, me.user_id)
    await notices.notify(db, user_id=asked, relationship_id=relationship.id, kind="resumed")
    await db.flush()
    return relationship


async def safety_pause(
    db: AsyncSession,
    *,
    settings: Settings,
    relationship: Relationship,
    coordinator_id: UUID,
    reason: str,
) -> Pause:
    """A coordinator pauses for safety (or turns a person's pause into a safety hold)."""
    current = await current_pause(db, relationship_id=relationship.id)
    if relationship.state == State.paused and current is not None:
        if current.safety_hold:
            raise Conflict("A coordinator has already paused this for safety.")
    else:
        moved = await lifecycle.move(
            db, relationship=relationship, target=State.paused, actor_id=coordinator_id
        )
        current = Pause(
            relationship_id=relationship.id, paused_by=coordinator_id, paused_at=moved.at
        )
        db.add(current)
    current.safety_hold = True
    current.resume_requested_by = current.resume_requested_at = None
    current.safety_reason_sealed = seal(settings, reason, current.id.bytes)
    for person in (relationship.seeker_id, relationship.supporter_id):
        await notices.notify(
            db, user_id=person, relationship_id=relationship.id, kind="paused_for_safety"
        )
    await db.flush()
    return current


async def lift_safety_pause(db: AsyncSession, *, relationship: Relationship) -> Pause:
    """A coordinator lifts their hold; the two carry on when both are ready (ask, agree)."""
    current = await current_pause(db, relationship_id=relationship.id)
    if relationship.state != State.paused or current is None or not current.safety_hold:
        raise Conflict("This relationship isn't paused for safety.")
    current.safety_hold = False
    current.until = None
    for person in (relationship.seeker_id, relationship.supporter_id):
        await notices.notify(
            db, user_id=person, relationship_id=relationship.id, kind="pause_lifted"
        )
    await db.flush()
    return current
