"""Idempotency keys, Stripe's way: the first request with a key runs and its answer is kept;
a retry with the same key and the same request gets that answer again.

``claim`` inserts the key's row first (INSERT … ON CONFLICT DO NOTHING on the primary key), so
of two replicas that see the same key at once exactly one runs the request; the other finds
the row in flight (409). ``finish`` stores the answer once the endpoint has run (5xx
included); ``release`` forgets a key whose request was refused before the endpoint began
(unreadable input, no valid login), so a corrected retry runs. ``prune`` forgets keys after
24 hours: the job queue runs it (``python -m api.idempotency prune`` does it by hand).
"""

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.common import utcnow
from api.config import Settings
from api.crypto import seal_bytes, unsealer
from api.idempotency.models import IdempotencyRecord

#: How long a key is remembered (Stripe: at least 24 hours).
KEPT_FOR = timedelta(hours=24)
#: How long a request in flight holds its key. Past this the replica that ran it is taken to
#: have died before storing the answer, and a retry may run the request again.
LOCK_FOR = timedelta(minutes=2)
MAX_KEY_LENGTH = 255
#: What a key may be: 1 to 255 visible ASCII characters, spaces allowed only inside (a server
#: strips them at either end of a header value). The OpenAPI document declares this pattern.
KEY_PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)


def usable_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


@dataclass(frozen=True)
class Answer:
    """What the first request was answered: status, the headers worth replaying, body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """The key is ours: run the request, then ``finish`` or ``release``."""


@dataclass(frozen=True)
class Replay:
    answer: Answer


@dataclass(frozen=True)
class InFlight:
    retry_after_seconds: int


@dataclass(frozen=True)
class Reused:
    """The key was first used for a different request (method, path or body)."""


Claim = Claimed | Replay | InFlight | Reused


def _context(principal: str, key: str) -> bytes:
    return f"idempotency/{principal}/{key}".encode()


async def _insert(db: AsyncSession, values: dict[str, Any]) -> bool:
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(IdempotencyRecord).values(**values).on_conflict_do_nothing()
    result = cast(CursorResult[Any], await db.execute(statement))
    return bool(result.rowcount == 1)


async def claim(
    db: AsyncSession,
    *,
    settings: Settings,
    principal: str,
    key: str,
    fingerprint: str,
    now: datetime | None = None,
) -> Claim:
    """Take the key for this request, or say what became of the request that took it."""
    now = now or utcnow()
    values = {
        "principal": principal,
        "key": key,
        "fingerprint": fingerprint,
        "created_at": now,
        "locked_until": now + LOCK_FOR,
    }
    mine = (col(IdempotencyRecord.principal) == principal, col(IdempotencyRecord.key) == key)
    for _ in range(3):
        if await _insert(db, values):
            return Claimed()
        row = (await db.execute(select(IdempotencyRecord).where(*mine))).scalar_one_or_none()
        if row is None:  # pruned in between: try again
            continue
        if row.created_at <= now - KEPT_FOR:  # expired but not yet pruned: a new request
            await db.execute(delete(IdempotencyRecord).where(*mine))
            continue
        if row.fingerprint != fingerprint:
            return Reused()
        if row.status is None:
            if row.locked_until > now:
                wait = (row.locked_until - now).total_seconds()
                return InFlight(retry_after_seconds=max(1, min(int(wait), 5)))
            # Abandoned: whoever ran it never stored an answer. Take it over, once.
            taken = cast(
                CursorResult[Any],
                await db.execute(
                    update(IdempotencyRecord)
                    .where(*mine, col(IdempotencyRecord.locked_until) == row.locked_until)
                    .where(col(IdempotencyRecord.status).is_(None))
                    .values(locked_until=now + LOCK_FOR)
                ),
            )
            return Claimed() if taken.rowcount == 1 else InFlight(retry_after_seconds=1)
        return Replay(_unseal(settings, principal, key, row))
    return InFlight(retry_after_seconds=1)


async def finish(
    db: AsyncSession, *, settings: Settings, principal: str, key: str, answer: Answer
) -> None:
    """Keep the first answer (sealed: it may carry what people wrote)."""
    stored = json.dumps(
        {"headers": answer.headers, "body": base64.b64encode(answer.body).decode()}
    ).encode()
    await db.execute(
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.principal) == principal, col(IdempotencyRecord.key) == key)
        .where(col(IdempotencyRecord.status).is_(None))
        .values(
            status=answer.status,
            response_sealed=seal_bytes(settings, stored, _context(principal, key)),
            finished_at=utcnow(),
        )
    )


async def release(db: AsyncSession, *, principal: str, key: str) -> None:
    """Forget a key whose request never reached its endpoint, so a retry runs afresh."""
    await db.execute(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.principal) == principal,
            col(IdempotencyRecord.key) == key,
            col(IdempotencyRecord.status).is_(None),
        )
    )


async def prune(db: AsyncSession, *, now: datetime | None = None) -> int:
    """Forget keys older than 24 hours; how many were forgotten."""
    cutoff = (now or utcnow()) - KEPT_FOR
    result = cast(
        CursorResult[Any],
        await db.execute(
            delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) <= cutoff)
        ),
    )
    return int(result.rowcount or 0)


def _unseal(settings: Settings, principal: str, key: str, row: IdempotencyRecord) -> Answer:
    assert row.status is not None and row.response_sealed is not None
    stored = json.loads(unsealer(settings)(row.response_sealed, _context(principal, key)))
    return Answer(
        status=row.status,
        headers=[(str(k), str(v)) for k, v in stored["headers"]],
        body=base64.b64decode(stored["body"]),
    )
