"""Relationships through the API: mine in both roles, the state machine, only the two see it."""

import pytest
from sqlalchemy import func, select

from api.auth.models import Role
from api.errors import Conflict
from api.relationships import lifecycle
from api.relationships.models import (
    AgreementVersion,
    Relationship,
    RelationshipEvent,
    State,
)
from api.supporters.models import SupporterOffer
from tests.factories import agreeable_terms, agreeing_pair, as_of
from tests.personas import peer, staff

PROBLEM = "application/problem+json"


async def _make_active(client, pair):
    proposed = await client.post(
        f"{pair.base}/agreement/proposals",
        json=agreeable_terms(),
        headers=as_of(pair.supporter, '"0"'),
    )
    assert proposed.status_code == 201, proposed.text
    agreed = await client.post(
        f"{pair.base}/agreement/versions/1/consent", headers=as_of(pair.seeker, '"1"')
    )
    assert agreed.status_code == 200, agreed.text


async def _snapshot(db, relationship_id):
    relationship = await db.get(Relationship, relationship_id, populate_existing=True)
    events = await db.scalar(
        select(func.count())
        .select_from(RelationshipEvent)
        .where(RelationshipEvent.relationship_id == relationship_id)
    )
    versions = await db.scalar(select(func.count()).select_from(AgreementVersion))
    return (relationship.state, relationship.agreement_revision, events, versions)


