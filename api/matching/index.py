"""Each replica's copy of the supporter pool, derived from the database and kept in step with it.

The pool (experiences, languages, channels, availability) is rebuilt when supporters' profiles
change, at most every ``matching_rebuild_seconds``. Eligibility (approved, not paused, free
capacity) is re-read on *every* query from the offers changed since the last one, and the
final candidates are checked against the database once more before they are shown, so a pause
or a capacity change made a moment ago on any replica is always respected.
"""

import asyncio
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import numpy as np
import structlog
from sqlalchemy import Row, String, Table, case, func
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.common import utcnow
from api.config import Settings
from api.db import core_rows, create_engine, create_sessionmaker
from api.matching.availability import WORDS, to_utc_slots
from api.matching.pool import CHANNELS, SupporterPool, SupporterRecord, bitmask
from api.matching.scoring import Similarity, Weights
from api.profiles import own_words as similarity
from api.profiles.models import (
    ExperienceCategory,
    ExperienceTag,
    PersonExperience,
    Profile,
    Stage,
)
from api.supporters.models import OfferStatus, SupporterOffer
from api.weekly.windows import stored_windows

# Rows changed within this margin before the last sync are read again (commit-order slack).
SYNC_SLACK = timedelta(seconds=5)
CHANNEL_BITS = {name: bit for bit, name in enumerate(CHANNELS)}
# From this many supporters a rebuild runs aside while the old pool serves.
BACKGROUND_FROM = 5000
log = structlog.get_logger("kindred.matching")


def week_start_of(moment: datetime) -> date:
    """The Monday (UTC) of the week containing ``moment``: availability is computed for it."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def availability_bits(profile_availability: list[dict], tz: str, week_start: date) -> np.ndarray:
    return to_utc_slots(stored_windows(profile_availability), tz, week_start)


@dataclass
class Codes:
    """Small integer codes for strings the kernel works on as bits or int8."""

    languages: dict[str, int] = field(default_factory=dict)
    genders: dict[str, int] = field(default_factory=dict)
    age_bands: dict[str, int] = field(default_factory=dict)

    def language_mask(self, codes: list[str], grow: bool = False) -> int:
        if grow:
            for code in codes:
                if code not in self.languages and len(self.languages) < 64:
                    self.languages[code] = len(self.languages)
        return bitmask(codes, self.languages)

    @staticmethod
    def code(table: dict[str, int], value: str | None, grow: bool = False) -> int:
        if value is None:
            return -1
        if grow and value not in table and len(table) < 127:
            table[value] = len(table)
        return table.get(value, -1)


@dataclass
class Labels:
    tags: dict[int, str]
    categories: dict[int, str]
    tag_category: np.ndarray


@dataclass(frozen=True)
class OwnWords:
    """Supporters' own-words vectors, for the optional similarity (api/profiles/own_words.py):
    int8 (384 bytes a person, about 1 % off the float similarity), only for those who wrote."""

    slot: np.ndarray  # pool row -> row of ``vectors``, -1 for no words
    vectors: np.ndarray  # m x 384 int8, unit vectors times 127

    @classmethod
    def build(cls, keys: list[bytes], found: dict[UUID, np.ndarray]) -> "OwnWords | None":
        if not found:
            return None
        slot = np.full(len(keys), -1, np.int32)
        vectors: list[np.ndarray] = []
        for row, key in enumerate(keys):
            vector = found.get(UUID(bytes=key))
            if vector is not None:
                slot[row] = len(vectors)
                vectors.append(np.round(vector * 127))
        if not vectors:
            return None
        return cls(slot, np.asarray(vectors, np.int8))

    def similarity(self, seeker: np.ndarray) -> Similarity:
        """How alike each asked-for row's words are to the seeker's (NaN: none written)."""
        query = np.asarray(seeker, np.float32) / 127

        def of(rows: np.ndarray) -> np.ndarray:
            slots = self.slot[rows]
            out = np.full(rows.size, np.nan, np.float32)
            has = slots >= 0
            out[has] = self.vectors[slots[has]].astype(np.float32) @ query
            return out

        return of


@dataclass(frozen=True)
class Snapshot:
    """One built pool with what belongs to it, replaced as a whole: a request holds on to the
    snapshot it started with, so rows, ids, labels and the week always agree."""

    pool: SupporterPool
    labels: Labels
    codes: Codes  # how this pool spells languages, genders and age bands as bits and codes
    week_start: date  # availability bits are for this week (daylight saving)
    built_at: datetime  # what the database said at this moment
    own_words: OwnWords | None = None  # when own-words similarity is on here

    def row_of(self, user_id: UUID) -> int | None:
        """This supporter's pool row, if they are in the pool."""
        return self.pool.rows.get(user_id.bytes)

    def user_at(self, row: int) -> UUID:
        return UUID(bytes=cast(bytes, self.pool.ids[row]))  # keys are the ids' bytes here


