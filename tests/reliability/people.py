"""The people the reliability tests act as, loaded straight into the database in the shapes
the services write (as the API benchmark does: bench/api_data.py), each with a live login
session and an access token, so no password hashing stands between the load and the API."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from api.config import Settings
from bench.api_data import Actor, Pair, add_pairs, session_for

__all__ = ["Actor", "Pair", "Seeker", "add_pairs", "seekers", "supporters"]

ZONE = "Europe/London"
ALL_WEEK = json.dumps([{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)])


@dataclass(frozen=True)
class Seeker:
    actor: Actor
    request_id: uuid.UUID


async def _tag(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT id FROM experience_tag ORDER BY id LIMIT 1")


async def _people(conn: asyncpg.Connection, settings: Settings, who: str, n: int) -> list[Actor]:
    """n confirmed peers with a profile (English, chat and video, any time of the week) and
    one shared experience."""
    tag, now, found = await _tag(conn), datetime.now(UTC), []
    for i in range(n):
        uid = uuid.uuid4()
        await conn.execute(
            "INSERT INTO user_account (id, email, display_name, password_hash, role, is_active,"
            " created_at, email_verified_at) VALUES ($1, $2, $3, 'x', 'peer', true, $4, $4)",
            uid,
            f"{who}{i}-{uid.hex[:6]}@reliability.test",
            f"{who.title()} {i}",
            now - timedelta(days=30),
        )
        await conn.execute(
            "INSERT INTO profile (user_id, languages, timezone, availability, channels,"
            ' updated_at) VALUES ($1, \'["en"]\', $2, $3, \'["chat", "video"]\', $4)',
            uid,
            ZONE,
            ALL_WEEK,
            now,
        )
        stage = "further_along" if who == "supporter" else "going_through"
        await conn.execute(
            "INSERT INTO person_experience (id, user_id, tag_id, stage, willing_to_talk)"
            " VALUES ($1, $2, $3, $4, true)",
            uuid.uuid4(),
            uid,
            tag,
            stage,
        )
        found.append(Actor(uid, await session_for(conn, settings, uid)))
    return found


async def supporters(
    conn: asyncpg.Connection, settings: Settings, n: int, capacity: int
) -> list[Actor]:
    """n approved supporters, none paused, each with `capacity` places, all free."""
    found = await _people(conn, settings, "supporter", n)
    for actor in found:
        await conn.execute(
            "INSERT INTO supporter_offer (id, user_id, display_name, status, capacity, paused,"
            " active_count, created_at, updated_at, decided_at) VALUES"
            " ($1, $2, 'Supporter', 'approved', $3, false, 0, now(), now(), now())",
            uuid.uuid4(),
            actor.user_id,
            capacity,
        )
    return found


async def seekers(conn: asyncpg.Connection, settings: Settings, n: int) -> list[Seeker]:
    """n seekers, each with a waiting request for the experience every supporter shares."""
    tag, found = await _tag(conn), []
    for actor in await _people(conn, settings, "seeker", n):
        request_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO support_request (id, seeker_id, status, tag_ids, preferences,"
            " created_at, updated_at) VALUES ($1, $2, 'waiting', $3, '{}', now(), now())",
            request_id,
            actor.user_id,
            json.dumps([tag]),
        )
        found.append(Seeker(actor, request_id))
    return found


def bearer(actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {actor.token}"}


async def pairs(conn: asyncpg.Connection, settings: Settings, n: int) -> list[Pair]:
    """n active relationships with agreed terms (every day 07:00 to 22:00 London, chat and video,
    seven sessions a week), a conversation, and tokens for both people; everyone confirmed."""
    made = await add_pairs(conn, settings, n)
    ids = [p.seeker.user_id for p in made] + [p.supporter.user_id for p in made]
    await conn.execute(
        "UPDATE user_account SET email_verified_at = now() WHERE id = ANY($1::uuid[])", ids
    )
    return made
