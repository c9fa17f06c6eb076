"""The integrator's whole journey, as the issue's "Done when" says, on the real stack: an
administrator makes a client through the API; the integrator takes a token, registers three
endpoints on receivers on 127.0.0.1 (a healthy one, one that fails twice, one that is gone)
and refers a person, who joins through the link, asks for support, is introduced, agrees,
holds a session, ends it and shares the summary. A real worker (the audience the service
runs with) delivers every event, each signature verifies, a retry keeps its webhook-id, the
410 endpoint ends disabled, the referral's status reads right at each step, and another
client hears nothing."""

from collections import Counter
from datetime import timedelta
from uuid import UUID

from sqlalchemy import update

from api.common import utcnow
from api.contact.models import ContactSession
from api.integrations import audience
from tests.clients.helpers import admin, integrator
from tests.contact.helpers import next_weekday
from tests.matching.people import ready_supporter, set_up
from tests.referrals.helpers import join, person, refer, status_of
from tests.relationships.agreement_steps import _consent, _propose
from tests.web.conftest import other_client
from tests.web.pages import csrf_token, log_in
from tests.webhooks.conftest import running, until
from tests.webhooks.receiver import Answer

__all__ = ["other_client"]  # the referred person's own browser

EVERY = [
    "referral.joined",
    "referral.waiting",
    "referral.summary",
    "introduction.created",
    "relationship.active",
    "session.scheduled",
    "session.held",
    "relationship.ended",
]