async def test_each_person_lists_their_relationships_in_both_roles(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    for person, role, other in (
        (pair.seeker, "seeker", "Bob"),
        (pair.supporter, "supporter", "Sam"),
    ):
        listed = await client.get("/api/v1/relationships", headers=person.headers)
        assert listed.status_code == 200
        [item] = listed.json()["data"]
        assert item["id"] == str(pair.relationship_id) and item["my_role"] == role
        assert item["other"]["display_name"] == other and item["state"] == "agreeing"
        assert item["state_text"] == "agreeing terms"
        assert set(item["other"]) == {
            "role",
            "display_name",
            "pronouns",
            "timezone",
            "channels",
            "topics_to_avoid",
        }
    eve = await peer(client, "eve")
    assert (await client.get("/api/v1/relationships", headers=eve.headers)).json()["data"] == []
    anonymous = await client.get("/api/v1/relationships")
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == PROBLEM


async def test_every_illegal_transition_is_refused_and_changes_nothing(client, db, settings):
    """The state machine, exhaustively: each state, each move it doesn't allow."""
    pair = await agreeing_pair(client, db, settings)
    offer = await db.scalar(
        select(SupporterOffer).where(SupporterOffer.user_id == pair.supporter.id)
    )
    for current in State:
        relationship = await db.get(Relationship, pair.relationship_id)
        relationship.state, relationship.agreed_version = current, 1
        await db.commit()
        before = await _snapshot(db, pair.relationship_id)
        for target in State:
            if lifecycle.can_move(current, target):
                continue
            relationship = await db.get(Relationship, pair.relationship_id)
            with pytest.raises(Conflict):
                await lifecycle.move(
                    db, relationship=relationship, target=target, actor_id=pair.seeker.id
                )
            await db.rollback()
            assert await _snapshot(db, pair.relationship_id) == before, (current, target)
            await db.refresh(offer)
            assert offer.active_count == 1, (current, target)


async def test_an_ended_relationship_reads_the_same_and_nothing_changes(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    await _make_active(client, pair)
    proposed = await client.post(
        f"{pair.base}/agreement/proposals",
        json=agreeable_terms(sessions_total=9),
        headers=as_of(pair.supporter, '"2"'),
    )
    assert proposed.status_code == 201
    relationship = await db.get(Relationship, pair.relationship_id)
    await lifecycle.move(
        db,
        relationship=relationship,
        target=State.ended,
        actor_id=pair.seeker.id,
        end_kind="ended_by_person",
    )
    await db.commit()
    before = await _snapshot(db, pair.relationship_id)
    sam, bob, etag = pair.seeker, pair.supporter, '"3"'
    for method, url, person in [
        ("POST", f"{pair.base}/agreement/proposals", sam),
        ("POST", f"{pair.base}/agreement/versions/2/consent", sam),
        ("POST", f"{pair.base}/agreement/versions/2/withdraw", bob),
        ("POST", f"{pair.base}/agreement/review", sam),
    ]:
        response = await client.request(
            method, url, json=agreeable_terms(), headers=as_of(person, etag)
        )
        assert response.status_code == 409, (url, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert "ended" in response.json()["detail"]
    assert await _snapshot(db, pair.relationship_id) == before
    # Both still read their history: who ended it, and when.
    for person in (sam, bob):
        seen = (await client.get(pair.base, headers=person.headers)).json()
        assert seen["state"] == "ended" and seen["ended_at"]
        last = seen["events"][-1]
        assert (last["by"], last["from_state"], last["to_state"]) == ("seeker", "active", "ended")


async def test_an_illegal_move_through_the_api_is_a_409_problem(client, db, settings):
    """Pausing is the safety API's; the state machine still answers for it."""
    pair = await agreeing_pair(client, db, settings)
    before = await _snapshot(db, pair.relationship_id)
    response = await client.post(f"{pair.base}/pause", headers=pair.seeker.headers)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == PROBLEM
    assert await _snapshot(db, pair.relationship_id) == before


async def test_only_agreed_terms_make_a_relationship_active(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    relationship = await db.get(Relationship, pair.relationship_id)
    with pytest.raises(Conflict, match="before both agree"):
        await lifecycle.move(
            db, relationship=relationship, target=State.active, actor_id=pair.seeker.id
        )
    await db.rollback()
    assert (await _snapshot(db, pair.relationship_id))[0] == "agreeing"


def _resources(pair):
    base = pair.base
    return [
        ("GET", base),
        ("GET", f"{base}/events"),
        ("GET", f"{base}/agreement"),
        ("GET", f"{base}/agreement/template"),
        ("GET", f"{base}/agreement/versions/1"),
        ("POST", f"{base}/agreement/proposals"),
        ("POST", f"{base}/agreement/versions/1/consent"),
        ("POST", f"{base}/agreement/versions/1/withdraw"),
        ("POST", f"{base}/agreement/review"),
    ]


async def test_nobody_else_can_see_or_touch_a_relationship(client, db, settings):
    """BOLA: another peer, a coordinator and an admin get 404 on every resource."""
    pair = await agreeing_pair(client, db, settings)
    proposed = await client.post(
        f"{pair.base}/agreement/proposals",
        json=agreeable_terms(),
        headers=as_of(pair.supporter, '"0"'),
    )
    assert proposed.status_code == 201
    outsiders = [
        await peer(client, "eve"),
        pair.coordinator,
        await staff(client, db, settings, Role.admin, "ada"),
    ]
    before = await _snapshot(db, pair.relationship_id)
    for outsider in outsiders:
        assert (await client.get("/api/v1/relationships", headers=outsider.headers)).json()[
            "data"
        ] == []
        for method, url in _resources(pair):
            response = await client.request(
                method, url, json=agreeable_terms(), headers=as_of(outsider, '"1"')
            )
            assert response.status_code == 404, (outsider.name, method, url, response.text)
            assert response.headers["content-type"] == PROBLEM
            assert "Sam" not in response.text and "Bob" not in response.text
    assert await _snapshot(db, pair.relationship_id) == before
    # A relationship id that doesn't exist answers the same way.
    missing = pair.base.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    response = await client.get(missing, headers=pair.seeker.headers)
    assert response.status_code == 404


async def test_an_introduction_not_yet_accepted_is_not_a_relationship_here(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    relationship = await db.get(Relationship, pair.relationship_id)
    relationship.state = State.introduced
    await db.commit()
    for person in (pair.seeker, pair.supporter):
        assert (await client.get(pair.base, headers=person.headers)).status_code == 404
        assert (await client.get("/api/v1/relationships", headers=person.headers)).json()[
            "data"
        ] == []


async def test_every_operation_is_documented_with_examples(client):
    schema = (await client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if "relationships" in op.get("tags", [])
    ]
    assert len(operations) == 10

    def has_example(node) -> bool:
        if "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[1]]
        if "items" in node:
            return has_example(node["items"])
        return bool(node.get("examples") or node.get("example"))

    for path, method, op in operations:
        assert op.get("summary") and op.get("description"), (method, path)
        ok = op["responses"][next(c for c in op["responses"] if c.startswith("2"))]
        media = ok["content"]["application/json"]
        assert media.get("example") or has_example(media["schema"]), (method, path)
        if method == "post" and "agreement" in path:
            assert {"409", "412", "428"} <= set(op["responses"]), (method, path)
            header = [p for p in op["parameters"] if p["in"] == "header"]
            assert header and header[0]["name"] == "If-Match" and header[0]["examples"]
    body = schema["paths"]["/api/v1/relationships/{relationship_id}/agreement/proposals"]["post"]
    assert body["requestBody"]["content"]["application/json"]["examples"]["terms"]["value"]
