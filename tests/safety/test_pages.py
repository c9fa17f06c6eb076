"""The safety pages, driven like a browser without JavaScript (and like htmx)."""

import html
import json
import re

import httpx
import pytest

from tests.personas import PASSWORD, peer
from tests.safety.helpers import active_pair, notices_of, places_taken, relationship
from tests.web.pages import code_step

HTMX = {"HX-Request": "true"}
MESSAGE = "Thank you, Bob. I'm going to try the Thursday group now."


def token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def words(page: str) -> str:
    """The page's text, roughly as a person reads it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def login(browser: httpx.AsyncClient, email: str) -> None:
    page = await browser.get("/login")
    form = {"csrf_token": token(page.text), "email": email, "password": PASSWORD, "next": "/"}
    answer = await code_step(browser, await browser.post("/login", data=form), email)
    assert answer.status_code == 303


@pytest.fixture
async def browsers(client, other_client, db, settings):
    """Sam's and Bob's browsers, both logged in, and their active relationship."""
    pair = await active_pair(client, db, settings)
    await login(client, pair.seeker.email)
    await login(other_client, pair.supporter.email)
    return pair, f"/relationships/{pair.relationship_id}", client, other_client


async def test_ending_in_two_taps_with_no_reason(browsers, db):
    pair, url, sam, _bob = browsers
    page = await sam.get(f"{url}/end")  # tap one: "End our support" on the relationship page
    assert page.status_code == 200
    text = words(page.text)
    assert "End your support with Bob" in text and "You don't need to give a reason" in text
    assert "This is what Bob will see" in text and "Sam has ended your support." in text
    ended = await sam.post(f"{url}/end", data={"csrf_token": token(page.text)})  # tap two
    assert ended.status_code == 303 and ended.headers["location"] == f"{url}/safety?done=ended"
    assert (await relationship(db, pair)).state == "ended"
    assert await places_taken(db, pair.supporter.id) == 0
    hub = words((await sam.get(ended.headers["location"])).text)
    assert "Your support has ended" in hub and "Ask for a new match" in hub


async def test_a_closing_message_is_always_seen_before_it_is_sent(browsers, db, client):
    pair, url, sam, bob = browsers
    page = await sam.get(f"{url}/end")
    form = {
        "csrf_token": token(page.text),
        "reason_category": "got_what_i_needed",
        "closing_message": MESSAGE,
    }
    check = await sam.post(f"{url}/end", data=form)  # not previewed yet: shown, not sent
    assert check.status_code == 200
    assert "Please check your message" in words(check.text)
    assert html.escape(MESSAGE, quote=False) in check.text.replace("&#39;", "'")
    assert (await relationship(db, pair)).state == "active"
    sent = await sam.post(f"{url}/end", data={**form, "previewed": MESSAGE})
    assert sent.status_code == 303
    hub = words((await bob.get(f"{url}/safety")).text)
    assert "Sam's closing message to you" in hub and MESSAGE in hub
    assert "got what I needed" not in hub
    told = await notices_of(client, pair.supporter)
    assert told[0]["kind"] == "ended"


async def test_the_preview_updates_as_you_type_with_htmx(browsers):
    _pair, url, sam, _bob = browsers
    page = await sam.get(f"{url}/end")
    preview = await sam.post(
        f"{url}/end/preview",
        data={"csrf_token": token(page.text), "closing_message": MESSAGE},
        headers=HTMX,
    )
    assert preview.status_code == 200
    assert preview.text.lstrip().startswith('<section id="preview"')
    assert "<html" not in preview.text
    assert f'name="previewed" value="{html.escape(MESSAGE)}"'.replace("&#x27;", "&#39;") in (
        preview.text
    )


async def test_pause_until_a_date_then_carry_on_together(browsers, db):
    pair, url, sam, bob = browsers
    page = await sam.get(f"{url}/pause")
    assert "Pause your support with Bob" in words(page.text)
    bad = await sam.post(f"{url}/pause", data={"csrf_token": token(page.text), "until": "soon"})
    assert bad.status_code == 422 and "Enter a date" in words(bad.text)
    paused = await sam.post(
        f"{url}/pause", data={"csrf_token": token(page.text), "until": "2099-01-01"}
    )
    assert paused.status_code == 422  # more than a year away
    from datetime import date, timedelta

    soon = (date.today() + timedelta(days=10)).isoformat()
    paused = await sam.post(f"{url}/pause", data={"csrf_token": token(page.text), "until": soon})
    assert paused.status_code == 303
    hub = await bob.get(f"{url}/safety")
    assert "Sam paused on" in words(hub.text) and "Ask to carry on" in words(hub.text)
    asked = await bob.post(f"{url}/resume", data={"csrf_token": token(hub.text)})
    assert asked.status_code == 303
    assert "Waiting for Sam to agree" in words((await bob.get(f"{url}/safety")).text)
    hub = await sam.get(f"{url}/safety")
    assert "Bob would like to carry on" in words(hub.text)
    agreed = await sam.post(f"{url}/resume/acknowledge", data={"csrf_token": token(hub.text)})
    assert agreed.status_code == 303
    assert (await relationship(db, pair)).state == "active"


async def test_raise_a_concern_and_block_from_the_pages(browsers, db, client):
    pair, url, sam, _bob = browsers
    page = await sam.get(f"{url}/concern")
    assert "contact a crisis service" in words(page.text)
    missing = await sam.post(f"{url}/concern", data={"csrf_token": token(page.text)})
    assert missing.status_code == 422 and "Choose what the concern is about" in words(missing.text)
    raised = await sam.post(
        f"{url}/concern",
        data={
            "csrf_token": token(page.text),
            "kind": "feel_unsafe",
            "details": "He wanted to meet at his flat.",
            "anonymous": "true",
        },
    )
    assert raised.status_code == 200 and "Thank you for telling us" in words(raised.text)
    queue = await client.get("/api/v1/coordination/concerns", headers=pair.coordinator.headers)
    assert queue.json()["data"][0]["anonymous"] is True
    page = await sam.get(f"{url}/block")
    assert "not that you blocked them" in words(page.text)
    blocked = await sam.post(f"{url}/block", data={"csrf_token": token(page.text)})
    assert blocked.status_code == 303
    assert (await relationship(db, pair)).end_kind == "blocked"
    assert "You've blocked Bob" in words((await sam.get(blocked.headers["location"])).text)


async def test_feedback_and_a_new_match_after_the_ending(browsers, db):
    _pair, url, sam, bob = browsers
    page = await bob.get(f"{url}/end")
    await bob.post(f"{url}/end", data={"csrf_token": token(page.text)})
    hub = await sam.get(f"{url}/safety")
    assert "Bob has ended" not in hub.text  # the notice lives in updates, not here
    sent = await sam.post(
        f"{url}/feedback", data={"csrf_token": token(hub.text), "text": "He was lovely."}
    )
    assert sent.status_code == 303
    empty = await sam.post(f"{url}/feedback", data={"csrf_token": token(hub.text), "text": " "})
    assert empty.status_code == 422
    updates = await sam.get("/notices")
    assert "Bob has ended your support" in words(updates.text)


async def test_forms_need_the_csrf_token_and_strangers_get_404(browsers, client, settings):
    _pair, url, sam, _bob = browsers
    for path in ("end", "pause", "resume", "block", "concern", "feedback"):
        assert (await sam.post(f"{url}/{path}", data={})).status_code == 403, path
    eve = await peer(client, "eve")
    transport = httpx.ASGITransport(app=client._transport.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as third:
        await login(third, eve.email)
        for path in ("safety", "end", "pause", "concern", "block"):
            response = await third.get(f"{url}/{path}")
            assert response.status_code == 404, path
            assert "Bob" not in response.text and "Sam" not in response.text


async def test_download_and_delete_from_the_account_page(browsers, db):
    pair, url, sam, bob = browsers
    page = await sam.get("/account")
    assert "Download my data" in words(page.text)
    download = await sam.get("/account/export")
    assert download.headers["content-disposition"].startswith("attachment")
    assert json.loads(download.text)["account"]["email"] == pair.seeker.email
    wrong = await sam.post(
        "/account/delete",
        data={"csrf_token": token(page.text), "password": "not it at all", "sure": "true"},
    )
    assert wrong.status_code == 403 and "password isn" in words(wrong.text)
    unsure = await sam.post(
        "/account/delete", data={"csrf_token": token(page.text), "password": PASSWORD}
    )
    assert unsure.status_code == 422
    gone = await sam.post(
        "/account/delete",
        data={"csrf_token": token(page.text), "password": PASSWORD, "sure": "true"},
    )
    assert gone.status_code == 303 and gone.headers["location"] == "/goodbye"
    assert "Clear-Site-Data" in gone.headers
    assert (await sam.get("/account")).status_code == 303  # logged out
    hub = words((await bob.get(f"{url}/safety")).text)
    assert "A former member" in hub and "when they left Kindred" in hub
