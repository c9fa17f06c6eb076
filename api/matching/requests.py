"""Support requests: a seeker asks for support with some of their experiences."""

from typing import Any
from uuid import UUID

from sqlalchemy import nulls_last
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.common import utcnow
from api.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from api.matching.models import RequestStatus, SupportRequest
from api.profiles.models import PersonExperience, Profile
from api.referrals import service as referrals

OPEN = (RequestStatus.waiting, RequestStatus.introduced)


async def open_request(db: AsyncSession, seeker_id: UUID) -> SupportRequest | None:
    return await db.scalar(
        select(SupportRequest).where(
            SupportRequest.seeker_id == seeker_id, col(SupportRequest.status).in_(OPEN)
        )
    )


async def latest_request(db: AsyncSession, seeker_id: UUID) -> SupportRequest | None:
    return await db.scalar(
        select(SupportRequest)
        .where(SupportRequest.seeker_id == seeker_id)
        .order_by(col(SupportRequest.created_at).desc())
        .limit(1)
    )


async def _check(db: AsyncSession, me: Principal, tag_ids: list[int]) -> None:
    if await db.get(Profile, me.user_id) is None:
        raise Conflict(
            "Please set up your profile first: we need your languages, time zone and availability."
        )
    mine = set(
        await db.scalars(
            select(PersonExperience.tag_id).where(PersonExperience.user_id == me.user_id)
        )
    )
    errors = [
        FieldError(field=f"tag_ids[{n}]", message="Add this experience to your profile first.")
        for n, tag_id in enumerate(tag_ids)
        if tag_id not in mine
    ]
    if not tag_ids:
        errors.append(FieldError(field="tag_ids", message="Choose at least one experience."))
    if errors:
        raise Invalid(errors[0].message, errors=errors)


async def ask_for_support(
    db: AsyncSession,
    me: Principal,
    *,
    tag_ids: list[int],
    preferences: dict[str, Any],
    share_own_words: bool = False,
) -> SupportRequest:
    """Open my request (or update the open one): which experiences, my preferences, and
    whether the supporter who accepts may read my own words about them."""
    tag_ids = list(dict.fromkeys(tag_ids))
    await _check(db, me, tag_ids)
    request = await open_request(db, me.user_id)
    if request is None:
        request = SupportRequest(seeker_id=me.user_id, tag_ids=tag_ids, preferences=preferences)
        db.add(request)
        await referrals.note_waiting(db, user_id=me.user_id)
    else:
        request.tag_ids, request.preferences, request.updated_at = tag_ids, preferences, utcnow()
    request.share_own_words = share_own_words
    await db.flush()
    return request


async def share_own_words(
    db: AsyncSession, me: Principal, *, request_id: UUID, share: bool
) -> SupportRequest:
    """Let my supporter read my own words about these experiences, or stop, at any time."""
    request = await get_own_request(db, me, request_id=request_id)
    request.share_own_words, request.updated_at = share, utcnow()
    await db.flush()
    return request


async def get_own_request(db: AsyncSession, me: Principal, *, request_id: UUID) -> SupportRequest:
    request = await db.get(SupportRequest, request_id)
    if request is None or request.seeker_id != me.user_id:
        raise NotFound("No such request.")
    return request


async def withdraw_request(db: AsyncSession, me: Principal, *, request_id: UUID) -> SupportRequest:
    """Stop looking for now (no reason needed); pending introductions are withdrawn too."""
    from api.matching import introductions  # the two modules call each other

    request = await get_own_request(db, me, request_id=request_id)
    if request.status not in OPEN:
        raise Conflict("This request is no longer open.")
    await introductions.withdraw_pending(db, request=request, actor_id=me.user_id)
    request.status, request.updated_at = RequestStatus.withdrawn, utcnow()
    await db.flush()
    return request


def waiting_order() -> tuple[Any, ...]:
    """The waiting list's one order: first in line (whoever was put there first), then the
    longest waiting. "First in line" is a seeker whose supporter never answered within the
    agreed time and who asked for a new match (``put_first_in_line``)."""
    # NULLS LAST (not a sort on "IS NULL" first), so an index in this order serves it.
    return (
        nulls_last(col(SupportRequest.first_in_line_at)),
        col(SupportRequest.created_at),
    )


async def ask_a_coordinator(
    db: AsyncSession, me: Principal, *, request_id: UUID, ask: bool
) -> SupportRequest:
    """Ask a coordinator to choose a supporter for me instead of choosing from the shortlist
    (or take it back and choose myself)."""
    request = await get_own_request(db, me, request_id=request_id)
    if request.status not in OPEN:
        raise Conflict("This request is no longer open.")
    request.coordinator_chooses, request.updated_at = ask, utcnow()
    await db.flush()
    return request


async def put_first_in_line(
    db: AsyncSession, *, seeker_id: UUID, like: SupportRequest | None
) -> SupportRequest:
    """A new request at the front of the waiting list (the same experiences and preferences
    as `like`), or the open one moved there."""
    request = await open_request(db, seeker_id)
    if request is None:
        request = SupportRequest(
            seeker_id=seeker_id,
            tag_ids=list(like.tag_ids) if like else [],
            preferences=dict(like.preferences) if like else {},
        )
        db.add(request)
        await referrals.note_waiting(db, user_id=seeker_id)
    request.first_in_line_at = request.first_in_line_at or utcnow()
    request.updated_at = utcnow()
    await db.flush()
    return request


async def get_any_request(db: AsyncSession, me: Principal, *, request_id: UUID) -> SupportRequest:
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can look at other people's requests.")
    request = await db.get(SupportRequest, request_id)
    if request is None:
        raise NotFound("No such request.")
    return request
