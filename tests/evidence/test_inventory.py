"""The data inventory covers every column the models make, and nothing else; its published
form is up to date; administrators (and only they) download it as CSV."""

import csv
import io

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table

from api.auth.models import Role
from api.evidence import inventory
from api.models import metadata
from scripts import render_evidence
from tests.personas import peer, staff

URL = "/api/v1/admin/data-inventory.csv"


def test_every_column_has_an_inventory_entry_and_every_entry_a_column():
    problems = inventory.gaps(metadata)
    assert not problems, (
        "The data inventory (api/evidence/inventory.toml) is out of step with the models; "
        "describe these, then run `python -m scripts.render_evidence`:\n  " + "\n  ".join(problems)
    )


def test_a_new_column_or_table_is_named_and_a_stale_entry_too():
    extra = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extra)
    Table("screening_answer", extra, Column("id", Integer, primary_key=True))
    extra.tables["message"].append_column(Column("mood_score", Integer))
    written = {k: dict(v) for k, v in inventory.facts().items()}
    written["notice"] = {**written["notice"], "columns": {**written["notice"]["columns"]}}
    written["notice"]["columns"]["urgency"] = "gone"
    assert inventory.gaps(extra, written) == [
        "message.mood_score: no entry for this column",
        "notice.urgency: entry for a column that does not exist",
        "screening_answer: no entry for this table (add [screening_answer])",
    ]


def test_sealed_means_encrypted_bytes_and_nothing_else_is():
    for table in metadata.tables.values():
        for column in table.columns:
            assert inventory.is_sealed(column.name) == isinstance(column.type, LargeBinary), (
                f"{table.name}.{column.name}"
            )


def test_an_unknown_basis_or_missing_fact_is_reported():
    extra = MetaData()
    Table("t", extra, Column("a", String), Column("b", String))
    written = {
        "t": {
            "purpose": "x",
            "basis": "vibes",
            "art9": "none",
            "health": False,
            "readers": "r",
            "columns": {"a": "A", "b": {"purpose": "B", "art9": "hunch"}},
        }
    }
    found = inventory.gaps(extra, written)
    assert "t.a: no retention" in found and "t.a: unknown basis 'vibes'" in found
    assert "t.b: unknown art9 'hunch'" in found


def test_the_published_inventory_and_hazard_log_are_up_to_date():
    for path, render in render_evidence.OUTPUTS.items():
        assert path.read_text() == render(), (
            f"{path.name} is out of date: run `python -m scripts.render_evidence`"
        )


async def test_administrators_download_the_inventory_as_csv(client, db, settings):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    sam = await peer(client, "sam")
    assert (await client.get(URL)).status_code == 401
    for person in (robin, sam):
        refused = await client.get(URL, headers=person.headers)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
    got = await client.get(URL, headers=ada.headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == sum(len(t.columns) for t in metadata.tables.values())
    body = next(r for r in rows if (r["table"], r["column"]) == ("message", "body_sealed"))
    assert body["health"] == "yes" and body["sealed"] == "yes"
    assert body["retention"].startswith("90 days after the relationship ends")
    assert "Art. 9(2)(a)" in body["art9_condition"]
    assert all(r["purpose"] != inventory.NO_ENTRY for r in rows)

    # The periods in force, not the defaults.
    periods = (await client.get("/api/v1/coordination/settings", headers=ada.headers)).json()[
        "retention"
    ]
    changed = await client.put(
        "/api/v1/coordination/settings/retention",
        json={"value": {**periods, "ended_messages_days": 30}},
        headers=ada.headers,
    )
    assert changed.status_code == 200, changed.text
    again = list(csv.DictReader(io.StringIO((await client.get(URL, headers=ada.headers)).text)))
    body = next(r for r in again if (r["table"], r["column"]) == ("message", "body_sealed"))
    assert body["retention"].startswith("30 days after the relationship ends")
