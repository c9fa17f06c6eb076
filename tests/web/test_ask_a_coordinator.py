"""Ask a coordinator to choose for me: the alternative to the shortlist, on the find page and
in the API, and on the coordinators' waiting list."""

import re

from sqlalchemy import select

from api.matching.models import SupportRequest
from tests.matching.people import seeker_with_request
from tests.personas import staff
from tests.web.test_matching_pages import _ask, _supporter_and_seeker, log_in, post


async def test_asking_a_coordinator_from_the_find_page_and_taking_it_back(client, db, settings):
    _bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    await _ask(client)
    page = (await client.get("/find")).text
    assert "Ask a coordinator to choose for me</button>" in page and "Choose Bob" in page
    request_id = re.search(r'name="request_id" value="([^"]+)"', page).group(1)
    asked = await post(
        client, "/find/coordinator", {"request_id": request_id, "ask": "true"}, "/find"
    )
    assert asked.status_code == 303 and asked.headers["location"] == "/find"
    page = (await client.get("/find")).text
    assert "A coordinator is choosing for you" in page and "Choose Bob" not in page
    request = await db.scalar(select(SupportRequest).where(SupportRequest.seeker_id == sam.id))
    assert request.coordinator_chooses is True and request.status == "waiting"
    back = await post(
        client, "/find/coordinator", {"request_id": request_id, "ask": "false"}, "/find"
    )
    assert back.status_code == 303
    page = (await client.get("/find")).text
    assert "Choose Bob" in page and "A coordinator is choosing for you" not in page


async def test_the_waiting_list_shows_who_asked_a_coordinator_to_choose(client, db, settings):
    robin = await staff(client, db, settings)
    sam, request = await seeker_with_request(client, "sam", [(1, "going_through")])
    uma, other = await seeker_with_request(client, "uma", [(1, "going_through")])
    assert request["coordinator_chooses"] is False
    asked = await client.put(
        f"/api/v1/support-requests/{request['id']}/coordinator-choice",
        json={"ask": True},
        headers=sam.headers,
    )
    assert asked.status_code == 200 and asked.json()["coordinator_chooses"] is True
    # Nobody else can ask for Sam.
    theirs = await client.put(
        f"/api/v1/support-requests/{request['id']}/coordinator-choice",
        json={"ask": False},
        headers=uma.headers,
    )
    assert theirs.status_code == 404
    waiting = await client.get("/api/v1/coordination/waiting-list", headers=robin.headers)
    flags = {r["id"]: r["coordinator_chooses"] for r in waiting.json()["data"]}
    assert flags == {request["id"]: True, other["id"]: False}
