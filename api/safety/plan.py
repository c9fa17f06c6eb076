"""My safety plan: what I notice, what helps, who and where, professional contacts, and my
reasons to keep going. It belongs to the person who wrote it; nobody else ever reads it.

There is deliberately no way in here to read someone else's plan: every function reads or
writes the plan of the principal asking, coordinators included.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.safety.models import SafetyPlan

Section = Literal[
    "warning_signs",
    "things_that_help",
    "people_and_places",
    "professional_contacts",
    "reasons_to_keep_going",
]
SECTIONS: tuple[Section, ...] = get_args(Section)


@dataclass(frozen=True)
class PlanView:
    sections: dict[str, str]
    updated_at: datetime | None


def _context(user_id: UUID) -> bytes:
    return user_id.bytes + b"safety-plan"


def _empty() -> dict[str, str]:
    return dict.fromkeys(SECTIONS, "")


async def have_i_a_plan(db: AsyncSession, me: Principal) -> bool:
    """Whether I have written a plan (without opening it)."""
    return await db.get(SafetyPlan, me.user_id) is not None


async def my_plan(db: AsyncSession, me: Principal, *, settings: Settings) -> PlanView:
    """My own plan, opened; empty sections when I haven't written one yet."""
    row = await db.get(SafetyPlan, me.user_id)
    if row is None:
        return PlanView(_empty(), None)
    stored = json.loads(unseal(settings, row.sections_sealed, _context(me.user_id)) or "{}")
    return PlanView({s: str(stored.get(s, "")) for s in SECTIONS}, row.updated_at)


async def save_my_plan(
    db: AsyncSession, me: Principal, *, settings: Settings, sections: Mapping[str, str]
) -> PlanView:
    """Write my plan (every section at once; a blank one is kept blank)."""
    kept: dict[str, str] = {s: sections.get(s, "").strip() for s in SECTIONS}
    sealed = seal(settings, json.dumps(kept), _context(me.user_id))
    assert sealed is not None
    now = utcnow()
    row = await db.get(SafetyPlan, me.user_id)
    if row is None:
        row = SafetyPlan(user_id=me.user_id, sections_sealed=sealed, updated_at=now)
        db.add(row)
    else:
        row.sections_sealed, row.updated_at = sealed, now
    await db.flush()
    return PlanView(kept, now)
