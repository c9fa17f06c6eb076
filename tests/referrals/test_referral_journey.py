"""An integrator's referral followed from the invitation to the end of support, with the
summary going back only once the person says yes; another client sees none of it."""

from uuid import UUID

from sqlalchemy import select, text, update

from api.referrals.models import Referral
from api.relationships.models import Relationship
from tests.clients.helpers import integrator
from tests.factories import agreeing_pair
from tests.matching.people import ready_supporter, set_up
from tests.personas import staff
from tests.referrals.helpers import (
    NOTE,
    ORGANISATION,
    REFERRER,
    agree_terms,
    events,
    invite_path,
    join,
    person,
    refer,
    sessions_held,
    status_of,
)
from tests.safety.helpers import active_pair, rid
from tests.web.pages import csrf_token

GOING, FURTHER = "going_through", "further_along"


async def test_a_referral_from_invited_to_ended_with_a_summary_shared_by_consent(
    client, other_client, db, settings
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], capacity=1)
    made = await integrator(client, db, settings, name=ORGANISATION)
    taxonomy = (await client.get("/api/v1/integrations/taxonomy", headers=made.headers)).json()
    first = taxonomy[0]["tags"][0]
    referral = await refer(client, made, experiences=[first["label"], 2])
    assert set(referral) == {
        "id",
        "reference",
        "status",
        "created_at",
        "invite_expires_at",
        "summaries",
        "invite_url",
    }
    assert referral["status"] == "invited" and referral["reference"] == "RSP-2041"
    assert referral["invite_url"].startswith("https://testserver/invite/")
    # What the integrator sent for the person is sealed at rest.
    async with db.bind.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM referral"))).mappings().one()
    stored = " ".join(str(v) for v in row.values())
    for plain in ("sam.referred@example.org", "Jo Patel", "020 7946 0321", "peer support service"):
        assert plain not in stored, plain
    # Listing gives the status, never the link.
    listed = (await client.get("/api/v1/referrals", headers=made.headers)).json()
    assert [r["id"] for r in listed["data"]] == [referral["id"]] and not listed["has_more"]
    assert "invite_url" not in listed["data"][0]

    # Sam opens the link: who it's from, the note, the e-mail and the suggestions pre-filled.
    page = await other_client.get(invite_path(referral))
    assert page.status_code == 200
    for shown in (
        ORGANISATION,
        REFERRER["name"],
        REFERRER["role"],
        NOTE,
        "sam.referred@example.org",
    ):
        assert shown in page.text, shown
    assert f'name="tag" value="{first["id"]}" checked' in page.text
    assert 'name="tag" value="2" checked' in page.text
    # Sam keeps one suggestion and unticks the other.
    joined = await join(other_client, referral, tags=[first["id"]])
    assert joined.status_code == 303 and joined.headers["location"] == "/profile?welcome=referral"
    assert (await other_client.get("/profile?welcome=referral")).status_code == 200
    sam = await person(client, "sam", "sam.referred@example.org")
    kept = (await client.get("/api/v1/profile/experiences", headers=sam.headers)).json()
    assert [(e["tag_id"], e["stage"]) for e in kept] == [(first["id"], GOING)]
    assert await status_of(client, made, referral) == "joined"
    (event,) = await events(db, "referral.joined")
    assert event.data == {
        "referral_id": referral["id"],
        "client_id": made.client_id,
        "reference": "RSP-2041",
        "status": "joined",
    }
    assert event.about_users == [str(sam.id)]
    # Used once: the link doesn't work again, and what was kept for Sam is gone.
    again = await client.get(invite_path(referral))
    assert again.status_code == 404 and "already been used" in again.text
    stored_row = (await db.scalars(select(Referral))).one()
    assert stored_row.email_sealed is None and stored_row.referrer_sealed is None
    assert stored_row.note_sealed is None and stored_row.token_hash is None

    # Sam asks for support: waiting.
    await set_up(client, sam, [(first["id"], GOING)])
    asked = await client.post(
        "/api/v1/support-requests",
        json={"tag_ids": [first["id"]], "preferences": {}},
        headers=sam.headers,
    )
    assert asked.status_code == 201, asked.text
    assert await status_of(client, made, referral) == "waiting"
    assert [e.about_users for e in await events(db, "referral.waiting")] == [[str(sam.id)]]

    # Sam chooses Bob: introduced; Bob accepts: still being introduced (agreeing terms).
    chosen = await client.post(
        f"/api/v1/support-requests/{asked.json()['id']}/choice",
        json={"supporter_id": str(bob.id)},
        headers=sam.headers,
    )
    assert chosen.status_code == 201, chosen.text
    assert await status_of(client, made, referral) == "introduced"
    accepted = await client.post(
        f"/api/v1/introductions/{chosen.json()['id']}/accept", headers=bob.headers
    )
    assert accepted.status_code == 200
    relationship_id = UUID(accepted.json()["id"])
    assert await status_of(client, made, referral) == "introduced"

    # Terms agreed: active, and relationships:read shows the state (ids and states only).
    await agree_terms(db, relationship_id, bob.id)
    assert await status_of(client, made, referral) == "active"
    states = (await client.get("/api/v1/integrations/relationships", headers=made.headers)).json()
    assert states == {
        "data": [
            {
                "relationship_id": str(relationship_id),
                "referral_id": referral["id"],
                "state": "active",
            }
        ],
        "has_more": False,
    }

    # Two sessions held, then Sam ends it: ended, and Sam is asked (a notice and a prompt).
    await sessions_held(db, relationship_id, 2)
    ended = await client.post(
        f"/api/v1/relationships/{relationship_id}/end", json={}, headers=sam.headers
    )
    assert ended.status_code == 200, ended.text
    found = (await client.get(f"/api/v1/referrals/{referral['id']}", headers=made.headers)).json()
    assert found["status"] == "ended" and found["summaries"] == []
    notices = (await client.get("/api/v1/notices", headers=sam.headers)).json()["data"]
    asking = [n for n in notices if n["kind"] == "referral_summary_question"]
    assert len(asking) == 1 and ORGANISATION in asking[0]["text"]
    assert "Nothing is shared unless you say yes" in asking[0]["text"]
    assert [n for n in notices if n["kind"] == "ended"] == []  # Sam ended it: Bob is told
    home = await other_client.get("/")
    assert "How did your support go?" in home.text
    prompt = await other_client.get("/referral-summaries")
    assert "It ended earlier than planned, after 2 sessions held." in prompt.text
    summary_id = prompt.text.split('action="/referral-summaries/')[1].split('"')[0]

    async def answer(share: str):
        page = await other_client.get("/referral-summaries")
        return await other_client.post(
            f"/referral-summaries/{summary_id}",
            data={"csrf_token": csrf_token(page.text), "share": share},
        )

    # No: nothing is shared. Then a change of mind: yes, shared at once.
    assert (await answer("no")).status_code == 303
    found = (await client.get(f"/api/v1/referrals/{referral['id']}", headers=made.headers)).json()
    assert found["summaries"] == [] and await events(db, "referral.summary") == []
    assert (await answer("yes")).status_code == 303
    found = (await client.get(f"/api/v1/referrals/{referral['id']}", headers=made.headers)).json()
    assert [(s["ending"], s["sessions_held"]) for s in found["summaries"]] == [("early", 2)]
    (shared,) = await events(db, "referral.summary")
    assert shared.data == {
        "referral_id": referral["id"],
        "client_id": made.client_id,
        "reference": "RSP-2041",
    }
    # Once sent it can't be taken back.
    late = await answer("no")
    assert late.status_code == 409 and "already been shared" in late.text
    assert "How did your support go?" not in (await other_client.get("/")).text

    # Another client sees none of it.
    other = await integrator(client, db, settings, name="Another service", by=made.admin)
    assert (
        await client.get(f"/api/v1/referrals/{referral['id']}", headers=other.headers)
    ).status_code == 404
    for path in ("/api/v1/referrals", "/api/v1/integrations/relationships"):
        assert (await client.get(path, headers=other.headers)).json() == {
            "data": [],
            "has_more": False,
        }