class MatchingIndex:
    """The pool for this process, with what it takes to keep it in step with the database."""

    def __init__(
        self,
        rebuild_seconds: float = 30.0,
        sync_seconds: float = 1.0,
        settings: Settings | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.weights = weights or Weights()
        self.rebuild_seconds = rebuild_seconds
        self.sync_seconds = sync_seconds
        # With settings, large pools are rebuilt aside on a connection of their own, and
        # own-words vectors are loaded when similarity is on. Without: inline, no vectors.
        self.settings = settings
        self.snapshot: Snapshot | None = None
        self.synced_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None

    async def current(self, db: AsyncSession) -> Snapshot:
        """The pool, brought up to date with the database for this query.

        Offers are re-read at most every ``sync_seconds``; callers confirm their final
        candidates against the database (``service._available_people``), so a pause or a
        full caseload is never shown, even between two syncs.
        """
        now = utcnow()
        if self.snapshot is None or self.synced_at is None:  # _install sets both
            async with self._lock:
                if self.snapshot is None:
                    self._install(await load_snapshot(db, Codes(), now, self.settings))
            return self._serving()
        if now - self.synced_at >= timedelta(seconds=self.sync_seconds):
            async with self._lock:
                new_offer = await self._sync_eligibility(db, self.synced_at)
                new_profile, edited = await self._profile_changes(db)
                self.synced_at = now
                due = now - self.snapshot.built_at >= timedelta(seconds=self.rebuild_seconds)
                new_week = self.snapshot.week_start != week_start_of(now)
                if new_offer or new_profile or new_week or (edited and due):
                    await self._refresh(db, now)
        return self.snapshot

    def _serving(self) -> Snapshot:
        """The snapshot serving now: ``current`` builds the first one, and none is ever taken
        away after that."""
        if self.snapshot is None:
            raise RuntimeError("The matching pool has not been built yet.")
        return self.snapshot

    def _install(self, snapshot: Snapshot) -> None:
        # No await in here: no request ever sees half of one snapshot and half of another.
        self.snapshot = snapshot
        self.synced_at = snapshot.built_at

    async def _refresh(self, db: AsyncSession, now: datetime) -> None:
        """Rebuild now when the pool is small; aside (serving the old one) when it is not."""
        snapshot = self._serving()
        if len(snapshot.pool) < BACKGROUND_FROM or self.settings is None:
            self._install(await load_snapshot(db, snapshot.codes, now, self.settings))
        elif self._background is None or self._background.done():
            self._background = asyncio.create_task(self._load_aside(self.settings, now))

    async def _load_aside(self, settings: Settings, now: datetime) -> None:
        """Load the next snapshot in a separate process, on its own connection.

        Reading and decoding 100,000 profiles is seconds of CPU. On the serving event loop it
        stalled every request meanwhile, and in a thread it still held the interpreter lock for
        up to 0.6 s at a time (both measured); another process leaves this one answering. The
        process ends after each build, giving its memory back. A failure leaves the current
        snapshot serving, and the next sync tries again."""
        context = multiprocessing.get_context("spawn")
        builder = ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1)
        try:
            snapshot = await asyncio.get_running_loop().run_in_executor(
                builder, _load_in_process, settings, self._serving().codes, now
            )
        except Exception:
            log.exception("matching_pool_rebuild_failed")
            return
        finally:  # waiting here for the process to exit would stall this loop
            await asyncio.to_thread(builder.shutdown)
        self._install(snapshot)

    def mark_unavailable(self, snapshot: Snapshot, rows: Sequence[int] | np.ndarray) -> None:
        """These supporters can't take anyone new (the database said so a moment ago): true for
        every seeker, so they are left out of this snapshot until the next offer sync says
        otherwise. Who merely shares no language or channel with one seeker is not this: that
        is left out for that request only, by the caller's own mask."""
        snapshot.pool.eligible[np.asarray(rows, np.intp)] = False

    async def _profile_changes(self, db: AsyncSession) -> tuple[bool, bool]:
        """(a supporter not in the pool has a profile now, a pooled supporter edited theirs)."""
        rows = await db.scalars(
            select(Profile.user_id)
            .join(SupporterOffer, col(SupporterOffer.user_id) == col(Profile.user_id))
            .where(
                col(Profile.updated_at) >= self._serving().built_at - SYNC_SLACK,
                SupporterOffer.status == OfferStatus.approved,
            )
        )
        snapshot = self._serving()
        known = [snapshot.row_of(user_id) is not None for user_id in rows.all()]
        return not all(known), any(known)

    async def _sync_eligibility(self, db: AsyncSession, synced_at: datetime) -> bool:
        """Apply offers changed since the last sync; True when a new supporter appeared."""
        rows = await db.execute(
            sa_select(*OFFER_STATE, col(Profile.user_id).is_not(None))
            .outerjoin(Profile, col(Profile.user_id) == col(SupporterOffer.user_id))
            .where(col(SupporterOffer.updated_at) >= synced_at - SYNC_SLACK)
        )
        appeared = False
        snapshot = self._serving()
        pool = snapshot.pool
        for user_id, status, paused, capacity, active, has_profile in rows.all():
            row = snapshot.row_of(user_id)
            if row is not None:
                pool.eligible[row] = eligible(status, paused, capacity, active)
            elif status == OfferStatus.approved and has_profile:
                appeared = True
        return appeared


