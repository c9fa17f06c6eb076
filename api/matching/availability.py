"""Weekly availability as bitsets of 30-minute UTC slots, so overlap is a popcount.

A person gives weekly windows in their own IANA zone. We convert them to UTC for one concrete
reference week (Monday ``week_start`` 00:00 UTC to the next Monday), so daylight saving is
right for that week: a London evening is 18:00-22:00 UTC in January and 17:00-21:00 UTC in July.
The 336 slots are packed little-endian into 6 ``uint64`` words (slot ``s`` is bit ``s % 64`` of
word ``s // 64``; the last 48 bits of word 5 are always zero).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from api.weekly.occurrences import instant
from api.weekly.windows import DAY, PARTS_OF_DAY, WeeklyWindow, part_of_day

SLOT_MINUTES = 30
SLOTS_PER_DAY = DAY // SLOT_MINUTES
SLOTS_PER_WEEK = 7 * SLOTS_PER_DAY  # 336
WORDS = 6  # ceil(336 / 64)


class SharedPeriod(NamedTuple):
    """A weekday and part of the day (in one person's zone) that two people both have free."""

    weekday: int
    part: str
    minutes: int


@lru_cache(maxsize=65536)
def _utc_minute(tz_key: str, week_start: date, weekday: int, minute: int, *, is_end: bool) -> int:
    """Minutes from ``week_start`` 00:00 UTC to local (weekday, minute) in ``tz_key``."""
    # Cached: a pool of 100k people uses a few hundred distinct (zone, day, time) triples.
    day = week_start + timedelta(days=weekday)
    moment = instant(day, minute, tz=ZoneInfo(tz_key), is_end=is_end)
    origin = datetime.combine(week_start, time(0), tzinfo=UTC)
    return int((moment - origin).total_seconds() // 60)


def _check_week_start(week_start: date) -> None:
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start.isoformat()}")


def bits_from_slots(slots: Iterable[int]) -> np.ndarray:
    """Pack UTC slot numbers (taken modulo the week) into a 6-word bitset."""
    value = 0
    for slot in slots:
        value |= 1 << (int(slot) % SLOTS_PER_WEEK)
    return _pack(value)


def _pack(value: int) -> np.ndarray:
    return np.frombuffer(value.to_bytes(WORDS * 8, "little"), dtype="<u8").astype(np.uint64)


def to_utc_slots(windows: Iterable[WeeklyWindow], tz: str, week_start: date) -> np.ndarray:
    """Convert weekly windows in zone ``tz`` to a (6,) uint64 bitset of UTC slots.

    Daylight saving follows ``api.weekly.occurrences.instant``, the rule every other use of
    weekly windows follows.
    """
    _check_week_start(week_start)
    value = 0
    for window in windows:
        utc_start = _utc_minute(tz, week_start, window.weekday, window.start_minute, is_end=False)
        utc_end = _utc_minute(tz, week_start, window.weekday, window.end_minute, is_end=True)
        # Only whole slots count as free: zones with :45 offsets (Nepal) lose a partial slot
        # rather than promising time the person did not offer.
        first = -(-utc_start // SLOT_MINUTES)
        last = utc_end // SLOT_MINUTES
        if last <= first:
            continue
        count = min(last - first, SLOTS_PER_WEEK)
        first %= SLOTS_PER_WEEK  # windows before/after the UTC week wrap round it
        run = (1 << count) - 1
        value |= run << first
        overflow = first + count - SLOTS_PER_WEEK
        if overflow > 0:
            value |= (1 << overflow) - 1
    value &= (1 << SLOTS_PER_WEEK) - 1
    return _pack(value)


def slots_of(bits: np.ndarray) -> np.ndarray:
    """UTC slot numbers set in a (6,) bitset, ascending."""
    as_bytes = np.ascontiguousarray(bits, dtype="<u8").view(np.uint8)
    flags = np.unpackbits(as_bytes, bitorder="little")[:SLOTS_PER_WEEK]
    return np.flatnonzero(flags)


def overlap_minutes(a: np.ndarray, b: np.ndarray) -> int:
    """Minutes per week that two (6,) bitsets share."""
    both = np.bitwise_and(np.asarray(a, np.uint64), np.asarray(b, np.uint64))
    return int(np.bitwise_count(both).sum()) * SLOT_MINUTES


def overlap_minutes_many(seeker: np.ndarray, supporters: np.ndarray) -> np.ndarray:
    """Minutes shared between one (6,) bitset and each row of an (n, 6) bitset array."""
    seeker = np.asarray(seeker, np.uint64)
    count = np.zeros(supporters.shape[0], np.uint16)
    scratch = np.empty(supporters.shape[0], np.uint64)
    # Word by word, skipping words the seeker has empty: summing popcounts along a length-6
    # axis is several times slower than six passes over contiguous columns (store the array
    # Fortran-ordered, as SupporterPool does).
    for word in np.flatnonzero(seeker):
        np.bitwise_and(supporters[:, word], seeker[word], out=scratch)
        count += np.bitwise_count(scratch)
    return count.astype(np.int32) * SLOT_MINUTES


@lru_cache(maxsize=1024)
def _periods_of_slots(tz: str, week_start: date) -> np.ndarray:
    """For each UTC slot of the week, its (weekday * 4 + part of day) in zone ``tz``.

    Small hours belong to the night before: 01:00 on a Wednesday is "Tuesday night", which is
    how people say it. Cached: every shortlist explains its times in the seeker's zone."""
    zone = ZoneInfo(tz)
    origin = datetime.combine(week_start, time(0), tzinfo=UTC)
    out = np.empty(SLOTS_PER_WEEK, np.intp)
    for slot in range(SLOTS_PER_WEEK):
        local = (origin + timedelta(minutes=slot * SLOT_MINUTES)).astimezone(zone)
        part = part_of_day(local.hour)
        weekday = local.weekday()
        if part == "night" and local.hour < 6:
            weekday = (weekday - 1) % 7
        out[slot] = weekday * len(PARTS_OF_DAY) + PARTS_OF_DAY.index(part)
    out.flags.writeable = False
    return out


def shared_local_periods(
    a: np.ndarray,
    b: np.ndarray,
    tz: str,
    week_start: date,
    min_minutes: int = 60,
) -> list[SharedPeriod]:
    """(weekday, part of day, minutes) both bitsets share, in zone ``tz``, by weekday then part.

    Periods shorter than ``min_minutes`` (or empty) are left out.
    """
    _check_week_start(week_start)
    both = np.bitwise_and(np.asarray(a, np.uint64), np.asarray(b, np.uint64))
    periods = _periods_of_slots(tz, week_start)[slots_of(both)]
    minutes = np.bincount(periods, minlength=7 * len(PARTS_OF_DAY)) * SLOT_MINUTES
    parts = len(PARTS_OF_DAY)
    return [
        SharedPeriod(period // parts, PARTS_OF_DAY[period % parts], int(mins))
        for period, mins in enumerate(minutes.tolist())
        if mins and mins >= min_minutes
    ]
