"""Privacy rights: download all my data; delete my account (gone from every table), while the
other person keeps a readable, anonymised history."""

import json
from typing import Any
from uuid import UUID

from sqlalchemy import select, text, update

from api.auth import tokens
from api.models import metadata
from api.relationships.models import Relationship, RelationshipEvent, State
from api.safety.models import Ending
from api.supporters.models import SupporterOffer
from tests.personas import PASSWORD, supporter
from tests.safety.helpers import active_pair, notices_of, places_taken, relationship, rid

OWN_WORDS = "After the divorce I stopped sleeping and lost my appetite for months."
CONCERN = "She said she would turn up at my work if I did not answer faster."
CLOSING = "Thank you Cal, this wasn't the right fit for me, I wish you well."
FEEDBACK = "Cal was lovely, but our times never lined up."


async def _zed_with_history(client, db, settings):
    """Zed, a seeker: own words, an active relationship with Bob (with a concern), and an
    ended one with Cal (a closing message, feedback, a block)."""
    pair = await active_pair(client, db, settings, seeker_name="zed")
    zed = pair.seeker
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": "going_through", "description": OWN_WORDS}],
        headers=zed.headers,
    )
    assert saved.status_code == 200, saved.text
    raised = await client.post(
        f"{pair.base}/concerns",
        json={"kind": "feel_unsafe", "details": CONCERN, "anonymous": True},
        headers=zed.headers,
    )
    assert raised.status_code == 201
    cal = await supporter(client, pair.coordinator, "cal")
    second = Relationship(
        seeker_id=zed.id, supporter_id=cal.id, state=State.active, agreed_version=1
    )
    db.add(second)
    await db.flush()
    db.add(RelationshipEvent(relationship_id=second.id, actor_id=cal.id, to_state="active"))
    await db.execute(
        update(SupporterOffer).where(SupporterOffer.user_id == cal.id).values(active_count=1)
    )
    await db.commit()
    other = f"/api/v1/relationships/{second.id}"
    ended = await client.post(
        f"{other}/end", json={"closing_message": CLOSING}, headers=zed.headers
    )
    assert ended.status_code == 200, ended.text
    assert (
        await client.post(f"{other}/feedback", json={"text": FEEDBACK}, headers=zed.headers)
    ).status_code == 201
    assert (await client.post(f"{other}/block", headers=zed.headers)).status_code == 200
    # A failed login leaves a throttle row keyed by Zed's email.
    bad = await client.post(
        "/api/v1/auth/token", data={"username": zed.email, "password": "not my password"}
    )
    assert bad.status_code == 401
    return pair, cal, second.id


