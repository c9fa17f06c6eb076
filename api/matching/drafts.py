"""Batch assignment: many waiting seekers at once, optimally, as a draft coordinators review."""

from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID, uuid4

import numpy as np
from sqlalchemy import CursorResult, func, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.errors import Conflict, Forbidden, NotFound
from api.matching import introductions, proposals, service
from api.matching.assignment import assign_candidates, greedy_assign
from api.matching.batch import CandidatePairs, batch_candidates
from api.matching.index import MatchingIndex
from api.matching.models import (
    BatchDraft,
    BatchDraftItem,
    DraftStatus,
    RequestStatus,
    SupportRequest,
)
from api.matching.pairs import kept_apart
from api.matching.requests import waiting_order
from api.matching.scoring import Query, bitmask
from api.matching.snapshot import CHANNEL_BITS, Snapshot, availability_bits
from api.profiles.models import PersonExperience, Profile
from api.profiles.service import display_names
from api.relationships.models import Source
from api.supporters.models import OfferStatus, SupporterOffer


def _require(me: Principal) -> None:
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can run batch assignments.")


async def _waiting(
    db: AsyncSession, index: MatchingIndex, snapshot: Snapshot
) -> tuple[list[SupportRequest], list[Query]]:
    """Every waiting request with a profile, as kernel queries (three queries in all)."""
    requests = list(
        await db.scalars(
            select(SupportRequest)
            .join(User, col(User.id) == SupportRequest.seeker_id)
            .where(
                SupportRequest.status == RequestStatus.waiting,
                col(User.email_verified_at).is_not(None),  # nobody unconfirmed is introduced
            )
            .order_by(*waiting_order())
        )
    )
    seekers = [r.seeker_id for r in requests]
    profiles = {
        p.user_id: p
        for p in await db.scalars(select(Profile).where(col(Profile.user_id).in_(seekers)))
    }
    stages: dict[UUID, dict[int, str]] = {}
    rows = await db.execute(
        select(PersonExperience.user_id, PersonExperience.tag_id, PersonExperience.stage).where(
            col(PersonExperience.user_id).in_(seekers)
        )
    )
    for user_id, tag_id, stage in rows.all():
        stages.setdefault(user_id, {})[tag_id] = stage
    codes, n_tags = snapshot.codes, snapshot.pool.n_tags
    kept, queries = [], []
    for request in requests:
        profile = profiles.get(request.seeker_id)
        if profile is None:
            continue
        mine = stages.get(request.seeker_id, {})
        prefs = request.preferences or {}
        kept.append(request)
        queries.append(
            Query(
                tags={t: mine[t] for t in request.tag_ids if t in mine and t < n_tags},
                languages=codes.language_mask(profile.languages),
                channels=bitmask(profile.channels, CHANNEL_BITS),
                availability=availability_bits(
                    profile.availability, profile.timezone, snapshot.week_start
                ),
                gender=codes.code(codes.genders, prefs.get("gender")),
                age_band=codes.code(codes.age_bands, prefs.get("age_band")),
                prefers_further_along=bool(prefs.get("further_along")),
            )
        )
    return kept, queries


async def _free_places(db: AsyncSession, snapshot: Snapshot) -> np.ndarray:
    places = np.zeros(len(snapshot.pool), np.int64)
    rows = await db.execute(
        select(
            SupporterOffer.user_id, col(SupporterOffer.capacity) - col(SupporterOffer.active_count)
        ).where(
            SupporterOffer.status == OfferStatus.approved, col(SupporterOffer.paused).is_(False)
        )
    )
    for user_id, free in rows.all():
        row = snapshot.row_of(user_id)
        if row is not None:
            places[row] = max(0, free)
    return places


async def _excluded_pairs(
    db: AsyncSession, snapshot: Snapshot, requests: list[SupportRequest]
) -> tuple[np.ndarray, np.ndarray]:
    position = {r.seeker_id: i for i, r in enumerate(requests)}
    seekers, supporters = [], []
    for request in requests:  # nobody supports themself
        if (row := snapshot.row_of(request.seeker_id)) is not None:
            seekers.append(position[request.seeker_id])
            supporters.append(row)
    # Blocks, and past or current partners in either role (api/matching/pairs.py).
    for seeker_id, others in (await kept_apart(db, list(position))).items():
        for supporter_id in others:
            if (row := snapshot.row_of(supporter_id)) is not None:
                seekers.append(position[seeker_id])
                supporters.append(row)
    return np.asarray(seekers, np.int64), np.asarray(supporters, np.int64)


