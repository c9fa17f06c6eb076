"""Boundary agreements through the API: terms refused field by field, the review point, odd
input (always a problem, never a 500)."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from api.relationships.models import AgreementVersion, Relationship
from api.relationships.terms import ACKNOWLEDGEMENTS
from tests.factories import agreeable_terms, agreeing_pair, as_of, profile
from tests.relationships.agreement_steps import PROBLEM, _active, _agreement, _consent, _propose


def _past(days: int = 1) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (
            {
                "windows": [
                    {"weekday": 1, "start": "19:00", "end": "20:30"},
                    {"weekday": 1, "start": "20:00", "end": "21:00"},
                ]
            },
            {"windows[1]"},
        ),
        ({"windows": []}, {"windows"}),
        ({"windows": [{"weekday": 1, "start": "19:00", "end": "19:00"}]}, {"windows[0]"}),
        ({"channels": ["chat", "phone"]}, {"channels"}),
        ({"sessions_total": 0}, {"sessions_total"}),
        ({"planned_end_date": _past()}, {"planned_end_date"}),
        ({"timezone": "Mars/Olympus_Mons"}, {"timezone"}),
        ({"acknowledgements": {}}, {f"acknowledgements.{key}" for key in ACKNOWLEDGEMENTS}),
        ({"personal_limits": {"seeker": {"hugs": "sometimes"}}}, {"personal_limits.seeker.hugs"}),
    ],
)
async def test_terms_that_cant_be_agreed_are_refused_field_by_field(
    client, db, settings, changes, fields
):
    pair = await agreeing_pair(client, db, settings)
    response = await _propose(client, pair, pair.supporter, agreeable_terms(**changes))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert {e["field"] for e in response.json()["errors"]} == fields
    assert all(e["message"] for e in response.json()["errors"])
    assert (await db.execute(select(AgreementVersion))).first() is None
    relationship = await db.get(Relationship, pair.relationship_id, populate_existing=True)
    assert relationship.agreement_revision == 0


async def test_a_channel_one_person_does_not_offer_names_them(client, db, settings):
    pair = await agreeing_pair(
        client, db, settings, supporter_profile={"channels": ["chat", "video", "phone"]}
    )
    response = await _propose(client, pair, pair.supporter, agreeable_terms(channels=["phone"]))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "channels"
    assert error["message"].startswith("The person seeking support hasn't chosen phone")


async def test_bad_bodies_are_problems(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    url = f"{pair.base}/agreement/proposals"
    headers = {**as_of(pair.supporter, '"0"'), "content-type": "application/json"}
    unreadable = await client.post(url, content=b"{not json", headers=headers)
    assert unreadable.status_code == 400 and unreadable.headers["content-type"] == PROBLEM
    not_object = await client.post(url, json=[1, 2], headers=headers)
    assert not_object.status_code == 422
    extra = await client.post(url, json=agreeable_terms(colour="blue"), headers=headers)
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "colour"


async def test_consent_checks_the_terms_again(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    assert (await _propose(client, pair, pair.supporter)).status_code == 201
    # Sam stops offering video after Bob proposed it.
    changed = await client.put(
        "/api/v1/profile", json=profile(channels=["chat"]), headers=pair.seeker.headers
    )
    assert changed.status_code == 200, changed.text
    refused = await _consent(client, pair, pair.seeker, 1)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["channels"]


async def test_proposing_the_terms_already_in_force_is_refused(client, db, settings):
    pair = await _active(client, db, settings)
    same = await _propose(client, pair, pair.seeker, agreeable_terms())
    assert same.status_code == 422 and "already" in same.json()["detail"]


async def test_the_review_point_asks_both_people(client, db, settings):
    pair = await _active(client, db, settings, review_after_session=3)
    sam, bob = pair.seeker, pair.supporter
    body = (await _agreement(client, pair)).json()
    assert body["review"] is False and body["review_at_session"] == 3
    early = await client.post(f"{pair.base}/agreement/review", headers=as_of(bob, '"2"'))
    assert early.status_code == 409

    # Sessions arrive in a later issue; until then the count is set directly.
    await db.execute(
        update(Relationship).where(Relationship.id == pair.relationship_id).values(sessions_held=3)
    )
    await db.commit()
    due = await _agreement(client, pair)
    assert due.json()["review"] is True and due.json()["sessions_held"] == 3
    assert (await client.get(pair.base, headers=bob.headers)).json()["agreement"]["review"]

    fits = await client.post(f"{pair.base}/agreement/review", headers=as_of(bob, '"2"'))
    assert fits.status_code == 200, fits.text
    assert fits.json()["reviewed_by"] == ["supporter"] and fits.json()["review"] is True
    again = await client.post(
        f"{pair.base}/agreement/review", headers=as_of(bob, fits.headers["etag"])
    )
    assert again.status_code == 409
    done = await client.post(
        f"{pair.base}/agreement/review", headers=as_of(sam, fits.headers["etag"])
    )
    assert done.status_code == 200
    assert done.json()["review"] is False and done.json()["review_at_session"] is None
    events = (await client.get(f"{pair.base}/events", headers=sam.headers)).json()["data"]
    assert [(e["kind"], e["by"]) for e in events][-2:] == [
        ("reviewed", "supporter"),
        ("reviewed", "seeker"),
    ]


async def test_a_change_agreed_at_the_review_point_ends_the_review(client, db, settings):
    pair = await _active(client, db, settings, review_after_session=2)
    await db.execute(
        update(Relationship).where(Relationship.id == pair.relationship_id).values(sessions_held=2)
    )
    await db.commit()
    assert (await _agreement(client, pair)).json()["review"] is True
    change = agreeable_terms(review_after_session=2, max_sessions_per_week=2)
    assert (await _propose(client, pair, pair.seeker, change)).status_code == 201
    agreed = await _consent(client, pair, pair.supporter, 2)
    assert agreed.json()["review"] is False and agreed.json()["review_at_session"] is None


@pytest.mark.parametrize(
    "body",
    [
        agreeable_terms(windows="Tuesday evenings"),
        agreeable_terms(windows=[{"weekday": 9, "start": "25:00", "end": "x"}]),
        agreeable_terms(planned_end_date="10000-01-01"),
        agreeable_terms(timezone="Europe/" + "x" * 1000),
        agreeable_terms(topics_to_avoid={"seeker": ["work"] * 1000}),
        agreeable_terms(personal_limits={"alien": {"hugs": "never"}}),
        agreeable_terms(sessions_total=10**20),
        agreeable_terms(review_after_session=7),  # after the last of 6 sessions
        agreeable_terms(session_minutes=120),  # longer than any window
        {},
        "terms",
        [],
        None,
    ],
)
async def test_odd_proposals_are_422_never_500(client, db, settings, body):
    pair = await agreeing_pair(client, db, settings)
    response = await client.post(
        f"{pair.base}/agreement/proposals",
        content=json.dumps(body),
        headers={**as_of(pair.supporter, '"0"'), "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json().get("errors") or response.json()["detail"]
    empty = await client.post(
        f"{pair.base}/agreement/proposals", headers=as_of(pair.supporter, '"0"')
    )
    assert empty.status_code == 400


async def test_odd_paths_and_etags_are_problems_never_500(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    sam = pair.seeker
    for url, etag, expected in [
        (f"{pair.base}/agreement/versions/0/consent", '"0"', 422),
        (f"{pair.base}/agreement/versions/1000001/consent", '"0"', 422),
        (f"{pair.base}/agreement/versions/1/consent", '"0"', 404),
        (f"{pair.base}/agreement/versions/1/consent", '"99999999999"', 412),
        (f"{pair.base}/agreement/versions/1/consent", '"' + "9" * 40 + '"', 412),
        ("/api/v1/relationships/not-a-uuid/agreement/versions/1/consent", '"0"', 422),
    ]:
        response = await client.post(url, headers=as_of(sam, etag))
        assert response.status_code == expected, (url, etag, response.text)
        assert response.headers["content-type"] == PROBLEM
