"""A relationship's pause, ending and safety choices, as one of its two people sees them."""

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.config import Settings
from api.crypto import unseal
from api.matching import pairs, requests
from api.matching.pairs import may_match_again
from api.relationships.lifecycle import describe_state
from api.relationships.models import EndKind, Relationship, State
from api.relationships.service import mine, pair
from api.safety import endings, pauses
from api.safety.models import Ending

Who = str  # "me", "other", "coordinator"


@dataclass(frozen=True)
class PauseStatus:
    paused_at: datetime
    until: date | None
    by: Who | None
    for_safety: bool
    resume_asked_by: Who | None
    planned_date_passed: bool


@dataclass(frozen=True)
class EndingStatus:
    at: datetime | None
    how: str  # an EndKind; a block reads as "ended_by_person" to the person blocked
    by: Who | None
    reason_category: str | None  # only ever shown to the person who gave it
    closing_message: str | None
    closing_message_from: Who | None


@dataclass(frozen=True)
class SafetyStatus:
    relationship_id: UUID
    state: str
    state_text: str
    my_role: str
    other_name: str
    sessions_held: int
    sessions_planned: int | None
    pause: PauseStatus | None
    ending: EndingStatus | None
    blocked_by_me: bool
    glad_to_match_again: bool
    both_glad_to_match_again: bool
    can: dict[str, bool] = field(default_factory=dict)


def who(relationship: Relationship, me: Principal, user_id: UUID | None) -> Who | None:
    if user_id is None:
        return None
    if user_id == me.user_id:
        return "me"
    if user_id in (relationship.seeker_id, relationship.supporter_id):
        return "other"
    return "coordinator"


async def _ending(
    db: AsyncSession, settings: Settings, me: Principal, relationship: Relationship
) -> EndingStatus:
    details = await db.get(Ending, relationship.id, populate_existing=True)
    by = who(relationship, me, relationship.ended_by)
    how = relationship.end_kind or EndKind.ended_by_person
    if how == EndKind.blocked and by != "me":
        how = EndKind.ended_by_person
    message = None
    if details is not None:
        context = endings.closing_context(relationship.id)
        message = unseal(settings, details.closing_message_sealed, context)
    return EndingStatus(
        at=relationship.ended_at,
        how=how,
        by=by,
        reason_category=details.reason_category if details and by == "me" else None,
        closing_message=message,
        closing_message_from=by if message else None,
    )


async def status(
    db: AsyncSession, me: Principal, *, settings: Settings, relationship_id: UUID
) -> SafetyStatus:
    """Where the relationship stands, and what I can do about it now."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    people = await pair(db, me, relationship=relationship)
    state = State(relationship.state)
    other = people.other.user_id
    pause_status, asked_by_other, asked_by_nobody = None, False, False
    current = (
        await pauses.current_pause(db, relationship_id=relationship.id)
        if state == State.paused
        else None
    )
    if current is not None:
        seen = pauses.view(current)
        pause_status = PauseStatus(
            paused_at=current.paused_at,
            until=current.until,
            by=who(relationship, me, current.paused_by),
            for_safety=current.safety_hold,
            resume_asked_by=who(relationship, me, seen.requested_by),
            planned_date_passed=seen.date_passed,
        )
        asked_by_other = pause_status.resume_asked_by == "other"
        asked_by_nobody = pause_status.resume_asked_by is None
    ended = state == State.ended
    blocked = await pairs.blocked_by(db, blocker_id=me.user_id, blocked_id=other)
    rematchable = ended and other is not None and await may_match_again(db, relationship)
    glad = rematchable and await pairs.is_glad(
        db, relationship_id=relationship.id, user_id=me.user_id
    )
    looking = await requests.open_request(db, me.user_id) is not None
    holding = current is not None and not current.safety_hold
    can = {
        "pause": state == State.active,
        "change_pause": holding and current is not None and current.paused_by == me.user_id,
        "ask_to_resume": holding and asked_by_nobody,
        "acknowledge_resume": holding and asked_by_other,
        "end": state in (State.agreeing, State.active, State.paused),
        "complete": await endings.completion_due(db, relationship=relationship),
        "block": other is not None and not blocked,
        "raise_concern": True,
        "new_match": ended and people.me.role == "seeker" and not looking,
        "match_again": rematchable and not blocked,
        "feedback": ended,
    }
    return SafetyStatus(
        relationship_id=relationship.id,
        state=state,
        state_text=describe_state(state),
        my_role=people.me.role,
        other_name=people.other.display_name,
        sessions_held=relationship.sessions_held,
        sessions_planned=await endings.planned_sessions(db, relationship=relationship),
        pause=pause_status,
        ending=await _ending(db, settings, me, relationship) if ended else None,
        blocked_by_me=blocked,
        glad_to_match_again=glad,
        both_glad_to_match_again=glad
        and await pairs.both_glad(db, relationship_id=relationship.id),
        can=can,
    )
