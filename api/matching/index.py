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
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.common import utcnow
from api.matching.availability import to_utc_slots
from api.matching.scoring import CHANNELS, SupporterPool, SupporterRecord, bitmask
from api.profiles.models import ExperienceCategory, ExperienceTag, PersonExperience, Profile
from api.supporters.models import OfferStatus, SupporterOffer

# Rows changed within this margin before the last sync are read again (commit-order slack).
SYNC_SLACK = timedelta(seconds=5)
CHANNEL_BITS = {name: bit for bit, name in enumerate(CHANNELS)}


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

    def __init__(self, rebuild_seconds: float = 30.0) -> None:
        self.rebuild_seconds = rebuild_seconds
        self.pool: SupporterPool | None = None
        self.rows: dict[UUID, int] = {}
        self.codes = Codes()
        self.labels: Labels | None = None
        self.week_start: date | None = None
        self.built_at: datetime | None = None
        self.synced_at: datetime | None = None
        self._lock = asyncio.Lock()

    async def current(self, db: AsyncSession) -> SupporterPool:
        """The pool, brought up to date with the database for this query."""
        async with self._lock:
            now = utcnow()
            if self.pool is None or self.week_start != week_start_of(now):
                await self._rebuild(db, now)
                return self.pool
            new_offer = await self._sync_eligibility(db)
            new_profile, edited = await self._profile_changes(db)
            due = now - self.built_at >= timedelta(seconds=self.rebuild_seconds)
            if new_offer or new_profile or (edited and due):
                await self._rebuild(db, now)
            self.synced_at = now
            assert self.pool is not None
            return self.pool

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
        changed = set(rows.all())
        return bool(changed - self.rows.keys()), bool(changed & self.rows.keys())

    async def _sync_eligibility(self, db: AsyncSession) -> bool:
        """Apply offers changed since the last query; True when a new supporter appeared."""
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
                select(SupporterOffer, Profile)
                .join(Profile, Profile.user_id == SupporterOffer.user_id)
                .where(SupporterOffer.status == OfferStatus.approved)
                .order_by(SupporterOffer.user_id)
            )
        ).all()
        experiences: dict[UUID, list[tuple[int, str, bool]]] = {}
        rows = await db.execute(
            select(
                PersonExperience.user_id,
                PersonExperience.tag_id,
                PersonExperience.stage,
                PersonExperience.willing_to_talk,
            )
            .join(SupporterOffer, SupporterOffer.user_id == PersonExperience.user_id)
            .where(SupporterOffer.status == OfferStatus.approved)
        )
        for user_id, tag_id, stage, willing in rows.all():
            experiences.setdefault(user_id, []).append((tag_id, stage, willing))
        codes = self.codes
        records = [
            SupporterRecord(
                key=offer.user_id,
                experiences=experiences.get(offer.user_id, []),
                languages=codes.language_mask(profile.languages, grow=True),
                channels=bitmask(profile.channels, CHANNEL_BITS),
                availability=availability_bits(profile.availability, profile.timezone, week),
                gender=codes.code(codes.genders, profile.gender, grow=True),
                age_band=codes.code(codes.age_bands, profile.age_band, grow=True),
                eligible=eligible(offer.status, offer.paused, offer.capacity, offer.active_count),
            )
            for offer, profile in offers
        ]
        self.pool = SupporterPool.build(records, n_tags, n_categories, tag_category)
        self.rows = {record.key: i for i, record in enumerate(records)}
        self.labels = Labels(
            tags={t.id: t.phrase for t in tags},
            categories={c.id: c.phrase for c in categories},
            tag_category=tag_category,
        )
        self.week_start, self.built_at, self.synced_at = week, now, now

    def mark_ineligible(self, user_id: UUID) -> None:
        row = self.rows.get(user_id)
        if self.pool is not None and row is not None:
            self.pool.eligible[row] = False


def eligible(status: str, paused: bool, capacity: int, active: int) -> bool:
    return status == OfferStatus.approved and not paused and active < capacity


async def still_eligible(db: AsyncSession, user_ids: list[UUID]) -> set[UUID]:
    """Which of these supporters can take someone new right now, by the database itself."""
    if not user_ids:
        return set()
    rows = await db.execute(
        select(SupporterOffer.user_id).where(
            SupporterOffer.user_id.in_(user_ids),
            SupporterOffer.status == OfferStatus.approved,
            SupporterOffer.paused.is_(False),
            SupporterOffer.active_count < SupporterOffer.capacity,
        )
    )
    return set(rows.scalars())
