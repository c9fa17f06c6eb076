"""The matching desk in the PWA, without JavaScript: the waiting list a page at a time with
each seeker's best candidates, proposing with notes (kept when it can't be sent, with the
reason), looking a supporter up by name, and changing a pair in a batch draft."""

import asyncio
import re
from uuid import UUID

import pytest
from sqlalchemy import func, select

from api.matching.models import BatchDraftItem
from api.relationships.models import Relationship
from api.supporters.models import SupporterOffer
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import peer, staff
from tests.web.pages import csrf_token, log_in

GOING, FURTHER = "going_through", "further_along"


async def test_propose_a_match_with_notes_from_the_waiting_list(client, db, settings):
    robin = await staff(client, db, settings)
    cleo = await ready_supporter(client, robin, "cleo", [(1, FURTHER)])
    dana, request = await seeker_with_request(client, "dana", [(1, GOING)])
    await client.put(
        f"/api/v1/support-requests/{request['id']}/coordinator-choice",
        json={"ask": True},
        headers=dana.headers,
    )
    await log_in(client, robin.email)
    listed = await client.get("/coordinator/waiting")
    assert listed.status_code == 200
    text = listed.text.replace("&#39;", "'")
    assert "Dana" in text and "Asked a coordinator to choose" in text
    assert "Best available now" in text and "Cleo" in text and "Depression" in text
    assert "Propose a match for Dana" in text

    url = f"/coordinator/waiting/{request['id']}"
    page = await client.get(url)
    assert page.status_code == 200 and "A match for Dana" in page.text
    assert f'value="{cleo.id}"' in page.text and "A note for Dana" in page.text
    # Cleo pauses before the form is sent: the page says why, and keeps both notes.
    await client.patch("/api/v1/supporter-offer", json={"paused": True}, headers=cleo.headers)
    form = {
        "csrf_token": csrf_token(page.text),
        "supporter_id": str(cleo.id),
        "note": "You both know early grief.",
        "note_to_seeker": "Hello Dana, I've asked someone for you.",
    }
    refused = await client.post(f"{url}/propose", data=form)
    assert refused.status_code == 409
    assert "Cleo has paused taking new people." in refused.text
    assert "You both know early grief." in refused.text
    assert "Hello Dana, I&#39;ve asked someone for you." in refused.text
    await client.patch("/api/v1/supporter-offer", json={"paused": False}, headers=cleo.headers)

    nobody = await client.post(f"{url}/propose", data={**form, "supporter_id": ""})
    assert nobody.status_code == 422 and "Choose who to introduce first." in nobody.text
    sent = await client.post(f"{url}/propose", data=form)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].startswith("/coordinator/waiting?proposed=")
    after = await client.get(sent.headers["location"])
    assert "Introduction sent to Cleo for Dana, with your notes." in after.text
    assert "Nobody is waiting." in after.text
    inbox = (await client.get("/api/v1/introductions", headers=cleo.headers)).json()["data"]
    assert inbox[0]["coordinator_note"] == "You both know early grief."
    # Sending the same form again (a second click) makes nothing new.
    twice = await client.post(f"{url}/propose", data=form)
    assert twice.status_code == 409
    assert "already waiting for an answer" in twice.text
    assert await db.scalar(select(func.count()).select_from(Relationship)) == 1


async def test_any_supporter_can_be_looked_up_by_name(client, db, settings):
    robin = await staff(client, db, settings)
    await ready_supporter(client, robin, "cleo", [(1, FURTHER)])
    pia = await ready_supporter(client, robin, "pia", [(1, FURTHER)])
    await client.patch("/api/v1/supporter-offer", json={"paused": True}, headers=pia.headers)
    _dana, request = await seeker_with_request(client, "dana", [(1, GOING)])
    await log_in(client, robin.email)
    url = f"/coordinator/waiting/{request['id']}"
    found = await client.get(url, params={"name": "pi"})
    assert "Pia</strong>: Pia has paused taking new people." in found.text
    assert f'value="{pia.id}"' not in found.text  # nobody unavailable can be chosen
    already = await client.get(url, params={"name": "CLE"})
    assert "They are among the candidates above already." in already.text
    none = await client.get(url, params={"name": "zed"})
    assert "No supporter found by that name." in none.text


async def _draft(client, db, settings):
    """Robin, a batch draft over Sam and Tia, and three supporters (Uma with one place)."""
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], capacity=1)
    cat = await ready_supporter(client, robin, "cat", [(1, FURTHER)], capacity=1)
    uma = await ready_supporter(client, robin, "uma", [(1, FURTHER)], capacity=1)
    await seeker_with_request(client, "sam", [(1, GOING)])
    await seeker_with_request(client, "tia", [(1, GOING)])
    await log_in(client, robin.email)
    page = await client.get("/coordinator/waiting")
    ran = await client.post("/coordinator/batches", data={"csrf_token": csrf_token(page.text)})
    assert ran.status_code == 303
    return robin, (bob, cat, uma), ran.headers["location"]


