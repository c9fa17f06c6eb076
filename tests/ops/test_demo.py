from api import demo
from tests.personas import SECRETS, token_for


async def _headers(client, email: str) -> dict[str, str]:
    tokens = await token_for(client, email, demo.DEMO_PASSWORD)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _staff(client, db, settings, email: str) -> dict[str, str]:
    """A demo staff member signs in with the code from the secret `make run` prints."""
    SECRETS.update(await demo.staff_secrets(db, settings))
    return await _headers(client, email)


async def test_demo_data_loads_once_and_gives_a_meaningful_shortlist(client, db, settings):
    assert await demo.load(db, settings) is True
    await db.commit()
    assert await demo.load(db, settings) is False
    # Taylor, on the waiting list: Jo shares her experience of divorce.
    taylor = await _headers(client, "taylor@demo.kindred")
    current = (await client.get("/api/v1/support-requests/current", headers=taylor)).json()
    found = (
        await client.get(f"/api/v1/support-requests/{current['id']}/shortlist", headers=taylor)
    ).json()
    assert found[0]["display_name"] == "Jo"
    assert any("divorce" in r for r in found[0]["reasons"])
    coordinator = await _staff(client, db, settings, "coordinator@demo.kindred")
    waiting = await client.get("/api/v1/coordination/waiting-list", headers=coordinator)
    names = [w["seeker_display_name"] for w in waiting.json()["data"]]
    assert sorted(names) == ["Noor", "Omar", "Taylor", "Yara"]


async def test_the_demo_shows_relationships_in_every_state(client, db, settings):
    assert await demo.load(db, settings) is True
    await db.commit()
    states = {}
    uma = await _headers(client, "uma@demo.kindred")
    current = (await client.get("/api/v1/support-requests/current", headers=uma)).json()
    assert current["introductions"][0]["status"] == "waiting for their answer"
    for email in ("vic", "sam", "wren", "xan"):
        headers = await _headers(client, f"{email}@demo.kindred")
        mine = (await client.get("/api/v1/relationships", headers=headers)).json()["data"]
        assert len(mine) == 1, (email, mine)
        states[email] = mine[0]["state"]
    assert states == {
        "vic": "agreeing",
        "sam": "active",
        "wren": "paused",
        "xan": "ended",
    }
    # The active pair has an agreement in force, sessions and messages, readable by both.
    sam = await _headers(client, "sam@demo.kindred")
    rid = (await client.get("/api/v1/relationships", headers=sam)).json()["data"][0]["id"]
    base = f"/api/v1/relationships/{rid}"
    assert (await client.get(f"{base}/agreement", headers=sam)).json()["in_force"] is not None
    sessions = (await client.get(f"{base}/sessions", headers=sam)).json()
    assert sorted(s["status"] for s in sessions["sessions"]) == ["confirmed", "held"]
    assert sessions["counts"]["held"] == 1
    messages = (await client.get(f"{base}/messages", headers=sam)).json()
    assert "small routines" in messages["messages"][0]["body"]
    amara = await _headers(client, "amara@demo.kindred")
    assert (await client.get(f"{base}/messages", headers=amara)).status_code == 200
    # Chen sees Uma's introduction; Vic has terms to agree; Wren's pause shows a planned date.
    chen = await _headers(client, "chen@demo.kindred")
    waiting = (await client.get("/api/v1/introductions", headers=chen)).json()["data"]
    assert len(waiting) == 1
    vic = await _headers(client, "vic@demo.kindred")
    vid = (await client.get("/api/v1/relationships", headers=vic)).json()["data"][0]["id"]
    pending = (await client.get(f"/api/v1/relationships/{vid}/agreement", headers=vic)).json()
    assert pending["pending"] is not None
    wren = await _headers(client, "wren@demo.kindred")
    wid = (await client.get("/api/v1/relationships", headers=wren)).json()["data"][0]["id"]
    safety = (await client.get(f"/api/v1/relationships/{wid}/safety", headers=wren)).json()
    assert safety["pause"]["until"]
    # The coordinator sees health, never content.
    coordinator = await _staff(client, db, settings, "coordinator@demo.kindred")
    health = await client.get(
        f"/api/v1/coordination/relationships/{rid}/safety", headers=coordinator
    )
    assert health.status_code == 200 and "small routines" not in health.text


