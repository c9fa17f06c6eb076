"""Integrators' lists page both ways in a stable order (newest first)."""

from tests.clients.helpers import integrator
from tests.referrals.helpers import refer
from tests.referrals.test_referred_person_privacy import _ended_twice


async def test_referrals_page_both_ways(client, db, settings):
    made = await integrator(client, db, settings)
    made_ids = [(await refer(client, made, reference=f"R{n}", email=None))["id"] for n in range(5)]
    newest = made_ids[::-1]

    async def page(query: str) -> dict:
        response = await client.get(f"/api/v1/referrals?{query}", headers=made.headers)
        assert response.status_code == 200, response.text
        return response.json()

    first = await page("limit=2")
    assert [r["id"] for r in first["data"]] == newest[:2] and first["has_more"]
    second = await page(f"limit=2&starting_after={newest[1]}")
    assert [r["id"] for r in second["data"]] == newest[2:4] and second["has_more"]
    last = await page(f"limit=2&starting_after={newest[3]}")
    assert [r["id"] for r in last["data"]] == newest[4:] and not last["has_more"]
    back = await page(f"limit=2&ending_before={newest[4]}")
    assert [r["id"] for r in back["data"]] == newest[2:4] and back["has_more"]
    # Another client's referral is not a cursor here.
    other = await integrator(client, db, settings, name="Another", by=made.admin)
    theirs = await refer(client, other, reference="X1", email=None)
    refused = await client.get(
        f"/api/v1/referrals?starting_after={theirs['id']}", headers=made.headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "starting_after"


async def test_relationships_page_both_ways(client, other_client, db, settings):
    made, _, _ = await _ended_twice(client, other_client, db, settings)
    everything = (
        await client.get("/api/v1/integrations/relationships", headers=made.headers)
    ).json()
    ids = [r["relationship_id"] for r in everything["data"]]
    assert len(ids) == 2 and {r["state"] for r in everything["data"]} == {"ended"}
    first = (
        await client.get("/api/v1/integrations/relationships?limit=1", headers=made.headers)
    ).json()
    assert [r["relationship_id"] for r in first["data"]] == ids[:1] and first["has_more"]
    after = (
        await client.get(
            f"/api/v1/integrations/relationships?limit=1&starting_after={ids[0]}",
            headers=made.headers,
        )
    ).json()
    assert [r["relationship_id"] for r in after["data"]] == ids[1:] and not after["has_more"]
    before = (
        await client.get(
            f"/api/v1/integrations/relationships?limit=1&ending_before={ids[1]}",
            headers=made.headers,
        )
    ).json()
    assert [r["relationship_id"] for r in before["data"]] == ids[:1] and not before["has_more"]
