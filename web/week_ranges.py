"""The agreement builder's contact times: a short list of time ranges for each day of the week.

Each row of the form is one weekly window: a day, a start and an end, picked from the half
hours of the whole day (times set more finely elsewhere are offered as they are). Rows are
added and removed by buttons that send the form back, so the page works without JavaScript.
Reading and checking the windows is `api/weekly`'s, through the terms; this module only turns
rows into plain data and back.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from starlette.datastructures import FormData

from api.weekly.windows import DAY, WEEKDAYS, WeeklyWindow

STEP = 30  # minutes between the times offered
NEW_MINUTES = 60  # how long a newly added time is


def clock(minute: int) -> str:
    """Minutes since midnight as "HH:MM"; the end of the day is "24:00"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def minutes(text: str) -> int | None:
    """ "HH:MM" as minutes since midnight (24:00 is the end of the day); None if it isn't."""
    hours, colon, mins = text.partition(":")
    if not (colon and hours.isdigit() and mins.isdigit()):
        return None
    value = int(hours) * 60 + int(mins)
    return value if int(mins) < 60 and value <= DAY else None


@dataclass(frozen=True)
class Row:
    """One contact time as the form holds it: strings, so a half-typed row comes back as is."""

    weekday: int
    start: str
    end: str


def rows_from_windows(windows: Iterable[WeeklyWindow]) -> list[Row]:
    """The rows for some windows, in week order."""
    rows = []
    for window in windows:
        data = window.model_dump()
        rows.append(Row(window.weekday, data["start"], data["end"]))
    return sorted(rows, key=lambda r: (r.weekday, minutes(r.start) or 0))


def rows_from_form(form: FormData) -> list[Row]:
    """The rows a builder form sent back, in its order; rows for no real day are left out."""
    days, starts, ends = (form.getlist(name) for name in ("day", "start", "end"))
    rows = []
    for day, start, end in zip(days, starts, ends, strict=False):
        if isinstance(day, str) and day.isdigit() and int(day) < len(WEEKDAYS):
            rows.append(Row(int(day), str(start).strip(), str(end).strip()))
    return rows


def add_row(rows: Sequence[Row], weekday: int) -> list[Row]:
    """One more time on `weekday`: an hour after that day's last one, or 19:00-20:00."""
    mine = [i for i, r in enumerate(rows) if r.weekday == weekday]
    start = 19 * 60
    if mine:
        last_end = minutes(rows[mine[-1]].end)
        if last_end is not None and last_end + STEP <= DAY:
            start = last_end
    end = min(start + NEW_MINUTES, DAY)
    at = mine[-1] + 1 if mine else sum(1 for r in rows if r.weekday < weekday)
    return [*rows[:at], Row(weekday, clock(start), clock(end)), *rows[at:]]


def remove_row(rows: Sequence[Row], index: int) -> list[Row]:
    """The rows without the one at `index` (unchanged if there is none)."""
    return [r for i, r in enumerate(rows) if i != index]


def windows_data(rows: Sequence[Row]) -> list[dict[str, object]]:
    """The rows as the terms' plain windows, in the same order (errors name them by index)."""
    return [{"weekday": r.weekday, "start": r.start, "end": r.end} for r in rows]


def _options(first: int, last: int, current: str) -> list[tuple[str, str]]:
    values = {clock(m) for m in range(first, last + 1, STEP)}
    if minutes(current) is not None:
        values.add(current)
    ordered = sorted(values, key=lambda v: minutes(v) or 0)
    return [(v, "24:00 (midnight)" if v == "24:00" else v) for v in ordered]


def start_options(current: str) -> list[tuple[str, str]]:
    """The starts offered: every half hour from 00:00, and `current` if it is finer."""
    return _options(0, DAY - STEP, current)


def end_options(current: str) -> list[tuple[str, str]]:
    """The ends offered: every half hour up to midnight, and `current` if it is finer."""
    return _options(STEP, DAY, current)


def by_day(rows: Sequence[Row]) -> list[tuple[int, str, list[tuple[int, Row]]]]:
    """Every day of the week with its rows and their places in the form."""
    return [
        (day, name, [(i, r) for i, r in enumerate(rows) if r.weekday == day])
        for day, name in enumerate(WEEKDAYS)
    ]
