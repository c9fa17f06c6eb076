"""Saying no thanks, an invitation that expired, and what a referral may carry."""

from datetime import timedelta

from sqlalchemy import func, select, update

from api.auth.models import User
from api.common import utcnow
from api.referrals.models import Referral
from tests.clients.helpers import integrator
from tests.referrals.helpers import ORGANISATION, events, invite_path, join, refer, status_of
from tests.web.pages import csrf_token


async def test_saying_no_thanks_is_kind_and_only_that_goes_back(client, other_client, db, settings):
    made = await integrator(client, db, settings, name=ORGANISATION)
    referral = await refer(client, made)
    page = await other_client.get(invite_path(referral))
    refused = await other_client.post(
        f"{invite_path(referral)}/refuse", data={"csrf_token": csrf_token(page.text)}
    )
    assert refused.status_code == 200
    assert "Thank you for letting us know" in refused.text
    assert f"told {ORGANISATION} that you said no thanks, and nothing else" in refused.text
    assert await status_of(client, made, referral) == "refused"
    (event,) = await events(db, "referral.refused")
    assert event.data["status"] == "refused" and event.about_users == []
    row = (await db.scalars(select(Referral))).one()
    assert row.refused_at and row.token_hash is None
    assert row.email_sealed is None and row.referrer_sealed is None and row.note_sealed is None
    # The link is spent: no joining after all through it (signing up yourself still works).
    again = await other_client.get(invite_path(referral))
    assert again.status_code == 404 and 'href="/signup"' in again.text
    assert await events(db, "referral.joined") == []


async def test_an_expired_invitation_is_closed_kindly_and_reads_as_expired(
    client, other_client, db, settings
):
    made = await integrator(client, db, settings)
    referral = await refer(client, made)
    page = await other_client.get(invite_path(referral))
    await db.execute(update(Referral).values(expires_at=utcnow() - timedelta(minutes=1)))
    await db.commit()
    assert await status_of(client, made, referral) == "expired"
    closed = await other_client.get(invite_path(referral))
    assert closed.status_code == 410 and "This invitation has closed" in closed.text
    late = await other_client.post(
        invite_path(referral),
        data={
            "csrf_token": csrf_token(page.text),
            "display_name": "Sam",
            "email": "sam.late@example.org",
            "password": "a calm walk by the river",
        },
    )
    assert late.status_code == 410
    # Nothing of a half-made account is kept.
    assert await db.scalar(select(func.count()).select_from(User)) == 1  # the administrator
    refuse = await other_client.post(
        f"{invite_path(referral)}/refuse", data={"csrf_token": csrf_token(page.text)}
    )
    assert refuse.status_code == 410 and await status_of(client, made, referral) == "expired"


async def test_a_sign_up_mistake_keeps_the_invitation_and_what_was_typed(
    client, other_client, db, settings
):
    made = await integrator(client, db, settings)
    referral = await refer(client, made)
    failed = await join(other_client, referral, email="not an email", tags=[2])
    assert failed.status_code == 422
    assert "Enter an email address" in failed.text
    assert 'value="not an email"' in failed.text
    assert 'name="tag" value="1" >' in failed.text or 'name="tag" value="1">' in failed.text
    assert 'name="tag" value="2" checked' in failed.text
    assert await status_of(client, made, referral) == "invited"
    assert (await join(other_client, referral, tags=[2])).status_code == 303


async def test_what_a_referral_may_carry(client, db, settings):
    made = await integrator(client, db, settings)
    cases = [
        ({"note": "Hello"}, "email"),
        ({"email": "nope"}, "email"),
        ({"reference": "sam@example.org"}, "reference"),
        ({"reference": "has spaces"}, "reference"),
        ({"reference": "R1", "experiences": ["no such thing"]}, "experiences[0]"),
        ({"reference": "R1", "experiences": [True]}, "experiences.0.int"),
        ({"reference": "R1", "experiences": list(range(1, 22))}, "experiences"),
        ({"reference": "R1", "referrer": {"email": "jo at riverside"}}, "referrer.email"),
        ({"reference": "R1", "referrer": {"phone": "call me"}}, "referrer.phone"),
        ({"reference": "R1", "note": "x" * 1001}, "note"),
        ({"reference": "R1", "owner_id": "x"}, "owner_id"),
    ]
    for body, field in cases:
        response = await client.post("/api/v1/referrals", json=body, headers=made.headers)
        assert response.status_code == 422, (body, response.text)
        fields = [e["field"] for e in response.json()["errors"]]
        assert any(f.startswith(field) for f in fields), (body, fields)
    first = await client.post("/api/v1/referrals", json={"reference": "R1"}, headers=made.headers)
    assert first.status_code == 201 and first.json()["status"] == "invited"
    twice = await client.post("/api/v1/referrals", json={"reference": "R1"}, headers=made.headers)
    assert twice.status_code == 409
    # Another client may use the same reference for its own person.
    other = await integrator(client, db, settings, name="Another", by=made.admin)
    assert (
        await client.post("/api/v1/referrals", json={"reference": "R1"}, headers=other.headers)
    ).status_code == 201
    only = await client.get("/api/v1/referrals?reference=R1", headers=made.headers)
    assert [r["id"] for r in only.json()["data"]] == [first.json()["id"]]
