from sqlalchemy import select

from api.relationships.models import Relationship
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import peer, staff

GOING, FURTHER = "going_through", "further_along"


async def _shortlist(client, seeker, request, k=5):
    response = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist?k={k}", headers=seeker.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_shortlist_ranks_shared_experience_first_and_explains_why(client, db, settings):
    robin = await staff(client, db, settings)
    close = await ready_supporter(client, robin, "close", [(1, FURTHER), (2, FURTHER)])
    related = await ready_supporter(client, robin, "related", [(3, FURTHER)])
    unrelated = await ready_supporter(client, robin, "unrelated", [(60, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    found = await _shortlist(client, sam, request)
    order = [c["supporter_id"] for c in found]
    # Shared experience first, then a related one; nobody with nothing in common is suggested.
    assert order == [str(close.id), str(related.id)]
    assert str(unrelated.id) not in order
    top = found[0]
    assert any(r.startswith("They have been through") for r in top["reasons"])
    assert any("free on" in r for r in top["reasons"])
    assert any("You can both use" in r for r in top["reasons"])
    assert top["shared_channels"] == ["chat", "video"]


async def test_the_shortlist_shows_nothing_private(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(
        client, robin, "bob", [(1, FURTHER)], gender="man", age_band="35-44"
    )
    words = "The night my mother died I sat in the car park for hours"
    await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": FURTHER, "description": words}],
        headers=bob.headers,
    )
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    response = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist", headers=sam.headers
    )
    text = response.text
    assert str(bob.id) in text
    for private in (words, "car park", bob.email, "35-44", "man", "Europe/London"):
        assert private not in text, private
    assert set(response.json()[0]) == {
        "supporter_id",
        "display_name",
        "pronouns",
        "languages",
        "shared_channels",
        "score",
        "reasons",
    }


async def test_hard_filters_language_channel_time_pause_capacity_and_self(client, db, settings):
    robin = await staff(client, db, settings)
    french = await ready_supporter(client, robin, "french", [(1, FURTHER)], languages=["fr"])
    phone = await ready_supporter(client, robin, "phone", [(1, FURTHER)], channels=["phone"])
    mornings = await ready_supporter(
        client,
        robin,
        "mornings",
        [(1, FURTHER)],
        availability=[{"weekday": 1, "start": "07:00", "end": "09:00"}],
    )
    paused = await ready_supporter(client, robin, "paused", [(1, FURTHER)])
    await client.patch("/api/v1/supporter-offer", json={"paused": True}, headers=paused.headers)
    ok = await ready_supporter(client, robin, "ok", [(1, FURTHER)], languages=["en", "fr"])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    ids = {c["supporter_id"] for c in await _shortlist(client, sam, request, k=20)}
    assert ids == {str(ok.id)}
    # A pause made a moment ago is respected at once; so is un-pausing.
    await client.patch("/api/v1/supporter-offer", json={"paused": True}, headers=ok.headers)
    assert await _shortlist(client, sam, request) == []
    await client.patch("/api/v1/supporter-offer", json={"paused": False}, headers=paused.headers)
    ids = {c["supporter_id"] for c in await _shortlist(client, sam, request)}
    assert ids == {str(paused.id)}
    assert {str(french.id), str(phone.id), str(mornings.id)}.isdisjoint(ids)


async def test_time_overlap_is_computed_across_time_zones(client, db, settings):
    robin = await staff(client, db, settings)
    # 13:00-16:00 in New York is 18:00-21:00 in London (outside the weeks the clocks differ).
    ny = await ready_supporter(
        client,
        robin,
        "ny",
        [(1, FURTHER)],
        timezone="America/New_York",
        availability=[{"weekday": d, "start": "13:00", "end": "16:00"} for d in (1, 3)],
    )
    tokyo = await ready_supporter(
        client,
        robin,
        "tokyo",
        [(1, FURTHER)],
        timezone="Asia/Tokyo",
        availability=[{"weekday": d, "start": "13:00", "end": "16:00"} for d in (1, 3)],
    )
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    ids = [c["supporter_id"] for c in await _shortlist(client, sam, request)]
    assert ids == [str(ny.id)]
    assert str(tokyo.id) not in ids


async def test_soft_preferences_reorder_but_never_filter(client, db, settings):
    robin = await staff(client, db, settings)
    man = await ready_supporter(client, robin, "man", [(1, FURTHER)], gender="man")
    woman = await ready_supporter(client, robin, "woman", [(1, FURTHER)], gender="woman")
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)], {"gender": "woman"})
    found = await _shortlist(client, sam, request)
    assert [c["supporter_id"] for c in found] == [str(woman.id), str(man.id)]
    assert any("gender" in r for r in found[0]["reasons"])
    uma, other = await seeker_with_request(client, "uma", [(1, GOING)], {"gender": "man"})
    assert (await _shortlist(client, uma, other))[0]["supporter_id"] == str(man.id)


async def test_a_request_needs_a_profile_and_own_experiences(client):
    alice = await peer(client, "alice")
    no_profile = await client.post(
        "/api/v1/support-requests", json={"tag_ids": [1]}, headers=alice.headers
    )
    assert no_profile.status_code == 409
    sam, _ = await seeker_with_request(client, "sam", [(1, GOING)])
    not_mine = await client.post(
        "/api/v1/support-requests", json={"tag_ids": [2]}, headers=sam.headers
    )
    assert not_mine.status_code == 422
    assert not_mine.json()["errors"][0]["field"] == "tag_ids[0]"


async def test_nobody_else_can_see_or_use_my_request(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    _sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    eve = await peer(client, "eve")
    path = f"/api/v1/support-requests/{request['id']}"
    assert (await client.get(f"{path}/shortlist", headers=eve.headers)).status_code == 404
    choice = await client.post(
        f"{path}/choice", json={"supporter_id": str(bob.id)}, headers=eve.headers
    )
    assert choice.status_code == 404
    assert (await client.delete(path, headers=eve.headers)).status_code == 404
    assert (await db.execute(select(Relationship))).first() is None
    # Coordinators use their own routes; a peer on them gets 403.
    assert (
        await client.get("/api/v1/coordination/waiting-list", headers=eve.headers)
    ).status_code == 403
