"""Who may never be matched with whom: the one rule every matching path asks.

Two people are kept apart, whichever of them would be the seeker, when
- either has blocked the other; or
- they are in a relationship now (from the introduction on); or
- they were in one that ended, unless both have since said they would be glad to be matched
  again, and that ending was neither a block, nor a coordinator's safety ending, nor one in
  which anyone raised a concern.
Introductions that were declined, expired or withdrawn don't keep a pair apart; the shortlist
leaves out, for one request, anyone who already said no to it (api/matching/service.py).
"""

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import CompoundSelect, delete, func, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select
from sqlmodel.sql.expression import label

from api.concerns.models import Concern
from api.db import core_rows
from api.matching.models import Block, MatchAgain
from api.relationships.models import OPEN_STATES, EndKind, Relationship, State

# Endings after which the two may choose to be matched again.
REMATCHABLE_ENDINGS = (EndKind.ended_by_person, EndKind.completed)


async def may_match_again(db: AsyncSession, relationship: Relationship) -> bool:
    """Whether this ended relationship lets its pair be matched again if both agree to it."""
    if relationship.state != State.ended or relationship.end_kind not in REMATCHABLE_ENDINGS:
        return False
    concern = await db.scalar(select(Concern.id).where(Concern.relationship_id == relationship.id))
    return concern is None


def pairs_kept_apart(people: Any) -> CompoundSelect:
    """Rows (a, b), one per reason, of the pairs kept apart that involve any of ``people``
    (ids, or a bind parameter): a statement, so a hot path can fold it into its own query."""
    blocks = select(label("a", Block.blocker_id), label("b", Block.blocked_id)).where(
        or_(col(Block.blocker_id).in_(people), col(Block.blocked_id).in_(people))
    )
    both_agreed = (
        select(MatchAgain.relationship_id)
        .group_by(col(MatchAgain.relationship_id))
        .having(func.count() == 2)
    )
    with_concern = select(Concern.relationship_id)
    history = select(Relationship.seeker_id, Relationship.supporter_id).where(
        or_(col(Relationship.seeker_id).in_(people), col(Relationship.supporter_id).in_(people)),
        or_(
            col(Relationship.state).in_(OPEN_STATES),
            (col(Relationship.state) == State.ended)
            & or_(
                col(Relationship.end_kind).is_(None),
                col(Relationship.end_kind).not_in(REMATCHABLE_ENDINGS),
                col(Relationship.id).not_in(both_agreed),
                col(Relationship.id).in_(with_concern),
            ),
        ),
    )
    return union_all(blocks, history)


# The statement binds each id four times; asyncpg takes at most 32,767 parameters (SQLite's
# default limit is 32,766), so a batch over a long waiting list asks in chunks.
_CHUNK = 5000


async def kept_apart(db: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, set[UUID]]:
    """For each of these people, everyone they must never be matched with."""
    ids = list(set(user_ids))
    apart: dict[UUID, set[UUID]] = {uid: set() for uid in ids}
    # Writers flush before this is asked.
    for start in range(0, len(ids), _CHUNK):
        for a, b in await core_rows(db, pairs_kept_apart(ids[start : start + _CHUNK])):
            if a in apart:
                apart[a].add(b)
            if b in apart:
                apart[b].add(a)
    return apart


async def are_kept_apart(db: AsyncSession, a: UUID, b: UUID) -> bool:
    return b in (await kept_apart(db, [a]))[a]


# ---- the records behind the rule: blocks and "glad to be matched again" ---------------------


async def record_block(
    db: AsyncSession, *, blocker_id: UUID, blocked_id: UUID, relationship_id: UUID
) -> None:
    """Keep the pair apart for good; the blocker's "glad to be matched again" is taken back."""
    if not await blocked_by(db, blocker_id=blocker_id, blocked_id=blocked_id):
        db.add(Block(blocker_id=blocker_id, blocked_id=blocked_id, relationship_id=relationship_id))
    await db.execute(
        delete(MatchAgain).where(
            col(MatchAgain.user_id) == blocker_id,
            col(MatchAgain.relationship_id) == relationship_id,
        )
    )


async def blocked_by(db: AsyncSession, *, blocker_id: UUID, blocked_id: UUID | None) -> bool:
    if blocked_id is None:
        return False
    found = await db.scalar(
        select(Block.id).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    )
    return found is not None


async def say_glad(db: AsyncSession, *, relationship_id: UUID, user_id: UUID, glad: bool) -> None:
    """Say (or take back) that this person would be glad to be matched again."""
    said = await db.get(MatchAgain, (relationship_id, user_id))
    if glad and said is None:
        db.add(MatchAgain(relationship_id=relationship_id, user_id=user_id))
    elif not glad and said is not None:
        await db.delete(said)
    await db.flush()


async def both_glad(db: AsyncSession, *, relationship_id: UUID) -> bool:
    said = await db.scalars(
        select(MatchAgain.user_id).where(MatchAgain.relationship_id == relationship_id)
    )
    return len(said.all()) == 2


async def is_glad(db: AsyncSession, *, relationship_id: UUID, user_id: UUID) -> bool:
    return await db.get(MatchAgain, (relationship_id, user_id)) is not None
