"""The crisis contacts beside a held message, on the safety plan and offline are the ones the
service has configured (not the built-in defaults), and a text line is a tappable sms: link."""

import html

from api.common import utcnow
from tests.contact.helpers import agree, contact_pair, windows_away_from
from tests.personas import staff
from tests.relationships.forms import web_login

LONDON = "Europe/London"
LOCAL = {
    "name": "Riverside crisis line",
    "phone": "0800 000 111",
    "text": "Text CALM to 60000",
    "text_to": "60000",
    "text_body": "CALM",
}


async def test_held_message_safety_plan_and_offline_show_the_services_own_contacts(
    client, db, settings
):
    pair = await contact_pair(client, db, settings)
    robin = await staff(client, db, settings)
    changed = await client.put(
        "/api/v1/coordination/settings/crisis_resources",
        json={"value": [LOCAL]},
        headers=robin.headers,
    )
    assert changed.status_code == 200, changed.text
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    sent = await client.post(
        f"{pair.base}/messages", json={"body": "Can't sleep."}, headers=pair.seeker.headers
    )
    assert sent.json()["status"] == "held"

    seen = await client.get(f"{pair.base}/messages", headers=pair.supporter.headers)
    assert [c["name"] for c in seen.json()["crisis_resources"]] == [LOCAL["name"]]

    await web_login(client, pair.seeker.email)
    chat = html.unescape((await client.get(f"/relationships/{pair.relationship_id}/home")).text)
    beside = chat[chat.index('class="crisis-beside"') :]
    assert LOCAL["name"] in beside and settings.crisis_resources[0].name not in beside
    assert '<a href="sms:60000?body=CALM">Text CALM to 60000</a>' in beside
    for page in ("/safety-plan", "/offline"):
        text = html.unescape((await client.get(page)).text)
        assert LOCAL["name"] in text and "sms:60000?body=CALM" in text, page
        assert settings.crisis_resources[0].name not in text, page
