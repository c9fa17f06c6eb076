"""My safety plan: mine alone (never the other person's, never a coordinator's to read), sealed
at rest, in my export, gone with my account; one tap from every page, and usable without
JavaScript."""

import html

from sqlalchemy import text

from tests.personas import PASSWORD, peer
from tests.relationships.forms import change, csrf_token, form_fields, web_login
from tests.safety.helpers import active_pair

SIGNS = "Not sleeping, and cancelling plans with Priya."
REASONS = "My daughter Ellie, and the allotment in spring."
PLAN = {
    "warning_signs": SIGNS,
    "things_that_help": "A long walk by the canal; loud music.",
    "people_and_places": "My sister (07700 900123); the library.",
    "professional_contacts": "Dr Rao at the surgery, 0161 496 0000.",
    "reasons_to_keep_going": REASONS,
}
WHERE = "/api/v1/me/safety-plan"


async def test_i_write_and_read_my_own_plan_and_it_is_sealed(client, db, settings):
    sam = await peer(client, "sam")
    empty = await client.get(WHERE, headers=sam.headers)
    assert empty.status_code == 200
    assert empty.json()["warning_signs"] == "" and empty.json()["updated_at"] is None
    saved = await client.put(WHERE, json=PLAN, headers=sam.headers)
    assert saved.status_code == 200, saved.text
    again = (await client.get(WHERE, headers=sam.headers)).json()
    assert {k: again[k] for k in PLAN} == PLAN and again["updated_at"]
    # Sections left out are saved blank; unknown ones are refused.
    partial = await client.put(WHERE, json={"warning_signs": SIGNS}, headers=sam.headers)
    assert partial.json()["reasons_to_keep_going"] == ""
    assert (
        await client.put(WHERE, json={"diagnosis": "x"}, headers=sam.headers)
    ).status_code == 422
    too_long = await client.put(WHERE, json={"warning_signs": "a" * 2001}, headers=sam.headers)
    assert too_long.status_code == 422
    # At rest it is sealed: the words are nowhere in the row.
    raw = (await db.execute(text("SELECT sections_sealed FROM safety_plan"))).scalars().all()
    assert len(raw) == 1 and SIGNS.encode() not in bytes(raw[0])


async def test_nobody_else_ever_reads_my_plan_coordinators_included(client, db, settings):
    pair = await active_pair(client, db, settings)
    assert (await client.put(WHERE, json=PLAN, headers=pair.seeker.headers)).status_code == 200
    coordinator, bob = pair.coordinator, pair.supporter
    # Each principal only ever reaches their own (empty) plan.
    for other in (coordinator, bob):
        theirs = await client.get(WHERE, headers=other.headers)
        assert theirs.status_code == 200 and SIGNS not in theirs.text
    # A coordinator with a recorded safeguarding access still never sees it.
    granted = await client.post(
        "/api/v1/coordination/safeguarding-access",
        json={"relationship_id": str(pair.relationship_id), "reason": "A concern was raised."},
        headers=coordinator.headers,
    )
    assert granted.status_code == 201, granted.text
    base = f"/api/v1/coordination/relationships/{pair.relationship_id}"
    for path in (f"{base}/own-words", f"{base}/messages", f"{base}/safety"):
        seen = await client.get(path, headers=coordinator.headers)
        assert seen.status_code == 200, (path, seen.text)
        assert SIGNS not in seen.text and REASONS not in seen.text
    # Nor any route that takes someone's id: there is none for a plan.
    openapi = (await client.get("/openapi.json")).json()
    assert [p for p in openapi["paths"] if "safety-plan" in p] == [WHERE]
    # Bob's export has his own (empty) plan, not Sam's.
    his = (await client.get("/api/v1/me/export", headers=bob.headers)).json()
    assert his["safety_plan"]["warning_signs"] == ""


async def test_my_plan_is_in_my_export_and_goes_with_my_account(client, db, settings):
    sam = await peer(client, "sam")
    await client.put(WHERE, json=PLAN, headers=sam.headers)
    data = (await client.get("/api/v1/me/export", headers=sam.headers)).json()
    assert {k: data["safety_plan"][k] for k in PLAN} == PLAN
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=sam.headers
    )
    assert gone.status_code == 204
    assert (await db.execute(text("SELECT count(*) FROM safety_plan"))).scalar() == 0


async def test_the_plan_page_works_without_javascript_and_is_a_tap_from_every_page(client):
    sam = await peer(client, "sam")
    await web_login(client, sam.email)
    home = await client.get("/")
    assert 'href="/safety-plan"' in home.text and 'href="/crisis"' in home.text
    crisis = await client.get("/crisis")
    assert "Start my safety plan" in crisis.text
    page = await client.get("/safety-plan")
    assert page.status_code == 200 and "only you can see it" in page.text
    assert page.headers["cache-control"] == "no-store"
    fields = change(
        form_fields(page.text, "/safety-plan"),
        warning_signs=SIGNS,
        reasons_to_keep_going=REASONS,
    )
    saved = await client.post("/safety-plan", data=dict(fields))
    assert saved.status_code == 303 and saved.headers["location"] == "/safety-plan?saved=true"
    shown = await client.get(saved.headers["location"])
    assert SIGNS in html.unescape(shown.text) and "Change my plan" in shown.text
    assert "Saved." in shown.text
    assert "Open my safety plan" in (await client.get("/crisis")).text
    # Too long: the words come back with a message beside the field, nothing is lost.
    editing = await client.get("/safety-plan?edit=true")
    long = change(form_fields(editing.text, "/safety-plan"), things_that_help="a" * 2001)
    refused = await client.post("/safety-plan", data=dict(long))
    assert refused.status_code == 422 and "under 2000 characters" in refused.text
    assert SIGNS in html.unescape(refused.text)
    # Without a login the page asks for one; the form needs its CSRF token.
    assert csrf_token(editing.text)
