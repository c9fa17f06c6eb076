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
from datetime import datetime, timedelta

import numpy as np
import structlog
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.common import utcnow
from api.config import Settings
from api.matching.scoring import Weights
from api.matching.snapshot import (
    OFFER_STATE,
    Codes,
    Snapshot,
    eligible,
    load_in_process,
    load_snapshot,
    week_start_of,
)
from api.profiles.models import (
    Profile,
)
from api.supporters.models import OfferStatus, SupporterOffer

# Rows changed within this margin before the last sync are read again (commit-order slack).
SYNC_SLACK = timedelta(seconds=5)
# From this many supporters a rebuild runs aside while the old pool serves.
BACKGROUND_FROM = 5000
log = structlog.get_logger("kindred.matching")


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
                builder, load_in_process, settings, self._serving().codes, now
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