async def test_download_all_my_data(client, db, settings):
    pair, cal, _second = await _zed_with_history(client, db, settings)
    zed = pair.seeker
    quiet = {"email_kinds": ["session_reminder"], "quiet_from": "22:00", "quiet_until": "07:30"}
    changed = await client.put("/api/v1/me/notification-settings", json=quiet, headers=zed.headers)
    assert changed.status_code == 200, changed.text
    response = await client.get("/api/v1/me/export", headers=zed.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["account"]["email"] == zed.email and "password_hash" not in data["account"]
    assert data["experiences"][0]["description"] == OWN_WORDS
    assert data["profile"]["timezone"] == "Europe/London"
    assert {r["other_person"] for r in data["relationships"]} == {"Bob", "Cal"}
    ended = next(r for r in data["relationships"] if r["other_person"] == "Cal")
    assert ended["ending"]["closing_message"] == CLOSING and ended["my_role"] == "seeker"
    assert [e["to"] for e in ended["events"]] == ["active", "ended"]
    active = next(r for r in data["relationships"] if r["other_person"] == "Bob")
    assert active["agreement_versions"][0]["terms"]["sessions_total"] == 6
    assert data["concerns_raised"][0]["details"] == CONCERN
    assert data["feedback_given"][0]["text"] == FEEDBACK
    assert data["blocked"][0]["person"] == "Cal"
    assert data["sessions"] and "secret_hash" not in data["sessions"][0]
    # How Zed asked to hear of notices, as the settings page shows it; whether a second factor
    # guards the account (never its secret).
    assert data["notification_settings"] == changed.json()
    assert data["second_factor"] == {"enabled": False, "since": None, "recovery_codes_left": 0}
    # Nothing private of anyone else.
    assert pair.supporter.email not in response.text and cal.email not in response.text
    anonymous = await client.get("/api/v1/me/export")
    assert anonymous.status_code == 401


async def test_deleting_needs_the_password_again(client, db, settings):
    pair = await active_pair(client, db, settings)
    wrong = await client.request(
        "DELETE", "/api/v1/me", json={"password": "not my password"}, headers=pair.seeker.headers
    )
    assert wrong.status_code == 403 and wrong.json()["type"] == "/problems/wrong-password"
    missing = await client.request("DELETE", "/api/v1/me", headers=pair.seeker.headers)
    assert missing.status_code == 422
    assert (await client.get("/api/v1/me", headers=pair.seeker.headers)).status_code == 200
    assert (await relationship(db, pair)).state == "active"


def _values(value: Any) -> list[Any]:
    """Every scalar inside a column value (JSON included)."""
    if isinstance(value, dict):
        return [v for item in value.items() for part in item for v in _values(part)]
    if isinstance(value, list | tuple):
        return [v for item in value for v in _values(item)]
    return [value]


async def test_a_deleted_account_is_gone_from_every_table(client, db, settings):
    pair, cal, second = await _zed_with_history(client, db, settings)
    zed, bob = pair.seeker, pair.supporter
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=zed.headers
    )
    assert gone.status_code == 204, gone.text
    assert (await client.get("/api/v1/me", headers=zed.headers)).status_code == 401

    # Every row of every table, every column (JSON unpacked): no trace of Zed.
    account_key = tokens.keyed_hash(settings, "login-account", zed.email)
    traces = {str(zed.id), zed.id.hex, zed.email, "Zed", account_key, OWN_WORDS, CONCERN}
    db.expire_all()
    found = []
    async with db.bind.connect() as conn:
        for table in metadata.sorted_tables:
            for row in (await conn.execute(table.select())).mappings():
                for column, value in row.items():
                    for scalar in _values(json.loads(value) if _is_json(value) else value):
                        if isinstance(scalar, UUID):
                            scalar = str(scalar)
                        if isinstance(scalar, bytes):
                            continue  # sealed: checked below
                        if isinstance(scalar, str) and any(t in scalar for t in traces):
                            found.append((table.name, column, scalar))
    assert found == []
    # Sealed text Zed wrote that others might otherwise keep is erased too.
    sealed = await db.execute(
        text(
            "SELECT details_sealed FROM concern UNION ALL "
            "SELECT closing_message_sealed FROM relationship_ending"
        )
    )
    assert [blob for (blob,) in sealed.all()] == [None, None, None]  # a concern, two endings
    assert (await db.execute(text("SELECT count(*) FROM relationship_feedback"))).scalar() == 0
    assert (await db.execute(text("SELECT count(*) FROM person_block"))).scalar() == 0

    # Bob keeps his history, readable and anonymised; his place is free; he was told kindly.
    assert await places_taken(db, bob.id) == 0
    kept = await client.get(pair.base, headers=bob.headers)
    assert kept.status_code == 200, kept.text
    assert (
        kept.json()["state"] == "ended"
        and kept.json()["other"]["display_name"] == "A former member"
    )
    assert "Zed" not in kept.text
    seen = (await client.get(f"{pair.base}/safety", headers=bob.headers)).json()
    assert seen["ending"]["how"] == "account_deleted" and seen["other_name"] == "A former member"
    assert seen["can"]["block"] is False
    told = await notices_of(client, bob)
    assert told[0]["kind"] == "account_deleted"
    assert told[0]["text"].startswith("The person you were supporting has left Kindred")
    stored = await relationship(db, pair)
    assert stored.seeker_id is None and stored.end_kind == "account_deleted"
    # Cal keeps the ended relationship, without Zed's closing message.
    cal_view = await client.get(f"/api/v1/relationships/{second}/safety", headers=cal.headers)
    assert cal_view.status_code == 200
    assert cal_view.json()["ending"]["closing_message"] is None
    assert (await db.get(Ending, second)).closing_message_sealed is None
    assert rid(pair) != second
    # (Trying to log in afterwards fails like any unknown email, and is throttled like one.)
    relogin = await client.post(
        "/api/v1/auth/token", data={"username": zed.email, "password": PASSWORD}
    )
    assert relogin.status_code == 401


def _is_json(value: Any) -> bool:
    return isinstance(value, str) and value[:1] in ("{", "[")


async def test_deleting_a_supporter_withdraws_their_introductions(client, db, settings):
    from tests.matching.people import ready_supporter, seeker_with_request
    from tests.personas import staff

    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, "further_along")])
    sam, request = await seeker_with_request(client, "sam", [(1, "going_through")])
    chosen = await client.post(
        f"/api/v1/support-requests/{request['id']}/choice",
        json={"supporter_id": str(bob.id)},
        headers=sam.headers,
    )
    assert chosen.status_code == 201, chosen.text
    await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=bob.headers)
    current = (await client.get("/api/v1/support-requests/current", headers=sam.headers)).json()
    assert current["status"] == "waiting"  # back on the waiting list
    assert current["introductions"][0]["status"] == "not available right now"
    db.expire_all()
    states = (await db.execute(select(Relationship.state))).scalars().all()
    assert states == ["declined"]
