"""Each replica's copy of the supporter pool, derived from the database and kept in step with it.

The pool (experiences, languages, channels, availability) is rebuilt when supporters' profiles
change, at most every ``matching_rebuild_seconds``. Eligibility (approved, not paused, free
capacity) is re-read on *every* query from the offers changed since the last one, and the
final candidates are checked against the database once more before they are shown, so a pause
or a capacity change made a moment ago on any replica is always respected.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

import numpy as np
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.common import utcnow
from api.db import core_rows
from api.matching.availability import WORDS, to_utc_slots
from api.matching.scoring import CHANNELS, SupporterPool, SupporterRecord, Weights, bitmask
from api.profiles.models import (
    ExperienceCategory,
    ExperienceTag,
    PersonExperience,
    Profile,
    Stage,
)
from api.supporters.models import OfferStatus, SupporterOffer

# Rows changed within this margin before the last sync are read again (commit-order slack).
SYNC_SLACK = timedelta(seconds=5)
CHANNEL_BITS = {name: bit for bit, name in enumerate(CHANNELS)}
# From this many supporters a rebuild runs in the background while the old pool serves.
BACKGROUND_FROM = 5000


def week_start_of(moment: datetime) -> date:
    """The Monday (UTC) of the week containing ``moment``: availability is computed for it."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def availability_bits(profile_availability: list[dict], tz: str, week_start: date) -> np.ndarray:
    windows = [(w["weekday"], w["start"], w["end"]) for w in profile_availability]
    return to_utc_slots(windows, tz, week_start)


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


