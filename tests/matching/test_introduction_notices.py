"""No silence while waiting: the seeker is told the supporter's answer either way, and a
"no" only ever reads as "not available right now"; the PWA header counts unread notices."""

from datetime import timedelta

from sqlalchemy import update

from api.common import utcnow
from api.relationships.models import Relationship
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import staff
from tests.relationships.forms import web_login

GOING, FURTHER = "going_through", "further_along"


async def choose(client, seeker, request, supporter) -> dict:
    chosen = await client.post(
        f"/api/v1/support-requests/{request['id']}/choice",
        json={"supporter_id": str(supporter.id)},
        headers=seeker.headers,
    )
    assert chosen.status_code == 201, chosen.text
    return chosen.json()


async def notices(client, person) -> list[dict]:
    response = await client.get("/api/v1/notices?limit=100", headers=person.headers)
    assert response.status_code == 200
    return response.json()["data"]


async def test_the_seeker_is_told_when_the_supporter_says_yes(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    intro = await choose(client, sam, request, bob)
    assert [n["kind"] for n in await notices(client, sam)] == []
    await client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=bob.headers)
    told = await notices(client, sam)
    assert [n["kind"] for n in told] == ["introduction_accepted"]
    assert told[0]["text"].startswith("Bob would be glad to support you.")
    # Bob did it: he is not told about his own answer.
    assert "introduction_accepted" not in [n["kind"] for n in await notices(client, bob)]


async def test_a_no_reads_as_not_available_right_now(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    intro = await choose(client, sam, request, bob)
    await client.post(f"/api/v1/introductions/{intro['id']}/decline", headers=bob.headers)
    told = await notices(client, sam)
    assert [n["kind"] for n in told] == ["introduction_not_available"]
    assert "not available right now" in told[0]["text"]
    assert "declin" not in told[0]["text"].lower() and "Bob" not in told[0]["text"]


async def test_a_no_to_a_coordinators_suggestion_never_says_the_seeker_chose(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    proposed = await client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": request["id"], "supporter_id": str(bob.id)},
        headers=robin.headers,
    )
    assert proposed.status_code == 201, proposed.text
    await client.post(f"/api/v1/introductions/{proposed.json()['id']}/decline", headers=bob.headers)
    told = (await notices(client, sam))[0]["text"]
    assert "a coordinator suggested for you is not available right now" in told
    assert "you chose" not in told and "Bob" not in told


async def test_an_introduction_that_expires_is_told_once(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    await choose(client, sam, request, bob)
    await db.execute(update(Relationship).values(expires_at=utcnow() - timedelta(minutes=1)))
    await db.commit()
    for _ in range(2):
        await client.get("/api/v1/support-requests/current", headers=sam.headers)
    told = await notices(client, sam)
    assert [n["kind"] for n in told] == ["introduction_not_available"]


async def test_the_header_counts_unread_notices(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    intro = await choose(client, sam, request, bob)
    await web_login(client, sam.email)
    page = await client.get("/")
    assert 'aria-label="Notices"' in page.text and "unread-count" not in page.text
    await client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=bob.headers)
    page = await client.get("/")
    assert 'aria-label="Notices, 1 unread"' in page.text
    notice = (await notices(client, sam))[0]
    await client.post(f"/api/v1/notices/{notice['id']}/read", headers=sam.headers)
    page = await client.get("/")
    assert 'aria-label="Notices"' in page.text
