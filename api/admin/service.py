"""An administrator changes an account's roles or access, and the change is audited."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.service import Action, record
from api.auth import service as auth
from api.auth.models import Role, User
from api.auth.principal import Principal


async def change_account(
    db: AsyncSession,
    me: Principal,
    *,
    user_id: UUID,
    role: Role | None = None,
    is_active: bool | None = None,
    safeguarding_lead: bool | None = None,
    reason: str | None = None,
) -> User:
    before = await auth.get_user(db, user_id=user_id)
    was = (before.role, before.is_active, before.safeguarding_lead)
    user = await auth.set_account(
        db,
        me,
        user_id=user_id,
        role=role,
        is_active=is_active,
        safeguarding_lead=safeguarding_lead,
    )
    now = (user.role, user.is_active, user.safeguarding_lead)
    if now != was:
        names = ("role", "is_active", "safeguarding_lead")
        await record(
            db,
            me,
            action=Action.account_changed,
            subject_type="account",
            subject_id=user.id,
            reason=reason,
            details={
                name: f"{old} -> {new}"
                for name, old, new in zip(names, was, now, strict=True)
                if old != new
            },
        )
    return user
