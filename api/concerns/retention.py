"""Concerns' part in retention: what was written in a concern, a while after it was resolved.

The concern itself stays (its kind, dates and trail): it still keeps two people from being
matched again (api/matching/pairs.py) and the statistics count it.
"""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.concerns.models import OPEN_CONCERN, Concern, ConcernEvent, ConcernStatus


def relationships_with_open_concerns() -> Select[Any]:
    """The ids of relationships a coordinator is still looking into."""
    return select(Concern.relationship_id).where(col(Concern.status).in_(OPEN_CONCERN))


async def erase_resolved_details(db: AsyncSession, *, resolved_before: datetime) -> int:
    """Erase the details and notes of concerns resolved before `resolved_before` (and not
    touched since). How many concerns had words erased."""
    resolved = select(Concern.id).where(
        Concern.status == ConcernStatus.resolved, col(Concern.updated_at) < resolved_before
    )
    await db.execute(
        update(ConcernEvent)
        .where(
            col(ConcernEvent.concern_id).in_(resolved), col(ConcernEvent.note_sealed).is_not(None)
        )
        .values(note_sealed=None)
        .execution_options(synchronize_session=False)
    )
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(Concern)
            .where(col(Concern.id).in_(resolved), col(Concern.details_sealed).is_not(None))
            .values(details_sealed=None)
            .execution_options(synchronize_session=False)
        ),
    )
    return int(result.rowcount or 0)
