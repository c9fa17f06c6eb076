"""The console's lists and actions through the API: roster, suspension, relationships' health
with pagination, the concerns workflow with assignment, settings with their audit."""

from sqlalchemy import select

from api.relationships.models import Relationship, State
from api.supporters.models import SupporterOffer
from tests.personas import peer, staff
from tests.safety.helpers import active_pair, notices_of, rid

C = "/api/v1/coordination"


async def test_suspending_pauses_introductions_tells_the_seeker_kindly_and_ends_nothing(
    client, db, settings
):
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    roster = (await client.get(f"{C}/supporters", headers=robin.headers)).json()
    bob = next(e for e in roster["data"] if e["id"] == str(pair.supporter.id))
    assert (bob["places_used"], bob["capacity"], bob["status"]) == (1, 2, "approved")

    done = await client.post(f"{C}/supporters/{pair.supporter.id}/suspend", headers=robin.headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "suspended"
    again = await client.post(f"{C}/supporters/{pair.supporter.id}/suspend", headers=robin.headers)
    assert again.status_code == 409
    relationship = await db.scalar(
        select(Relationship)
        .where(Relationship.id == rid(pair))
        .execution_options(populate_existing=True)
    )
    assert relationship.state == State.active  # never ends a relationship
    told = [n["text"] for n in await notices_of(client, pair.seeker)]
    assert any("taking a break from new introductions" in t for t in told)
    assert not any("suspend" in t.lower() for t in told)
    # The supporter can't simply re-apply around it.
    reapply = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 2}, headers=pair.supporter.headers
    )
    assert reapply.status_code == 409
    back = await client.post(f"{C}/supporters/{pair.supporter.id}/reinstate", headers=robin.headers)
    assert back.json()["status"] == "approved"
    offer = await db.scalar(
        select(SupporterOffer)
        .where(SupporterOffer.user_id == pair.supporter.id)
        .execution_options(populate_existing=True)
    )
    assert offer.capacity == 2 and offer.paused is False  # their own boundaries untouched


async def test_relationships_page_through_in_a_stable_order_without_content(client, db, settings):
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    for _ in range(4):
        db.add(
            Relationship(
                seeker_id=pair.seeker.id, supporter_id=pair.supporter.id, state=State.expired
            )
        )
    await db.commit()
    seen, after = [], None
    while True:
        url = f"{C}/relationships?limit=2&sort=oldest" + (
            f"&starting_after={after}" if after else ""
        )
        page = (await client.get(url, headers=robin.headers)).json()
        seen += page["data"]
        if not page["has_more"]:
            break
        after = page["data"][-1]["id"]
    assert len(seen) == 5 and len({r["id"] for r in seen}) == 5
    active = (await client.get(f"{C}/relationships?state=active", headers=robin.headers)).json()
    assert [r["id"] for r in active["data"]] == [str(rid(pair))]
    row = active["data"][0]
    assert row["sessions_agreed"] == 6 and row["sessions_held"] == 0 and row["paused"] is False
    assert set(row) >= {
        "stalled",
        "review_due",
        "ending_soon",
        "open_concerns",
        "days_since_contact",
    }
    too_many = await client.get(f"{C}/relationships?limit=101", headers=robin.headers)
    assert too_many.status_code == 422
    timeline = await client.get(f"{C}/relationships/{rid(pair)}/timeline", headers=robin.headers)
    assert [e["what"] for e in timeline.json()][-1] == "Active"


async def test_a_concern_moves_through_triage_with_an_assignee_and_every_step_audited(
    client, db, settings
):
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    kim = await staff(client, db, settings, name="kim")
    raised = await client.post(
        f"/api/v1/relationships/{rid(pair)}/concerns",
        json={"kind": "boundary_crossed", "details": "asked for my phone number"},
        headers=pair.seeker.headers,
    )
    concern = raised.json()["id"]
    today = (await client.get(f"{C}/today", headers=robin.headers)).json()
    assert today["concerns_to_triage"]["total"] == 1
    url = f"{C}/concerns/{concern}"
    step = await client.patch(
        url, json={"status": "triaged", "assigned_to": str(kim.id)}, headers=robin.headers
    )
    assert step.status_code == 200, step.text
    assert step.json()["assigned_to_name"] == "Kim" and step.json()["status"] == "triaged"
    not_staff = await client.patch(
        url, json={"assigned_to": str(pair.seeker.id)}, headers=robin.headers
    )
    assert not_staff.status_code == 422
    await client.patch(url, json={"status": "in_progress"}, headers=kim.headers)
    done = await client.patch(
        url, json={"status": "resolved", "note": "Spoke to both."}, headers=kim.headers
    )
    actions = [(e["action"], e["to_status"]) for e in done.json()["events"]]
    assert actions == [
        ("raised", None),
        ("assigned", None),
        ("status", "triaged"),
        ("status", "in_progress"),
        ("status", "resolved"),
    ]
    mine = await client.get(f"{C}/concerns?assigned_to={kim.id}", headers=robin.headers)
    assert mine.json()["data"] == []  # resolved ones leave the queue
    today = (await client.get(f"{C}/today", headers=robin.headers)).json()
    assert today["concerns_to_triage"]["total"] == 0


async def test_settings_are_data_with_an_audit_and_crisis_resources_come_from_them(
    client, db, settings
):
    robin = await staff(client, db, settings)
    before = (await client.get(f"{C}/settings", headers=robin.headers)).json()
    assert before["crisis_resources"][0]["name"] == settings.crisis_resources[0].name
    new = [{"name": "Local crisis line", "phone": "0800 000 000"}]
    changed = await client.put(
        f"{C}/settings/crisis_resources", json={"value": new}, headers=robin.headers
    )
    assert changed.status_code == 200, changed.text
    public = await client.get("/api/v1/crisis-resources")
    assert [r["name"] for r in public.json()] == ["Local crisis line"]
    bad = await client.put(
        f"{C}/settings/introduction_ttl_hours", json={"value": 2}, headers=robin.headers
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    empty = await client.put(
        f"{C}/settings/crisis_resources", json={"value": []}, headers=robin.headers
    )
    assert empty.status_code == 422
    await client.put(
        f"{C}/settings/introduction_ttl_hours", json={"value": 48}, headers=robin.headers
    )
    history = (await client.get(f"{C}/settings-history", headers=robin.headers)).json()["data"]
    assert [(h["key"], h["changed_by"]) for h in history] == [
        ("introduction_ttl_hours", "Robin"),
        ("crisis_resources", "Robin"),
    ]
    assert history[0]["old_value"] == 72 and history[0]["new_value"] == 48
    unknown = await client.put(f"{C}/settings/nope", json={"value": 1}, headers=robin.headers)
    assert unknown.status_code == 404
    sam = await peer(client, "sam")
    assert (await client.get("/api/v1/crisis-resources", headers=sam.headers)).status_code == 200