async def test_a_pair_in_a_batch_draft_is_changed_or_removed_then_sent_once(client, db, settings):
    _robin, (bob, cat, uma), url = await _draft(client, db, settings)
    draft_id = UUID(url.rsplit("/", 1)[1])
    page = await client.get(url)
    assert page.status_code == 200 and "Send 2 introductions" in page.text
    change = re.search(rf'href="({url}/items/([0-9a-f-]+))">Change (\w+)', page.text)
    assert change, "each pair has a change link"
    item = await db.get(BatchDraftItem, UUID(change[2]))
    taken = {i.supporter_id for i in await db.scalars(select(BatchDraftItem))}
    free = ({bob.id, cat.id, uma.id} - taken).pop()
    other = (taken - {item.supporter_id}).pop()

    options = await client.get(change[1])
    assert options.status_code == 200 and f"Another supporter for {change[3]}" in options.text
    assert re.search(rf'value="{other}" disabled', options.text), "a full one can't be chosen"
    assert "Their free places are all in this batch" in options.text
    form = {"csrf_token": csrf_token(options.text)}
    full = await client.post(f"{change[1]}/change", data={**form, "supporter_id": str(other)})
    assert full.status_code == 409
    assert "free places are all given to other people in this batch already" in full.text
    chosen = await client.post(f"{change[1]}/change", data={**form, "supporter_id": str(free)})
    assert chosen.status_code == 303
    changed = await db.get(BatchDraftItem, item.id, populate_existing=True)
    assert changed.supporter_id == free
    shown = await client.get(chosen.headers["location"].split("#")[0])
    assert "Pair changed." in shown.text and 'class="card pair changed"' in shown.text

    second = next(i for i in await db.scalars(select(BatchDraftItem)) if i.id != item.id)
    removed = await client.post(f"{url}/items/{second.id}/remove", data=form)
    assert removed.status_code == 303
    page = await client.get(url)
    assert "Send 1 introduction" in page.text
    sent = await client.post(f"{url}/send", data=form)
    assert sent.status_code == 303
    page = await client.get(url)
    assert "Batch sent" in page.text and "1 sent" in page.text and "Send 1" not in page.text
    assert "Change " not in page.text
    again = await client.post(f"{url}/send", data=form)
    assert again.status_code == 409 and "This batch was already sent" in again.text
    late = await client.post(f"{change[1]}/change", data={**form, "supporter_id": str(other)})
    assert late.status_code == 409
    introduced = await db.scalars(select(Relationship.supporter_id))
    assert list(introduced) == [free]
    assert draft_id


@pytest.mark.postgres_only
async def test_two_coordinators_sending_one_draft_at_once_send_it_once(
    client, other_client, db, settings, is_postgres
):
    if not is_postgres:
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    robin, _, url = await _draft(client, db, settings)
    kim = await staff(other_client, db, settings, name="kim")
    await log_in(other_client, kim.email)
    forms = [{"csrf_token": csrf_token((await c.get(url)).text)} for c in (client, other_client)]
    answers = await asyncio.gather(
        client.post(f"{url}/send", data=forms[0]), other_client.post(f"{url}/send", data=forms[1])
    )
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert await db.scalar(select(func.count()).select_from(Relationship)) == 2
    assert robin


async def test_the_desk_is_for_coordinators_only(client, db, settings):
    _robin, (bob, *_), url = await _draft(client, db, settings)
    item = (await db.scalars(select(BatchDraftItem))).first()
    _sam, request = await seeker_with_request(client, "sal", [(1, GOING)])
    offer_of = await peer(client, "ola")
    offer = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 1}, headers=offer_of.headers
    )
    pages = [
        f"/coordinator/waiting/{request['id']}",
        f"{url}/items/{item.id}",
        "/coordinator/offers",
    ]
    forms = [
        (f"/coordinator/waiting/{request['id']}/propose", {"supporter_id": str(bob.id)}),
        (f"{url}/items/{item.id}/change", {"supporter_id": str(bob.id)}),
        (f"{url}/items/{item.id}/remove", {}),
        (f"/coordinator/supporters/offers/{offer.json()['id']}", {"decision": "approve"}),
    ]
    page = await client.get("/coordinator")
    await client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    for path in pages:  # anonymous: asked to log in
        answer = await client.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
    await log_in(client, offer_of.email)
    token = csrf_token((await client.get("/")).text)
    for path in pages:
        assert (await client.get(path)).status_code == 403, path
    for path, form in forms:
        assert (await client.post(path, data={"csrf_token": token, **form})).status_code == 403
    db.expire_all()
    assert await db.scalar(select(func.count()).select_from(Relationship)) == 0
    assert await db.scalar(select(func.count()).select_from(BatchDraftItem)) == 2
    status = await db.scalar(
        select(SupporterOffer.status).where(SupporterOffer.user_id == offer_of.id)
    )
    assert status == "pending"
