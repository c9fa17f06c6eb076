"""Safety's part in retention: safeguarding access records and their audit trail, once they
are older than the service keeps audit entries."""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.safety.models import SafeguardingAccess, SafeguardingAuditEntry


async def purge_audit(db: AsyncSession, *, before: datetime) -> int:
    """Delete audit entries made before `before`, and the accesses (with their sealed reasons)
    that had ended by then. How many entries and accesses went."""
    entries = cast(
        CursorResult[Any],
        await db.execute(
            delete(SafeguardingAuditEntry)
            .where(col(SafeguardingAuditEntry.at) < before)
            .execution_options(synchronize_session=False)
        ),
    )
    ended = func.coalesce(SafeguardingAccess.revoked_at, SafeguardingAccess.expires_at)
    accesses = cast(
        CursorResult[Any],
        await db.execute(
            delete(SafeguardingAccess)
            .where(ended < before)
            .execution_options(synchronize_session=False)
        ),
    )
    return int(entries.rowcount or 0) + int(accesses.rowcount or 0)
