"""Form helpers for the PWA's profile and matching pages: lists, time zones, errors.

The weekly grids are `web.grid`."""

from collections.abc import Iterable, Mapping
from zoneinfo import available_timezones

from pydantic import ValidationError

from api.errors import DomainError, field_errors_from
from api.weekly.windows import is_known_timezone
from api.weekly.zones import AREAS
from web.render import field_errors


def timezone_groups(current: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Time zones grouped by area and sorted, for a <select>; `current` is always offered."""
    zones = {z for z in available_timezones() if z.split("/")[0] in AREAS and is_known_timezone(z)}
    zones.add("UTC")
    if current and is_known_timezone(current):
        zones.add(current)
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(zones):
        area, _, place = name.partition("/")
        group = area if area in AREAS else "Other"
        groups.setdefault(group, []).append((name, place.replace("_", " ") or name))
    order = {area: n for n, area in enumerate((*AREAS, "Other"))}
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
