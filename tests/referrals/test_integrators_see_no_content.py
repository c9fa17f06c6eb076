"""Whatever happens in a referred person's support, nothing an integrator can read (any
integrator route, any referral event) carries content, own words, a profile, a safety plan,
concern details or anyone's contact details: only ids, states, dates and counts."""

import json
from uuid import UUID

from tests.clients.helpers import integrator
from tests.matching.people import ready_supporter, set_up
from tests.personas import staff
from tests.referrals.helpers import (
    NOTE,
    REFERRER,
    agree_terms,
    events,
    join,
    person,
    refer,
    sessions_held,
)
from tests.web.pages import csrf_token

OWN_WORDS = "Since the funeral I keep setting the table for four."
MESSAGE = "Tuesday felt lighter after we talked about the allotment."
CONCERN = "They asked which bus I take home, and it worried me."
CLOSING = "Thank you Bob, the allotment idea really helped me through."
PLAN = "Ring my sister Maz before it gets bad."
TOPIC = "my brother's accident"
SECRETS = [
    OWN_WORDS,
    MESSAGE,
    CONCERN,
    CLOSING,
    PLAN,
    TOPIC,
    NOTE,
    "sam.private@example.org",
    "Samira Quince",
    "Bartholomew",
    *REFERRER.values(),
]
# Every key an integrator's answer may have.
ALLOWED_KEYS = {
    "data", "has_more", "id", "reference", "status", "created_at", "invite_expires_at",
    "summaries", "invite_url", "ending", "sessions_held", "shared_at", "relationship_id",
    "referral_id", "state", "client_id", "months", "waiting", "introductions", "endings",
    "activity", "month", "matched", "median_days", "p90_days", "proposed", "accepted",
    "not_available", "expired", "completed", "ended_early", "by_seeker", "by_supporter",
    "by_coordinator", "account_closed", "supporters_active",
}  # fmt: skip


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_no_integrator_answer_or_event_carries_content(client, other_client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bartholomew", [(1, "further_along")], capacity=1)
    made = await integrator(client, db, settings)
    referral = await refer(client, made, email="sam.private@example.org")
    assert (
        await join(
            other_client, referral, name="Samira Quince", email="sam.private@example.org", tags=[1]
        )
    ).status_code == 303
    sam = await person(client, "sam", "sam.private@example.org")
    await set_up(client, sam, [(1, "going_through")], topics_to_avoid=[TOPIC])
    words = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": "going_through", "description": OWN_WORDS}],
        headers=sam.headers,
    )
    assert words.status_code == 200
    plan = await client.put(
        "/api/v1/me/safety-plan", json={"people_and_places": PLAN}, headers=sam.headers
    )
    assert plan.status_code == 200, plan.text
    asked = await client.post(
        "/api/v1/support-requests",
        json={"tag_ids": [1], "preferences": {}, "share_own_words": True},
        headers=sam.headers,
    )
    intro = await client.post(
        f"/api/v1/support-requests/{asked.json()['id']}/choice",
        json={"supporter_id": str(bob.id)},
        headers=sam.headers,
    )
    accepted = await client.post(
        f"/api/v1/introductions/{intro.json()['id']}/accept", headers=bob.headers
    )
    relationship_id = UUID(accepted.json()["id"])
    await agree_terms(db, relationship_id, bob.id)
    base = f"/api/v1/relationships/{relationship_id}"
    sent = await client.post(f"{base}/messages", json={"body": MESSAGE}, headers=sam.headers)
    assert sent.status_code in (201, 202), sent.text
    concern = await client.post(
        f"{base}/concerns", json={"kind": "feel_unsafe", "details": CONCERN}, headers=sam.headers
    )
    assert concern.status_code == 201, concern.text
    await sessions_held(db, relationship_id, 3)

    seen: list[object] = []

    async def read_everything() -> None:
        for path in (
            "/api/v1/referrals",
            f"/api/v1/referrals/{referral['id']}",
            "/api/v1/integrations/relationships",
            "/api/v1/integrations/statistics",
        ):
            response = await client.get(path, headers=made.headers)
            assert response.status_code == 200, path
            seen.append(response.json())

    await read_everything()
    ended = await client.post(f"{base}/end", json={"closing_message": CLOSING}, headers=sam.headers)
    assert ended.status_code == 200, ended.text
    prompt = await other_client.get("/referral-summaries")
    summary_id = prompt.text.split('action="/referral-summaries/')[1].split('"')[0]
    shared = await other_client.post(
        f"/referral-summaries/{summary_id}",
        data={"csrf_token": csrf_token(prompt.text), "share": "yes"},
    )
    assert shared.status_code == 303
    await read_everything()
    seen.append(referral)  # what the integrator got when it referred
    for kind in ("referral.joined", "referral.waiting", "referral.summary"):
        found = await events(db, kind)
        assert found, kind
        seen.extend(e.data for e in found)

    everything = json.dumps(seen)
    for secret in SECRETS:
        assert secret not in everything, secret
    assert _keys(seen) <= ALLOWED_KEYS, _keys(seen) - ALLOWED_KEYS
    assert '"sessions_held": 3' in everything and '"ending": "early"' in everything
