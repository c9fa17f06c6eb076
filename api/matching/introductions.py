"""Introductions: a proposed pairing the supporter accepts or declines; unanswered ones expire.

An introduction is a relationship in its first state (``introduced``); accepting moves it to
``agreeing`` and takes one of the supporter's places, atomically.
"""

from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.addresses import is_verified
from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.contact import notifications
from api.errors import Conflict, NotFound
from api.matching.models import RequestStatus, SupportRequest
from api.matching.pairs import are_kept_apart
from api.policies import service as policies
from api.relationships import lifecycle
from api.relationships.models import Relationship, Source, State

NOT_AVAILABLE = "not available right now"


UNCONFIRMED = (
    "Please confirm your e-mail address first: follow the link we sent you. Until then nobody "
    "is introduced to you."
)


async def expire_due(db: AsyncSession) -> None:
    """Expire introductions past their time; their requests go back to the waiting list."""
    due = await db.scalars(
        select(Relationship).where(
            Relationship.state == State.introduced, col(Relationship.expires_at) <= utcnow()
        )
    )
    for relationship in due.all():
        try:
            await lifecycle.move(db, relationship=relationship, target=State.expired, actor_id=None)
        except Conflict:
            continue  # someone answered it a moment ago
        await _back_to_waiting(db, relationship.request_id)
        await _tell_seeker(db, relationship, "introduction_not_available")


async def _tell_seeker(db: AsyncSession, relationship: Relationship, kind: str) -> None:
    """The seeker waits on the answer: they are told either way (never "declined")."""
    await notifications.notify(
        db,
        user_id=relationship.seeker_id,
        relationship_id=relationship.id,
        kind=kind,
        key=f"introduction/{relationship.id}/answer",
        actor_id=relationship.supporter_id,
        chosen_by=relationship.source,  # the seeker, a coordinator or a batch: said rightly
    )


async def _back_to_waiting(db: AsyncSession, request_id: UUID | None) -> None:
    request = await db.get(SupportRequest, request_id) if request_id else None
    if request is not None and request.status == RequestStatus.introduced:
        request.status, request.updated_at = RequestStatus.waiting, utcnow()


async def close_for(db: AsyncSession, *, relationship: Relationship, actor: UUID) -> None:
    """One of the pair blocks the other or leaves: their open introduction is declined (the
    seeker sees only "not available right now") or withdrawn by the seeker; the seeker's
    request goes back to waiting."""
    target = State.declined if relationship.supporter_id == actor else State.withdrawn
    await lifecycle.move(db, relationship=relationship, target=target, actor_id=actor)
    await _back_to_waiting(db, relationship.request_id)
    if target == State.declined:
        await _tell_seeker(db, relationship, "introduction_not_available")


async def pair_has_history(db: AsyncSession, *, seeker_id: UUID, supporter_id: UUID) -> bool:
    """True when this pair is kept apart (open now, ended, or blocked; api/matching/pairs.py)."""
    return await are_kept_apart(db, seeker_id, supporter_id)


async def introduce(
    db: AsyncSession,
    *,
    settings: Settings,
    request: SupportRequest,
    supporter_id: UUID,
    source: Source,
    score: float,
    reasons: list[str],
    actor_id: UUID,
) -> Relationship:
    """Send one introduction for a waiting request (one at a time per request)."""
    if request.status != RequestStatus.waiting:
        raise Conflict(
            "An introduction for this request is already waiting for an answer."
            if request.status == RequestStatus.introduced
            else "This request is no longer waiting for a match."
        )
    if supporter_id == request.seeker_id:
        raise Conflict("Nobody can be their own supporter.")
    if not await is_verified(db, user_id=request.seeker_id):
        raise Conflict(UNCONFIRMED)
    if not await is_verified(db, user_id=supporter_id):
        raise Conflict(
            "This supporter hasn't confirmed their e-mail address yet, so they can't be introduced."
        )
    if await pair_has_history(db, seeker_id=request.seeker_id, supporter_id=supporter_id):
        raise Conflict("These two people have already been introduced.")
    relationship = Relationship(
        seeker_id=request.seeker_id,
        supporter_id=supporter_id,
        request_id=request.id,
        source=source,
        score=round(score, 4),
        reasons=reasons,
        expires_at=utcnow() + timedelta(hours=await policies.introduction_ttl_hours(db, settings)),
    )
    await lifecycle.start(db, relationship=relationship, actor_id=actor_id)
    request.status, request.updated_at = RequestStatus.introduced, utcnow()
    await db.flush()
    return relationship


