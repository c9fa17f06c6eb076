"""An ended relationship stays on home and in the list, kindly ("Bob supported you · ended
3 May"), and its chat never says it's one of your agreed contact times now."""

import html

from api.common import utcnow
from tests.contact.helpers import agree, contact_pair, windows_around
from tests.relationships.forms import web_login


async def test_ended_support_is_shown_kindly_on_home_list_and_chat(
    client, other_client, db, settings
):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(utcnow(), "Europe/London", 60, 180))
    ended = await client.post(f"{pair.base}/end", json={}, headers=pair.seeker.headers)
    assert ended.status_code == 200, ended.text
    today = utcnow()
    when = f"ended {today.day} {today.strftime('%B')}"
    await web_login(client, pair.seeker.email)
    home = html.unescape((await client.get("/")).text)
    assert f"Bob supported you · {when}" in home
    listed = html.unescape((await client.get("/relationships")).text)
    assert f"Bob supported you · {when}" in listed
    assert "is your peer supporter" not in listed
    chat = html.unescape((await client.get(f"/relationships/{pair.relationship_id}/home")).text)
    assert "It's one of your agreed contact times now" not in chat
    assert "Your support has ended" in chat
    # No empty "contact times" box, and no "Nothing booked yet" as if sessions could follow.
    assert 'class="contact-now' not in chat and "Nothing booked yet" not in chat
    assert "No more sessions: your support has ended." in chat
    await web_login(other_client, pair.supporter.email)
    theirs = html.unescape((await other_client.get("/relationships")).text)
    assert f"You supported Sam · {when}" in theirs