async def test_the_demo_gives_every_section_of_the_console_something_true_to_show(
    client, db, settings
):
    assert await demo.load(db, settings) is True
    await db.commit()
    robin = await _staff(client, db, settings, "coordinator@demo.kindred")

    async def read(path: str):
        response = await client.get(f"/api/v1/coordination/{path}", headers=robin)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    today = await read("today")
    for section in (
        "concerns_to_triage",
        "introductions_expiring",
        "longest_waiting",
        "reviews_due",
        "supporters_needing_attention",
    ):
        assert today[section]["total"] >= 1, section
    assert today["offers_to_review"] == 2
    assert [i["title"] for i in today["reviews_due"]["items"]] == ["Pip and Idris"]
    assert [i["title"] for i in today["introductions_expiring"]["items"]] == ["Lou and Hana"]

    for status in ("new", "triaged", "in_progress", "resolved"):
        assert len((await read(f"concerns?status={status}"))["data"]) == 1, status
    waiting = (await read("waiting-list"))["data"]
    assert [w["seeker_display_name"] for w in waiting if w["coordinator_chooses"]] == ["Yara"]
    assert waiting[0]["seeker_display_name"] == "Noor"  # the longest waiting
    offers = (await read("supporter-offers"))["data"]
    assert sorted(o["display_name"] for o in offers) == ["Kai", "Lena"]
    assert all(o["experiences"] for o in offers)
    flagged = {e["display_name"]: e["flags"] for e in (await read("supporters"))["data"]}
    assert flagged["Idris"] == ["full_for_long"] and flagged["Gus"] == ["early_endings"]
    assert not flagged["Amara"]

    stats = await read("statistics?months=6")
    assert all((m["median_days"] or 0) >= 0 for m in stats["waiting"])  # nobody waits < 0 days
    assert sum(1 for m in stats["activity"] if m["sessions_held"]) >= 5
    assert sum(1 for m in stats["waiting"] if m["matched"]) >= 4
    assert sum(m["completed"] for m in stats["endings"]) >= 5
    assert sum(m["ended_early"] for m in stats["endings"]) >= 3
    assert sum(m["not_available"] for m in stats["introductions"]) == 2
    assert sum(m["expired"] for m in stats["introductions"]) == 1
    # The shortlist for Yara, who asked a coordinator to choose, has Amara in it.
    yara = next(w for w in waiting if w["seeker_display_name"] == "Yara")
    shortlist = await read(f"support-requests/{yara['id']}/shortlist")
    assert "Amara" in [c["display_name"] for c in shortlist]


async def test_the_demo_shows_screening_and_supervision(client, db, settings):
    assert await demo.load(db, settings) is True
    await db.commit()
    robin = await _staff(client, db, settings, "coordinator@demo.kindred")
    today = (await client.get("/api/v1/coordination/today", headers=robin)).json()
    assert today["screening_due"]["total"] == 1
    assert today["supervision_overdue"]["total"] == 1
    offers = (await client.get("/api/v1/coordination/supporter-offers", headers=robin)).json()
    by_name = {o["display_name"]: o["id"] for o in offers["data"]}
    kai = await client.post(
        f"/api/v1/coordination/supporter-offers/{by_name['Kai']}/approve", headers=robin
    )
    assert kai.status_code == 409 and "Peer support training" in kai.json()["detail"]
    lena = await client.post(
        f"/api/v1/coordination/supporter-offers/{by_name['Lena']}/approve", headers=robin
    )
    assert lena.status_code == 200, lena.text
