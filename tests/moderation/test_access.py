"""Every new endpoint refuses who may not ask: anonymous (401), peers (403 staff routes; 404
for someone else's decision), integrators (401/403), coordinators who aren't the lead (403 on
the record)."""

from uuid import uuid4

from tests.clients.helpers import integrator
from tests.moderation.helpers import COORDINATION, appeal, decide, reported
from tests.personas import peer


async def test_denials_on_every_new_endpoint(client, db, settings):
    r = await reported(client, db, settings)
    made = await decide(client, r, "warn")
    other = await peer(client, "olive")
    robot = await integrator(client, db, settings)
    d, c = made["id"], r.concern_id
    body = {"kind": "warn", "reason": "A reason long enough.", "to_person": "Kind words here."}
    verdict = {"outcome": "upheld", "answer": "We've looked again at it."}
    staff_routes = [
        ("POST", f"{COORDINATION}/concerns/{c}/decisions", body),
        ("GET", f"{COORDINATION}/concerns/{c}/decisions", None),
        ("GET", f"{COORDINATION}/moderation/appeals", None),
        ("GET", f"{COORDINATION}/moderation/decisions/{d}", None),
        ("POST", f"{COORDINATION}/moderation/decisions/{d}/appeal-decision", verdict),
        ("GET", f"{COORDINATION}/moderation/decisions", None),
        ("GET", f"{COORDINATION}/moderation/decisions.csv", None),
    ]
    for method, url, json in staff_routes:
        assert (await client.request(method, url, json=json)).status_code == 401, url
        for who in (r.pair.seeker.headers, r.pair.supporter.headers, other.headers):
            refused = await client.request(method, url, json=json, headers=who)
            assert refused.status_code == 403, (url, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
        assert (
            await client.request(method, url, json=json, headers=robot.headers)
        ).status_code in (401, 403), url
    # The whole record: the safeguarding lead and administrators only.
    for url in (f"{COORDINATION}/moderation/decisions", f"{COORDINATION}/moderation/decisions.csv"):
        refused = await client.get(url, headers=r.casey.headers)
        assert refused.status_code == 403 and "safeguarding lead" in refused.json()["detail"]
    person_routes = [
        ("GET", "/api/v1/moderation/decisions", None),
        ("GET", f"/api/v1/moderation/decisions/{d}", None),
        ("POST", f"/api/v1/moderation/decisions/{d}/appeal", {"text": "Please look again."}),
    ]
    for method, url, json in person_routes:
        assert (await client.request(method, url, json=json)).status_code == 401, url
        assert (
            await client.request(method, url, json=json, headers=robot.headers)
        ).status_code in (401, 403), url
    # Someone else's decision is not there for the reporter, a stranger or staff as a person.
    for who in (r.pair.seeker, other):
        assert (await client.get(person_routes[1][1], headers=who.headers)).status_code == 404
        assert (await appeal(client, who, d)).status_code == 404
    assert (await client.get("/api/v1/moderation/decisions", headers=other.headers)).json()[
        "data"
    ] == []
    missing = await client.get(
        f"{COORDINATION}/moderation/decisions/{uuid4()}", headers=r.casey.headers
    )
    assert missing.status_code == 404
    # Nothing changed: still one decision, unappealed.
    mine = await client.get(f"/api/v1/moderation/decisions/{d}", headers=r.pair.supporter.headers)
    assert mine.json()["appeal"] is None and mine.json()["can_appeal"]
