"""Defects that lost or leaked data (issue 11): what the seeker's export calls a decline, what
account deletion leaves behind in agreements and, on SQLite, in the write-ahead log."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from api.relationships.models import AgreementVersion
from api.relationships.sealed_topics import full_terms, store_terms
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import PASSWORD, peer, staff
from tests.safety.helpers import active_pair, rid

TOPIC = "my grandmother's house in Ayr"


async def test_the_seekers_export_says_not_available_where_a_supporter_declined(
    client, db, settings
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, "further_along")])
    sam, request = await seeker_with_request(client, "sam", [(1, "going_through")])
    chosen = await client.post(
        f"/api/v1/support-requests/{request['id']}/choice",
        json={"supporter_id": str(bob.id)},
        headers=sam.headers,
    )
    assert chosen.status_code == 201, chosen.text
    introduction = chosen.json()["id"]
    declined = await client.post(
        f"/api/v1/introductions/{introduction}/decline", headers=bob.headers
    )
    assert declined.status_code == 200, declined.text

    mine = (await client.get("/api/v1/me/export", headers=sam.headers)).json()
    [seen] = mine["relationships"]
    assert seen["state"] == "not available right now"
    assert [e["to"] for e in seen["events"]] == ["introduced", "not available right now"]
    assert "declined" not in json.dumps(mine["relationships"])
    # Bob's own copy stays true to what he did.
    his = (await client.get("/api/v1/me/export", headers=bob.headers)).json()
    assert his["relationships"][0]["state"] == "declined"


async def test_the_leavers_words_leave_agreements_with_them(client, db, settings):
    pair = await active_pair(client, db, settings, seeker_name="zed")
    version = await db.scalar(
        select(AgreementVersion).where(AgreementVersion.relationship_id == rid(pair))
    )
    mine = {"seeker": [TOPIC], "supporter": []}
    store_terms(settings, version, {**full_terms(settings, version), "topics_to_avoid": mine})
    await db.commit()
    before = (await client.get(f"{pair.base}/agreement", headers=pair.supporter.headers)).text
    assert TOPIC in before.replace("\\u0027", "'").replace("&#39;", "'")

    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=pair.seeker.headers
    )
    assert gone.status_code == 204, gone.text
    db.expire_all()
    kept = await db.scalar(
        select(AgreementVersion).where(AgreementVersion.relationship_id == rid(pair))
    )
    assert full_terms(settings, kept)["topics_to_avoid"] == {"seeker": [], "supporter": []}
    # Everything else Bob agreed to is still there for his history.
    assert kept.terms["sessions_total"] == 6 and kept.terms["channels"] == ["chat", "video"]
    after = await client.get(f"{pair.base}/agreement", headers=pair.supporter.headers)
    assert after.status_code == 200 and "Ayr" not in after.text


async def test_a_deleted_pseudonym_cant_be_read_from_the_sqlite_files(
    client, db, settings, is_postgres
):
    if is_postgres:
        pytest.skip("SQLite's write-ahead log; PostgreSQL keeps no -wal file beside the data")
    quill = await peer(client, "quillonmarsh")  # shown as "Quillonmarsh"
    assert (await client.get("/api/v1/me", headers=quill.headers)).status_code == 200
    path = Path(make_url(settings.database_url).database or "")
    wal = path.with_name(path.name + "-wal")
    assert b"Quillonmarsh" in _bytes(path) + _bytes(wal)  # the check can fail

    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=quill.headers
    )
    assert gone.status_code == 204, gone.text
    assert _bytes(wal) == b""  # checkpointed and truncated
    for place in (path, wal):
        assert b"Quillonmarsh" not in _bytes(place), place.name
        assert quill.email.encode() not in _bytes(place), place.name


def _bytes(path: Path) -> bytes:
    """Everything in one of the database's files, as a person with the disk could read it."""
    return path.read_bytes() if path.exists() else b""