async def register(api, made, url: str, types=EVERY) -> dict:
    response = await api.post(
        "/api/v1/webhooks/endpoints", json={"url": url, "event_types": types}, headers=made.headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["secret"].startswith("whsec_")
    return response.json()


async def test_an_integrator_follows_a_referral_by_webhooks_from_invite_to_summary(
    api, client, other_client, db, settings, hook_settings, sessions, receiver
):
    from datetime import time

    ada = await admin(api, db, settings)
    made = await integrator(api, db, settings, by=ada)  # POST /admin/clients, then a token
    other = await integrator(api, db, settings, name="Another service", by=ada)
    healthy = await register(api, made, receiver.script("/healthy", Answer(204)))
    flaky = await register(
        api,
        made,
        receiver.script("/flaky", Answer(500), Answer(503), Answer(204)),
        ["referral.joined"],
    )
    gone = await register(api, made, receiver.script("/gone", Answer(410)))
    elsewhere = await register(api, other, receiver.script("/other", Answer(204)))

    robin = await admin(api, db, settings, name="robin")
    bob = await ready_supporter(api, robin, "bob", [(1, "further_along")], capacity=1)

    async with running(hook_settings, sessions, may_hear=audience.may_hear, tell=audience.tell):
        referral = await refer(api, made, experiences=[1])
        assert await status_of(api, made, referral) == "invited"

        assert (await join(other_client, referral, tags=[1])).status_code == 303
        sam = await person(api, "sam", "sam.referred@example.org")
        assert await status_of(api, made, referral) == "joined"

        await set_up(api, sam, [(1, "going_through")])
        asked = await api.post(
            "/api/v1/support-requests",
            json={"tag_ids": [1], "preferences": {}},
            headers=sam.headers,
        )
        assert asked.status_code == 201, asked.text
        assert await status_of(api, made, referral) == "waiting"

        chosen = await api.post(
            f"/api/v1/support-requests/{asked.json()['id']}/choice",
            json={"supporter_id": str(bob.id)},
            headers=sam.headers,
        )
        assert chosen.status_code == 201, chosen.text
        assert await status_of(api, made, referral) == "introduced"
        accepted = await api.post(
            f"/api/v1/introductions/{chosen.json()['id']}/accept", headers=bob.headers
        )
        assert accepted.status_code == 200, accepted.text
        relationship_id = UUID(accepted.json()["id"])
        base = f"/api/v1/relationships/{relationship_id}"

        class Pair:  # what the agreement steps need
            pass

        pair = Pair()
        pair.base, pair.seeker, pair.supporter = base, sam, bob  # type: ignore[attr-defined]
        assert (await _propose(api, pair, bob)).status_code == 201
        assert (await _consent(api, pair, sam, 1)).status_code == 200
        assert await status_of(api, made, referral) == "active"

        start = next_weekday(1, time(19, 0), "Europe/London").isoformat()
        proposed = await api.post(
            f"{base}/sessions", json={"start_at": start, "channel": "video"}, headers=sam.headers
        )
        assert proposed.status_code == 201, proposed.text
        session_id = proposed.json()["id"]
        confirmed = await api.post(f"{base}/sessions/{session_id}/confirm", headers=bob.headers)
        assert confirmed.status_code == 200, confirmed.text
        # Time passes: the session has begun (the one arrangement made in the database).
        await db.execute(
            update(ContactSession)
            .where(ContactSession.id == UUID(session_id))
            .values(start_at=utcnow() - timedelta(hours=1))
        )
        await db.commit()
        held = await api.post(
            f"{base}/sessions/{session_id}/outcome", json={"outcome": "held"}, headers=sam.headers
        )
        assert held.status_code == 200, held.text

        ended = await api.post(f"{base}/end", json={}, headers=sam.headers)
        assert ended.status_code == 200, ended.text
        assert await status_of(api, made, referral) == "ended"

        prompt = await other_client.get("/referral-summaries")
        summary_id = prompt.text.split('action="/referral-summaries/')[1].split('"')[0]
        shared = await other_client.post(
            f"/referral-summaries/{summary_id}",
            data={"csrf_token": csrf_token(prompt.text), "share": "yes"},
        )
        assert shared.status_code == 303
        found = (await api.get(f"/api/v1/referrals/{referral['id']}", headers=made.headers)).json()
        assert found["status"] == "ended" and found["summaries"][0]["sessions_held"] == 1

        def heard_all() -> bool:
            types = {a.verified(healthy["secret"])["type"] for a in receiver.at("/healthy")}
            return types == set(EVERY) and len(receiver.at("/flaky")) >= 3

        await until(heard_all, within=30)
        await until(lambda: _disabled(api, made, gone["id"]))

    # Every event reached the healthy receiver, signed with its secret, about this referral.
    payloads = [a.verified(healthy["secret"]) for a in receiver.at("/healthy")]
    counted = Counter(p["type"] for p in payloads)
    assert set(counted) == set(EVERY), counted
    for payload in payloads:
        if payload["type"].startswith("referral."):
            assert payload["data"]["referral_id"] == referral["id"]
        else:
            assert payload["data"]["relationship_id"] == str(relationship_id)
        assert "sam" not in str(payload["data"]).lower()
    assert [p["data"]["end_kind"] for p in payloads if p["type"] == "relationship.ended"] == [
        "ended_by_person"
    ]

    # The flaky one: the same webhook-id on each try, until it was taken.
    tries = receiver.at("/flaky")
    assert len(tries) == 3 and len({a.webhook_id for a in tries}) == 1
    assert tries[-1].verified(flaky["secret"])["type"] == "referral.joined"

    # The gone one: disabled at once by its 410, with the reason, shown to the integrator.
    endpoint = (
        await api.get(f"/api/v1/webhooks/endpoints/{gone['id']}", headers=made.headers)
    ).json()
    assert endpoint["enabled"] is False and "410" in endpoint["disabled_reason"]
    assert endpoint["disabled_at"] is not None
    # Attempts already in flight when the first 410 came back may also arrive (each answered
    # 410); nothing emitted after the endpoint was disabled reached it.
    gone_heard = [a.verified(gone["secret"])["type"] for a in receiver.at("/gone")]
    assert 1 <= len(gone_heard) < len(EVERY), gone_heard
    assert "relationship.ended" not in gone_heard and "referral.summary" not in gone_heard

    # Administrators see it on the console's Integrations page, beside the client.
    await log_in(client, ada.email)
    console = await client.get("/coordinator/clients")
    assert console.status_code == 200
    assert console.text.count("Webhook endpoint disabled") == 1
    assert "answered 410 Gone" in console.text and receiver.base + "/gone" in console.text

    # The delivery log says the same, a page at a time.
    log = await api.get(
        f"/api/v1/webhooks/endpoints/{healthy['id']}/deliveries",
        params={"status": "delivered", "limit": 100},
        headers=made.headers,
    )
    assert log.status_code == 200
    assert {d["event_type"] for d in log.json()["data"]} == set(EVERY)
    assert all(d["attempts"] == 1 for d in log.json()["data"])

    # Another client, subscribed to everything with every scope, heard nothing of Sam.
    assert receiver.at("/other") == []
    other_log = await api.get(
        f"/api/v1/webhooks/endpoints/{elsewhere['id']}/deliveries", headers=other.headers
    )
    assert other_log.json() == {"data": [], "has_more": False}


async def _disabled(api, made, endpoint_id: str) -> bool:
    found = await api.get(f"/api/v1/webhooks/endpoints/{endpoint_id}", headers=made.headers)
    return found.json()["enabled"] is False
