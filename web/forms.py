"""Form helpers for the PWA's profile and matching pages: the weekly grid, lists, time zones."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import available_timezones

from pydantic import ValidationError

from api.errors import DomainError
from api.relationships.terms import field_errors_from
from api.relationships.windows import is_known_timezone
from web.render import field_errors


@dataclass(frozen=True)
class PartOfDay:
    key: str
    label: str
    start: str
    end: str

    @property
    def heading(self) -> str:
        """The column heading: may break with a hyphen on narrow phones."""
        return self.label.replace("Afternoon", "After\u00adnoon")


# The grid's columns. Afternoon and evening don't touch (17:00-18:00 is left out on purpose:
# it's when most people travel and eat); the others merge into one window when both are ticked.
PARTS_OF_DAY = (
    PartOfDay("morning", "Morning", "09:00", "12:00"),
    PartOfDay("afternoon", "Afternoon", "12:00", "17:00"),
    PartOfDay("evening", "Evening", "18:00", "21:00"),
    PartOfDay("late", "Late", "21:00", "23:00"),
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_TIMEZONE = "Europe/London"
# IANA areas people live in; aliases like "US/Eastern" or "GB" stay out of the list.
_AREAS = (
    "Europe",
    "America",
    "Africa",
    "Asia",
    "Atlantic",
    "Australia",
    "Indian",
    "Pacific",
    "Antarctica",
    "Arctic",
)


def _minutes(clock: str) -> int:
    hours, _, minutes = clock.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def cell(weekday: int, part: str) -> str:
    return f"{weekday}-{part}"


def cells_to_windows(cells: Iterable[str]) -> list[dict]:
    """Ticked cells ("0-morning") as weekly windows, touching parts of one day joined."""
    parts = {p.key: p for p in PARTS_OF_DAY}
    ticked: set[tuple[int, int]] = set()
    for value in cells:
        day, _, key = value.partition("-")
        if day.isdigit() and int(day) < len(DAYS) and key in parts:
            ticked.add((int(day), list(parts).index(key)))
    windows: list[dict] = []
    for day, index in sorted(ticked):
        part = PARTS_OF_DAY[index]
        last = windows[-1] if windows else None
        if last and last["weekday"] == day and last["end"] == part.start:
            last["end"] = part.end
        else:
            windows.append({"weekday": day, "start": part.start, "end": part.end})
    return windows


def windows_to_cells(windows: Iterable[Mapping]) -> set[str]:
    """The grid cells a person's windows overlap."""
    found = set()
    for window in windows:
        start, end = _minutes(window["start"]), _minutes(window["end"]) or 24 * 60
        for part in PARTS_OF_DAY:
            if start < _minutes(part.end) and _minutes(part.start) < end:
                found.add(cell(window["weekday"], part.key))
    return found


def fits_grid(windows: list[Mapping]) -> bool:
    """Whether the grid shows these windows exactly (times set elsewhere may be finer)."""

    def key(w: Mapping) -> tuple:
        return (w["weekday"], _minutes(w["start"]), _minutes(w["end"]) or 24 * 60)

    regrid = cells_to_windows(windows_to_cells(windows))
    return sorted(map(key, regrid)) == sorted(map(key, windows))


def timezone_groups(current: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Time zones grouped by area and sorted, for a <select>; `current` is always offered."""
    zones = {z for z in available_timezones() if z.split("/")[0] in _AREAS and is_known_timezone(z)}
    zones.add("UTC")
    if current and is_known_timezone(current):
        zones.add(current)
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(zones):
        area, _, place = name.partition("/")
        group = area if area in _AREAS else "Other"
        groups.setdefault(group, []).append((name, place.replace("_", " ") or name))
    order = {area: n for n, area in enumerate((*_AREAS, "Other"))}
    return sorted(groups.items(), key=lambda item: order[item[0]])


def split_list(text: str) -> list[str]:
    """Items typed one per line or separated by commas, in order, each once."""
    items = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return list(dict.fromkeys(item for item in items if item))


def by_field(
    pairs: Iterable[tuple[str, str]],
    names: Mapping[str, str] | None = None,
    messages: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Messages by form field: the first part of each location ("availability[2]" is
    "availability"), renamed by `names`, with a kinder message from `messages` where given."""
    found: dict[str, str] = {}
    for location, message in pairs:
        field = location.split(".")[0].split("[")[0]
        field = (names or {}).get(field, field)
        found.setdefault(field, (messages or {}).get(field, message))
    return found


def form_errors(
    exc: ValidationError,
    names: Mapping[str, str] | None = None,
    messages: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Pydantic's errors by form field (see `by_field`)."""
    return by_field(field_errors_from(exc), names, messages)


def domain_errors(
    error: DomainError,
    names: Mapping[str, str] | None = None,
    messages: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A domain error's messages by form field; '' holds a message that has no field."""
    if not error.errors:
        return field_errors(error)
    return by_field(((e.field, e.message) for e in error.errors), names, messages)