# Who an offer belongs to and what decides whether they can take someone new (``eligible``).
OFFER_STATE = (
    col(SupporterOffer.user_id),
    col(SupporterOffer.status),
    col(SupporterOffer.paused),
    col(SupporterOffer.capacity),
    col(SupporterOffer.active_count),
)


def eligible(status: str, paused: bool, capacity: int, active: int) -> bool:
    return status == OfferStatus.approved and not paused and active < capacity


async def load_snapshot(
    db: AsyncSession, previous: Codes, now: datetime, settings: Settings | None = None
) -> Snapshot:
    """A new snapshot of every approved supporter with a profile, as of ``now``; codes
    carry on from the previous snapshot's."""
    codes = Codes(dict(previous.languages), dict(previous.genders), dict(previous.age_bands))
    week = week_start_of(now)
    tags = (
        await db.execute(select(ExperienceTag.id, ExperienceTag.category_id, ExperienceTag.phrase))
    ).all()
    categories = (await db.execute(select(ExperienceCategory.id, ExperienceCategory.phrase))).all()
    n_tags = max((t.id for t in tags), default=0) + 1
    n_categories = max((c.id for c in categories), default=0) + 1
    tag_category = np.zeros(n_tags, np.int32)
    for tag_id, category_id, _ in tags:
        tag_category[tag_id] = category_id
    offers = (
        await db.execute(
            sa_select(
                *OFFER_STATE,
                col(Profile.languages),
                col(Profile.channels),
                col(Profile.availability),
                col(Profile.timezone),
                col(Profile.gender),
                col(Profile.age_band),
            )
            .join(Profile, col(Profile.user_id) == col(SupporterOffer.user_id))
            .where(col(SupporterOffer.status) == OfferStatus.approved)
            .order_by(col(SupporterOffer.user_id))
        )
    ).all()
    # One row per supporter, experiences folded into a string ("12,-40,7": negative means
    # further along): at 100k supporters that is 100k rows instead of a million.
    # SQLModel sets __table__ on table models but does not declare it.
    experience_table: Table = PersonExperience.__table__  # type: ignore[attr-defined]
    offer_table: Table = SupporterOffer.__table__  # type: ignore[attr-defined]
    experience, offer = experience_table.c, offer_table.c
    signed = case(
        (experience.stage == Stage.further_along, -experience.tag_id), else_=experience.tag_id
    )
    folded = dict(
        await core_rows(
            db,
            sa_select(experience.user_id, func.aggregate_strings(sql_cast(signed, String), ","))
            .join(offer_table, offer.user_id == experience.user_id)
            .where(offer.status == OfferStatus.approved, experience.willing_to_talk.is_(True))
            .group_by(experience.user_id),
        )
    )
    # The CPU-heavy part runs in a thread, so a first build leaves the process answering.
    records = await asyncio.to_thread(_records, offers, folded, week, codes)
    pool = SupporterPool.build(records, n_tags, n_categories, tag_category)
    found = await similarity.vectors(db, settings) if settings else {}
    return Snapshot(
        pool=pool,
        labels=Labels(
            tags={t.id: t.phrase for t in tags},
            categories={c.id: c.phrase for c in categories},
            tag_category=tag_category,
        ),
        codes=codes,
        week_start=week,
        built_at=now,
        own_words=OwnWords.build(cast(list[bytes], pool.ids), found),  # keys: the ids' bytes
    )


def _records(
    offers: Sequence[Row[Any]], folded: dict[UUID, str], week: date, codes: Codes
) -> list[SupporterRecord]:
    # One conversion per distinct window and zone.
    slots: dict[tuple[int, str, str, str], np.ndarray] = {}

    def bits(availability: list[dict], tz: str) -> np.ndarray:
        out = np.zeros(WORDS, np.uint64)
        for w in availability:
            key = (w["weekday"], w["start"], w["end"], tz)
            if key not in slots:
                slots[key] = to_utc_slots(stored_windows([w]), tz, week)
            out |= slots[key]
        return out

    def experiences(text: str | None) -> list[tuple[int, str, bool]]:
        if not text:
            return []
        return [
            (abs(t), Stage.further_along if t < 0 else Stage.going_through, True)
            for t in map(int, text.split(","))
        ]

    return [
        SupporterRecord(
            key=o.user_id.bytes,
            experiences=experiences(folded.get(o.user_id)),
            languages=codes.language_mask(o.languages, grow=True),
            channels=bitmask(o.channels, CHANNEL_BITS),
            availability=bits(o.availability, o.timezone),
            gender=codes.code(codes.genders, o.gender, grow=True),
            age_band=codes.code(codes.age_bands, o.age_band, grow=True),
            eligible=eligible(o.status, o.paused, o.capacity, o.active_count),
        )
        for o in offers
    ]


def _load_in_process(settings: Settings, codes: Codes, now: datetime) -> Snapshot:
    return asyncio.run(_load_alone(settings, codes, now))


async def _load_alone(settings: Settings, codes: Codes, now: datetime) -> Snapshot:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as db:
            return await load_snapshot(db, codes, now, settings)
    finally:
        await engine.dispose()