async def test_a_signed_in_person_can_join_as_themselves_and_a_planned_end_reads_so(
    client, other_client, db, settings
):
    made = await integrator(client, db, settings)
    referral = await refer(client, made, email=None, experiences=[3])
    pair = await active_pair(client, db, settings, sessions_total=6)
    # Sam has an account already; Sam's earlier support is none of the referrer's business.
    assert await status_of(client, made, referral) == "invited"
    login = await other_client.get("/login")
    logged = await other_client.post(
        "/login",
        data={
            "csrf_token": csrf_token(login.text),
            "email": pair.seeker.email,
            "password": "a calm walk by the river",
        },
    )
    assert logged.status_code == 303
    page = await other_client.get(invite_path(referral))
    assert "so you can join as yourself" in page.text and 'name="password"' not in page.text
    joined = await other_client.post(
        invite_path(referral), data={"csrf_token": csrf_token(page.text), "tag": ["3"]}
    )
    assert joined.status_code == 303
    # A relationship begun before joining is not counted.
    assert await status_of(client, made, referral) == "joined"
    states = await client.get("/api/v1/integrations/relationships", headers=made.headers)
    assert states.json()["data"] == []
    # Tag 3 was added beside what Sam had.
    kept = (await client.get("/api/v1/profile/experiences", headers=pair.seeker.headers)).json()
    assert 3 in [e["tag_id"] for e in kept]


async def test_a_planned_ending_is_summarised_as_planned(client, other_client, db, settings):
    made = await integrator(client, db, settings)
    referral = await refer(client, made, reference="RSP-7", email=None)
    joined = await join(other_client, referral, name="Kim", email="kim@example.org", tags=[1])
    assert joined.status_code == 303
    kim = await person(client, "kim", "kim@example.org")
    # Kim is then introduced to a supporter and they agree six sessions, all held.
    pair = await agreeing_pair(client, db, settings, seeker_name="kim")
    await db.execute(
        update(Relationship).where(Relationship.id == rid(pair)).values(seeker_id=kim.id)
    )
    await db.commit()
    await agree_terms(db, rid(pair), pair.supporter.id, sessions_total=6)
    await sessions_held(db, rid(pair), 6)
    done = await client.post(f"{pair.base}/complete", json={}, headers=kim.headers)
    assert done.status_code == 200, done.text
    prompt = await other_client.get("/referral-summaries")
    assert "It came to its planned end, after 6 sessions held." in prompt.text
