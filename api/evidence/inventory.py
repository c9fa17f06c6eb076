"""The data inventory: every column of every table with its purpose, lawful basis, whether it
is health data, whether it is sealed at rest, who can read it and how long it is kept.

The facts are written by people in ``inventory.toml`` (keyed by table, then column); the list
of columns comes from the models, so a column nobody described shows up (and fails
tests/evidence/test_inventory.py, which names it). Rendered as docs/data-inventory.md, the
privacy notice's table and an administrator's CSV (the start of a service's DPIA).
"""

import csv
import io
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData

SOURCE = Path(__file__).with_name("inventory.toml")
NO_ENTRY = "(no entry)"

# UK GDPR Art. 6(1) bases and Art. 9(2) conditions, in words.
BASES = {
    "contract": "Art. 6(1)(b) contract: the peer support the person signed up for",
    "consent": "Art. 6(1)(a) consent: the person chose to give it and can take it back",
    "legitimate_interests": "Art. 6(1)(f) legitimate interests: running a safe service",
    "legal_obligation": "Art. 6(1)(c) legal obligation: safeguarding records",
}
ART9 = {
    "none": "",
    "explicit_consent": "Art. 9(2)(a) explicit consent",
    "safeguarding": (
        "Art. 9(2)(g) substantial public interest: DPA 2018 Sch. 1 para. 18, safeguarding of "
        "individuals at risk"
    ),
}
FACTS = ("purpose", "basis", "art9", "health", "readers", "retention")


@dataclass(frozen=True)
class Entry:
    """One column, as the inventory describes it."""

    table: str
    column: str
    purpose: str
    lawful_basis: str
    art9_condition: str
    health: bool
    sealed: bool
    readers: str
    retention: str


@lru_cache
def facts(path: Path = SOURCE) -> dict[str, dict[str, Any]]:
    """The written facts, keyed by table (each with its ``columns``)."""
    with path.open("rb") as source:
        return tomllib.load(source)


def is_sealed(column: str) -> bool:
    """Sealed at rest (AES-256-GCM, api/crypto.py): by convention, and checked in the tests,
    exactly the columns named ``…_sealed``."""
    return column.endswith("_sealed")


def gaps(metadata: MetaData, written: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    """What is out of step, one line each: columns without an entry, entries naming a table or
    column that does not exist, and entries missing a fact or using an unknown word."""
    written = facts() if written is None else written
    found: list[str] = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        entry = written.get(table.name)
        if entry is None:
            found.append(f"{table.name}: no entry for this table (add [{table.name}])")
            continue
        described = entry.get("columns", {})
        found += [
            f"{table.name}.{c.name}: no entry for this column"
            for c in table.columns
            if c.name not in described
        ]
        found += [
            f"{table.name}.{name}: entry for a column that does not exist"
            for name in described
            if name not in table.columns
        ]
        for name in described:
            merged = _merged(entry, described[name])
            found += [f"{table.name}.{name}: no {fact}" for fact in FACTS if fact not in merged]
            if merged.get("basis", "contract") not in BASES:
                found.append(f"{table.name}.{name}: unknown basis {merged['basis']!r}")
            if merged.get("art9", "none") not in ART9:
                found.append(f"{table.name}.{name}: unknown art9 {merged['art9']!r}")
    found += [
        f"{name}: entry for a table that does not exist"
        for name in sorted(written)
        if name not in metadata.tables
    ]
    return found


def _merged(table: Mapping[str, Any], column: str | Mapping[str, Any]) -> dict[str, Any]:
    own = {"purpose": column} if isinstance(column, str) else dict(column)
    defaults = {k: v for k, v in table.items() if k != "columns"}
    return {**defaults, **own}


def entries(
    metadata: MetaData,
    periods: Mapping[str, int],
    written: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Entry]:
    """Every column of every table, in table order; `periods` fills the retention settings."""
    written = facts() if written is None else written
    rows = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        entry = written.get(table.name, {})
        for column in table.columns:
            described = entry.get("columns", {}).get(column.name)
            merged = _merged(entry, described) if described is not None else {}
            rows.append(
                Entry(
                    table=table.name,
                    column=column.name,
                    purpose=merged.get("purpose", NO_ENTRY),
                    lawful_basis=BASES.get(merged.get("basis", ""), NO_ENTRY),
                    art9_condition=ART9.get(merged.get("art9", "none"), ""),
                    health=bool(merged.get("health", False)),
                    sealed=is_sealed(column.name),
                    readers=merged.get("readers", NO_ENTRY),
                    retention=str(merged.get("retention", NO_ENTRY)).format_map(_Periods(periods)),
                )
            )
    return rows


class _Periods(dict[str, Any]):
    def __init__(self, periods: Mapping[str, int]) -> None:
        super().__init__(periods)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


HEADER = tuple(f.name for f in fields(Entry))


def as_csv(rows: Iterable[Entry]) -> str:
    """The inventory as CSV, one row per column (yes/no for the flags)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["yes" if v is True else "no" if v is False else v for v in astuple(row)])
    return out.getvalue()


@dataclass(frozen=True)
class TableSummary:
    """One table as the privacy notice tells it: what, why, whose eyes, how long."""

    table: str
    purpose: str
    lawful_basis: str
    art9_condition: str
    health: bool
    sealed: tuple[str, ...]
    readers: str
    retention: str


def summaries(metadata: MetaData, periods: Mapping[str, int]) -> list[TableSummary]:
    """Each table's facts (its defaults; a column's own health or sealing counts too)."""
    written = facts()
    by_table: dict[str, list[Entry]] = {}
    for row in entries(metadata, periods):
        by_table.setdefault(row.table, []).append(row)
    found = []
    for name, rows in by_table.items():
        entry = written.get(name, {})
        found.append(
            TableSummary(
                table=name,
                purpose=entry.get("purpose", NO_ENTRY),
                lawful_basis=BASES.get(entry.get("basis", ""), NO_ENTRY),
                art9_condition=ART9.get(entry.get("art9", "none"), ""),
                health=any(r.health for r in rows),
                sealed=tuple(r.column for r in rows if r.sealed),
                readers=entry.get("readers", NO_ENTRY),
                retention=str(entry.get("retention", NO_ENTRY)).format_map(_Periods(periods)),
            )
        )
    return found
