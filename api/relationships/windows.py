"""Contact windows: the one place that decides whether a moment is inside the agreed times.

A window is a weekly range of wall-clock time (Tuesday 19:00-21:00) in the agreement's single
IANA time zone. On each date a window becomes one *occurrence*, a span of real time; every
question (is this moment inside? when does the next window open? does this session fit?) is
answered from occurrences, so sessions, held messages and the pages always agree.

The rules, chosen so a window never loses time that the clock visibly shows inside it:
- A window never crosses midnight; "24:00" (also accepted as an end of "00:00") is midnight at
  the end of its day. Windows that touch (Tue 19:00-20:00 then 20:00-21:00, or Sat …-24:00 then
  Sun 00:00-…) act as one continuous occurrence.
- Clocks going forward: a wall time that doesn't exist stands for the instant the clocks jump,
  so Sunday 01:30-03:00 in London on the spring change runs 02:00-03:00 BST.
- Clocks going back: a wall time that happens twice uses its first pass for a start and its
  second pass for an end, so the window covers everything the clock shows inside it.
Instants returned are aware UTC datetimes; callers convert them for display.
"""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from api.errors import FieldError, Invalid

DASH = "\u2013"  # en dash, as in "Tuesday 19:00\u201321:00"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY = 24 * 60
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")
# Names zoneinfo can load that aren't places: the host's own zone and tzdata internals.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


class TermsError(Invalid):
    """Terms that can't be used as they are, carrying every problem found as (field, message)."""

    title = "These terms need another look"

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        self.field_errors = list(errors)
        count = len(self.field_errors)
        detail = self.field_errors[0][1] if count == 1 else f"{count} things need another look."
        super().__init__(
            detail, errors=[FieldError(field=f, message=m) for f, m in self.field_errors]
        )


def _clock(value: Any, *, end: bool) -> time:
    """Read "HH:MM" (or a whole-minute time); "24:00" only as an end."""
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo:
            raise ValueError("Use whole minutes, like 19:00.")
        return value
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
        if (hours, minutes) == (24, 0):
            if end:
                return time(0)  # end-of-day, see ContactWindow.end_minute
            raise ValueError("A window can't start at 24:00; start it at 00:00 the next day.")
    raise ValueError("Use a time like 19:00" + (" (24:00 for midnight)." if end else "."))


class ContactWindow(BaseModel):
    """A weekly range of wall-clock time in the agreement's zone, e.g. Tuesday 19:00-21:00."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: time = Field(description='"HH:MM"', examples=["19:00"])
    end: time = Field(
        description='"HH:MM", after the start; "24:00" is midnight at the end of the day',
        examples=["21:00"],
    )

    @field_validator("start", mode="before")
    @classmethod
    def _read_start(cls, value: Any) -> time:
        return _clock(value, end=False)

    @field_validator("end", mode="before")
    @classmethod
    def _read_end(cls, value: Any) -> time:
        return _clock(value, end=True)

    @model_validator(mode="after")
    def _not_empty(self) -> "ContactWindow":
        if self.end_minute <= self.start_minute:
            raise ValueError(
                "The end needs to be after the start; for times past midnight add a second "
                "window on the next day."
            )
        return self

    @field_serializer("start")
    def _write_start(self, value: time) -> str:
        return value.strftime("%H:%M")

    @field_serializer("end")
    def _write_end(self, value: time) -> str:
        return "24:00" if value == time(0) else value.strftime("%H:%M")

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        # 00:00 can't be a real end (it would be before every start), so it means 24:00.
        return self.end.hour * 60 + self.end.minute or DAY

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute


class Occurrence(NamedTuple):
    """One window on one date, as real time: [start, end) in UTC."""

    start: datetime
    end: datetime


# ---- time zones and validation -------------------------------------------------------------


@cache
def _places() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


def is_known_timezone(name: object) -> bool:
    """Whether `name` is an IANA time zone of a place, like "Europe/London"."""
    return isinstance(name, str) and name in _places()


def zone(tz: str | ZoneInfo, *, field: str = "timezone") -> ZoneInfo:
    """The zone named `tz`; a TermsError on `field` if it isn't a known place."""
    if isinstance(tz, ZoneInfo):
        return tz
    if not is_known_timezone(tz):
        raise TermsError([(field, "Choose a time zone from the list, like Europe/London.")])
    return ZoneInfo(tz)


def describe_window(window: ContactWindow) -> str:
    """Plain words for a window, e.g. "Tuesday 19:00-21:00"."""
    data = window.model_dump()
    return f"{WEEKDAYS[window.weekday]} {data['start']}{DASH}{data['end']}"


def describe_windows(windows: Sequence[ContactWindow]) -> str:
    """Windows in week order, joined for one line of text."""
    ordered = sorted(windows, key=lambda w: (w.weekday, w.start_minute))
    return ", ".join(describe_window(w) for w in ordered) or "No contact times"


