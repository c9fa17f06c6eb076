"""The supporter pool as one replica holds it: the snapshot (pool, codes, labels, own-words
vectors) and how it is loaded from the database, in process or in a worker process for a
large pool. api/matching/index.py keeps it in step with the database."""

import asyncio
from collections.abc import Sequence
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

from api.auth.models import User
from api.config import Settings
from api.db import core_rows, create_engine, create_sessionmaker
from api.matching.availability import WORDS, to_utc_slots
from api.matching.pool import CHANNELS, SupporterPool, SupporterRecord, bitmask
from api.matching.scoring import Similarity
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

CHANNEL_BITS = {name: bit for bit, name in enumerate(CHANNELS)}
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
            .join(User, col(User.id) == col(SupporterOffer.user_id))
            .where(
                col(SupporterOffer.status) == OfferStatus.approved,
                col(User.email_verified_at).is_not(None),  # only confirmed addresses are matched
            )
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


def load_in_process(settings: Settings, codes: Codes, now: datetime) -> Snapshot:
    return asyncio.run(load_alone(settings, codes, now))


async def load_alone(settings: Settings, codes: Codes, now: datetime) -> Snapshot:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine, settings)() as db:
            return await load_snapshot(db, codes, now, settings)
    finally:
        await engine.dispose()
