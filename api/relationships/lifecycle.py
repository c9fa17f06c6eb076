"""The relationship state machine: the only place a relationship's state changes."""

from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from api.common import utcnow
from api.errors import Conflict
from api.monthly import service as monthly
from api.outbox.service import emit
from api.relationships.models import (
    HOLDS_A_PLACE,
    EndKind,
    Relationship,
    RelationshipEvent,
    State,
)
from api.supporters import service as supporters

TRANSITIONS: dict[State, frozenset[State]] = {
    State.introduced: frozenset({State.agreeing, State.declined, State.expired, State.withdrawn}),
    State.agreeing: frozenset({State.active, State.ended}),
    State.active: frozenset({State.paused, State.ended}),
    State.paused: frozenset({State.active, State.ended}),
}

_STATE_WORDS = {
    State.introduced: "waiting for an answer",
    State.agreeing: "agreeing terms",
    State.active: "active",
    State.paused: "paused",
    State.ended: "ended",
    State.declined: "no longer available",
    State.expired: "no longer available",
    State.withdrawn: "withdrawn",
}


class SupporterFull(Conflict):
    type = "supporter-full"
    title = "No free place"


def describe_state(state: str) -> str:
    """The state in plain words, as both people see it."""
    return _STATE_WORDS[State(state)]


def can_move(current: State, target: State) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


async def move(
    db: AsyncSession,
    *,
    relationship: Relationship,
    target: State,
    actor_id: UUID | None,
    end_kind: str | None = None,
) -> RelationshipEvent:
    """Change state if the machine allows it (409 otherwise), keeping places and history right.

    The change is a conditional UPDATE on the row (``state = current``): of two people acting
    at once, one wins and the other gets a 409, on SQLite and PostgreSQL alike.
    """
    current = State(relationship.state)
    if not can_move(current, target):
        raise Conflict(
            f"This relationship is {_STATE_WORDS[current]}, so it can't become {target.value} now."
        )
    if target == State.active and relationship.agreed_version is None:
        # A relationship is active only on terms both people have agreed.
        raise Conflict("This relationship can't become active before both agree its terms.")
    now = utcnow()
    values: dict = {"state": target}
    if current == State.introduced:
        values["answered_at"] = now
    if target == State.ended:
        values["ended_at"], values["ended_by"] = now, actor_id
        values["end_kind"] = end_kind
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(Relationship)
            .where(col(Relationship.id) == relationship.id, col(Relationship.state) == current)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise Conflict("This relationship changed in the meantime. Please reload and try again.")
    if current == State.introduced:  # answered: its month's introductions count differently
        monthly.forget(db, [relationship.created_at])
    supporter = relationship.supporter_id
    holds_now, holds_next = current in HOLDS_A_PLACE, target in HOLDS_A_PLACE
    takes_a_place = holds_next and not holds_now
    if supporter and takes_a_place and not await supporters.claim_place(db, supporter_id=supporter):
        raise SupporterFull("This supporter has no free place right now.")
    if supporter and holds_now and not holds_next:
        await supporters.release_place(db, supporter_id=supporter)
    for key, value in values.items():
        set_committed_value(relationship, key, value)
    event = RelationshipEvent(
        relationship_id=relationship.id, actor_id=actor_id, from_state=current, to_state=target
    )
    db.add(event)
    _tell_integrators(db, relationship, current, target)
    await db.flush()
    return event


# How an ending reads to integrators: as it reads to the person blocked, a block (or an account
# deleted) is a plain ending by a person.
_END_KIND_TOLD: dict[str, EndKind] = {
    EndKind.completed: EndKind.completed,
    EndKind.ended_for_safety: EndKind.ended_for_safety,
}

# What integrators hear of a move (api/outbox): ids and states, never who did it or why.
_EVENT_OF_MOVE = {
    (State.agreeing, State.active): "relationship.active",
    (State.active, State.paused): "relationship.paused",
    (State.paused, State.active): "relationship.resumed",
    (State.agreeing, State.ended): "relationship.ended",
    (State.active, State.ended): "relationship.ended",
    (State.paused, State.ended): "relationship.ended",
}


def _tell_integrators(
    db: AsyncSession, relationship: Relationship, current: State, target: State
) -> None:
    kind = _EVENT_OF_MOVE.get((current, target))
    if kind is None:
        return
    data: dict[str, str | int | None] = {
        "relationship_id": str(relationship.id),
        "state": target.value,
    }
    if target == State.ended:
        told = _END_KIND_TOLD.get(str(relationship.end_kind), EndKind.ended_by_person)
        data["end_kind"] = told.value
    emit(
        db,
        type=kind,
        data=data,
        about_users=(relationship.seeker_id, relationship.supporter_id),
    )


async def start(db: AsyncSession, *, relationship: Relationship, actor_id: UUID | None) -> None:
    """Record the birth of a relationship (an introduction) in its history."""
    db.add(relationship)
    await db.flush()
    db.add(
        RelationshipEvent(
            relationship_id=relationship.id, actor_id=actor_id, to_state=State.introduced
        )
    )
    emit(
        db,
        type="introduction.created",
        data={"relationship_id": str(relationship.id), "state": State.introduced.value},
        about_users=(relationship.seeker_id, relationship.supporter_id),
    )
    await db.flush()
