"""Time zones by the names people know them by: "London (United Kingdom)", not Europe/London.

The words come from the tz database's own tables (`zone1970.tab` / `zone.tab` and
`iso3166.tab`, shipped in the `tzdata` package), so every zone a person can pick has a name and
a country where the database gives one. The stored value is always the IANA name.
"""

from functools import cache
from importlib import resources

from api.weekly.windows import is_known_timezone

# IANA areas people live in; aliases like "US/Eastern" or "GB" stay out of the lists.
AREAS = (
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
AREA_NAMES = {
    "Europe": "Europe",
    "America": "The Americas",
    "Africa": "Africa",
    "Asia": "Asia",
    "Atlantic": "Atlantic islands",
    "Australia": "Australia",
    "Indian": "Indian Ocean",
    "Pacific": "Pacific",
    "Antarctica": "Antarctica",
    "Arctic": "Arctic",
    "Other": "Other",
}
# The database's own spellings, where people say it differently.
_COUNTRY_WORDS = {
    "Britain (UK)": "UK",
    "United States": "US",
    "Korea (South)": "South Korea",
    "Korea (North)": "North Korea",
}


def _table(name: str) -> list[list[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _countries() -> dict[str, str]:
    """Zone → the country (or countries) it is used in, with the database's note if any."""
    names = {code: _COUNTRY_WORDS.get(name, name) for code, name in _table("iso3166.tab")}
    found: dict[str, str] = {}
    for row in _table("zone.tab"):
        code, zone_name = row[0], row[2]
        country = names.get(code, code)
        # "US, Pacific" says which of a big country's zones; "(most areas)" adds nothing.
        note = (row[3] if len(row) > 3 else "").split("(")[0].strip()
        useful = note and len(note) <= 24 and note.casefold() not in country.casefold()
        found[zone_name] = f"{country}, {note}" if useful else country
    return found


def place(name: str) -> str:
    """The city or place part of a zone: "Los Angeles" for America/Los_Angeles."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def clock_name(name: str) -> str:
    """A zone's clock as people name it in a sentence: "London time", "New York time"."""
    return f"{place(name)} time"


def zone_label(name: str) -> str:
    """A zone as people know it: "London (UK)", "Los Angeles (US, Pacific)", "UTC"."""
    if name == "UTC":
        return "UTC (Coordinated Universal Time)"
    country = _countries().get(name)
    return f"{place(name)} ({country})" if country else place(name)


def zone_groups(*current: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every zone people live in, as (area, [(IANA name, label), …]) for a <select>; the
    `current` zones are always offered, even aliases."""
    zones = {z for z in _places_in_areas()}
    zones.add("UTC")
    zones.update(z for z in current if z and is_known_timezone(z))
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in zones:
        area = name.partition("/")[0]
        groups.setdefault(area if area in AREAS else "Other", []).append((name, zone_label(name)))
    order = {area: n for n, area in enumerate((*AREAS, "Other"))}
    return [
        (AREA_NAMES[area], sorted(items, key=lambda item: item[1].casefold()))
        for area, items in sorted(groups.items(), key=lambda item: order[item[0]])
    ]


@cache
def _places_in_areas() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(
        z for z in available_timezones() if z.split("/")[0] in AREAS and is_known_timezone(z)
    )
