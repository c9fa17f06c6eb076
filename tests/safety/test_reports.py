"""Report this message; "I haven't heard from them". Both go to the coordinators' concerns
queue; a report is the recorded reason to read that one message (in the log both people see)
and the note is sealed; a seeker whose supporter never answered is first in line again."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from api.common import utcnow
from api.concerns.models import Concern
from api.contact.models import Message
from api.matching.models import SupportRequest
from api.relationships.models import Relationship
from tests.contact.helpers import agree, contact_pair, windows_around

LONDON = "Europe/London"
NOTE = "This made me feel pressured to meet outside our sessions."


async def talking(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    return pair


async def send(client, pair, person, body) -> dict:
    sent = await client.post(f"{pair.base}/messages", json={"body": body}, headers=person.headers)
    assert sent.status_code == 201, sent.text
    return sent.json()


async def test_a_reported_message_reaches_the_queue_and_may_be_read_because_of_it(
    client, db, settings
):
    pair = await talking(client, db, settings)
    message = await send(client, pair, pair.supporter, "Let's meet at the pub on Saturday.")
    reported = await client.post(
        f"{pair.base}/messages/{message['id']}/report",
        json={"note": NOTE},
        headers=pair.seeker.headers,
    )
    assert reported.status_code == 201, reported.text
    body = reported.json()
    assert body["concern"]["kind"] == "message_reported"
    assert body["block_url"].endswith(f"/relationships/{pair.relationship_id}/block")
    # The note is sealed at rest.
    concern = await db.scalar(select(Concern))
    assert concern.message_id == UUID(message["id"])
    assert NOTE.encode() not in (concern.details_sealed or b"")
    # The coordinators' queue shows the message is attached; reading it is because of the report.
    queue = await client.get("/api/v1/coordination/concerns", headers=pair.coordinator.headers)
    (item,) = [c for c in queue.json()["data"] if c["kind"] == "message_reported"]
    assert item["message_id"] == message["id"] and item["details"] == NOTE
    read = await client.get(
        f"/api/v1/coordination/concerns/{item['id']}/message", headers=pair.coordinator.headers
    )
    assert read.status_code == 200 and read.json()["body"] == "Let's meet at the pub on Saturday."
    assert read.json()["sender"] == "supporter"
    # Only that message: the rest still needs a safeguarding access.
    rest = await client.get(
        f"/api/v1/coordination/relationships/{pair.relationship_id}/messages",
        headers=pair.coordinator.headers,
    )
    assert rest.status_code == 403
    # Both people see the read in the safeguarding log; the other person never sees a concern.
    for person in (pair.seeker, pair.supporter):
        log = await client.get(f"{pair.base}/safeguarding-log", headers=person.headers)
        assert [(e["action"], e["what"]) for e in log.json()] == [("read", "reported_message")]
    theirs = await client.get(f"{pair.base}/concerns", headers=pair.supporter.headers)
    assert theirs.json()["data"] == []


async def test_only_a_message_that_reached_me_from_the_other_person_can_be_reported(
    client, db, settings
):
    pair = await talking(client, db, settings)
    mine = await send(client, pair, pair.seeker, "Thank you for today.")
    own = await client.post(
        f"{pair.base}/messages/{mine['id']}/report", headers=pair.seeker.headers
    )
    assert own.status_code == 404
    stranger = await client.post(
        f"{pair.base}/messages/{mine['id']}/report", headers=pair.coordinator.headers
    )
    assert stranger.status_code == 404
    assert await db.scalar(select(Concern)) is None


async def test_i_havent_heard_from_them_waits_for_the_agreed_time(client, db, settings):
    pair = await talking(client, db, settings)  # replies within 2 days
    sent = await send(client, pair, pair.seeker, "How are you doing?")
    early = await client.post(f"{pair.base}/not-heard", headers=pair.seeker.headers)
    assert early.status_code == 409
    assert "still has time" in early.json()["detail"]
    waited = await client.get(f"{pair.base}/not-heard", headers=pair.seeker.headers)
    assert waited.json()["overdue"] is False and waited.json()["can_say_from"]
    # Three days pass without an answer.
    three_days = timedelta(days=3)
    await db.execute(
        update(Message)
        .where(Message.id == UUID(sent["id"]))
        .values(sent_at=utcnow() - three_days, deliver_at=utcnow() - three_days)
    )
    await db.commit()
    assert (await client.get(f"{pair.base}/not-heard", headers=pair.seeker.headers)).json()[
        "overdue"
    ]
    # The supporter can't use it about the seeker.
    other = await client.post(f"{pair.base}/not-heard", headers=pair.supporter.headers)
    assert other.status_code == 403
    told = await client.post(f"{pair.base}/not-heard", headers=pair.seeker.headers)
    assert told.status_code == 201, told.text
    assert told.json()["concern"]["kind"] == "no_reply" and told.json()["request_id"] is None
    relationship = await db.get(Relationship, UUID(str(pair.relationship_id)))
    await db.refresh(relationship)
    assert relationship.state == "active"  # telling the coordinators changes nothing else


async def test_after_no_answer_the_seeker_asks_for_a_new_match_first_in_line(client, db, settings):
    pair = await talking(client, db, settings)
    # Someone else has been waiting longer.
    other = await contact_pair(client, db, settings, seeker_name="uma", supporter_name="cat")
    db.add(SupportRequest(seeker_id=other.seeker.id, created_at=utcnow() - timedelta(days=30)))
    await db.commit()
    sent = await send(client, pair, pair.seeker, "Are we still on for Tuesday?")
    week = timedelta(days=7)
    await db.execute(
        update(Message)
        .where(Message.id == UUID(sent["id"]))
        .values(sent_at=utcnow() - week, deliver_at=utcnow() - week)
    )
    await db.commit()
    told = await client.post(
        f"{pair.base}/not-heard", json={"new_match": True}, headers=pair.seeker.headers
    )
    assert told.status_code == 201, told.text
    assert told.json()["request_id"]
    relationship = await db.get(Relationship, UUID(str(pair.relationship_id)))
    await db.refresh(relationship)
    assert relationship.state == "ended" and relationship.end_kind == "ended_by_person"
    waiting = await client.get(
        "/api/v1/coordination/waiting-list", headers=pair.coordinator.headers
    )
    order = [(r["id"], r["first_in_line"]) for r in waiting.json()["data"]]
    assert order[0] == (told.json()["request_id"], True)
    assert len(order) == 2 and order[1][1] is False
