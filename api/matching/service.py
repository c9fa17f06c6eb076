"""Shortlists with reasons, the seeker's choice, and coordinators' proposals."""

from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import numpy as np
from sqlalchemy import (
    BindParameter,
    Select,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
    union,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.models import User
from api.auth.principal import Principal
from api.config import Settings
from api.db import core_rows
from api.errors import Conflict, NotFound
from api.matching import introductions
from api.matching.index import MatchingIndex
from api.matching.introductions import UNCONFIRMED
from api.matching.models import SupportRequest
from api.matching.pairs import pairs_kept_apart
from api.matching.reasons import reasons
from api.matching.requests import get_own_request
from api.matching.scoring import Candidate, Query, Similarity, bitmask, shortlist
from api.matching.snapshot import CHANNEL_BITS, Snapshot, availability_bits
from api.profiles import own_words as similarity
from api.profiles.models import PersonExperience, Profile
from api.relationships.models import Relationship, Source
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


# SQLModel sets __table__ on table models but does not declare it.
_PROFILES: Table = Profile.__table__  # type: ignore[attr-defined]
_EXPERIENCES: Table = PersonExperience.__table__  # type: ignore[attr-defined]
_RELATIONSHIPS: Table = Relationship.__table__  # type: ignore[attr-defined]
_REQUESTS: Table = SupportRequest.__table__  # type: ignore[attr-defined]
_USERS: Table = User.__table__  # type: ignore[attr-defined]
_OFFERS: Table = SupporterOffer.__table__  # type: ignore[attr-defined]
_P, _E, _R = _PROFILES.c, _EXPERIENCES.c, _RELATIONSHIPS.c
_Q, _U, _O = _REQUESTS.c, _USERS.c, _OFFERS.c
_ME: BindParameter[UUID] = bindparam("me")
_REQUEST: BindParameter[UUID] = bindparam("request_id")


def _context_statement() -> Select:
    """Everything a shortlist needs before scoring, in one round trip: the request (only if it
    is this seeker's), their profile, their experiences with stages ("12:going_through,..."),
    and everyone to leave out: anyone they are kept apart from (blocks, past and current
    partners in either role: api/matching/pairs.py) and anyone already asked for this request.
    Built once: shortlists run it on every call, and building a statement costs more than
    running it (shared/performance.md)."""
    stages = (
        select(func.aggregate_strings(sql_cast(_E.tag_id, String) + literal(":") + _E.stage, ","))
        .where(_E.user_id == _ME)
        .scalar_subquery()
    )
    pairs = pairs_kept_apart([_ME]).subquery()
    asked = select(_R.supporter_id).where(_R.request_id == _REQUEST)
    everyone = union(select(pairs.c.a), select(pairs.c.b), asked).subquery()
    left_out = select(
        func.aggregate_strings(sql_cast(everyone.c[0], String), ",")
    ).scalar_subquery()
    request_and_profile = _REQUESTS.outerjoin(_PROFILES, _P.user_id == _Q.seeker_id)
    return (
        select(
            _Q.tag_ids,
            _Q.preferences,
            _P.timezone,
            _P.languages,
            _P.channels,
            _P.availability,
            stages,
            left_out,
            select(_U.email_verified_at).where(_U.id == _ME).scalar_subquery(),
        )
        .select_from(request_and_profile)
        .where(_Q.id == _REQUEST, _Q.seeker_id == _ME)
    )


_CONTEXT = _context_statement()
# What a shortlist shows of supporters the database says can take someone new right now
# (approved, not paused, a free place): the last word on who is available, one query.
_AVAILABLE = (
    select(_U.id, _U.display_name, _P.pronouns, _P.languages, _P.channels)
    .join(_PROFILES, _P.user_id == _U.id)
    .join(_OFFERS, _O.user_id == _U.id)
    .where(
        _U.id.in_(bindparam("ids", expanding=True)),
        _U.email_verified_at.is_not(None),
        _O.status == OfferStatus.approved,
        _O.paused.is_(False),
        _O.active_count < _O.capacity,
    )
)


@dataclass(frozen=True)
class _Context:
    query: Query
    seeker: Seeker
    left_out: set[UUID]
    similarity: Similarity | None  # own words, when on here and the seeker wrote some


async def _context(
    db: AsyncSession, index: MatchingIndex, snapshot: Snapshot, request_id: UUID, seeker_id: UUID
) -> _Context:
    found = await core_rows(db, _CONTEXT, {"request_id": request_id, "me": seeker_id})
    if not found:
        raise NotFound("No such request.")
    tag_ids, prefs, timezone, languages, channels, availability, stages, left_out, verified = found[
        0
    ]
    if timezone is None:
        raise Conflict("Please set up your profile first.")
    if verified is None:
        raise Conflict(UNCONFIRMED)
    mine = dict(item.split(":") for item in (stages or "").split(",") if item)
    wanted = {int(t): stage for t, stage in mine.items() if int(t) in set(tag_ids)}
    prefs = prefs or {}
    codes = snapshot.codes
    query = Query(
        tags={t: s for t, s in wanted.items() if t < snapshot.pool.n_tags},
        languages=codes.language_mask(languages),
        channels=bitmask(channels, CHANNEL_BITS),
        availability=availability_bits(availability, timezone, snapshot.week_start),
        gender=codes.code(codes.genders, prefs.get("gender")),
        age_band=codes.code(codes.age_bands, prefs.get("age_band")),
        prefers_further_along=bool(prefs.get("further_along")),
    )
    people = {UUID(text) for text in (left_out or "").split(",") if text}
    similar = None
    if snapshot.own_words is not None and index.settings is not None:  # words need settings
        words = (await similarity.vectors(db, index.settings, [seeker_id])).get(seeker_id)
        similar = None if words is None else snapshot.own_words.similarity(words)
    seeker = Seeker(languages, channels, timezone)
    return _Context(query, seeker, people | {seeker_id}, similar)


def _visible_rows(snapshot: Snapshot, left_out: set[UUID], only: UUID | None) -> np.ndarray:
    """Rows this seeker may see, for this request: never themself or anyone kept apart (and,
    when ``only`` is given, nobody but them). Rows left out later for this request only are
    cleared in the same mask."""
    if only is None:
        mask = np.ones(len(snapshot.pool), np.bool_)
        for user_id in left_out:
            row = snapshot.row_of(user_id)
            if row is not None:
                mask[row] = False
        return mask
    mask = np.zeros(len(snapshot.pool), np.bool_)
    row = snapshot.row_of(only)
    if row is not None and only not in left_out:
        mask[row] = True
    return mask


def _sharing_experience(found: list[Candidate]) -> list[Candidate]:
    """Every suggestion must share some experience: that is what a match is made on."""
    return [c for c in found if c.breakdown.shared_tags or c.breakdown.partial_categories]


def _in_common(seeker: Seeker, available: dict[bytes, Any]) -> dict[bytes, Any]:
    """Those available who share a language and a channel with the seeker, as the database
    says now: the pool may be up to a rebuild behind on profiles."""
    return {
        key: person
        for key, person in available.items()
        if set(person.languages) & set(seeker.languages)
        and set(person.channels) & set(seeker.channels)
    }


def _leave_out_unconfirmed(
    index: MatchingIndex,
    snapshot: Snapshot,
    mask: np.ndarray,
    found: list[Candidate],
    available: dict[bytes, Any],
    people: dict[bytes, Any],
) -> None:
    """Candidates the database did not confirm are not asked about again: who can't take
    anyone new is made unavailable in the snapshot (true for everyone), who no longer shares a
    language or channel with this seeker is left out of this request only."""
    gone = [c.index for c in found if c.key not in available]
    if gone:
        index.mark_unavailable(snapshot, gone)
    for candidate in found:
        if candidate.key in available and candidate.key not in people:
            mask[candidate.index] = False


async def _rank(
    db: AsyncSession,
    index: MatchingIndex,
    snapshot: Snapshot,
    context: _Context,
    k: int,
    only: UUID | None,
) -> list[tuple[Candidate, Any]]:
    """The top k (or just ``only``), each confirmed available by the database."""
    mask = _visible_rows(snapshot, context.left_out, only)
    for _attempt in range(3):
        found = shortlist(
            snapshot.pool,
            context.query,
            index.weights,
            k=k + HEADROOM,
            extra_mask=mask,
            similarity=context.similarity,
        )
        found = _sharing_experience(found)
        available = await _available_people(db, [UUID(bytes=cast(bytes, c.key)) for c in found])
        people = _in_common(context.seeker, available)
        _leave_out_unconfirmed(index, snapshot, mask, found, available, people)
        confirmed = [c for c in found if c.key in people][:k]
        if len(confirmed) == min(k, len(found)) or len(found) < k + HEADROOM:
            break
    return [(c, people[cast(bytes, c.key)]) for c in confirmed]  # keys: the ids' bytes


async def _available_people(db: AsyncSession, user_ids: list[UUID]) -> dict[bytes, Any]:
    """What is shown of those who can take someone new right now, keyed by the ids' bytes as
    the pool is."""
    if not user_ids:
        return {}
    return {row.id.bytes: row for row in await core_rows(db, _AVAILABLE, {"ids": user_ids})}


async def suggestions(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    index: MatchingIndex,
    request_id: UUID,
    k: int | None = None,
) -> list[Suggestion]:
    """My explained shortlist: who could support me, and why, with nothing private."""
    return await _suggest(db, index, request_id, me.user_id, k or settings.shortlist_size)


async def suggest(
    db: AsyncSession,
    *,
    index: MatchingIndex,
    request: SupportRequest,
    k: int,
    only: UUID | None = None,
) -> list[Suggestion]:
    """The explained shortlist for a request (or just ``only``), whoever is looking."""
    return await _suggest(db, index, request.id, request.seeker_id, k, only)


async def _suggest(
    db: AsyncSession,
    index: MatchingIndex,
    request_id: UUID,
    seeker_id: UUID,
    k: int,
    only: UUID | None = None,
) -> list[Suggestion]:
    snapshot = await index.current(db)
    context = await _context(db, index, snapshot, request_id, seeker_id)
    ranked = await _rank(db, index, snapshot, context, k, only)
    labels, seeker = snapshot.labels, context.seeker
    return [
        Suggestion(
            supporter_id=person.id,
            display_name=person.display_name,
            pronouns=person.pronouns,
            languages=sorted(set(person.languages) & set(seeker.languages)),
            shared_channels=sorted(set(person.channels) & set(seeker.channels)),
            score=round(candidate.score, 3),
            reasons=reasons(
                candidate, labels.tags, labels.categories, seeker.timezone, snapshot.week_start
            ),
        )
        for candidate, person in ranked
    ]


async def _pair(
    db: AsyncSession, index: MatchingIndex, request: SupportRequest, supporter_id: UUID
) -> Suggestion:
    """Score one specific pair; it must pass every hard filter right now."""
    found = await suggest(db, index=index, request=request, k=1, only=supporter_id)
    if not found:
        raise Conflict("This supporter isn't available for this request right now.")
    return found[0]


async def introduce_pair(
    db: AsyncSession,
    *,
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
        settings=settings,
        request=request,
        supporter_id=supporter_id,
        source=source,
        score=suggestion.score,
        reasons=suggestion.reasons,
        actor_id=actor_id,
    )


async def choose(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    index: MatchingIndex,
    request_id: UUID,
    supporter_id: UUID,
) -> Relationship:
    """The seeker picks someone from their shortlist: the supporter gets an introduction."""
    request = await get_own_request(db, me, request_id=request_id)
    await introductions.expire_due(db)
    return await introduce_pair(
        db,
        settings=settings,
        index=index,
        request=request,
        supporter_id=supporter_id,
        source=Source.seeker_choice,
        actor_id=me.user_id,
    )
