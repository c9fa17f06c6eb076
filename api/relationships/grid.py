"""The weekly grid of the agreement builder: half-hour cells to tap, and contact windows.

A cell is one half hour on one weekday, keyed "weekday-HH:MM" (e.g. "1-19:00" is Tuesday
19:00-19:30). Ticked cells that touch on the same day become one window. Windows the grid
can't show (outside its hours, or not on the half hour) are carried along unchanged as
"other times", so editing on the grid never loses anything the terms already say.
"""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from api.relationships.windows import DAY, WEEKDAYS, ContactWindow, TermsError

CELL_MINUTES = 30
FIRST_MINUTE = 6 * 60  # the grid runs 06:00-24:00: contact in the small hours is rare
LAST_MINUTE = DAY


class GridRow(NamedTuple):
    minute: int
    label: str  # "19:00"


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def rows() -> list[GridRow]:
    """The grid's rows, one per half hour from 06:00 to 23:30."""
    return [GridRow(m, _clock(m)) for m in range(FIRST_MINUTE, LAST_MINUTE, CELL_MINUTES)]


def cell_key(weekday: int, minute: int) -> str:
    return f"{weekday}-{_clock(minute)}"


def cell_label(weekday: int, minute: int) -> str:
    """What a screen reader says for a cell, e.g. "Tuesday 19:00 to 19:30"."""
    return f"{WEEKDAYS[weekday]} {_clock(minute)} to {_clock(minute + CELL_MINUTES)}"


def _on_grid(window: ContactWindow) -> bool:
    return (
        window.start_minute % CELL_MINUTES == 0
        and window.end_minute % CELL_MINUTES == 0
        and window.start_minute >= FIRST_MINUTE
    )


def cells_from_windows(windows: Sequence[ContactWindow]) -> tuple[set[str], list[ContactWindow]]:
    """The cells the windows cover, and the windows the grid can't show (kept as they are)."""
    cells: set[str] = set()
    others: list[ContactWindow] = []
    for window in windows:
        if not _on_grid(window):
            others.append(window)
            continue
        for minute in range(window.start_minute, window.end_minute, CELL_MINUTES):
            cells.add(cell_key(window.weekday, minute))
    return cells, others


def _read_cell(key: str) -> tuple[int, int]:
    day, _, clock = key.partition("-")
    hours, _, minutes = clock.partition(":")
    if not (day.isdigit() and hours.isdigit() and minutes.isdigit()):
        raise ValueError(key)
    weekday, minute = int(day), int(hours) * 60 + int(minutes)
    if weekday > 6 or minute % CELL_MINUTES or not FIRST_MINUTE <= minute < LAST_MINUTE:
        raise ValueError(key)
    return weekday, minute


def windows_from_cells(
    keys: Iterable[str], others: Sequence[ContactWindow] = ()
) -> list[dict[str, object]]:
    """Windows (as plain data for the terms) from ticked cells, plus the other times kept."""
    try:
        ticked = sorted({_read_cell(k) for k in keys})
    except ValueError:
        raise TermsError([("windows", "Choose contact times from the grid.")]) from None
    spans: list[list[int]] = []  # [weekday, start, end]
    for weekday, minute in ticked:
        if spans and spans[-1][0] == weekday and spans[-1][2] == minute:
            spans[-1][2] = minute + CELL_MINUTES
        else:
            spans.append([weekday, minute, minute + CELL_MINUTES])
    found: list[dict[str, object]] = [
        {"weekday": d, "start": _clock(s), "end": _clock(e)} for d, s, e in spans
    ]
    found += [w.model_dump() for w in others]
    return found