async def create_draft(db: AsyncSession, me: Principal, *, index: MatchingIndex) -> BatchDraft:
    """Assign the waiting list optimally (min-cost flow), stored as a draft: nothing is sent."""
    _require(me)
    await introductions.expire_due(db)
    snapshot = await index.current(db)
    pool = snapshot.pool
    requests, queries = await _waiting(db, index, snapshot)
    draft = BatchDraft(created_by=me.user_id)
    db.add(draft)
    await db.flush()
    if not requests:
        draft.stats = {"waiting": 0, "assigned": 0, "unassigned": 0}
        return draft
    # Who has no free place can't take anyone new: true for every seeker.
    places = await _free_places(db, snapshot)
    index.mark_unavailable(snapshot, np.flatnonzero(places <= 0))
    excluded = await _excluded_pairs(db, snapshot, requests)
    candidates = batch_candidates(pool, queries, weights=index.weights, excluded=excluded)
    # Only pairs that share some experience (the base is added exactly when something is).
    shared = candidates.score >= index.weights.shared_experience_base
    candidates = CandidatePairs(
        candidates.seeker[shared], candidates.supporter[shared], candidates.score[shared]
    )
    result = assign_candidates(candidates, places, len(requests))
    greedy = greedy_assign(
        candidates.seeker, candidates.supporter, candidates.score, places, len(requests)
    )
    items = [
        {
            "id": uuid4(),
            "draft_id": draft.id,
            "request_id": requests[s].id,
            "seeker_id": requests[s].seeker_id,
            "supporter_id": snapshot.user_at(r),
            "score": round(float(score), 4),
            "reasons": [],
        }
        for s, r, score in result.pairs
    ]
    if items:
        await db.execute(insert(BatchDraftItem), items)
    draft.total_score = round(result.total, 4)
    draft.stats = {
        "waiting": len(requests),
        "assigned": len(result.pairs),
        "unassigned": len(result.unassigned),
        "greedy_total": round(greedy.total, 4),
    }
    await db.flush()
    return draft


async def get_draft(
    db: AsyncSession, me: Principal, *, draft_id: UUID
) -> tuple[BatchDraft, list[BatchDraftItem]]:
    _require(me)
    draft = await db.get(BatchDraft, draft_id)
    if draft is None:
        raise NotFound("No such batch.")
    items = list(
        await db.scalars(
            select(BatchDraftItem)
            .where(BatchDraftItem.draft_id == draft_id)
            .order_by(col(BatchDraftItem.score).desc())
        )
    )
    return draft, items


async def _hold(db: AsyncSession, draft_id: UUID, *, to: DraftStatus) -> None:
    """The first write of a change to a draft: move it (or keep it) to ``to`` only while it is
    still a draft. PostgreSQL holds the row lock until commit and SQLite lets one writer in at
    a time, so of two coordinators sending at once, or one editing while another sends,
    exactly one goes ahead and the other is refused: a draft is never sent twice."""
    held = cast(
        CursorResult[Any],
        await db.execute(
            update(BatchDraft)
            .where(col(BatchDraft.id) == draft_id, col(BatchDraft.status) == DraftStatus.draft)
            .values(status=to)
            .execution_options(synchronize_session=False)
        ),
    )
    if held.rowcount != 1:
        raise Conflict("This batch was already sent or discarded.")


async def _editable(
    db: AsyncSession, me: Principal, draft_id: UUID, item_id: UUID
) -> BatchDraftItem:
    _require(me)
    draft = await db.get(BatchDraft, draft_id)
    item = await db.get(BatchDraftItem, item_id)
    if draft is None or item is None or item.draft_id != draft_id:
        raise NotFound("No such batch item.")
    await _hold(db, draft_id, to=DraftStatus.draft)
    return item


async def places_left(db: AsyncSession, *, draft_id: UUID, item_id: UUID) -> dict[UUID, int]:
    """For each supporter open to new people, the free places left once the rest of this
    draft (all but ``item_id``) is sent."""
    given = (
        select(BatchDraftItem.supporter_id, func.count().label("n"))
        .where(BatchDraftItem.draft_id == draft_id, BatchDraftItem.id != item_id)
        .group_by(col(BatchDraftItem.supporter_id))
        .subquery()
    )
    rows = await db.execute(
        select(
            SupporterOffer.user_id,
            col(SupporterOffer.capacity)
            - col(SupporterOffer.active_count)
            - func.coalesce(given.c.n, 0),
        )
        .outerjoin(given, given.c.supporter_id == SupporterOffer.user_id)
        .where(SupporterOffer.status == OfferStatus.approved, col(SupporterOffer.paused).is_(False))
    )
    return {user_id: int(left) for user_id, left in rows.all()}


