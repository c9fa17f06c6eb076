"""Moderation's part of a person's export and of their account's erasure: the decisions about
them with what coordinators wrote to them and their appeal; erasing their appeal's text."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.auth.principal import Principal
from api.config import Settings
from api.moderation import appeals
from api.moderation.models import Appeal
from api.paging import Window


async def export(db: AsyncSession, me: Principal, *, settings: Settings) -> list[dict[str, Any]]:
    """The decisions about me as I see them (never the staff's reason)."""
    found = await appeals.my_decisions(db, me, settings=settings, window=Window(limit=100))
    return [
        {
            "kind": d.kind,
            "decided_at": d.decided_at.isoformat(),
            "outcome": d.outcome,
            "suspended_until": d.suspended_until.isoformat() if d.suspended_until else None,
            "what_the_coordinator_wrote": d.to_person,
            "my_appeal": d.appeal.text if d.appeal else None,
            "answer": d.appeal.answer if d.appeal else None,
        }
        for d in found.items
    ]


async def erase(db: AsyncSession, *, user_id: Any) -> None:
    """Their account is going: the text of their appeals goes with it (the record keeps that
    an appeal was made, when, and its outcome)."""
    await db.execute(
        update(Appeal)
        .where(col(Appeal.appellant_id) == user_id)
        .values(text_sealed=None)
        .execution_options(synchronize_session=False)
    )
