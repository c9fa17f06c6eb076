from api import demo
from tests.personas import token_for


async def test_demo_data_loads_once_and_gives_a_meaningful_shortlist(client, db, settings):
    assert await demo.load(db, settings) is True
    await db.commit()
    assert await demo.load(db, settings) is False
    tokens = await token_for(client, "sam@demo.kindred", demo.DEMO_PASSWORD)
    sam = {"Authorization": f"Bearer {tokens['access_token']}"}
    mine = (await client.get("/api/v1/profile/experiences", headers=sam)).json()
    request = await client.post(
        "/api/v1/support-requests", json={"tag_ids": [e["tag_id"] for e in mine]}, headers=sam
    )
    assert request.status_code == 201, request.text
    found = (
        await client.get(f"/api/v1/support-requests/{request.json()['id']}/shortlist", headers=sam)
    ).json()
    assert found[0]["display_name"] == "Amara"
    assert any("losing a parent" in r for r in found[0]["reasons"])
    coordinator = await token_for(client, "coordinator@demo.kindred", demo.DEMO_PASSWORD)
    waiting = await client.get(
        "/api/v1/coordination/waiting-list",
        headers={"Authorization": f"Bearer {coordinator['access_token']}"},
    )
    assert len(waiting.json()) == 2