class MatchingIndex:
    """The pool for this process, with what it takes to keep it in step with the database."""

    def __init__(
        self,
        rebuild_seconds: float = 30.0,
        sync_seconds: float = 1.0,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.weights = weights or Weights()
        self.rebuild_seconds = rebuild_seconds
        self.sync_seconds = sync_seconds
        self.sessionmaker = sessionmaker
        self.pool: SupporterPool | None = None
        self.rows: dict[UUID, int] = {}
        self.codes = Codes()
        self.labels: Labels | None = None
        self.week_start: date | None = None
        self.built_at: datetime | None = None
        self.synced_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task | None = None

    async def current(self, db: AsyncSession) -> SupporterPool:
        """The pool, brought up to date with the database for this query.

        Offers are re-read at most every ``sync_seconds``; callers confirm their final
        candidates against the database (``service._available_people``), so a pause or a
        full caseload is never shown, even between two syncs.
        """
        now = utcnow()
        if self.pool is None or self.week_start != week_start_of(now):
            async with self._lock:
                if self.pool is None or self.week_start != week_start_of(now):
                    await self._rebuild(db, now)
            assert self.pool is not None
            return self.pool
        if now - self.synced_at >= timedelta(seconds=self.sync_seconds):
            async with self._lock:
                new_offer = await self._sync_eligibility(db)
                new_profile, edited = await self._profile_changes(db)
                self.synced_at = now
                due = now - self.built_at >= timedelta(seconds=self.rebuild_seconds)
                if new_offer or new_profile or (edited and due):
                    await self._refresh(db, now)
        return self.pool

    async def _refresh(self, db: AsyncSession, now: datetime) -> None:
        """Rebuild now when the pool is small; in the background (serving the old one) when not."""
        if len(self.pool) < BACKGROUND_FROM or self.sessionmaker is None:
            await self._rebuild(db, now)
        elif self._background is None or self._background.done():
            self._background = asyncio.create_task(self._rebuild_alone())

    async def _rebuild_alone(self) -> None:
        async with self.sessionmaker() as db:
            await self._rebuild(db, utcnow())

    async def _profile_changes(self, db: AsyncSession) -> tuple[bool, bool]:
        """(a supporter not in the pool has a profile now, a pooled supporter edited theirs)."""
        rows = await db.scalars(
            select(Profile.user_id)
            .join(SupporterOffer, SupporterOffer.user_id == Profile.user_id)
            .where(
                Profile.updated_at >= self.built_at - SYNC_SLACK,
                SupporterOffer.status == OfferStatus.approved,
            )
        )
        changed = rows.all()
        known = [user_id in self.rows for user_id in changed]
        return not all(known), any(known)

    async def _sync_eligibility(self, db: AsyncSession) -> bool:
        """Apply offers changed since the last sync; True when a new supporter appeared."""
        assert self.pool is not None and self.synced_at is not None
        rows = await db.execute(
            select(
                SupporterOffer.user_id,
                SupporterOffer.status,
                SupporterOffer.paused,
                SupporterOffer.capacity,
                SupporterOffer.active_count,
                Profile.user_id.is_not(None),
            )
            .outerjoin(Profile, Profile.user_id == SupporterOffer.user_id)
            .where(SupporterOffer.updated_at >= self.synced_at - SYNC_SLACK)
        )
        appeared = False
        for user_id, status, paused, capacity, active, has_profile in rows.all():
            row = self.rows.get(user_id)
            if row is not None:
                self.pool.eligible[row] = eligible(status, paused, capacity, active)
            elif status == OfferStatus.approved and has_profile:
                appeared = True
        return appeared

    async def _rebuild(self, db: AsyncSession, now: datetime) -> None:
        week = week_start_of(now)
        tags = (
            await db.execute(
                select(ExperienceTag.id, ExperienceTag.category_id, ExperienceTag.phrase)
            )
        ).all()
        categories = (
            await db.execute(select(ExperienceCategory.id, ExperienceCategory.phrase))
        ).all()
        n_tags = max((t.id for t in tags), default=0) + 1
        n_categories = max((c.id for c in categories), default=0) + 1
        tag_category = np.zeros(n_tags, np.int32)
        for tag_id, category_id, _ in tags:
            tag_category[tag_id] = category_id
        offers = (
            await db.execute(
                select(
                    SupporterOffer.user_id,
                    SupporterOffer.status,
                    SupporterOffer.paused,
                    SupporterOffer.capacity,
                    SupporterOffer.active_count,
                    Profile.languages,
                    Profile.channels,
                    Profile.availability,
                    Profile.timezone,
                    Profile.gender,
                    Profile.age_band,
                )
                .join(Profile, Profile.user_id == SupporterOffer.user_id)
                .where(SupporterOffer.status == OfferStatus.approved)
                .order_by(SupporterOffer.user_id)
            )
        ).all()
        # One row per supporter, experiences folded into a string ("12,-40,7": negative means
        # further along): at 100k supporters that is 100k rows instead of a million.
        experience, offer = PersonExperience.__table__.c, SupporterOffer.__table__.c
        signed = case(
            (experience.stage == Stage.further_along, -experience.tag_id), else_=experience.tag_id
        )
        folded = dict(
            await core_rows(
                db,
                select(experience.user_id, func.aggregate_strings(cast(signed, String), ","))
                .join(SupporterOffer.__table__, offer.user_id == experience.user_id)
                .where(offer.status == OfferStatus.approved, experience.willing_to_talk.is_(True))
                .group_by(experience.user_id),
            )
        )
        # The CPU-heavy part runs in a thread so this process keeps answering meanwhile.
        records = await asyncio.to_thread(self._records, offers, folded, week)
        self.pool = SupporterPool.build(records, n_tags, n_categories, tag_category)
        self.rows = {record.key: i for i, record in enumerate(records)}
        self.labels = Labels(
            tags={t.id: t.phrase for t in tags},
            categories={c.id: c.phrase for c in categories},
            tag_category=tag_category,
        )
        self.week_start, self.built_at, self.synced_at = week, now, now

    def _records(self, offers: list, folded: dict[UUID, str], week: date) -> list[SupporterRecord]:
        codes = self.codes
        slots: dict[tuple, np.ndarray] = {}  # one conversion per distinct window and zone

        def bits(availability: list[dict], tz: str) -> np.ndarray:
            out = np.zeros(WORDS, np.uint64)
            for w in availability:
                key = (w["weekday"], w["start"], w["end"], tz)
                if key not in slots:
                    slots[key] = to_utc_slots([key[:3]], tz, week)
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
                key=o.user_id,
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

    def mark_ineligible(self, user_id: UUID) -> None:
        row = self.rows.get(user_id)
        if self.pool is not None and row is not None:
            self.pool.eligible[row] = False


def eligible(status: str, paused: bool, capacity: int, active: int) -> bool:
    return status == OfferStatus.approved and not paused and active < capacity