def window_problems(
    windows: Sequence[ContactWindow], *, field: str = "windows"
) -> list[tuple[str, str]]:
    """Overlapping windows on the same day, reported on the later one as `field[index]`."""
    problems: list[tuple[str, str]] = []
    order = sorted(range(len(windows)), key=lambda i: (windows[i].weekday, windows[i].start_minute))
    reach: int | None = None  # the window reaching furthest so far on this day
    for i in order:
        here = windows[i]
        if reach is not None and windows[reach].weekday == here.weekday:
            if here.start_minute < windows[reach].end_minute:
                problems.append(
                    (
                        f"{field}[{i}]",
                        f"This overlaps {describe_window(windows[reach])}; join them into one "
                        "window or move one of them.",
                    )
                )
            if here.end_minute <= windows[reach].end_minute:
                continue
        reach = i
    return problems


def check_windows(
    windows: Sequence[ContactWindow], tz: str | ZoneInfo, *, field: str = "windows"
) -> ZoneInfo:
    """The zone, once both it and the windows are usable; otherwise a TermsError with both."""
    problems = window_problems(windows, field=field)
    try:
        found = zone(tz)
    except TermsError as exc:
        problems = exc.field_errors + problems
    if problems:
        raise TermsError(problems)
    return found


def longest_window_minutes(windows: Sequence[ContactWindow]) -> int:
    """Longest continuous agreed time in an ordinary week, in minutes (touching ones joined)."""
    week = 7 * DAY
    spans = sorted(
        (w.weekday * DAY + w.start_minute, w.weekday * DAY + w.end_minute) for w in windows
    )
    # A second copy of the week lets Sunday night run on into Monday morning.
    spans += [(s + week, e + week) for s, e in spans]
    longest, start, end = 0, -1, -1
    for s, e in spans:
        if s > end:
            start = s
        end = max(end, e)
        longest = max(longest, end - start)
    return min(longest, week)


# ---- occurrences in real time --------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("pass an aware datetime; a naive one has no place in time")
    return moment.astimezone(UTC)


def _instant(day: date, minute: int, tz: ZoneInfo, *, is_end: bool) -> datetime:
    """The real instant of a wall-clock minute on `day`, by the daylight-saving rules above."""
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


def _on_day(day: date, windows: Sequence[ContactWindow], tz: ZoneInfo) -> list[Occurrence]:
    found = []
    for w in windows:
        if w.weekday == day.weekday():
            start = _instant(day, w.start_minute, tz, is_end=False)
            end = _instant(day, w.end_minute, tz, is_end=True)
            if start < end:  # a window wholly inside a skipped hour has no time that day
                found.append(Occurrence(start, end))
    return found


def occurrences_between(
    windows: Sequence[ContactWindow], tz: str | ZoneInfo, start: datetime, end: datetime
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
    moment: datetime, windows: Sequence[ContactWindow], tz: str | ZoneInfo
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
    moment: datetime, windows: Sequence[ContactWindow], tz: str | ZoneInfo
) -> bool:
    """Whether `moment` falls inside an agreed window (start inclusive, end exclusive)."""
    moment = _utc(moment)
    return bool(occurrences_between(windows, tz, moment, moment + timedelta(microseconds=1)))


def next_window_opening(
    moment: datetime, windows: Sequence[ContactWindow], tz: str | ZoneInfo
) -> datetime | None:
    """`moment` if inside a window, else when the next one opens (UTC); None without windows."""
    moment = _utc(moment)
    # Eight days: every weekday comes round once more, whatever the clocks did meanwhile.
    for occurrence in occurrences_between(windows, tz, moment, moment + timedelta(days=8)):
        return moment if occurrence.start <= moment else occurrence.start
    return None


def interval_fits(
    start: datetime, end: datetime, windows: Sequence[ContactWindow], tz: str | ZoneInfo
) -> bool:
    """Whether [start, end) lies wholly inside one (possibly joined) window occurrence."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return False
    occurrence = window_containing(start, windows, tz)
    return occurrence is not None and end <= occurrence.end


def windows_in_zone(
    windows: Sequence[ContactWindow], tz_from: str | ZoneInfo, tz_to: str | ZoneInfo, on_week: date
) -> list[ContactWindow]:
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
        begin = _instant(day, w.start_minute, source, is_end=False)
        finish = _instant(day, w.end_minute, source, is_end=True)
        while begin < finish:
            local = begin.astimezone(target)
            midnight = _instant(local.date() + timedelta(days=1), 0, target, is_end=False)
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
        ContactWindow(weekday=d, start=time(s // 60, s % 60), end=time(e // 60 % 24, e % 60))
        for d, s, e in joined
    ]
