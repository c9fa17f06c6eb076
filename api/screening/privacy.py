"""My part of the export: my debriefs (decrypted), and the screening checks and supervision
sessions coordinators recorded about me (dates and items; their sealed notes stay with them).
Account deletion needs nothing here: every row goes with the account (ON DELETE CASCADE)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.screening import debriefs
from api.screening.models import ScreeningRecord, SupervisionSession


async def export(db: AsyncSession, me: Principal) -> dict[str, Any]:
    checks = await db.scalars(
        select(ScreeningRecord)
        .where(col(ScreeningRecord.user_id) == me.user_id)
        .order_by(col(ScreeningRecord.done_on))
    )
    supervision = await db.scalars(
        select(SupervisionSession)
        .where(col(SupervisionSession.user_id) == me.user_id)
        .order_by(col(SupervisionSession.held_on))
    )
    return {
        "debriefs": [
            {"session_at": d.session_at.isoformat(), "text": d.text, "at": d.created_at.isoformat()}
            for d in await debriefs.mine(db, me)
        ],
        "screening": [
            {
                "item": c.item_key,
                "done_on": c.done_on.isoformat(),
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                "recorded_at": c.recorded_at.isoformat(),
            }
            for c in checks
        ],
        "supervision": [
            {
                "held_on": s.held_on.isoformat(),
                "with_whom": s.with_whom,
                "next_due": s.next_due.isoformat(),
            }
            for s in supervision
        ],
    }
