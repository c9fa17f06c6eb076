"""Boundary agreements through the API: propose, counter, agree, renegotiate, withdraw."""

from sqlalchemy import select

from api.relationships.models import AgreementConsent, AgreementVersion, Relationship
from tests.factories import agreeable_terms, agreeing_pair, as_of
from tests.relationships.agreement_steps import PROBLEM, _active, _agreement, _consent, _propose


async def test_from_an_accepted_introduction_to_an_active_relationship_on_agreed_terms(
    client, db, settings
):
    pair = await agreeing_pair(client, db, settings)
    sam, bob = pair.seeker, pair.supporter
    first = await _agreement(client, pair, bob)
    assert first.headers["etag"] == '"0"' and first.headers["cache-control"] == "no-store"
    assert first.json()["versions"] == [] and first.json()["state"] == "agreeing"

    template = (await client.get(f"{pair.base}/agreement/template", headers=bob.headers)).json()
    assert template["channels"] == ["chat", "video"] and template["sessions_total"] == 6
    assert template["acknowledgements"] == {
        "confidentiality_and_exception": False,
        "not_a_crisis_service": False,
    }

    # Bob proposes from the template; proposing counts as his consent.
    terms = {**template, "acknowledgements": agreeable_terms()["acknowledgements"]}
    proposed = await _propose(client, pair, bob, terms, etag='"0"')
    assert proposed.status_code == 201, proposed.text
    assert proposed.headers["etag"] == '"1"'
    assert proposed.headers["location"] == f"{pair.base}/agreement/versions/1"
    body = proposed.json()
    assert body["pending"]["number"] == 1 and body["pending"]["proposed_by"] == "supporter"
    assert [c["by"] for c in body["pending"]["consents"]] == ["supporter"]
    assert body["in_force"] is None and body["state"] == "agreeing"

    # Sam counter-proposes eight sessions: Bob's version is declined, not lost.
    countered = await _propose(client, pair, sam, {**terms, "sessions_total": 8}, etag='"1"')
    assert countered.status_code == 201, countered.text
    body = countered.json()
    assert [(v["number"], v["status"]) for v in body["versions"]] == [
        (1, "declined"),
        (2, "pending"),
    ]
    assert body["pending"]["changes"] == [
        {
            "field": "sessions_total",
            "label": "Number of sessions",
            "before_text": "6 sessions",
            "after_text": "8 sessions",
        }
    ]

    # Bob agrees to that exact version: it is in force and the relationship is active.
    agreed = await _consent(client, pair, bob, 2, etag='"2"')
    assert agreed.status_code == 200, agreed.text
    assert agreed.headers["etag"] == '"3"'
    body = agreed.json()
    assert body["state"] == "active" and body["pending"] is None
    assert body["in_force"]["number"] == 2 and body["in_force"]["status"] == "agreed"
    assert body["in_force"]["terms"]["sessions_total"] == 8
    assert [c["by"] for c in body["in_force"]["consents"]] == ["seeker", "supporter"]

    # Both read the same history: who did what, and when.
    for person in (sam, bob):
        seen = await client.get(pair.base, headers=person.headers)
        assert seen.status_code == 200
        assert seen.json()["state"] == "active"
        assert seen.json()["agreement"] == {
            "revision": 3,
            "in_force": 2,
            "pending": None,
            "pending_from": None,
            "review": False,
        }
        events = (await client.get(f"{pair.base}/events", headers=person.headers)).json()["data"]
        assert [(e["kind"], e["by"], e["to_state"], e["version"]) for e in events] == [
            ("state", "coordinator", "introduced", None),
            ("state", "supporter", "agreeing", None),
            ("proposed", "supporter", None, 1),
            ("proposed", "seeker", None, 2),
            ("agreed", "supporter", None, 2),
            ("state", "supporter", "active", None),
        ]
    assert seen.json()["other"]["display_name"] == "Sam"
    assert seen.json()["me"]["role"] == "supporter"


