"""Each replica's pool: large pools are rebuilt in another process while the old one serves."""

from api.matching import index as index_module
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import staff

FURTHER, GOING = "further_along", "going_through"


async def _ids(client, seeker, request) -> set[str]:
    response = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist?k=20", headers=seeker.headers
    )
    assert response.status_code == 200, response.text
    return {c["supporter_id"] for c in response.json()}


async def test_a_large_pool_is_rebuilt_aside_while_the_old_one_serves(
    client, db, settings, app, monkeypatch
):
    robin = await staff(client, db, settings)
    first = await ready_supporter(client, robin, "first", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    assert await _ids(client, sam, request) == {str(first.id)}
    index = app.state.matching_index
    built = index.snapshot
    # Pretend the pool is large: the next rebuild goes to another process.
    monkeypatch.setattr(index_module, "BACKGROUND_FROM", 0)
    second = await ready_supporter(client, robin, "second", [(1, FURTHER)])
    # The new supporter is noticed; meanwhile the old snapshot keeps answering.
    assert await _ids(client, sam, request) == {str(first.id)}
    assert index._background is not None
    await index._background
    assert index.snapshot is not built
    assert len(index.snapshot.pool) == 2
    assert await _ids(client, sam, request) == {str(first.id), str(second.id)}


async def test_profile_edits_are_respected_before_the_pool_catches_up(
    client, db, settings, app, monkeypatch
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], languages=["en", "de"])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    dana, dana_request = await seeker_with_request(client, "dana", [(1, GOING)], languages=["de"])
    assert await _ids(client, sam, request) == {str(bob.id)}
    # The pool keeps Bob's old profile and offers aren't re-read meanwhile.
    monkeypatch.setattr(app.state.matching_index, "rebuild_seconds", 3600)
    monkeypatch.setattr(app.state.matching_index, "sync_seconds", 3600)
    profile = (await client.get("/api/v1/profile", headers=bob.headers)).json()
    for derived in ("user_id", "display_name", "updated_at"):
        del profile[derived]
    changed = await client.put(
        "/api/v1/profile", json={**profile, "languages": ["de"]}, headers=bob.headers
    )
    assert changed.status_code == 200, changed.text
    assert await _ids(client, sam, request) == set()
    # Only Sam lost a language in common with Bob: he is still there for Dana.
    assert await _ids(client, dana, dana_request) == {str(bob.id)}


async def test_who_can_take_no_one_new_is_marked_unavailable_in_the_snapshot(
    client, db, settings, app, monkeypatch
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    carl = await ready_supporter(client, robin, "carl", [(1, FURTHER)], languages=["en", "de"])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)], languages=["en"])
    dana, dana_request = await seeker_with_request(client, "dana", [(1, GOING)], languages=["de"])
    assert await _ids(client, sam, request) == {str(bob.id), str(carl.id)}
    index = app.state.matching_index
    # Offers aren't re-read meanwhile: only the final database check sees the pause.
    monkeypatch.setattr(index, "sync_seconds", 3600)
    paused = await client.patch(
        "/api/v1/supporter-offer", json={"paused": True}, headers=bob.headers
    )
    assert paused.status_code == 200, paused.text
    # Dana shares no language with Bob: his row is left out for her request only...
    assert await _ids(client, dana, dana_request) == {str(carl.id)}
    snapshot = index.snapshot
    assert snapshot.pool.eligible[snapshot.row_of(bob.id)]
    # ...while Sam's shortlist asks the database about him, which says he is paused.
    assert await _ids(client, sam, request) == {str(carl.id)}
    assert index.snapshot is snapshot
    assert not snapshot.pool.eligible[snapshot.row_of(bob.id)]
    assert snapshot.pool.eligible[snapshot.row_of(carl.id)]


async def test_who_shares_no_language_with_one_seeker_stays_available_to_others(
    client, db, settings, app, monkeypatch
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], languages=["en", "de"])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    dana, dana_request = await seeker_with_request(client, "dana", [(1, GOING)], languages=["de"])
    assert await _ids(client, sam, request) == {str(bob.id)}
    index = app.state.matching_index
    monkeypatch.setattr(index, "rebuild_seconds", 3600)
    monkeypatch.setattr(index, "sync_seconds", 3600)
    profile = (await client.get("/api/v1/profile", headers=bob.headers)).json()
    for derived in ("user_id", "display_name", "updated_at"):
        del profile[derived]
    changed = await client.put(
        "/api/v1/profile", json={**profile, "languages": ["de"]}, headers=bob.headers
    )
    assert changed.status_code == 200, changed.text
    assert await _ids(client, sam, request) == set()
    # Sam's request left Bob out, the shared snapshot did not.
    snapshot = index.snapshot
    assert snapshot.pool.eligible[snapshot.row_of(bob.id)]
    assert await _ids(client, dana, dana_request) == {str(bob.id)}
