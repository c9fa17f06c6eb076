"""Contact's part in retention: the messages of support that ended long enough ago."""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.contact.models import Message
from api.relationships.models import Relationship, State


async def purge_ended_messages(
    db: AsyncSession, *, ended_before: datetime, kept_for: Select[Any]
) -> int:
    """Delete the messages of relationships that ended before `ended_before`, except those
    whose relationship is in `kept_for` (a select of relationship ids: an open concern keeps
    them for the coordinator looking into it). How many went."""
    ended = select(Relationship.id).where(
        Relationship.state == State.ended,
        col(Relationship.ended_at) < ended_before,
        col(Relationship.id).not_in(kept_for),
    )
    result = cast(
        CursorResult[Any],
        await db.execute(
            delete(Message)
            .where(col(Message.relationship_id).in_(ended))
            .execution_options(synchronize_session=False)
        ),
    )
    return int(result.rowcount or 0)
