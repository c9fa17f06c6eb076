"""One appeal per decision, decided by another coordinator: upheld, or overturned (which shows
a hidden message again or ends a suspension); the person is told either way."""

from datetime import timedelta

from api.common import utcnow
from tests.moderation.helpers import COORDINATION, REPORTED, appeal, decide, make_lead, reported
from tests.personas import token_for


def _answer(outcome: str) -> dict:
    return {"outcome": outcome, "answer": "Thank you for explaining; we've looked again."}


async def test_the_deciding_coordinator_cannot_decide_the_appeal(client, db, settings):
    r = await reported(client, db, settings)
    made = await decide(client, r, "hide_message")
    assert (await appeal(client, r.pair.supporter, made["id"])).status_code == 201
    url = f"{COORDINATION}/moderation/decisions/{made['id']}/appeal-decision"
    own = await client.post(url, json=_answer("overturned"), headers=r.pair.coordinator.headers)
    assert own.status_code == 403 and own.json()["type"] == "/problems/own-decision"
    assert "another coordinator decides" in own.json()["detail"]
    # Robin's queue doesn't offer it; Casey's does.
    robin_q = await client.get(
        f"{COORDINATION}/moderation/appeals", headers=r.pair.coordinator.headers
    )
    assert robin_q.json()["data"] == []
    casey_q = await client.get(f"{COORDINATION}/moderation/appeals", headers=r.casey.headers)
    (waiting,) = casey_q.json()["data"]
    assert waiting["may_decide_appeal"] and waiting["appeal"]["text"] == "I meant my group."
    # Still hidden: nothing changed.
    mine = await client.get(f"{r.pair.base}/messages", headers=r.pair.supporter.headers)
    assert [m["status"] for m in mine.json()["messages"] if m["id"] == r.message_id] == ["hidden"]


async def test_one_appeal_only(client, db, settings):
    r = await reported(client, db, settings)
    made = await decide(client, r, "warn")
    assert (await appeal(client, r.pair.supporter, made["id"])).status_code == 201
    twice = await appeal(client, r.pair.supporter, made["id"], "Please, again.")
    assert twice.status_code == 409 and "only once" in twice.json()["detail"]
    empty = await appeal(client, r.pair.supporter, made["id"], "   ")
    assert empty.status_code in (409, 422)


