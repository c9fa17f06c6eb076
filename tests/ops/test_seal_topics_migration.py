"""Migration 0012 seals the topics people already wrote (and 0011 gets them back on the way
down), on a database of its own so the shared one stays at head."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from alembic import command
from api.auth.models import User
from api.config import Settings, get_settings
from api.db import create_engine, create_sessionmaker
from api.profiles.models import Profile
from api.profiles.topics import set_topics, topics_of
from api.relationships.models import AgreementVersion, Relationship, State
from api.relationships.sealed_topics import full_terms, new_version
from tests.conftest import _admin_connection, alembic_config
from tests.factories import agreeable_terms

TOPIC = "the flat on Leith Walk"
THEIRS = "my old job at the port"


@pytest.fixture
async def own_database(database_url: str, tmp_path) -> AsyncIterator[str]:
    if not database_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"kindred_mig_{uuid.uuid4().hex[:12]}"
    admin = await _admin_connection(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _migrate(url: str, to: str, direction=command.upgrade) -> None:  # type: ignore[no-untyped-def]
    await asyncio.to_thread(direction, alembic_config(url), to)


async def test_existing_topics_are_sealed_by_the_migration_and_read_back_the_same(
    own_database, settings, monkeypatch
):
    # The migration seals with the configured key: the one this app reads with.
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", settings.data_encryption_key.get_secret_value())
    get_settings.cache_clear()
    mine = Settings(**{**settings.model_dump(), "database_url": own_database})
    await _migrate(own_database, "head")
    engine = create_engine(own_database)
    try:
        async with create_sessionmaker(engine, mine)() as db:
            sam = User(email="sam@example.org", display_name="Sam", password_hash="x")
            bob = User(email="bob@example.org", display_name="Bob", password_hash="x")
            db.add_all([sam, bob])
            await db.flush()
            profile = Profile(user_id=sam.id, timezone="Europe/London")
            set_topics(db, profile, [TOPIC, "religion"])
            db.add(profile)
            relationship = Relationship(seeker_id=sam.id, supporter_id=bob.id, state=State.active)
            db.add(relationship)
            await db.flush()
            topics = {"seeker": [TOPIC], "supporter": [THEIRS]}
            terms = agreeable_terms(topics_to_avoid=topics)
            db.add(new_version(db, relationship_id=relationship.id, number=1, terms=terms))
            await db.commit()
            sam_id = sam.id

        # Down to 0011: the plain columns as they were, topics in them.
        await engine.dispose()
        await _migrate(own_database, "0011", command.downgrade)
        async with engine.connect() as conn:
            plain = (await conn.execute(sa.text("SELECT topics_to_avoid FROM profile"))).scalar()
            stored = (await conn.execute(sa.text("SELECT terms FROM agreement_version"))).scalar()
        plain = json.loads(plain) if isinstance(plain, str) else plain
        stored = json.loads(stored) if isinstance(stored, str) else stored
        assert plain == [TOPIC, "religion"]
        assert stored["topics_to_avoid"] == topics  # the check below can fail

        # Up again: sealed, and nothing of them left in plain text.
        await engine.dispose()
        await _migrate(own_database, "head")
        async with engine.connect() as conn:
            for query in ("SELECT * FROM profile", "SELECT * FROM agreement_version"):
                for row in (await conn.execute(sa.text(query))).all():
                    raw = repr(tuple(row))
                    assert "Leith" not in raw and "old job" not in raw and "religion" not in raw
        async with create_sessionmaker(engine, mine)() as db:
            profile = await db.get(Profile, sam_id)
            assert profile is not None and topics_of(db, profile) == [TOPIC, "religion"]
            version = await db.scalar(sa.select(AgreementVersion))
            assert version is not None and version.topics_sealed is not None
            assert "topics_to_avoid" not in version.terms
            assert full_terms(mine, version) == terms
    finally:
        await engine.dispose()
        get_settings.cache_clear()
