"""The waiting list, a page at a time: first in line, then the longest waiting; a stable order
across pages even when someone leaves the list meanwhile; limits and cursors checked."""

from datetime import timedelta
from uuid import UUID, uuid4

from sqlalchemy import update

from api.common import utcnow
from api.matching.models import SupportRequest
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import staff

GOING, FURTHER = "going_through", "further_along"
URL = "/api/v1/coordination/waiting-list"


async def _page(client, robin, **params):
    response = await client.get(URL, params=params, headers=robin.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_waiting_list_pages_in_a_stable_order(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    made = []
    for n, name in enumerate(["ann", "ben", "cat", "dan", "eve"]):
        person, request = await seeker_with_request(client, name, [(1, GOING)])
        made.append((person, request))
        # Waiting since 10, 9, 8, … days ago: Ann has waited longest.
        await db.execute(
            update(SupportRequest)
            .where(SupportRequest.id == UUID(request["id"]))
            .values(created_at=utcnow() - timedelta(days=10 - n))
        )
        await db.commit()
    # Dan's supporter never answered: he was put first in line.
    await db.execute(
        update(SupportRequest)
        .where(SupportRequest.id == UUID(made[3][1]["id"]))
        .values(first_in_line_at=utcnow() - timedelta(hours=1))
    )
    await db.commit()
    asked = await client.put(
        f"/api/v1/support-requests/{made[2][1]['id']}/coordinator-choice",
        json={"ask": True},
        headers=made[2][0].headers,
    )
    assert asked.status_code == 200

    first = await _page(client, robin, limit=2)
    assert [w["seeker_display_name"] for w in first["data"]] == ["Dan", "Ann"]
    assert first["has_more"] is True
    dan, ann = first["data"]
    assert dan["first_in_line"] is True and ann["first_in_line"] is False
    assert ann["days_waiting"] == 10 and ann["experiences"] == ["Depression"]
    assert ann["id"] == made[0][1]["id"] and ann["seeker_id"] == str(made[0][0].id)

    # Ben is proposed a match between pages: the next page carries on after Ann regardless.
    proposed = await client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": made[1][1]["id"], "supporter_id": str(bob.id)},
        headers=robin.headers,
    )
    assert proposed.status_code == 201
    second = await _page(client, robin, limit=2, starting_after=ann["id"])
    assert [w["seeker_display_name"] for w in second["data"]] == ["Cat", "Eve"]
    assert second["data"][0]["coordinator_chooses"] is True
    assert second["has_more"] is False
    # Paging from the one first in line, and everything at once.
    after_dan = await _page(client, robin, limit=1, starting_after=dan["id"])
    assert [w["seeker_display_name"] for w in after_dan["data"]] == ["Ann"]
    whole = await _page(client, robin, limit=100)
    assert [w["seeker_display_name"] for w in whole["data"]] == ["Dan", "Ann", "Cat", "Eve"]
    assert whole["has_more"] is False


async def test_limits_and_cursors_are_checked(client, db, settings):
    robin = await staff(client, db, settings)
    for limit in (0, 101):
        refused = await client.get(URL, params={"limit": limit}, headers=robin.headers)
        assert refused.status_code == 422, limit
        assert refused.headers["content-type"] == "application/problem+json"
    unknown = await client.get(URL, params={"starting_after": str(uuid4())}, headers=robin.headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "starting_after"
    empty = await _page(client, robin)
    assert empty == {"data": [], "has_more": False}
