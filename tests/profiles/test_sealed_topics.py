"""Topics someone would rather not talk about are their own words: sealed at rest in their
profile and in every agreement version, read back exactly, exported, and erased with them."""

from pathlib import Path
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from api.crypto import unseal
from api.profiles.models import Profile
from api.relationships.models import AgreementVersion
from api.relationships.sealed_topics import full_terms
from tests.factories import agreeable_terms, agreeing_pair, profile
from tests.personas import PASSWORD
from tests.relationships.agreement_steps import _agreement, _consent, _propose
from tests.web.pages import log_in

TOPIC = "my sister's wedding in Oban"
THEIRS = "the night shift at Raigmore"


async def _raw(db, table: sa.Table, where) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Every column of the rows, as the database holds them (no model, no unsealing)."""
    return [tuple(row) for row in (await db.execute(sa.select(table).where(where))).all()]


def _holds(rows: list[tuple], text: str) -> bool:
    needle = text.encode()
    return any(
        needle in (value if isinstance(value, bytes) else repr(value).encode())
        or text in repr(value)
        for row in rows
        for value in row
    )


def _files(database_url: str) -> bytes:
    path = Path(make_url(database_url).database or "")
    wal = path.with_name(path.name + "-wal")
    return b"".join(p.read_bytes() for p in (path, wal) if p.exists())


async def test_topics_are_sealed_in_the_profile_and_read_back_the_same(
    client, db, settings, is_postgres
):
    pair = await agreeing_pair(
        client,
        db,
        settings,
        seeker_profile={"topics_to_avoid": [TOPIC, "religion"]},
        supporter_profile={"topics_to_avoid": [THEIRS]},
    )
    sam, bob = pair.seeker, pair.supporter
    mine = (await client.get("/api/v1/profile", headers=sam.headers)).json()
    assert mine["topics_to_avoid"] == [TOPIC, "religion"]  # exactly, in order

    db.expire_all()
    rows = await _raw(db, Profile.__table__, Profile.__table__.c.user_id == sam.id)
    assert len(rows) == 1 and not _holds(rows, TOPIC) and not _holds(rows, "religion")
    sealed = rows[0][list(Profile.__table__.c.keys()).index("topics_sealed")]
    assert isinstance(sealed, bytes) and TOPIC.encode() not in sealed
    # Bound to Sam's row: it opens there and nowhere else.
    assert TOPIC in (unseal(settings, sealed, b"profile.topics_to_avoid:" + sam.id.bytes) or "")
    if not is_postgres:  # and not in the SQLite files either, as someone with the disk reads them
        await db.commit()
        assert TOPIC.encode() not in _files(settings.database_url)

    # The other person still reads them where they read them before.
    seen = (await client.get(pair.base, headers=bob.headers)).json()
    assert seen["other"]["topics_to_avoid"] == [TOPIC, "religion"]

    # Emptied, nothing sealed stays behind.
    saved = await client.put(
        "/api/v1/profile", json=profile(topics_to_avoid=[]), headers=sam.headers
    )
    assert saved.status_code == 200 and saved.json()["topics_to_avoid"] == []
    db.expire_all()
    assert (await db.get(Profile, sam.id)).topics_sealed is None

    # The PWA's form shows what was written, as written.
    await client.put("/api/v1/profile", json=profile(topics_to_avoid=[TOPIC]), headers=sam.headers)
    assert (await log_in(client, sam.email)).status_code == 303
    page = await client.get("/profile")
    assert page.status_code == 200 and "Oban" in page.text


async def test_agreement_topics_are_sealed_and_agreeing_export_and_erasure_still_work(
    client, db, settings, is_postgres
):
    pair = await agreeing_pair(
        client,
        db,
        settings,
        seeker_profile={"topics_to_avoid": [TOPIC]},
        supporter_profile={"topics_to_avoid": [THEIRS]},
    )
    sam, bob = pair.seeker, pair.supporter
    proposed = await _propose(
        client, pair, bob, agreeable_terms(topics_to_avoid={"supporter": [THEIRS]})
    )
    assert proposed.status_code == 201, proposed.text
    expected = {"seeker": [TOPIC], "supporter": [THEIRS]}
    assert proposed.json()["pending"]["terms"]["topics_to_avoid"] == expected
    agreed = await _consent(client, pair, sam, 1)
    assert agreed.status_code == 200, agreed.text
    read = (await _agreement(client, pair, sam)).json()
    assert read["in_force"]["terms"]["topics_to_avoid"] == expected

    table, rid = AgreementVersion.__table__, UUID(str(pair.relationship_id))
    db.expire_all()
    rows = await _raw(db, table, table.c.relationship_id == rid)
    assert len(rows) == 1
    assert not _holds(rows, TOPIC) and not _holds(rows, THEIRS)
    assert "topics_to_avoid" not in rows[0][list(table.c.keys()).index("terms")]
    if not is_postgres:
        await db.commit()
        files = _files(settings.database_url)
        assert TOPIC.encode() not in files and THEIRS.encode() not in files

    # Both exports still carry them, in the profile and in the agreement.
    export = (await client.get("/api/v1/me/export", headers=sam.headers)).json()
    assert export["profile"]["topics_to_avoid"] == [TOPIC]
    assert "topics_sealed" not in export["profile"]
    [version] = export["relationships"][0]["agreement_versions"]
    assert version["terms"]["topics_to_avoid"] == expected
    assert "topics_sealed" not in version
    assert version["terms"]["sessions_total"] == 6

    # Sam leaves: his topics go from the version Bob keeps; Bob's stay, still sealed.
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=sam.headers
    )
    assert gone.status_code == 204, gone.text
    db.expire_all()
    kept = await db.scalar(
        sa.select(AgreementVersion).where(AgreementVersion.relationship_id == rid)
    )
    assert full_terms(settings, kept)["topics_to_avoid"] == {"seeker": [], "supporter": [THEIRS]}
    assert kept.topics_sealed is not None and THEIRS.encode() not in kept.topics_sealed
    assert kept.terms["sessions_total"] == 6
    page = await client.get(f"{pair.base}/agreement", headers=bob.headers)
    assert page.status_code == 200 and "Oban" not in page.text and "Raigmore" in page.text
