"""The inventory as administrators read it, with the retention periods in force now."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from api.auth.principal import Principal
from api.config import Settings
from api.errors import Forbidden
from api.evidence import inventory
from api.policies import service as policies


async def periods_now(db: AsyncSession, settings: Settings) -> dict[str, int]:
    """The retention settings (and the two periods set in the environment) by name."""
    return {
        **(await policies.retention(db)).model_dump(),
        "webhook_log_days": settings.webhook_log_days,
        "referral_invite_days": settings.referral_invite_days,
    }


async def data_inventory(
    db: AsyncSession, me: Principal, settings: Settings
) -> list[inventory.Entry]:
    """Every table and column in words (administrators: the start of a service's DPIA)."""
    if not me.is_admin:
        raise Forbidden("Only an administrator can download the data inventory.")
    return inventory.entries(SQLModel.metadata, await periods_now(db, settings))


async def privacy_summary(db: AsyncSession, settings: Settings) -> list[inventory.TableSummary]:
    """What the privacy notice lists: each table's purpose, basis, readers and retention."""
    return inventory.summaries(SQLModel.metadata, await periods_now(db, settings))
