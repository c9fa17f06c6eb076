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
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import core_rows
from api.relationships.models import OPEN_STATES, Relationship, State
from api.safety.models import Block, Concern, EndKind, MatchAgain

# Endings after which the two may choose to be matched again.
REMATCHABLE_ENDINGS = (EndKind.ended_by_person, EndKind.completed)


async def may_match_again(db: AsyncSession, relationship: Relationship) -> bool:
    """Whether this ended relationship lets its pair be matched again if both agree to it."""
    if relationship.state != State.ended or relationship.end_kind not in REMATCHABLE_ENDINGS:
        return False
    concern = await db.scalar(select(Concern.id).where(Concern.relationship_id == relationship.id))
    return concern is None


async def kept_apart(db: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, set[UUID]]:
    """For each of these people, everyone they must never be matched with."""
    ids = set(user_ids)
    apart: dict[UUID, set[UUID]] = {uid: set() for uid in ids}
    if not ids:
        return apart

    def keep(a: UUID | None, b: UUID | None) -> None:
        if a is None or b is None:
            return
        if a in apart:
            apart[a].add(b)
        if b in apart:
            apart[b].add(a)

    # Core queries: this runs on every shortlist. Writers flush before it is asked.
    blocks = await core_rows(
        db,
        select(Block.blocker_id, Block.blocked_id).where(
            or_(Block.blocker_id.in_(ids), Block.blocked_id.in_(ids))
        ),
    )
    for blocker, blocked in blocks:
        keep(blocker, blocked)

    both_agreed = (
        select(MatchAgain.relationship_id)
        .group_by(MatchAgain.relationship_id)
        .having(func.count() == 2)
    )
    with_concern = select(Concern.relationship_id)
    history = await core_rows(
        db,
        select(Relationship.seeker_id, Relationship.supporter_id).where(
            or_(Relationship.seeker_id.in_(ids), Relationship.supporter_id.in_(ids)),
            or_(
                Relationship.state.in_(OPEN_STATES),
                (Relationship.state == State.ended)
                & or_(
                    Relationship.end_kind.is_(None),
                    Relationship.end_kind.not_in(REMATCHABLE_ENDINGS),
                    Relationship.id.not_in(both_agreed),
                    Relationship.id.in_(with_concern),
                ),
            ),
        ),
    )
    for seeker, supporter in history:
        keep(seeker, supporter)
    return apart


async def are_kept_apart(db: AsyncSession, a: UUID, b: UUID) -> bool:
    return b in (await kept_apart(db, [a]))[a]
