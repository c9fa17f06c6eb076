"""The settings coordinators change really change what happens: new agreements start from the
stored template, no new version goes beyond the sessions-a-week limit, and nobody sends more
than the day's most messages in a relationship."""

from api.policies.service import DefaultAgreement
from tests.factories import agreeable_terms, agreeing_pair
from tests.relationships.agreement_steps import _propose
from tests.safety.helpers import active_pair

SETTINGS = "/api/v1/coordination/settings"


async def _set(client, coordinator, key, value):
    changed = await client.put(
        f"{SETTINGS}/{key}", json={"value": value}, headers=coordinator.headers
    )
    return changed


async def test_new_agreements_start_from_the_stored_template(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    url = f"{pair.base}/agreement/template"
    before = (await client.get(url, headers=pair.supporter.headers)).json()
    defaults = DefaultAgreement()
    assert (before["sessions_total"], before["session_minutes"]) == (6, 45)
    assert before["max_sessions_per_week"] == defaults.max_sessions_per_week
    assert before["review_after_session"] == defaults.review_after_session

    template = {
        "sessions_total": 10,
        "session_minutes": 120,
        "max_sessions_per_week": 2,
        "review_after_session": 5,
    }
    assert (await _set(client, pair.coordinator, "default_agreement", template)).status_code == 200
    after = (await client.get(url, headers=pair.seeker.headers)).json()
    assert {k: after[k] for k in template} == template
    # A two-hour session fits the template's own windows, so it can be agreed as it stands.
    assert all(w["end"] >= "21:00" for w in after["windows"])
    page = await client.get(f"/api/v1/relationships/{pair.relationship_id}/agreement/template")
    assert page.status_code == 401  # only the two people read it

    # The limit bounds the template: a lower limit is applied to where terms start.
    limits = {"max_messages_a_day": 20, "max_sessions_a_week": 1}
    assert (await _set(client, pair.coordinator, "dependency_limits", limits)).status_code == 200
    clamped = (await client.get(url, headers=pair.seeker.headers)).json()
    assert clamped["max_sessions_per_week"] == 1 and clamped["sessions_total"] == 10
    # …and a template beyond the limit, or with its review after the last session, is refused.
    beyond = await _set(client, pair.coordinator, "default_agreement", template)
    assert beyond.status_code == 422
    assert "limit of 1 a week" in beyond.json()["errors"][0]["message"]
    late = await _set(
        client,
        pair.coordinator,
        "default_agreement",
        {**template, "max_sessions_per_week": 1, "review_after_session": 11},
    )
    assert late.status_code == 422 and "by session 10" in late.text


async def test_no_new_version_goes_beyond_the_sessions_a_week_limit(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    twice = agreeable_terms(max_sessions_per_week=2)
    limits = {"max_messages_a_day": 20, "max_sessions_a_week": 1}
    assert (await _set(client, pair.coordinator, "dependency_limits", limits)).status_code == 200
    refused = await _propose(client, pair, pair.supporter, twice)
    assert refused.status_code == 422
    problem = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert problem["max_sessions_per_week"] == (
        "This service agrees at most 1 session a week, so that support stays sustainable for "
        "you both."
    )
    assert (
        await _set(
            client, pair.coordinator, "dependency_limits", {**limits, "max_sessions_a_week": 2}
        )
    ).status_code == 200
    assert (await _propose(client, pair, pair.supporter, twice)).status_code == 201


async def test_the_days_most_messages_are_enforced_for_each_person(client, db, settings):
    pair = await active_pair(client, db, settings)
    url = f"{pair.base}/messages"
    limits = {"max_messages_a_day": 2, "max_sessions_a_week": 2}
    assert (await _set(client, pair.coordinator, "dependency_limits", limits)).status_code == 200
    for n in range(2):
        sent = await client.post(url, json={"body": f"Hello {n}"}, headers=pair.seeker.headers)
        assert sent.status_code == 201, sent.text
    third = await client.post(url, json={"body": "One more"}, headers=pair.seeker.headers)
    assert third.status_code == 409
    assert third.json()["type"] == "/problems/daily-message-limit"
    assert third.json()["detail"].startswith("You've sent 2 messages in the last 24 hours")
    assert "You can write again from" in third.json()["detail"]
    seen = (await client.get(url, headers=pair.seeker.headers)).json()
    assert seen["can_send"] is False and "most this service allows" in seen["why_not"]
    assert len([m for m in seen["messages"] if m["mine"]]) == 2  # the third was not kept
    # It is each person's own limit: Bob can still answer.
    answer = await client.post(url, json={"body": "Hi Sam"}, headers=pair.supporter.headers)
    assert answer.status_code == 201
    # Raising the limit lets Sam write again at once.
    assert (
        await _set(
            client, pair.coordinator, "dependency_limits", {**limits, "max_messages_a_day": 3}
        )
    ).status_code == 200
    assert (
        await client.post(url, json={"body": "One more"}, headers=pair.seeker.headers)
    ).status_code == 201