async def test_overturning_a_hide_shows_the_message_again_and_tells_the_person(
    client, db, settings
):
    r = await reported(client, db, settings)
    made = await decide(client, r, "hide_message")
    await appeal(client, r.pair.supporter, made["id"])
    decided = await client.post(
        f"{COORDINATION}/moderation/decisions/{made['id']}/appeal-decision",
        json=_answer("overturned"),
        headers=r.casey.headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["outcome"] == "overturned" and decided.json()["reversed_at"]
    theirs = await client.get(f"{r.pair.base}/messages", headers=r.pair.seeker.headers)
    assert REPORTED in [m["body"] for m in theirs.json()["messages"]]
    bob = r.pair.supporter
    notices = (await client.get("/api/v1/notices", headers=bob.headers)).json()["data"]
    (told,) = [n for n in notices if n["kind"] == "appeal_overturned"]
    assert "reversed it" in told["text"] and "can be read again" in told["text"]
    mine = await client.get(f"/api/v1/moderation/decisions/{made['id']}", headers=bob.headers)
    assert mine.json()["appeal"]["outcome"] == "overturned"
    assert mine.json()["appeal"]["answer"].startswith("Thank you for explaining")
    assert not mine.json()["can_appeal"]
    # Decided once.
    again = await client.post(
        f"{COORDINATION}/moderation/decisions/{made['id']}/appeal-decision",
        json=_answer("upheld"),
        headers=r.casey.headers,
    )
    assert again.status_code == 409


async def test_a_suspended_person_appeals_with_their_password_and_overturning_lifts_it(
    client, db, settings
):
    from tests.personas import PASSWORD

    r = await reported(client, db, settings)
    bob = r.pair.supporter
    made = await decide(
        client, r, "suspend", suspend_until=(utcnow() + timedelta(days=3)).date().isoformat()
    )
    url = "/api/v1/moderation/suspension-appeal"
    form = {"email": bob.email, "password": PASSWORD, "text": "It was about my walking group."}
    wrong = await client.post(url, json={**form, "password": "not my password at all"})
    assert wrong.status_code == 401 and "suspended" not in wrong.text
    # Sam isn't suspended: nothing to appeal this way.
    sam = r.pair.seeker
    assert (await client.post(url, json={**form, "email": sam.email})).status_code == 409
    filed = await client.post(url, json=form)
    assert filed.status_code == 201, filed.text
    assert filed.json()["outcome"] == "appealed" and not filed.json()["can_appeal"]
    assert (await client.post(url, json=form)).status_code == 409  # once
    decided = await client.post(
        f"{COORDINATION}/moderation/decisions/{made['id']}/appeal-decision",
        json=_answer("overturned"),
        headers=r.casey.headers,
    )
    assert decided.status_code == 200 and decided.json()["reversed_at"]
    back = await token_for(client, bob.email)  # the suspension is over
    notices = await client.get(
        "/api/v1/notices", headers={"Authorization": f"Bearer {back['access_token']}"}
    )
    (told,) = [n for n in notices.json()["data"] if n["kind"] == "appeal_overturned"]
    assert "no longer suspended" in told["text"]


async def test_an_upheld_suspension_stays(client, db, settings):
    from tests.personas import PASSWORD

    r = await reported(client, db, settings)
    bob = r.pair.supporter
    made = await decide(
        client, r, "suspend", suspend_until=(utcnow() + timedelta(days=3)).date().isoformat()
    )
    form = {"email": bob.email, "password": PASSWORD, "text": "Please look again."}
    assert (await client.post("/api/v1/moderation/suspension-appeal", json=form)).status_code == 201
    upheld = await client.post(
        f"{COORDINATION}/moderation/decisions/{made['id']}/appeal-decision",
        json=_answer("upheld"),
        headers=r.casey.headers,
    )
    assert upheld.status_code == 200 and upheld.json()["outcome"] == "upheld"
    refused = await client.post(
        "/api/v1/auth/token", data={"username": bob.email, "password": PASSWORD}
    )
    assert refused.status_code == 403


async def test_the_safeguarding_lead_sees_every_appeal(client, db, settings):
    r = await reported(client, db, settings)
    made = await decide(client, r, "warn", by=r.casey)
    await appeal(client, r.pair.supporter, made["id"])
    await make_lead(db, r.casey)
    seen = await client.get(f"{COORDINATION}/moderation/appeals", headers=r.casey.headers)
    (item,) = seen.json()["data"]
    assert item["id"] == made["id"] and not item["may_decide_appeal"]  # their own decision
    robin = await client.get(
        f"{COORDINATION}/moderation/appeals", headers=r.pair.coordinator.headers
    )
    assert [d["id"] for d in robin.json()["data"]] == [made["id"]]


async def test_in_my_export_and_my_appeal_text_goes_with_my_account(client, db, settings):
    from sqlalchemy import select

    from api.moderation.models import Appeal, ModerationDecision
    from tests.personas import PASSWORD

    r = await reported(client, db, settings)
    made = await decide(client, r, "warn")
    bob = r.pair.supporter
    await appeal(client, bob, made["id"], "It was about my walking group.")
    export = (await client.get("/api/v1/me/export", headers=bob.headers)).json()
    (mine,) = export["moderation_decisions_about_me"]
    assert mine["kind"] == "warn" and mine["my_appeal"] == "It was about my walking group."
    assert "reason" not in mine and "outside the agreement" not in str(mine)
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=bob.headers
    )
    assert gone.status_code == 204, gone.text
    db.expire_all()
    kept = await db.scalar(select(ModerationDecision))
    assert kept.person_id is None and kept.person_role == "supporter" and kept.outcome == "appealed"
    left = await db.scalar(select(Appeal))
    assert left.text_sealed is None and left.appellant_id is None
