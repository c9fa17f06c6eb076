"""The PWA's weekly grid for "About you": days down, parts of the day across, and windows.

A `Grid` is the cells of one day (its columns: a span of wall-clock time each); a cell is keyed
"weekday-column" ("0-morning"). Ticked cells that touch on the same day become one window; the
cells a window overlaps are the ones shown ticked. `PROFILE_GRID` has four parts of the day:
afternoon and evening don't touch (17:00-18:00 is left out on purpose: it's when most people
travel and eat); the others merge into one window when both are ticked. (The agreement builder
lists time ranges for each day instead: `web/week_ranges.py`.)
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from api.weekly.windows import WEEKDAYS, WeeklyWindow


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _minutes(clock: str) -> int:
    hours, _, minutes = clock.partition(":")
    return int(hours) * 60 + int(minutes or 0)


@dataclass(frozen=True)
class Column:
    """One cell of a day: its key in the form, its name, and the time it stands for."""

    key: str
    label: str
    start: str  # "HH:MM"
    end: str  # "HH:MM", "24:00" for midnight

    @property
    def heading(self) -> str:
        """The column heading: may break with a hyphen on narrow phones."""
        return self.label.replace("Afternoon", "After\u00adnoon")

    @property
    def start_minute(self) -> int:
        return _minutes(self.start)

    @property
    def end_minute(self) -> int:
        return _minutes(self.end)


def _clock_key(text: str) -> str | None:
    """A clock written "9:00" or "09:00" as "09:00"; None if `text` isn't one."""
    hours, colon, minutes = text.partition(":")
    if not (colon and hours.isdigit() and minutes.isdigit()):
        return None
    return _clock(int(hours) * 60 + int(minutes)) if int(minutes) < 60 else None


@dataclass(frozen=True)
class Grid:
    """A week of days, each cut into the same `columns`."""

    columns: tuple[Column, ...]

    def cell(self, weekday: int, column: Column) -> str:
        return f"{weekday}-{column.key}"

    def _read(self, key: str) -> tuple[int, int] | None:
        """(weekday, column index) of a cell key; None if it isn't one of this grid's cells."""
        day, _, name = key.partition("-")
        index = {c.key: i for i, c in enumerate(self.columns)}
        found = index.get(name)
        if found is None and (clock := _clock_key(name)) is not None:
            found = index.get(clock)
        if not day.isdigit() or int(day) >= len(WEEKDAYS) or found is None:
            return None
        return int(day), found

    def windows(self, keys: Iterable[str], *, strict: bool = False) -> list[WeeklyWindow]:
        """Ticked cells as windows in week order, touching cells of one day joined.

        Keys that aren't cells of this grid are left out, or with `strict` a ValueError.
        """
        ticked: set[tuple[int, int]] = set()
        for key in keys:
            found = self._read(key)
            if found is None:
                if strict:
                    raise ValueError(f"not a cell of this grid: {key!r}")
                continue
            ticked.add(found)
        spans: list[list[int]] = []  # [weekday, start, end]
        for day, index in sorted(ticked):
            column = self.columns[index]
            if spans and spans[-1][0] == day and spans[-1][2] == column.start_minute:
                spans[-1][2] = column.end_minute
            else:
                spans.append([day, column.start_minute, column.end_minute])
        return [
            WeeklyWindow(weekday=d, start=time(s // 60, s % 60), end=time(e // 60 % 24, e % 60))
            for d, s, e in spans
        ]

    def cells(self, windows: Iterable[WeeklyWindow]) -> set[str]:
        """The cells the windows overlap."""
        found = set()
        for window in windows:
            for column in self.columns:
                if (
                    window.start_minute < column.end_minute
                    and column.start_minute < window.end_minute
                ):
                    found.add(self.cell(window.weekday, column))
        return found

    def fits(self, windows: Sequence[WeeklyWindow]) -> bool:
        """Whether the grid shows these windows exactly (times set elsewhere may be finer)."""

        def key(w: WeeklyWindow) -> tuple[int, int, int]:
            return (w.weekday, w.start_minute, w.end_minute)

        regrid = self.windows(self.cells(windows))
        return sorted(map(key, regrid)) == sorted(map(key, windows))

    def split(self, windows: Iterable[WeeklyWindow]) -> tuple[set[str], list[WeeklyWindow]]:
        """The cells of the windows the grid shows exactly, and the others (kept as they are)."""
        shown: list[WeeklyWindow] = []
        others: list[WeeklyWindow] = []
        for window in windows:
            (shown if self.fits([window]) else others).append(window)
        return self.cells(shown), others


PROFILE_GRID = Grid(
    (
        Column("morning", "Morning", "09:00", "12:00"),
        Column("afternoon", "Afternoon", "12:00", "17:00"),
        Column("evening", "Evening", "18:00", "21:00"),
        Column("late", "Late", "21:00", "23:00"),
    )
)

# ---- the profile page ----------------------------------------------------------------------


def profile_cells(availability: Iterable[WeeklyWindow]) -> set[str]:
    """The profile grid's cells a person's availability overlaps."""
    return PROFILE_GRID.cells(availability)


def profile_windows(cells: Iterable[str]) -> list[dict[str, Any]]:
    """Ticked profile cells ("0-morning") as plain windows; cells not on the grid are ignored."""
    return [w.model_dump() for w in PROFILE_GRID.windows(cells)]