@dataclass(frozen=True)
class Instead:
    """Someone who could take this seeker instead, and whether the draft leaves them a place."""

    suggestion: service.Suggestion
    has_place: bool


async def alternatives(
    db: AsyncSession, me: Principal, *, index: MatchingIndex, draft_id: UUID, item_id: UUID, k: int
) -> tuple[BatchDraftItem, list[Instead]]:
    """Who else could support this seeker (best first), for a coordinator changing the pair."""
    _require(me)
    item = await db.get(BatchDraftItem, item_id)
    if item is None or item.draft_id != draft_id:
        raise NotFound("No such batch item.")
    request = await db.get(SupportRequest, item.request_id)
    if request is None:
        raise NotFound("No such request.")
    found = await service.suggest(db, index=index, request=request, k=k + 1)
    left = await places_left(db, draft_id=draft_id, item_id=item_id)
    return item, [
        Instead(s, left.get(s.supporter_id, 0) > 0)
        for s in found
        if s.supporter_id != item.supporter_id
    ][:k]


async def change_item(
    db: AsyncSession,
    me: Principal,
    *,
    index: MatchingIndex,
    draft_id: UUID,
    item_id: UUID,
    supporter_id: UUID,
) -> BatchDraftItem:
    """Give a seeker in the draft another supporter (who must pass every hard filter)."""
    item = await _editable(db, me, draft_id, item_id)
    request = await db.get(SupportRequest, item.request_id)
    if request is None:
        raise NotFound("No such request.")
    found = await service.suggest(db, index=index, request=request, k=1, only=supporter_id)
    if not found:
        raise proposals.NotAvailable(
            await proposals.why_not(db, request=request, supporter_id=supporter_id)
        )
    if (await places_left(db, draft_id=draft_id, item_id=item_id)).get(supporter_id, 0) <= 0:
        names = await display_names(db, user_ids=[supporter_id])
        raise proposals.NotAvailable(
            f"{names.get(supporter_id, 'This supporter')}'s free places are all given to other "
            "people in this batch already."
        )
    item.supporter_id, item.score, item.reasons = supporter_id, found[0].score, found[0].reasons
    await db.flush()
    return item


async def remove_item(db: AsyncSession, me: Principal, *, draft_id: UUID, item_id: UUID) -> None:
    """Leave one seeker out of the draft (they stay on the waiting list)."""
    item = await _editable(db, me, draft_id, item_id)
    await db.delete(item)
    await db.flush()


async def send(
    db: AsyncSession, me: Principal, *, settings: Settings, index: MatchingIndex, draft_id: UUID
) -> dict[str, int]:
    """Send the reviewed draft's introductions; pairs no longer possible are skipped and counted."""
    draft, items = await get_draft(db, me, draft_id=draft_id)
    await _hold(db, draft_id, to=DraftStatus.sent)  # the first write: see _hold
    await db.refresh(draft)
    await introductions.expire_due(db)
    sent = skipped = 0
    for item in items:
        request = await db.get(SupportRequest, item.request_id)
        if request is None or request.status != RequestStatus.waiting:
            skipped += 1
            continue
        try:
            await service.introduce_pair(
                db,
                settings=settings,
                index=index,
                request=request,
                supporter_id=item.supporter_id,
                source=Source.batch,
                actor_id=me.user_id,
            )
        except Conflict:  # no longer possible (full, paused, already introduced, …)
            skipped += 1
            continue
        sent += 1
    draft.sent_at = utcnow()
    draft.stats = {**draft.stats, "sent": sent, "skipped": skipped}
    await db.flush()
    await audit.record(
        db,
        me,
        action=Action.batch_sent,
        subject_type="batch",
        subject_id=draft.id,
        details={"sent": sent, "skipped": skipped},
    )
    return {"sent": sent, "skipped": skipped}


async def explain(
    db: AsyncSession,
    me: Principal,
    *,
    index: MatchingIndex,
    items: list[BatchDraftItem],
    limit: int = 50,
) -> dict[UUID, list[str]]:
    """Each pair's reasons in plain words, for the first `limit` items a coordinator reviews
    (a pair no longer possible has none)."""
    _require(me)
    found: dict[UUID, list[str]] = {}
    for item in items[:limit]:
        if item.reasons:
            continue
        request = await db.get(SupportRequest, item.request_id)
        if request is None:
            continue
        best = await service.suggest(db, index=index, request=request, k=1, only=item.supporter_id)
        found[item.id] = best[0].reasons if best else []
    return found
