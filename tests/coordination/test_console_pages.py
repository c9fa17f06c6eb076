"""The console's pages: a coordinator lands on them; a peer is refused; no inline code."""

import re

from tests.safety.helpers import active_pair, relationship, rid
from tests.web.pages import log_in, token

PAGES = [
    "/coordinator",
    "/coordinator/concerns",
    "/coordinator/waiting",
    "/coordinator/supporters",
    "/coordinator/relationships",
    "/coordinator/statistics",
    "/coordinator/settings",
]


async def test_a_coordinator_lands_on_the_console_and_every_page_renders(client, db, settings):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.coordinator.email)
    home = await client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/coordinator"
    peer_view = await client.get("/?view=peer")
    assert peer_view.status_code == 200 and "Coordinator console" in peer_view.text
    for path in [*PAGES, f"/coordinator/relationships/{rid(pair)}"]:
        page = await client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert " style=" not in page.text, path
        assert not re.search(r"<script(?![^>]*\ssrc=)", page.text), path
        assert 'href="/crisis"' in page.text, path


async def test_a_peer_cannot_open_the_console(client, db, settings):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.seeker.email)
    for path in PAGES:
        assert (await client.get(path)).status_code == 403, path


async def test_safety_actions_from_a_relationships_page_are_recorded_and_need_a_reason(
    client, db, settings
):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.coordinator.email)
    url = f"/coordinator/relationships/{rid(pair)}"
    page = await client.get(url)
    assert "Pause for safety" in page.text and "Safeguarding access" in page.text
    form = {"csrf_token": await token(client, url)}
    no_reason = await client.post(f"{url}/pause", data={**form, "reason": " "})
    assert no_reason.status_code == 422 and "Record the reason" in no_reason.text
    paused = await client.post(
        f"{url}/pause", data={**form, "reason": "A concern was raised today"}
    )
    assert paused.status_code == 303
    assert paused.headers["location"] == f"{url}?done=pause"
    shown = await client.get(paused.headers["location"])
    assert "Paused for safety" in shown.text and "Lift the pause" in shown.text
    health = await client.get(
        f"/api/v1/coordination/relationships/{rid(pair)}/safety",
        headers=pair.coordinator.headers,
    )
    assert health.json()["safety_hold"] is True and health.json()["state"] == "paused"
    access = await client.post(
        f"{url}/access", data={**form, "reason": "A concern about risk to life", "minutes": 30}
    )
    assert access.status_code == 303
    lifted = await client.post(f"{url}/lift", data=form)
    assert lifted.status_code == 303
    unknown = await client.post(f"{url}/shout", data=form)
    assert unknown.status_code == 404
    without_token = await client.post(f"{url}/end", data={"reason": "x"})
    assert without_token.status_code == 403
    assert (await relationship(db, pair)).state == "paused"  # lifting needs both to agree


async def test_statistics_download_with_the_browser_session_and_concerns_assigned_to_me(
    client, db, settings
):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.coordinator.email)
    csv = await client.get("/coordinator/statistics/introductions.csv?months=3")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    api = await client.get(
        "/api/v1/coordination/statistics/introductions.csv?months=3",
        headers=pair.coordinator.headers,
    )
    assert csv.text == api.text and len(csv.text.splitlines()) == 4
    assert (await client.get("/coordinator/statistics/people.csv")).status_code == 404
    raised = await client.post(
        f"/api/v1/relationships/{rid(pair)}/concerns",
        json={"kind": "other"},
        headers=pair.seeker.headers,
    )
    mine = await client.get("/coordinator/concerns?mine=true")
    assert "Nothing assigned to you is open." in mine.text
    await client.patch(
        f"/api/v1/coordination/concerns/{raised.json()['id']}",
        json={"assigned_to": str(pair.coordinator.id)},
        headers=pair.coordinator.headers,
    )
    mine = await client.get("/coordinator/concerns?mine=true")
    assert raised.json()["id"] in mine.text


async def test_a_peer_cannot_download_or_act_from_the_console(client, db, settings):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.seeker.email)
    url = f"/coordinator/relationships/{rid(pair)}"
    assert (await client.get(url)).status_code == 403
    assert (await client.get("/coordinator/statistics/waiting.csv")).status_code == 403
    form = {"csrf_token": await token(client), "reason": "x"}
    assert (await client.post(f"{url}/end", data=form)).status_code == 403
    assert (await relationship(db, pair)).state == "active"


async def test_crisis_resources_and_experiences_are_edited_from_the_settings_page(
    client, db, settings
):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.coordinator.email)
    csrf = await token(client, "/coordinator/settings")
    rows = {
        "csrf_token": csrf,
        "name": ["Samaritans", ""],
        "phone": ["116 123", ""],
        "text": ["", ""],
        "url": ["", ""],
        "description": ["Someone to talk to", ""],
        "hours": ["24 hours a day, every day", ""],
    }
    saved = await client.post("/coordinator/settings/crisis-resources", data=rows)
    assert saved.status_code == 303, saved.text
    crisis = await client.get("/crisis")
    assert "Samaritans" in crisis.text and "Shout" not in crisis.text
    no_way = await client.post(
        "/coordinator/settings/crisis-resources",
        data={**rows, "name": ["Nobody", ""], "phone": ["", ""]},
    )
    assert no_way.status_code == 422 and "phone number, a text line or a website" in no_way.text
    page = await client.get("/coordinator/settings")
    assert "changed crisis resources" in page.text
    category = re.search(r'<option value="(\d+)">', page.text)
    assert category
    added = await client.post(
        "/coordinator/settings/experiences",
        data={
            "csrf_token": csrf,
            "category_id": category[1],
            "label": "Loss of a twin",
            "phrase": "losing a twin",
        },
    )
    assert added.status_code == 303
    taxonomy = (await client.get("/api/v1/taxonomy", headers=pair.seeker.headers)).json()
    tag = next(t for c in taxonomy for t in c["tags"] if t["label"] == "Loss of a twin")
    retired = await client.post(
        f"/coordinator/settings/experiences/{tag['id']}",
        data={"csrf_token": csrf, "retired": "true"},
    )
    assert retired.status_code == 303
    taxonomy = (await client.get("/api/v1/taxonomy", headers=pair.seeker.headers)).json()
    assert all(t["label"] != "Loss of a twin" for c in taxonomy for t in c["tags"])
    assert "Bring back Loss of a twin" in (await client.get("/coordinator/settings")).text