async def inbox(db: AsyncSession, me: Principal) -> list[Relationship]:
    """Introductions waiting for my answer, as a supporter."""
    await expire_due(db)
    rows = await db.scalars(
        select(Relationship)
        .where(Relationship.supporter_id == me.user_id, Relationship.state == State.introduced)
        .order_by(col(Relationship.created_at))
    )
    return list(rows.all())


async def _mine_to_answer(db: AsyncSession, me: Principal, relationship_id: UUID) -> Relationship:
    await expire_due(db)
    relationship = await db.get(Relationship, relationship_id)
    if relationship is None or relationship.supporter_id != me.user_id:
        raise NotFound("No such introduction.")
    return relationship


async def accept(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Relationship:
    """Accept an introduction: takes one of my places (never more than my capacity)."""
    relationship = await _mine_to_answer(db, me, relationship_id)
    await lifecycle.move(db, relationship=relationship, target=State.agreeing, actor_id=me.user_id)
    request = (
        await db.get(SupportRequest, relationship.request_id) if relationship.request_id else None
    )
    if request is not None:
        request.status, request.updated_at = RequestStatus.matched, utcnow()
    await _tell_seeker(db, relationship, "introduction_accepted")
    await db.flush()
    return relationship


async def decline(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Relationship:
    """Decline, no reason needed; the seeker only sees "not available right now"."""
    relationship = await _mine_to_answer(db, me, relationship_id)
    await lifecycle.move(db, relationship=relationship, target=State.declined, actor_id=me.user_id)
    await _back_to_waiting(db, relationship.request_id)
    await _tell_seeker(db, relationship, "introduction_not_available")
    await db.flush()
    return relationship


async def withdraw_pending(db: AsyncSession, *, request: SupportRequest, actor_id: UUID) -> None:
    """Withdraw the introductions still waiting for an answer on this request."""
    pending = await db.scalars(
        select(Relationship).where(
            Relationship.request_id == request.id, Relationship.state == State.introduced
        )
    )
    for relationship in pending.all():
        await lifecycle.move(
            db, relationship=relationship, target=State.withdrawn, actor_id=actor_id
        )


async def for_request(db: AsyncSession, *, request: SupportRequest) -> list[Relationship]:
    """Every introduction made for this request, oldest first (after expiring the due ones)."""
    return (await for_requests(db, request_ids=[request.id])).get(request.id, [])


async def for_requests(
    db: AsyncSession, *, request_ids: list[UUID]
) -> dict[UUID, list[Relationship]]:
    """Every introduction made for each of these requests, oldest first (after expiring the
    due ones), in one query."""
    await expire_due(db)
    rows = await db.scalars(
        select(Relationship)
        .where(col(Relationship.request_id).in_(request_ids))
        .order_by(col(Relationship.created_at), col(Relationship.id))
    )
    found: dict[UUID, list[Relationship]] = {}
    for relationship in rows.all():
        if relationship.request_id is not None:
            found.setdefault(relationship.request_id, []).append(relationship)
    return found


def state_for_seeker(state: str) -> str:
    """A state as the seeker may see it: a decline or expiry is never shown as a rejection."""
    return NOT_AVAILABLE if state in (State.declined, State.expired) else state


def seeker_status(relationship: Relationship) -> str:
    """What the seeker sees of an introduction, in plain words."""
    if relationship.state in (State.declined, State.expired):
        return NOT_AVAILABLE
    if relationship.state == State.introduced:
        return "waiting for their answer"
    if relationship.state == State.withdrawn:
        return "withdrawn"  # the seeker stopped looking before an answer; never "accepted"
    return "accepted"


async def seekers_public(
    db: AsyncSession, *, user_ids: list[UUID | None]
) -> dict[UUID | None, tuple[str, str | None]]:
    """What a supporter may see of a seeker before agreeing: their name and pronouns."""
    from api.auth.models import User
    from api.profiles.models import Profile

    ids = [u for u in user_ids if u]
    rows = await db.execute(
        select(User.id, User.display_name, Profile.pronouns)
        .outerjoin(Profile, col(Profile.user_id) == col(User.id))
        .where(col(User.id).in_(ids))
    )
    found: dict[UUID | None, tuple[str, str | None]] = {
        uid: (name, pronouns) for uid, name, pronouns in rows.all()
    }
    found.setdefault(None, ("A former member", None))
    return found
