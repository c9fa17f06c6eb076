"""A supporter's debrief after a session they held: sealed, for coordinators only (each
reading audited), never for the person they support or other supporters; the author reads and
deletes their own."""

from datetime import timedelta

from sqlalchemy import select

from api.audit.models import AuditEntry
from api.common import utcnow
from api.screening.models import DebriefNote
from tests.contact.helpers import add_session
from tests.personas import peer, staff, supporter
from tests.safety.helpers import active_pair

WORDS = "Sam talked about the funeral; I felt shaky after and want to talk it through."
MINE = "/api/v1/me/debriefs"


async def _held(client, db, settings):
    pair = await active_pair(client, db, settings)
    held = await add_session(db, pair, utcnow() - timedelta(days=1), status="held")
    return pair, held


def _theirs(pair) -> str:
    return f"/api/v1/coordination/supporters/{pair.supporter.id}/debriefs"


async def test_a_debrief_is_for_its_author_and_coordinators_only(client, db, settings):
    pair, held = await _held(client, db, settings)
    written = await client.post(
        MINE, json={"session_id": str(held.id), "text": WORDS}, headers=pair.supporter.headers
    )
    assert written.status_code == 201, written.text
    assert written.json()["text"] == WORDS and written.json()["other_person"] == "Sam"
    note_id = written.json()["id"]

    # Sealed at rest.
    stored = await db.scalar(select(DebriefNote.body_sealed))
    assert stored and b"funeral" not in stored

    # The person supported sees nothing of it, and can't write one about the same session.
    assert (await client.get(MINE, headers=pair.seeker.headers)).json()["data"] == []
    theirs = await client.post(
        MINE, json={"session_id": str(held.id), "text": "me too"}, headers=pair.seeker.headers
    )
    assert theirs.status_code == 404
    for person in (pair.seeker, await supporter(client, pair.coordinator, "cleo")):
        assert (await client.get(_theirs(pair), headers=person.headers)).status_code == 403
        gone = await client.delete(f"{MINE}/{note_id}", headers=person.headers)
        assert gone.status_code == 404
    anonymous = await client.get(_theirs(pair))
    assert anonymous.status_code == 401

    # A coordinator reads it; the reading is in the staff audit log.
    before = len((await db.execute(select(AuditEntry))).all())
    read = await client.get(_theirs(pair), headers=pair.coordinator.headers)
    assert read.status_code == 200
    assert [d["text"] for d in read.json()["data"]] == [WORDS]
    assert read.json()["data"][0]["other_person"] is None  # the coordinator isn't told who
    entries = (await db.execute(select(AuditEntry).order_by(AuditEntry.at))).scalars().all()
    assert len(entries) == before + 1
    assert entries[-1].action == "supervision.debriefs_read"
    assert entries[-1].actor_id == pair.coordinator.id
    assert entries[-1].subject_id == str(pair.supporter.id)

    # It is in the author's export, and not in the other person's.
    exported = await client.get("/api/v1/me/export", headers=pair.supporter.headers)
    assert [d["text"] for d in exported.json()["supporting"]["debriefs"]] == [WORDS]
    theirs = await client.get("/api/v1/me/export", headers=pair.seeker.headers)
    assert WORDS not in theirs.text

    # The author reads and deletes it: gone for coordinators too.
    mine = await client.get(MINE, headers=pair.supporter.headers)
    assert [d["id"] for d in mine.json()["data"]] == [note_id]
    assert (
        await client.delete(f"{MINE}/{note_id}", headers=pair.supporter.headers)
    ).status_code == 204
    after = await client.get(_theirs(pair), headers=pair.coordinator.headers)
    assert after.json()["data"] == []
    assert (await db.scalar(select(DebriefNote.id))) is None


async def test_only_after_a_held_session_and_once(client, db, settings):
    pair = await active_pair(client, db, settings)
    planned = await add_session(db, pair, utcnow() + timedelta(days=2), status="confirmed")
    early = await client.post(
        MINE, json={"session_id": str(planned.id), "text": WORDS}, headers=pair.supporter.headers
    )
    assert early.status_code == 409 and "held" in early.json()["detail"]
    held = await add_session(db, pair, utcnow() - timedelta(days=3), status="held")
    for body, code in (
        ({"session_id": str(held.id), "text": " "}, 422),
        ({"session_id": str(held.id), "text": "x" * 2001}, 422),
        ({"session_id": "00000000-0000-0000-0000-000000000000", "text": WORDS}, 404),
        ({"session_id": str(held.id), "text": WORDS}, 201),
        ({"session_id": str(held.id), "text": WORDS}, 409),
    ):
        answer = await client.post(MINE, json=body, headers=pair.supporter.headers)
        assert answer.status_code == code, (body, answer.text)
    outsider = await peer(client, "olly")
    assert (await client.get(MINE, headers=outsider.headers)).json()["data"] == []
    assert (await client.get(MINE)).status_code == 401
    robin = await staff(client, db, settings, name="rae")
    assert len((await client.get(_theirs(pair), headers=robin.headers)).json()["data"]) == 1
