"""Weekly windows in real time: the one daylight-saving rule, and the questions asked of it.

On each date a window becomes one *occurrence*, a span of real time; every question (is this
moment inside? when does the next window open? does this interval fit?) is answered from
occurrences, so sessions, held messages, matching and the pages always agree.

The daylight-saving rule, chosen so a window never loses time the clock visibly shows inside it:
- Clocks going forward: a wall time that doesn't exist stands for the instant the clocks jump,
  so Sunday 01:30-03:00 in London on the spring change runs 02:00-03:00 BST.
- Clocks going back: a wall time that happens twice uses its first pass for a start and its
  second pass for an end, so the window covers everything the clock shows inside it.
Instants returned are aware UTC datetimes; callers convert them for display.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from api.weekly.windows import DAY, WeeklyWindow, zone


class Occurrence(NamedTuple):
    """One window on one date, as real time: [start, end) in UTC."""

    start: datetime
    end: datetime


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("pass an aware datetime; a naive one has no place in time")
    return moment.astimezone(UTC)


def instant(day: date, minute: int, *, tz: ZoneInfo, is_end: bool) -> datetime:
    """The real instant (UTC) of wall-clock `minute` (0-1440) on `day` in `tz`, by the rule above.

    `is_end` says whether the minute ends a window (the second pass of a repeated time) or
    starts one (the first pass).
    """
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    first = wall.replace(tzinfo=tz).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second:
        return first
    if first < second:  # the clock shows this time twice
        return second if is_end else first
    return _jump(second, first, tz)  # the clock skips this time


def _jump(before: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    """The instant in (before, after] at which the clocks jumped forward."""
    target = after.astimezone(tz).utcoffset()
    low, high = 0, int((after - before).total_seconds())
    while high - low > 1:
        mid = (low + high) // 2
        if (before + timedelta(seconds=mid)).astimezone(tz).utcoffset() == target:
            high = mid
        else:
            low = mid
    return before + timedelta(seconds=high)


def occurrence_on(window: WeeklyWindow, day: date, *, tz: ZoneInfo) -> Occurrence | None:
    """The window's real time on `day` (which must be its weekday); None if the clocks skip it."""
    start = instant(day, window.start_minute, tz=tz, is_end=False)
    end = instant(day, window.end_minute, tz=tz, is_end=True)
    return Occurrence(start, end) if start < end else None


def _on_day(day: date, windows: Sequence[WeeklyWindow], tz: ZoneInfo) -> list[Occurrence]:
    found = (occurrence_on(w, day, tz=tz) for w in windows if w.weekday == day.weekday())
    # A window wholly inside a skipped hour has no time that day.
    return [occurrence for occurrence in found if occurrence is not None]


def occurrences_between(
    windows: Sequence[WeeklyWindow], tz: str | ZoneInfo, start: datetime, end: datetime
) -> list[Occurrence]:
    """Occurrences (touching ones joined) that overlap [start, end), earliest first."""
    tz, start, end = zone(tz), _utc(start), _utc(end)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    spans: list[Occurrence] = []
    while day <= last:
        spans.extend(_on_day(day, windows, tz))
        day += timedelta(days=1)
    merged: list[Occurrence] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            merged[-1] = Occurrence(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return [o for o in merged if o.start < end and o.end > start]


def window_containing(
    moment: datetime, windows: Sequence[WeeklyWindow], tz: str | ZoneInfo
) -> Occurrence | None:
    """The occurrence `moment` is inside (start inclusive, end exclusive), or None.

    Joined occurrences are looked for up to a week either side; a chain of windows running
    continuously for longer is cut there.
    """
    moment = _utc(moment)
    week = timedelta(days=7)
    for occurrence in occurrences_between(windows, tz, moment - week, moment + week):
        if occurrence.start <= moment < occurrence.end:
            return occurrence
    return None


def is_within_windows(
    moment: datetime, windows: Sequence[WeeklyWindow], tz: str | ZoneInfo
) -> bool:
    """Whether `moment` falls inside a window (start inclusive, end exclusive)."""
    moment = _utc(moment)
    return bool(occurrences_between(windows, tz, moment, moment + timedelta(microseconds=1)))


def next_window_opening(
    moment: datetime, windows: Sequence[WeeklyWindow], tz: str | ZoneInfo
) -> datetime | None:
    """`moment` if inside a window, else when the next one opens (UTC); None without windows."""
    moment = _utc(moment)
    # Eight days: every weekday comes round once more, whatever the clocks did meanwhile.
    for occurrence in occurrences_between(windows, tz, moment, moment + timedelta(days=8)):
        return moment if occurrence.start <= moment else occurrence.start
    return None


def interval_fits(
    start: datetime, end: datetime, windows: Sequence[WeeklyWindow], tz: str | ZoneInfo
) -> bool:
    """Whether [start, end) lies wholly inside one (possibly joined) window occurrence."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return False
    occurrence = window_containing(start, windows, tz)
    return occurrence is not None and end <= occurrence.end


def windows_in_zone(
    windows: Sequence[WeeklyWindow],
    tz_from: str | ZoneInfo,
    tz_to: str | ZoneInfo,
    on_week: date,
) -> list[WeeklyWindow]:
    """The windows as seen on the clock in `tz_to` during the week (Monday-Sunday) of `on_week`.

    A window that crosses midnight there comes back split at midnight; pieces that touch on
    the same day are joined; the result is sorted by weekday and start. Conversions depend on
    the week because the two zones may change their clocks on different dates.
    """
    source, target = zone(tz_from, field="timezone"), zone(tz_to, field="viewer_timezone")
    monday = on_week - timedelta(days=on_week.weekday())
    pieces: list[tuple[int, int, int]] = []
    for w in windows:
        day = monday + timedelta(days=w.weekday)
        # Arithmetic stays in UTC: Python compares and subtracts two datetimes sharing one
        # zone by their wall clocks, which is wrong across a change of the clocks.
        begin = instant(day, w.start_minute, tz=source, is_end=False)
        finish = instant(day, w.end_minute, tz=source, is_end=True)
        while begin < finish:
            local = begin.astimezone(target)
            midnight = instant(local.date() + timedelta(days=1), 0, tz=target, is_end=False)
            stop = min(finish, midnight)
            first = local.hour * 60 + local.minute
            seen = stop.astimezone(target)
            last = DAY if stop == midnight else seen.hour * 60 + seen.minute
            if last <= first:  # the piece runs into the repeated hour as clocks go back
                last = min(DAY, first + int((stop - begin).total_seconds()) // 60)
            if last > first:
                pieces.append((local.weekday(), first, last))
            begin = stop
    joined: list[tuple[int, int, int]] = []
    for weekday, first, last in sorted(pieces):
        if joined and joined[-1][0] == weekday and first <= joined[-1][2]:
            joined[-1] = (weekday, joined[-1][1], max(joined[-1][2], last))
        else:
            joined.append((weekday, first, last))
    return [
        WeeklyWindow(weekday=d, start=time(s // 60, s % 60), end=time(e // 60 % 24, e % 60))
        for d, s, e in joined
    ]