async def test_the_version_in_force_stays_until_a_new_one_is_agreed(client, db, settings):
    pair = await _active(client, db, settings)
    sam, bob = pair.seeker, pair.supporter
    change = agreeable_terms(response_expectation="same_day")
    proposed = await _propose(client, pair, sam, change)
    assert proposed.status_code == 201
    body = proposed.json()
    assert body["in_force"]["number"] == 1 and body["pending"]["number"] == 2
    assert body["state"] == "active"

    # Sam takes it back: version 1 is still in force.
    withdrawn = await client.post(
        f"{pair.base}/agreement/versions/2/withdraw", headers=as_of(sam, proposed.headers["etag"])
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["pending"] is None and withdrawn.json()["in_force"]["number"] == 1

    # Bob proposes a change; Sam agrees; version 1 is superseded and every version is kept.
    assert (
        await _propose(client, pair, bob, agreeable_terms(sessions_total=10))
    ).status_code == 201
    agreed = await _consent(client, pair, sam, 3)
    assert agreed.status_code == 200, agreed.text
    versions = agreed.json()["versions"]
    assert [(v["number"], v["status"]) for v in versions] == [
        (1, "superseded"),
        (2, "withdrawn"),
        (3, "agreed"),
    ]
    assert versions[0]["closed_at"] and versions[1]["closed_at"]
    assert agreed.json()["in_force"]["terms"]["sessions_total"] == 10
    relationship = await db.get(Relationship, pair.relationship_id, populate_existing=True)
    assert relationship.agreed_version == 3 and relationship.agreement_revision == 6
    consents = (await db.execute(select(AgreementConsent))).scalars().all()
    assert len(consents) == 5  # 1 and 3: both people; 2: Sam's own


async def test_a_newer_proposal_by_the_same_person_withdraws_their_older_one(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    assert (await _propose(client, pair, pair.supporter)).status_code == 201
    again = await _propose(client, pair, pair.supporter, agreeable_terms(session_minutes=60))
    statuses = [(v["number"], v["status"]) for v in again.json()["versions"]]
    assert statuses == [(1, "withdrawn"), (2, "pending")]


async def test_who_may_agree_or_withdraw_what(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    sam, bob = pair.seeker, pair.supporter
    assert (await _propose(client, pair, bob)).status_code == 201
    own = await _consent(client, pair, bob, 1)
    assert own.status_code == 409 and "waiting for Sam" in own.json()["detail"]
    theirs = await client.post(
        f"{pair.base}/agreement/versions/1/withdraw", headers=as_of(sam, '"1"')
    )
    assert theirs.status_code == 403 and theirs.headers["content-type"] == PROBLEM
    missing = await _consent(client, pair, sam, 7)
    assert missing.status_code == 404

    # Consent to a version that is not the latest: a field error, nothing changes.
    assert (await _propose(client, pair, sam, agreeable_terms(sessions_total=4))).status_code == 201
    old = await _consent(client, pair, bob, 1)
    assert old.status_code == 422, old.text
    assert old.json()["errors"] == [
        {
            "field": "version",
            "message": "Version 1 isn't the latest proposal; version 2 is. "
            "Please look at it before you agree.",
        }
    ]
    # A withdrawn latest version can't be agreed either.
    await client.post(f"{pair.base}/agreement/versions/2/withdraw", headers=as_of(sam, '"2"'))
    gone = await _consent(client, pair, bob, 2)
    assert gone.status_code == 409 and gone.headers["content-type"] == PROBLEM
    relationship = await db.get(Relationship, pair.relationship_id, populate_existing=True)
    assert relationship.state == "agreeing" and relationship.agreed_version is None


async def test_changes_need_the_current_etag(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    bob = pair.supporter
    url = f"{pair.base}/agreement/proposals"
    missing = await client.post(url, json=agreeable_terms(), headers=bob.headers)
    assert missing.status_code == 428 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["type"] == "/problems/precondition-required"
    star = await client.post(url, json=agreeable_terms(), headers=as_of(bob, "*"))
    assert star.status_code == 428
    for bad in ('W/"0"', "0", '"zero"', '"0", "1"'):
        garbled = await client.post(url, json=agreeable_terms(), headers=as_of(bob, bad))
        assert garbled.status_code == 412, bad

    assert (await _propose(client, pair, bob, etag='"0"')).status_code == 201
    # Sam read the agreement before Bob proposed: her counter-proposal is refused.
    stale = await _propose(client, pair, pair.seeker, agreeable_terms(sessions_total=3), etag='"0"')
    assert stale.status_code == 412 and stale.headers["content-type"] == PROBLEM
    assert stale.json()["type"] == "/problems/stale" and stale.headers["etag"] == '"1"'
    stale_consent = await _consent(client, pair, pair.seeker, 1, etag='"0"')
    assert stale_consent.status_code == 412
    stale_review = await client.post(
        f"{pair.base}/agreement/review", headers=as_of(pair.seeker, '"0"')
    )
    assert stale_review.status_code == 412
    versions = (await db.execute(select(AgreementVersion))).scalars().all()
    assert [(v.number, v.status) for v in versions] == [(1, "pending")]
    relationship = await db.get(Relationship, pair.relationship_id, populate_existing=True)
    assert relationship.agreement_revision == 1
