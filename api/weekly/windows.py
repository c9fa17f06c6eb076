"""The weekly window: a weekday and a range of wall-clock time, e.g. Tuesday 19:00-21:00.

A window never crosses midnight; "24:00" (also accepted as an end of "00:00") is midnight at
the end of its day. Windows that touch (Tue 19:00-20:00 then 20:00-21:00, or Sat …-24:00 then
Sun 00:00-…) act as one continuous stretch of time. The zone the windows are in is kept beside
them (a profile's or an agreement's `timezone`), never inside each window.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import time
from functools import cache, lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)

from api.errors import FieldError, Invalid, field_errors_from

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY = 24 * 60  # minutes
DASH = "\u2013"  # en dash, as in "Tuesday 19:00\u201321:00"
# The zone used where a person has none yet; they can change it.
FALLBACK_TIMEZONE = "Europe/London"
# How people name a time of day: morning 06-12, afternoon 12-17, evening 17-22, night otherwise.
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")
NO_WINDOWS = "No contact times"  # how an empty set of windows reads

_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::00)?$")
# What the API's schema says a window's times are; exactly what ``_clock`` accepts.
START_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:00)?$"
END_PATTERN = r"^(([01]?[0-9]|2[0-3]):[0-5][0-9](:00)?|24:00(:00)?)$"
_TEXT = re.compile(r"^\s*([A-Za-z]+)\s+(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")
# Names zoneinfo can load that aren't places: the host's own zone and tzdata internals.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


def part_of_day(hour: int) -> str:
    """The part of the day (one of PARTS_OF_DAY) that an hour of the clock belongs to."""
    if 6 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


class WindowsError(Invalid):
    """Windows (or terms holding them) that can't be used, with every problem as (field, message).

    The title is the one the agreement builder has always shown; profiles share it.
    """

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
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
        if (hours, minutes) == (24, 0):
            if end:
                return time(0)  # end-of-day, see WeeklyWindow.end_minute
            raise ValueError("A window can't start at 24:00; start it at 00:00 the next day.")
    raise ValueError("Use a time like 19:00" + (" (24:00 for midnight)." if end else "."))


class WeeklyWindow(BaseModel):
    """A weekly range of wall-clock time in some zone, e.g. Tuesday 19:00-21:00."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: StrictInt = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: Annotated[time, WithJsonSchema({"type": "string", "pattern": START_PATTERN})] = Field(
        description='"HH:MM" (":00" seconds may follow)', examples=["19:00"]
    )
    end: Annotated[time, WithJsonSchema({"type": "string", "pattern": END_PATTERN})] = Field(
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
    def _not_empty(self) -> "WeeklyWindow":
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


# ---- time zones ----------------------------------------------------------------------------


@cache
def _places() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


def is_known_timezone(name: object) -> bool:
    """Whether `name` is an IANA time zone of a place, like "Europe/London"."""
    return isinstance(name, str) and name in _places()


def zone(tz: str | ZoneInfo, *, field: str = "timezone") -> ZoneInfo:
    """The zone named `tz`; a WindowsError on `field` if it isn't a known place."""
    if isinstance(tz, ZoneInfo):
        return tz
    if not is_known_timezone(tz):
        raise WindowsError([(field, "Choose a time zone from the list, like Europe/London.")])
    return ZoneInfo(tz)


# ---- reading -------------------------------------------------------------------------------

_WINDOW_LIST = TypeAdapter(list[WeeklyWindow])


def parse_windows(raw: Any, *, field: str = "windows") -> list[WeeklyWindow]:
    """Windows from plain data (a form, a request); a WindowsError lists every problem."""
    try:
        windows = _WINDOW_LIST.validate_python(raw)
    except ValidationError as exc:
        raise WindowsError(field_errors_from(exc, prefix=field)) from None
    if problems := window_problems(windows, field=field):
        raise WindowsError(problems)
    return windows


@lru_cache(maxsize=4096)
def _stored(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow.model_validate({"weekday": weekday, "start": start, "end": end})


def stored_windows(raw: Iterable[Mapping[str, Any]]) -> list[WeeklyWindow]:
    """Windows as saved in JSON ({"weekday", "start", "end"} each), e.g. `Profile.availability`.

    Saved data was checked when it was written, so a bad window is a ValueError, not a form
    message. Cached: a pool of many people shares a few hundred distinct windows.
    """
    return [_stored(w["weekday"], w["start"], w["end"]) for w in raw]


def parse_window_text(text: str, *, field: str = "windows") -> list[WeeklyWindow]:
    """Windows from words, as `describe_windows` writes them or typed: "Tue 9:00-10:00, Thu …".

    Days may be shortened to their first three letters; a hyphen does as well as an en dash.
    "No contact times" or an empty text is no windows. A WindowsError lists every problem.
    """
    if text.strip() in ("", NO_WINDOWS):
        return []
    names = {name.casefold(): day for day, name in enumerate(WEEKDAYS)}
    names |= {name[:3].casefold(): day for day, name in enumerate(WEEKDAYS)}
    raw: list[dict[str, Any]] = []
    problems: list[tuple[str, str]] = []
    for index, part in enumerate(text.split(",")):
        match = _TEXT.match(part)
        if match is None or match[1].casefold() not in names:
            problems.append((f"{field}[{index}]", "Write a time like Tuesday 19:00-21:00."))
            continue
        raw.append({"weekday": names[match[1].casefold()], "start": match[2], "end": match[3]})
    if problems:
        raise WindowsError(problems)
    return parse_windows(raw, field=field)


# ---- checking and plain words --------------------------------------------------------------


def describe_window(window: WeeklyWindow) -> str:
    """Plain words for a window, e.g. "Tuesday 19:00-21:00"."""
    data = window.model_dump()
    return f"{WEEKDAYS[window.weekday]} {data['start']}{DASH}{data['end']}"


def describe_windows(windows: Sequence[WeeklyWindow]) -> str:
    """Windows in week order, joined for one line of text."""
    ordered = sorted(windows, key=lambda w: (w.weekday, w.start_minute))
    return ", ".join(describe_window(w) for w in ordered) or NO_WINDOWS


def window_problems(
    windows: Sequence[WeeklyWindow], *, field: str = "windows"
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
    windows: Sequence[WeeklyWindow], tz: str | ZoneInfo, *, field: str = "windows"
) -> ZoneInfo:
    """The zone, once both it and the windows are usable; otherwise a WindowsError with both."""
    problems = window_problems(windows, field=field)
    try:
        found = zone(tz)
    except WindowsError as exc:
        problems = exc.field_errors + problems
    if problems:
        raise WindowsError(problems)
    return found


def longest_window_minutes(windows: Sequence[WeeklyWindow]) -> int:
    """Longest continuous time in an ordinary week, in minutes (touching windows joined)."""
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
