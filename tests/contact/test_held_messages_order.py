"""Held messages arrive in the order they were written, whenever a window opens under the
agreement *now* in force; while one is held the crisis contacts and the safety plan are beside
it, for the sender and the recipient."""

import re
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from api.common import utcnow
from api.contact import upkeep
from api.contact.models import Message
from tests.contact.helpers import agree, contact_pair, notices, windows_around, windows_away_from
from tests.relationships.forms import web_login

LONDON = "Europe/London"


async def send(client, pair, person, body):
    sent = await client.post(f"{pair.base}/messages", json={"body": body}, headers=person.headers)
    assert sent.status_code == 201, sent.text
    return sent.json()


async def read(client, pair, person) -> dict:
    response = await client.get(f"{pair.base}/messages", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_new_agreement_that_opens_a_window_now_releases_held_messages_in_order(
    client, db, settings
):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    first = await send(client, pair, pair.seeker, "First, written at night.")
    assert first["status"] == "held"
    # Both agree new times that open a window now; before anyone reads, the old time stands.
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    second = await send(client, pair, pair.seeker, "Second, written inside the new window.")
    # The second can't overtake the first: both arrive now, first first.
    seen = await read(client, pair, pair.supporter)
    assert [m["body"] for m in seen["messages"]] == [
        "First, written at night.",
        "Second, written inside the new window.",
    ]
    assert second["status"] == "delivered"
    mine = await read(client, pair, pair.seeker)
    assert [m["status"] for m in mine["messages"]] == ["delivered", "delivered"]
    db.expire_all()
    rows = list(await db.scalars(select(Message).order_by(Message.sent_at)))
    assert rows[0].deliver_at <= rows[1].deliver_at
    assert all(m.windows_version == rows[0].windows_version for m in rows)


async def test_the_sweep_retimes_held_messages_for_people_who_are_not_looking(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    await send(client, pair, pair.supporter, "Thinking of you before Thursday.")
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    assert await upkeep.sweep(db) == 1  # one message_delivered notice, nobody reading
    await db.commit()
    told = await notices(client, pair.seeker)
    assert [n["kind"] for n in told] == ["message_delivered"]


async def test_a_later_message_never_arrives_before_an_earlier_held_one(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    first = await send(client, pair, pair.seeker, "one")
    second = await send(client, pair, pair.seeker, "two")
    # Whatever happened to the first's time, the second waits at least as long.
    await db.execute(
        update(Message)
        .where(Message.id == UUID(first["id"]))
        .values(deliver_at=utcnow() + timedelta(days=3))
    )
    await db.commit()
    third = await send(client, pair, pair.seeker, "three")
    assert third["deliver_at"] >= (utcnow() + timedelta(days=3) - timedelta(minutes=1)).isoformat()
    assert second["status"] == third["status"] == "held"


async def test_while_held_the_crisis_contacts_and_safety_plan_are_beside_it_for_both(
    client, db, settings
):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    await send(client, pair, pair.seeker, "Can't sleep.")
    for person in (pair.seeker, pair.supporter):
        seen = await read(client, pair, person)
        names = [c["name"] for c in seen["crisis_resources"]]
        assert names == [c.name for c in settings.crisis_resources]
        assert seen["safety_plan_url"] == "/safety-plan"
    # Inside a window with nothing held: the chat is just the chat.
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    seen = await read(client, pair, pair.seeker)
    assert seen["crisis_resources"] == [] and seen["safety_plan_url"] is None


async def test_the_chat_page_shows_crisis_contacts_beside_a_held_message(
    client, other_browser, db, settings
):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    await send(client, pair, pair.seeker, "Can't sleep.")
    await web_login(client, pair.seeker.email)
    await web_login(other_browser, pair.supporter.email)
    for browser in (client, other_browser):
        page = await browser.get(f"/relationships/{pair.relationship_id}/home")
        assert page.status_code == 200
        html = page.text
        assert 'href="/safety-plan"' in html
        assert "116 123" in html and 'href="tel:116123"' in html
        assert "it's one of your agreed contact times now" not in html


async def test_the_chat_parts_htmx_asks_for_carry_the_crisis_contacts_too(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    await send(client, pair, pair.seeker, "Can't sleep.")
    await web_login(client, pair.seeker.email)
    url = f"/relationships/{pair.relationship_id}"
    part = await client.get(f"{url}/home/chat", headers={"HX-Request": "true"})
    assert part.status_code == 200 and 'href="/safety-plan"' in part.text
    page = await client.get(f"{url}/home")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    sent = await client.post(
        f"{url}/chat",
        data={"csrf_token": token, "body": "Still awake."},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert sent.status_code == 200 and 'href="/safety-plan"' in sent.text
