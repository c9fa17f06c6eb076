"""Report a message and "I haven't heard from them" as pages, without JavaScript."""

import html
import re
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from api.common import utcnow
from api.concerns.models import Concern
from api.contact.models import Message
from tests.contact.helpers import agree, contact_pair, windows_around
from tests.relationships.forms import csrf_token, web_login

LONDON = "Europe/London"


async def test_report_a_message_in_two_taps_then_block_is_offered(
    client, other_client, db, settings
):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    sent = await client.post(
        f"{pair.base}/messages", json={"body": "Add me on insta"}, headers=pair.supporter.headers
    )
    assert sent.status_code == 201
    await web_login(client, pair.seeker.email)
    home = await client.get(f"/relationships/{pair.relationship_id}/home")
    link = re.search(r'href="(/relationships/[^"]+/messages/[^"]+/report)"', home.text)
    assert link, "each of their messages has a Report link"
    form = await client.get(link.group(1))  # tap one
    assert form.status_code == 200 and "Report this message" in form.text
    done = await client.post(  # tap two
        link.group(1), data={"csrf_token": csrf_token(form.text), "note": "It felt pushy."}
    )
    assert done.status_code == 200
    page = html.unescape(done.text)
    assert "Thank you for telling us" in page and "Block Bob" in page
    concern = await db.scalar(select(Concern))
    assert concern.kind == "message_reported" and b"pushy" not in concern.details_sealed
    # My own messages have no Report link.
    await web_login(other_client, pair.supporter.email)
    theirs = await other_client.get(f"/relationships/{pair.relationship_id}/home")
    assert "/report" not in theirs.text


async def test_i_havent_heard_from_them_appears_after_the_agreed_time(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    sent = await client.post(
        f"{pair.base}/messages", json={"body": "How was your week?"}, headers=pair.seeker.headers
    )
    await web_login(client, pair.seeker.email)
    url = f"/relationships/{pair.relationship_id}"
    assert "I haven't heard from them" not in html.unescape((await client.get(f"{url}/home")).text)
    early = html.unescape((await client.get(f"{url}/not-heard")).text)
    assert "still has time to answer" in early
    await db.execute(
        update(Message)
        .where(Message.id == UUID(sent.json()["id"]))
        .values(deliver_at=utcnow() - timedelta(days=3), sent_at=utcnow() - timedelta(days=3))
    )
    await db.commit()
    home = html.unescape((await client.get(f"{url}/home")).text)
    assert "I haven't heard from them" in home
    page = await client.get(f"{url}/not-heard")
    told = await client.post(
        f"{url}/not-heard", data={"csrf_token": csrf_token(page.text), "new_match": "true"}
    )
    assert told.status_code == 200
    text = html.unescape(told.text)
    assert "first in line for someone new" in text
    assert (await db.scalar(select(Concern))).kind == "no_reply"
