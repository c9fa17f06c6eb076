"""A referred person's rights: their export says who referred them and what they answered;
deleting their account takes every summary they never shared, and cuts the referral's link
to them (the referrer then reads "ended", nothing more)."""

from sqlalchemy import select, update

from api.referrals.models import Referral, ReferralSummary
from api.relationships.models import Relationship
from tests.clients.helpers import integrator
from tests.factories import agreeing_pair
from tests.personas import PASSWORD
from tests.referrals.helpers import (
    ORGANISATION,
    agree_terms,
    join,
    person,
    refer,
    sessions_held,
    status_of,
)
from tests.safety.helpers import rid
from tests.web.pages import csrf_token


async def _ended_twice(client, other_client, db, settings):
    """Sam, referred and joined, whose support ended twice: one summary shared, one not."""
    made = await integrator(client, db, settings, name=ORGANISATION)
    referral = await refer(client, made)
    assert (await join(other_client, referral, tags=[1])).status_code == 303
    sam = await person(client, "sam", "sam.referred@example.org")
    ids = []
    for n, name in enumerate(("first", "second")):
        pair = await agreeing_pair(client, db, settings, seeker_name=name, supporter_name=f"s{n}")
        await db.execute(
            update(Relationship).where(Relationship.id == rid(pair)).values(seeker_id=sam.id)
        )
        await db.commit()
        await agree_terms(db, rid(pair), pair.supporter.id)
        await sessions_held(db, rid(pair), n + 1)
        ended = await client.post(f"{pair.base}/end", json={}, headers=sam.headers)
        assert ended.status_code == 200, ended.text
        ids.append(rid(pair))
    first = (
        await db.scalars(select(ReferralSummary).where(ReferralSummary.relationship_id == ids[0]))
    ).one()
    page = await other_client.get("/referral-summaries")
    shared = await other_client.post(
        f"/referral-summaries/{first.id}",
        data={"csrf_token": csrf_token(page.text), "share": "yes"},
    )
    assert shared.status_code == 303
    return made, referral, sam


async def test_the_export_says_who_referred_me_and_what_i_answered(
    client, other_client, db, settings
):
    _, _, sam = await _ended_twice(client, other_client, db, settings)
    exported = (await client.get("/api/v1/me/export", headers=sam.headers)).json()
    (mine,) = exported["referrals"]
    assert mine["referred_by"] == ORGANISATION and mine["joined_at"]
    answers = sorted((s["what_would_be_shared"], s["answer"]) for s in mine["summaries"])
    assert answers == [
        ("It ended earlier than planned, after 1 session held.", "yes"),
        ("It ended earlier than planned, after 2 sessions held.", None),
    ]


async def test_deleting_my_account_takes_every_summary_i_never_shared(
    client, other_client, db, settings
):
    made, referral, sam = await _ended_twice(client, other_client, db, settings)
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=sam.headers
    )
    assert gone.status_code == 204, gone.text
    db.expire_all()
    row = (await db.scalars(select(Referral))).one()
    assert row.user_id is None
    left = (await db.scalars(select(ReferralSummary))).all()
    assert [(s.sessions_held, s.shared_at is not None) for s in left] == [(1, True)]
    assert await status_of(client, made, referral) == "ended"
    found = (await client.get(f"/api/v1/referrals/{referral['id']}", headers=made.headers)).json()
    assert [(s["ending"], s["sessions_held"]) for s in found["summaries"]] == [("early", 1)]
