"""Migration 0014 copies each supporter's name onto their offer (the roster's name order) and
takes it away again on the way down, on a database of its own so the shared one stays at head."""

import uuid

import sqlalchemy as sa

from alembic import command
from api.db import create_engine
from tests.ops.test_seal_topics_migration import _migrate, own_database

__all__ = ["own_database"]


async def test_offers_get_their_supporters_names(own_database):
    await _migrate(own_database, "0013")
    engine = create_engine(own_database)
    people = {uuid.uuid4(): "Zoë", uuid.uuid4(): "Ade"}
    try:
        async with engine.begin() as conn:
            for person, name in people.items():
                await conn.execute(
                    sa.text(
                        "INSERT INTO user_account (id, email, display_name, password_hash, role,"
                        " is_active, created_at) VALUES (:id, :email, :name, 'x', 'peer', true,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": person.hex, "email": f"{name}@example.org", "name": name},
                )
                await conn.execute(
                    sa.text(
                        "INSERT INTO supporter_offer (id, user_id, status, capacity, paused,"
                        " created_at, active_count, updated_at) VALUES (:id, :user, 'approved', 2,"
                        " false, CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uuid.uuid4().hex, "user": person.hex},
                )
        await engine.dispose()
        await _migrate(own_database, "head")
        async with engine.connect() as conn:
            names = (
                await conn.execute(
                    sa.text("SELECT display_name FROM supporter_offer ORDER BY display_name")
                )
            ).scalars()
            assert list(names) == sorted(people.values())
        await engine.dispose()
        await _migrate(own_database, "0013", command.downgrade)
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda sync: [c["name"] for c in sa.inspect(sync).get_columns("supporter_offer")]
            )
            assert "display_name" not in columns
    finally:
        await engine.dispose()
