"""The people the API benchmark acts as: active pairs with agreed terms, messages and tokens.

The background (supporters, seekers, relationships in every state) comes from the console
benchmark's loader; these pairs are added beside it in the shapes the services write (terms
that validate, the topics sealed, both consents, messages sealed to their row), all by COPY,
and each person gets a live login session and an access token minted for it, so no password
hashing stands between the benchmark and its first request.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from api.auth.tokens import hash_secret, mint_access_token, new_secret
from api.config import Settings
from api.crypto import seal

ZONE = "Europe/London"
MESSAGES_EACH = 30  # a conversation a few weeks old
SLOTS_EACH = 49  # seven weeks of one session a day: every proposal fits the terms


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID
    token: str


@dataclass(frozen=True)
class Pair:
    relationship_id: uuid.UUID
    seeker: Actor
    supporter: Actor
    slots: list[str]  # ISO start times, inside the agreed windows, for sessions to propose


def terms(today: datetime) -> dict:
    """Terms both agreed to: every day, chat and video, seven sessions a week at most."""
    return {
        "windows": [{"weekday": d, "start": "07:00", "end": "22:00"} for d in range(7)],
        "timezone": ZONE,
        "channels": ["chat", "video"],
        "sessions_total": 52,
        "session_minutes": 30,
        "max_sessions_per_week": 7,
        "review_after_session": 40,
        "planned_end_date": (today + timedelta(weeks=52)).date().isoformat(),
        "personal_limits": {"seeker": {}, "supporter": {}},
        "acknowledgements": {"confidentiality_and_exception": True, "not_a_crisis_service": True},
    }


def _slots(now: datetime) -> list[str]:
    """Noon, London time, on each of the next days (never two in one hour: no overlaps)."""
    zone = ZoneInfo(ZONE)
    first = now.astimezone(zone).date() + timedelta(days=2)
    return [
        datetime(d.year, d.month, d.day, 12, tzinfo=zone).astimezone(UTC).isoformat()
        for d in (first + timedelta(days=i) for i in range(SLOTS_EACH))
    ]


async def _copy(conn: asyncpg.Connection, table: str, rows: list[tuple], columns: str) -> None:
    await conn.copy_records_to_table(table, records=rows, columns=columns.split())


async def add_pairs(conn: asyncpg.Connection, settings: Settings, n: int) -> list[Pair]:
    """n active relationships between new people, each with its agreement and conversation."""
    now = datetime.now(UTC)
    started = now - timedelta(days=21)
    agreed = terms(now)
    users, profiles, offers, requests, rels, events, versions, consents = ([] for _ in range(8))
    messages, logins, pairs = [], [], []
    slots = _slots(now)
    for i in range(n):
        seeker, supporter, rid, vid = (uuid.uuid4() for _ in range(4))
        for uid, who in ((seeker, "seeker"), (supporter, "supporter")):
            name = f"{who.title()} {i}"
            users.append((uid, f"{who}{i}@pairs.bench", name, "x", "peer", True, started))
            profiles.append(
                (uid, '["en"]', ZONE, json.dumps(agreed["windows"]), '["chat", "video"]', now)
            )
        offers.append(
            (uuid.uuid4(), supporter, f"Supporter {i}", "approved", 5, False, 1, started, now)
        )
        request = uuid.uuid4()
        requests.append((request, seeker, "matched", "[]", "{}", started, started))
        answered = started + timedelta(hours=5)
        state = ("active", "seeker_choice", 0.8, "[]", started, answered, 2, 1, 0, 40)
        rels.append((rid, seeker, supporter, request, *state))
        for step, (before, after) in enumerate(
            ((None, "introduced"), ("introduced", "agreeing"), ("agreeing", "active"))
        ):
            at = started + timedelta(hours=2 * step)
            events.append((uuid.uuid4(), rid, at, supporter if step else None, before, after))
        topics = seal(settings, json.dumps({"seeker": ["work"], "supporter": []}), _topics(vid))
        versions.append(
            (vid, rid, 1, supporter, json.dumps(agreed), topics, "agreed", started, started)
        )
        for uid in (supporter, seeker):
            consents.append((uuid.uuid4(), vid, uid, "consent", started + timedelta(hours=4)))
        for m in range(MESSAGES_EACH):
            mid, at = uuid.uuid4(), started + timedelta(hours=8 + 12 * m)
            body = f"Message {m}: thank you for listening, it helped more than I can say."
            sender, to = (seeker, supporter) if m % 2 else (supporter, seeker)
            sealed = seal(settings, body, mid.bytes)
            messages.append((mid, rid, sender, to, sealed, at, at, False, at, at))
        pairs.append(
            Pair(rid, _actor(settings, seeker, logins), _actor(settings, supporter, logins), slots)
        )
    cols = "id email display_name password_hash role is_active created_at"
    await _copy(conn, "user_account", users, cols)
    cols = "user_id languages timezone availability channels updated_at"
    await _copy(conn, "profile", profiles, cols)
    await _copy(
        conn,
        "supporter_offer",
        offers,
        "id user_id display_name status capacity paused active_count created_at updated_at",
    )
    await _copy(
        conn,
        "support_request",
        requests,
        "id seeker_id status tag_ids preferences created_at updated_at",
    )
    await _copy(
        conn,
        "relationship",
        rels,
        "id seeker_id supporter_id request_id state source score reasons created_at answered_at"
        " agreement_revision agreed_version sessions_held review_at_session",
    )
    await _copy(
        conn,
        "relationship_event",
        events,
        "id relationship_id at actor_id from_state to_state",
    )
    await _copy(
        conn,
        "agreement_version",
        versions,
        "id relationship_id number proposed_by terms topics_sealed status created_at agreed_at",
    )
    await _copy(conn, "agreement_consent", consents, "id version_id user_id kind at")
    await _copy(
        conn,
        "message",
        messages,
        "id relationship_id sender_id recipient_id body_sealed sent_at deliver_at held notified_at"
        " read_at",
    )
    await _copy(
        conn,
        "auth_session",
        logins,
        "id user_id kind secret_hash created_at last_used_at expires_at",
    )
    return pairs


def _topics(version_id: uuid.UUID) -> bytes:
    return b"agreement_version.topics_to_avoid:" + version_id.bytes


def _actor(settings: Settings, user_id: uuid.UUID, logins: list[tuple]) -> Actor:
    """A login session for this person (added to ``logins``) and an access token for it."""
    session_id, now = uuid.uuid4(), datetime.now(UTC)
    logins.append(
        (session_id, user_id, "api", hash_secret(new_secret()), now, now, now + timedelta(days=1))
    )
    return Actor(user_id, mint_access_token(settings, user_id, session_id))


async def add_coordinator(conn: asyncpg.Connection, settings: Settings) -> Actor:
    """A coordinator with a live session that proved the second factor (staff need it)."""
    uid, session_id = uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        "INSERT INTO user_account (id, email, display_name, password_hash, role, is_active"
        " , created_at, email_verified_at) VALUES ($1, 'coordinator@pairs.bench', 'Coordinator',"
        " 'x', 'coordinator', true, now(), now())",
        uid,
    )
    await conn.execute(
        "INSERT INTO auth_session (id, user_id, kind, secret_hash, created_at, last_used_at,"
        " expires_at, second_factor_at)"
        " VALUES ($1, $2, 'api', $3, now(), now(), now() + interval '1 day', now())",
        session_id,
        uid,
        hash_secret(new_secret()),
    )
    return Actor(uid, mint_access_token(settings, uid, session_id))


async def session_for(conn: asyncpg.Connection, settings: Settings, user_id: uuid.UUID) -> str:
    """An access token for an existing account (a new login session for it)."""
    session_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO auth_session (id, user_id, kind, secret_hash, created_at, last_used_at,"
        " expires_at) VALUES ($1, $2, 'api', $3, now(), now(), now() + interval '1 day')",
        session_id,
        user_id,
        hash_secret(new_secret()),
    )
    return mint_access_token(settings, user_id, session_id)
