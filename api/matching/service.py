"""Shortlists with reasons, the seeker's choice, and coordinators' proposals."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.models import User
from api.auth.principal import Principal
from api.config import Settings
from api.db import core_rows
from api.errors import Conflict, Forbidden, NotFound
from api.matching import introductions
from api.matching.index import CHANNEL_BITS, MatchingIndex, availability_bits
from api.matching.models import SupportRequest
from api.matching.reasons import reasons
from api.matching.requests import get_own_request
from api.matching.scoring import Candidate, Query, SupporterPool, bitmask, shortlist
from api.profiles.models import PersonExperience, Profile
from api.relationships.models import Relationship, Source
from api.safety.pairs import kept_apart
from api.supporters.models import OfferStatus, SupporterOffer

# Ask the kernel for a few more than shown, so candidates that just became unavailable
# (seen by the final database check) can be replaced without a second pass.
HEADROOM = 5


@dataclass(frozen=True)
class Suggestion:
    supporter_id: UUID
    display_name: str
    pronouns: str | None
    languages: list[str]
    shared_channels: list[str]
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class Seeker:
    languages: list[str]
    channels: list[str]
    timezone: str


_P, _E, _R = Profile.__table__.c, PersonExperience.__table__.c, Relationship.__table__.c


async def _query(
    db: AsyncSession, index: MatchingIndex, request: SupportRequest
) -> tuple[Query, Seeker]:
    stages = (
        select(func.aggregate_strings(cast(_E.tag_id, String) + literal(":") + _E.stage, ","))
        .where(_E.user_id == request.seeker_id)
        .scalar_subquery()
    )
    found = await core_rows(
        db,
        select(_P.languages, _P.channels, _P.availability, _P.timezone, stages).where(
            _P.user_id == request.seeker_id
        ),
    )
    if not found:
        raise Conflict("Please set up your profile first.")
    languages, channels, availability, timezone, folded = found[0]
    mine = dict(item.split(":") for item in (folded or "").split(",") if item)
    wanted = {int(t): stage for t, stage in mine.items() if int(t) in set(request.tag_ids)}
    prefs = request.preferences or {}
    codes = index.codes
    query = Query(
        tags={t: s for t, s in wanted.items() if t < index.pool.tags.shape[1]},
        languages=codes.language_mask(languages),
        channels=bitmask(channels, CHANNEL_BITS),
        availability=availability_bits(availability, timezone, index.week_start),
        gender=codes.code(codes.genders, prefs.get("gender")),
        age_band=codes.code(codes.age_bands, prefs.get("age_band")),
        prefers_further_along=bool(prefs.get("further_along")),
    )
    return query, Seeker(languages, channels, timezone)


async def _allowed(
    db: AsyncSession, index: MatchingIndex, pool: SupporterPool, request: SupportRequest
) -> np.ndarray:
    """Rows this seeker may see: never themself, anyone they are kept apart from (blocks, past
    and current partners in either role: api/safety/pairs.py), or (for this request) someone
    who was already not available."""
    mask = np.ones(len(pool), np.bool_)
    asked = await core_rows(db, select(_R.supporter_id).where(_R.request_id == request.id))
    apart = (await kept_apart(db, [request.seeker_id]))[request.seeker_id]
    for user_id in [request.seeker_id, *apart, *(p for (p,) in asked)]:
        row = index.rows.get(user_id)
        if row is not None:
            mask[row] = False
    return mask


async def rank(
    db: AsyncSession,
    index: MatchingIndex,
    request: SupportRequest,
    k: int,
    only: UUID | None = None,
) -> list[tuple[Candidate, Seeker, Any]]:
    """The top k for a request (or just ``only``), each confirmed available by the database."""
    pool = await index.current(db)
    query, seeker = await _query(db, index, request)
    mask = await _allowed(db, index, pool, request)
    if only is not None:
        row = index.rows.get(only)
        only_mask = np.zeros(len(pool), np.bool_)
        if row is not None:
            only_mask[row] = True
        mask &= only_mask
    for _attempt in range(3):
        found = shortlist(pool, query, index.weights, k=k + HEADROOM, extra_mask=mask)
        # Every suggestion must share some experience: that is what a match is made on.
        found = [c for c in found if c.breakdown.shared_tags or c.breakdown.partial_categories]
        people = await _available_people(db, [c.key for c in found])
        for candidate in found:
            if candidate.key not in people:
                index.mark_ineligible(candidate.key)
        confirmed = [c for c in found if c.key in people][:k]
        if len(confirmed) == min(k, len(found)) or len(found) < k + HEADROOM:
            break
    return [(c, seeker, people[c.key]) for c in confirmed]


async def _available_people(db: AsyncSession, user_ids: list[UUID]) -> dict[UUID, Any]:
    """What a shortlist shows of these supporters, for those the database says can take
    someone new right now (approved, not paused, a free place): one query for both."""
    if not user_ids:
        return {}
    u, o = User.__table__.c, SupporterOffer.__table__.c
    rows = await core_rows(
        db,
        select(u.id, u.display_name, _P.pronouns, _P.languages, _P.channels)
        .join(Profile.__table__, _P.user_id == u.id)
        .join(SupporterOffer.__table__, o.user_id == u.id)
        .where(
            u.id.in_(user_ids),
            o.status == OfferStatus.approved,
            o.paused.is_(False),
            o.active_count < o.capacity,
        ),
    )
    return {row.id: row for row in rows}


async def suggestions(
    db: AsyncSession,
    settings: Settings,
    index: MatchingIndex,
    me: Principal,
    request_id: UUID,
    k: int | None = None,
) -> list[Suggestion]:
    """My explained shortlist: who could support me, and why, with nothing private."""
    q = SupportRequest.__table__.c
    found = await core_rows(
        db,
        select(q.id, q.seeker_id, q.tag_ids, q.preferences).where(
            q.id == request_id, q.seeker_id == me.user_id
        ),
    )
    if not found:
        raise NotFound("No such request.")
    request = SupportRequest(**found[0]._asdict())  # read-only here: never added to the session
    return await suggest(db, index, request, k or settings.shortlist_size)


async def suggest(
    db: AsyncSession,
    index: MatchingIndex,
    request: SupportRequest,
    k: int,
    only: UUID | None = None,
) -> list[Suggestion]:
    ranked = await rank(db, index, request, k, only)
    labels = index.labels
    return [
        Suggestion(
            supporter_id=candidate.key,
            display_name=person.display_name,
            pronouns=person.pronouns,
            languages=sorted(set(person.languages) & set(seeker.languages)),
            shared_channels=sorted(set(person.channels) & set(seeker.channels)),
            score=round(candidate.score, 3),
            reasons=reasons(
                candidate, labels.tags, labels.categories, seeker.timezone, index.week_start
            ),
        )
        for candidate, seeker, person in ranked
    ]


async def _pair(
    db: AsyncSession, index: MatchingIndex, request: SupportRequest, supporter_id: UUID
) -> Suggestion:
    """Score one specific pair; it must pass every hard filter right now."""
    found = await suggest(db, index, request, k=1, only=supporter_id)
    if not found:
        raise Conflict("This supporter isn't available for this request right now.")
    return found[0]


async def introduce_pair(
    db: AsyncSession,
    settings: Settings,
    index: MatchingIndex,
    request: SupportRequest,
    supporter_id: UUID,
    source: Source,
    actor_id: UUID,
) -> Relationship:
    """Introduce a supporter for a request, if the pair passes every hard filter right now."""
    suggestion = await _pair(db, index, request, supporter_id)
    return await introductions.introduce(
        db,
        settings,
        request,
        supporter_id,
        source=source,
        score=suggestion.score,
        reasons=suggestion.reasons,
        actor_id=actor_id,
    )


async def choose(
    db: AsyncSession,
    settings: Settings,
    index: MatchingIndex,
    me: Principal,
    request_id: UUID,
    supporter_id: UUID,
) -> Relationship:
    """The seeker picks someone from their shortlist: the supporter gets an introduction."""
    request = await get_own_request(db, me, request_id)
    await introductions.expire_due(db)
    return await introduce_pair(
        db, settings, index, request, supporter_id, Source.seeker_choice, me.user_id
    )


async def propose(
    db: AsyncSession,
    settings: Settings,
    index: MatchingIndex,
    me: Principal,
    request_id: UUID,
    supporter_id: UUID,
) -> Relationship:
    """A coordinator proposes a match for a waiting seeker; the supporter still has to accept."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can propose matches.")
    request = await db.get(SupportRequest, request_id)
    if request is None:
        raise NotFound("No such request.")
    await introductions.expire_due(db)
    return await introduce_pair(
        db, settings, index, request, supporter_id, Source.coordinator, me.user_id
    )
