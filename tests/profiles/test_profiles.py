from sqlalchemy import select

from api.profiles.models import PersonExperience, Profile
from tests.personas import peer, staff

PROFILE = {
    "pronouns": "she/her",
    "languages": ["en", "fr"],
    "timezone": "Europe/London",
    "availability": [
        {"weekday": 1, "start": "18:00", "end": "21:00"},
        {"weekday": 5, "start": "10:00", "end": "12:00"},
    ],
    "channels": ["chat", "video"],
    "topics_to_avoid": ["religion"],
}


async def test_a_peer_saves_and_reads_their_profile(client):
    alice = await peer(client, "alice")
    assert (await client.get("/api/v1/profile", headers=alice.headers)).status_code == 404
    saved = await client.put("/api/v1/profile", json=PROFILE, headers=alice.headers)
    assert saved.status_code == 200, saved.text
    body = (await client.get("/api/v1/profile", headers=alice.headers)).json()
    assert body["timezone"] == "Europe/London" and body["channels"] == ["chat", "video"]
    assert body["availability"][0] == {"weekday": 1, "start": "18:00", "end": "21:00"}
    assert body["age_band"] is None and body["display_name"] == "Alice"


async def test_bad_profiles_are_refused_field_by_field_and_nothing_is_stored(client, db):
    alice = await peer(client, "alice")
    bad = {
        **PROFILE,
        "timezone": "Mars/Olympus",
        "availability": [
            {"weekday": 1, "start": "18:00", "end": "21:00"},
            {"weekday": 1, "start": "20:00", "end": "22:00"},
        ],
    }
    response = await client.put("/api/v1/profile", json=bad, headers=alice.headers)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"timezone", "availability[1]"}
    for field, value in (
        ("languages", ["English"]),
        ("channels", ["carrier pigeon"]),
        ("availability", [{"weekday": 7, "start": "10:00", "end": "11:00"}]),
        ("availability", [{"weekday": 2, "start": "11:00", "end": "10:00"}]),
        ("age_band", "42"),
    ):
        response = await client.put(
            "/api/v1/profile", json={**PROFILE, field: value}, headers=alice.headers
        )
        assert response.status_code == 422, (field, value)
        assert response.json()["errors"][0]["field"].startswith(field)
    assert (await db.execute(select(Profile))).first() is None


async def test_own_words_are_encrypted_at_rest_and_shown_only_to_their_author(client, db):
    alice = await peer(client, "alice")
    words = "My dad died suddenly in the spring; nobody at work knew what to say."
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[
            {"tag_id": 1, "stage": "further_along", "description": words},
            {"tag_id": 2, "stage": "going_through", "willing_to_talk": False},
        ],
        headers=alice.headers,
    )
    assert saved.status_code == 200, saved.text
    items = {e["tag_id"]: e for e in saved.json()}
    assert items[1]["description"] == words and items[2]["description"] is None
    assert items[2]["willing_to_talk"] is False
    stored = (
        await db.execute(select(PersonExperience).where(PersonExperience.tag_id == 1))
    ).scalar_one()
    assert words.encode() not in stored.description_sealed
    assert b"dad" not in stored.description_sealed


async def test_unknown_duplicate_or_retired_experiences_are_refused(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    unknown = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 999999, "stage": "going_through"}],
        headers=alice.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "experiences[0].tag_id"
    twice = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 4, "stage": "going_through"}, {"tag_id": 4, "stage": "further_along"}],
        headers=alice.headers,
    )
    assert twice.status_code == 422
    await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 5, "stage": "going_through"}],
        headers=alice.headers,
    )
    for tag_id in (5, 6):
        retired = await client.patch(
            f"/api/v1/coordination/taxonomy/tags/{tag_id}",
            json={"retired": True},
            headers=robin.headers,
        )
        assert retired.status_code == 200
    # Alice keeps tag 5 (retired after she chose it) but nobody can newly choose tag 6.
    keep = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 5, "stage": "further_along"}],
        headers=alice.headers,
    )
    assert keep.status_code == 200 and keep.json()[0]["retired"] is True
    new = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 6, "stage": "going_through"}],
        headers=alice.headers,
    )
    assert new.status_code == 422
    assert "no longer" in new.json()["errors"][0]["message"]


async def test_the_taxonomy_is_data_that_coordinators_edit(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    taxonomy = (await client.get("/api/v1/taxonomy", headers=alice.headers)).json()
    assert len(taxonomy) >= 12 and sum(len(c["tags"]) for c in taxonomy) >= 80
    category_id = taxonomy[0]["id"]
    added = await client.post(
        "/api/v1/coordination/taxonomy/tags",
        json={"category_id": category_id, "label": "Loss of a twin", "phrase": "losing a twin"},
        headers=robin.headers,
    )
    assert added.status_code == 201
    tag = added.json()
    assert tag["slug"] == "loss-of-a-twin"
    renamed = await client.patch(
        f"/api/v1/coordination/taxonomy/tags/{tag['id']}",
        json={"label": "Losing a twin"},
        headers=robin.headers,
    )
    assert renamed.json()["label"] == "Losing a twin" and renamed.json()["slug"] == "loss-of-a-twin"
    await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": tag["id"], "stage": "going_through"}],
        headers=alice.headers,
    )
    await client.patch(
        f"/api/v1/coordination/taxonomy/tags/{tag['id']}",
        json={"retired": True},
        headers=robin.headers,
    )
    listed = (await client.get("/api/v1/taxonomy", headers=alice.headers)).json()
    assert tag["id"] not in {t["id"] for c in listed for t in c["tags"]}
    mine = (await client.get("/api/v1/profile/experiences", headers=alice.headers)).json()
    assert mine[0]["tag_label"] == "Losing a twin" and mine[0]["retired"] is True


async def test_peers_cannot_edit_the_taxonomy(client):
    alice = await peer(client, "alice")
    response = await client.post(
        "/api/v1/coordination/taxonomy/tags",
        json={"category_id": 1, "label": "Something", "phrase": "something"},
        headers=alice.headers,
    )
    assert response.status_code == 403
    patch = await client.patch(
        "/api/v1/coordination/taxonomy/tags/1", json={"retired": True}, headers=alice.headers
    )
    assert patch.status_code == 403
