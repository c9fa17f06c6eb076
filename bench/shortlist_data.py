"""Realistic supporters for the HTTP shortlist benchmark, bulk-loaded with COPY."""

import json
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import numpy as np

from api.auth.passwords import hash_password
from api.config import Settings
from bench.synthetic import CHANNEL_SHARES, WINDOW_TEMPLATES, ZONES

CHANNELS = ("chat", "phone", "video", "in_person")
PASSWORD = "bench password for the seeker"  # noqa: S105


def _windows(rng: np.random.Generator) -> list[dict]:
    days = rng.choice(7, size=rng.integers(2, 5), replace=False)
    out = []
    for day in sorted(days):
        start, end = WINDOW_TEMPLATES[rng.integers(len(WINDOW_TEMPLATES))]
        out.append({"weekday": int(day), "start": start, "end": end})
    return out


def _languages(rng: np.random.Generator, spoken: dict[str, float]) -> list[str]:
    chosen = [code for code, p in spoken.items() if rng.random() < p]
    return chosen or [next(iter(spoken))]


def _channels(rng: np.random.Generator) -> list[str]:
    chosen = [c for c, share in zip(CHANNELS, CHANNEL_SHARES, strict=True) if rng.random() < share]
    return chosen or ["chat"]


async def fill(conn: asyncpg.Connection, n: int, seed: int = 7, first: int = 0) -> dict:
    """COPY n approved supporters with profiles and ~10 experiences each (Zipf popularity);
    ``first`` numbers their addresses on from supporters added before."""
    rng = np.random.default_rng(seed)
    tags = [r["id"] for r in await conn.fetch("SELECT id FROM experience_tag ORDER BY id")]
    popularity = 1.0 / np.arange(1, len(tags) + 1) ** 1.1
    # The same tags are popular in every fill, whatever its seed (fills add up: bench_growth).
    popularity = np.random.default_rng(7).permutation(popularity / popularity.sum())
    zone_names = [z[0] for z in ZONES]
    zone_p = np.array([z[1] for z in ZONES])
    zone_p /= zone_p.sum()
    now = datetime.now(UTC)
    users, offers, profiles, experiences = [], [], [], []
    for i in range(first, first + n):
        uid = uuid.uuid4()
        users.append((uid, f"s{i}@bench.kindred", f"Supporter {i}", "x", "peer", True, now, now))
        capacity = int(rng.integers(1, 6))
        active = int(rng.integers(0, capacity + 1)) if rng.random() < 0.3 else 0
        paused = bool(rng.random() < 0.05)
        offers.append(
            (
                uuid.uuid4(),
                uid,
                f"Supporter {i}",
                "approved",
                capacity,
                paused,
                now,
                now,
                None,
                active,
                now,
            )
        )
        z = rng.choice(len(ZONES), p=zone_p)
        profiles.append(
            (
                uid,
                None,
                json.dumps(_languages(rng, ZONES[z][2])),
                zone_names[z],
                json.dumps(_windows(rng)),
                json.dumps(_channels(rng)),
                None,  # no topics to avoid: nothing sealed
                None,
                None,
                now,
            )
        )
        count = max(3, min(20, int(rng.normal(10, 3))))
        for t in rng.choice(len(tags), size=count, replace=False, p=popularity):
            stage = "further_along" if rng.random() < 0.75 else "going_through"
            experiences.append((uuid.uuid4(), uid, tags[t], stage, bool(rng.random() < 0.9), None))
    started = time.perf_counter()
    await copy(conn, "user_account", users)
    await copy(conn, "supporter_offer", offers)
    await copy(conn, "profile", profiles)
    await copy(conn, "person_experience", experiences)
    await conn.execute("ANALYZE")
    return {
        "experiences": len(experiences),
        "copy_seconds": round(time.perf_counter() - started, 1),
    }


# Column order of the records each fill builds, per table.
COLUMNS = {
    "user_account": [
        "id",
        "email",
        "display_name",
        "password_hash",
        "role",
        "is_active",
        "created_at",
        "email_verified_at",  # only confirmed addresses are matched
    ],
    "supporter_offer": [
        "id",
        "user_id",
        "display_name",
        "status",
        "capacity",
        "paused",
        "created_at",
        "decided_at",
        "decided_by",
        "active_count",
        "updated_at",
    ],
    "profile": [
        "user_id",
        "pronouns",
        "languages",
        "timezone",
        "availability",
        "channels",
        "topics_sealed",
        "age_band",
        "gender",
        "updated_at",
    ],
    "person_experience": [
        "id",
        "user_id",
        "tag_id",
        "stage",
        "willing_to_talk",
        "description_sealed",
    ],
    "support_request": [
        "id",
        "seeker_id",
        "status",
        "tag_ids",
        "preferences",
        "created_at",
        "updated_at",
    ],
}


async def copy(conn: asyncpg.Connection, table: str, records: list[tuple]) -> None:
    """Bulk-load rows with COPY (seconds for a million rows, against minutes of INSERTs)."""
    await conn.copy_records_to_table(table, records=records, columns=COLUMNS[table])


async def add_seeker(conn: asyncpg.Connection, database_url: str) -> uuid.UUID:
    """The seeker: an ordinary account, profile and waiting request, asking for three
    experiences of differing popularity. Returns the request's id."""
    settings = Settings(database_url=database_url)
    seeker = uuid.uuid4()
    await conn.execute(
        "INSERT INTO user_account (id, email, display_name, password_hash, role, is_active,"
        " created_at, email_verified_at)"
        " VALUES ($1, 'seeker@bench.kindred', 'Seeker', $2, 'peer', true, now(), now())",
        seeker,
        hash_password(settings, PASSWORD),
    )
    await conn.execute(
        "INSERT INTO profile (user_id, languages, timezone, availability, channels, updated_at)"
        " VALUES ($1, '[\"en\"]', 'Europe/London', $2, '[\"chat\", \"video\"]', now())",
        seeker,
        json.dumps([{"weekday": d, "start": "18:00", "end": "22:00"} for d in range(7)]),
    )
    popular = await conn.fetch(
        "SELECT tag_id FROM person_experience GROUP BY tag_id ORDER BY count(*) DESC LIMIT 40"
    )
    wanted = [popular[3]["tag_id"], popular[25]["tag_id"], popular[39]["tag_id"]]
    for tag in wanted:
        await conn.execute(
            "INSERT INTO person_experience (id, user_id, tag_id, stage, willing_to_talk)"
            " VALUES ($1, $2, $3, 'going_through', true)",
            uuid.uuid4(),
            seeker,
            tag,
        )
    request_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO support_request (id, seeker_id, status, tag_ids, preferences, created_at,"
        " updated_at) VALUES ($1, $2, 'waiting', $3, '{}', now(), now())",
        request_id,
        seeker,
        json.dumps(wanted),
    )
    return request_id
