"""An event is recorded with the change it describes, or not at all."""

from uuid import uuid4

import pytest
from sqlmodel import select

from api.outbox.models import OutboxEvent
from api.outbox.service import emit


async def test_an_event_commits_with_its_change_and_vanishes_with_a_rollback(app):
    someone = uuid4()
    async with app.state.sessionmaker() as db:
        emit(db, type="relationship.ended", data={"relationship_id": "r1"}, about_users=[someone])
        await db.rollback()
    async with app.state.sessionmaker() as db:
        assert (await db.scalars(select(OutboxEvent))).all() == []
        kept = emit(
            db,
            type="relationship.ended",
            data={"relationship_id": "r1"},
            about_users=[someone, None],
        )
        await db.commit()
    async with app.state.sessionmaker() as db:
        (row,) = (await db.scalars(select(OutboxEvent))).all()
    assert row.id == kept.id and row.id.startswith("msg_")
    assert row.data == {"relationship_id": "r1"} and row.about_users == [str(someone)]
    assert row.dispatched_at is None


async def test_an_unknown_event_type_is_refused(app):
    async with app.state.sessionmaker() as db:
        with pytest.raises(ValueError, match="unknown event type"):
            emit(db, type="message.sent", data={})
