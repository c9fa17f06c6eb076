"""Migration 0028 gives each session its relationship's supporter (so that held sessions are
counted by supporter from an index) and takes the column away again on the way down, on a
database of its own so the shared one stays at head."""

import uuid

import sqlalchemy as sa

from alembic import command
from api.db import create_engine
from tests.ops.test_seal_topics_migration import _migrate, own_database

__all__ = ["own_database"]

PERSON = (
    "INSERT INTO user_account (id, email, display_name, password_hash, role, is_active,"
    " created_at) VALUES (:id, :email, :name, 'x', 'peer', true, CURRENT_TIMESTAMP)"
)
RELATIONSHIP = (
    "INSERT INTO relationship (id, seeker_id, supporter_id, state, source, score, reasons,"
    " created_at, agreement_revision, sessions_held) VALUES (:id, :seeker, :supporter, 'active',"
    " 'seeker_choice', 0, '[]', CURRENT_TIMESTAMP, 0, 1)"
)
SESSION = (
    "INSERT INTO contact_session (id, relationship_id, start_at, minutes, channel, status,"
    " revision, agreement_version, created_at) VALUES (:id, :relationship, CURRENT_TIMESTAMP,"
    " 45, 'video', 'held', 1, 1, CURRENT_TIMESTAMP)"
)


def _ids(n: int) -> list[str]:
    return [uuid.uuid4().hex for _ in range(n)]


async def _columns(engine) -> list[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: [c["name"] for c in sa.inspect(sync).get_columns("contact_session")]
        )


async def test_sessions_get_their_relationships_supporter(own_database):
    await _migrate(own_database, "0025")
    engine = create_engine(own_database)
    seeker, ada, bea = _ids(3)
    with_ada, with_bea = _ids(2)
    sessions = {uuid.UUID(s): ada for s in _ids(2)} | {uuid.UUID(s): bea for s in _ids(1)}
    try:
        async with engine.begin() as conn:
            for person, name in ((seeker, "sam"), (ada, "ada"), (bea, "bea")):
                await conn.execute(
                    sa.text(PERSON), {"id": person, "email": f"{name}@example.org", "name": name}
                )
            for relationship, supporter in ((with_ada, ada), (with_bea, bea)):
                await conn.execute(
                    sa.text(RELATIONSHIP),
                    {"id": relationship, "seeker": seeker, "supporter": supporter},
                )
            for session, supporter in sessions.items():
                relationship = with_ada if supporter == ada else with_bea
                await conn.execute(
                    sa.text(SESSION), {"id": session.hex, "relationship": relationship}
                )
        await engine.dispose()

        await _migrate(own_database, "head")
        async with engine.connect() as conn:
            found = (
                await conn.execute(
                    sa.select(
                        sa.column("id", sa.Uuid()), sa.column("supporter_id", sa.Uuid())
                    ).select_from(sa.table("contact_session"))
                )
            ).all()
        assert {row.id: row.supporter_id.hex for row in found} == sessions
        await engine.dispose()

        await _migrate(own_database, "0025", command.downgrade)
        assert "supporter_id" not in await _columns(engine)
        async with engine.connect() as conn:  # the sessions themselves are all still there
            count = (await conn.execute(sa.text("SELECT count(*) FROM contact_session"))).scalar()
        assert count == len(sessions)
    finally:
        await engine.dispose()
