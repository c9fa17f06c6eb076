"""An administrator finds accounts, changes their roles or access, and resets a second
factor; every change is audited."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit.service import Action, record
from api.auth import second_factor
from api.auth import service as auth
from api.auth.models import Role, User
from api.auth.principal import Principal
from api.errors import Forbidden, Invalid

# Staff are few; a search by e-mail shows at most this many.
FOUND_AT_MOST = 20


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


async def reset_second_factor(
    db: AsyncSession, me: Principal, *, user_id: UUID, reason: str | None = None
) -> User:
    """Remove someone's second factor (a lost phone): they set it up again at their next
    login, their sessions end now, and the reset is in the audit log."""
    user = await second_factor.reset(db, me, user_id=user_id)
    await record(
        db,
        me,
        action=Action.second_factor_reset,
        subject_type="account",
        subject_id=user.id,
        reason=reason,
        details={"role": str(user.role)},
    )
    return user


@dataclass(frozen=True)
class AccountRow:
    id: UUID
    email: str
    display_name: str
    role: Role
    is_active: bool
    safeguarding_lead: bool
    second_factor: bool


async def find_accounts(db: AsyncSession, me: Principal, *, email: str = "") -> list[AccountRow]:
    """Accounts whose e-mail contains `email`; with nothing asked, every staff account."""
    if not me.is_admin:
        raise Forbidden("Only an administrator can look up accounts.")
    wanted = email.strip().lower()
    if len(wanted) > 320:
        raise Invalid.field("email", "That is longer than any e-mail address.")
    query = select(User).order_by(col(User.email)).limit(FOUND_AT_MOST)
    if wanted:
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(User.email).like(f"%{escaped}%", escape="\\"))
    else:
        query = query.where(col(User.role).in_([Role.coordinator, Role.admin]))
    users = list((await db.scalars(query)).all())
    enabled = await second_factor.enabled_for(db, [u.id for u in users])
    return [
        AccountRow(
            id=u.id,
            email=u.email,
            display_name=u.display_name,
            role=Role(u.role),
            is_active=u.is_active,
            safeguarding_lead=u.safeguarding_lead,
            second_factor=u.id in enabled,
        )
        for u in users
    ]


async def account(db: AsyncSession, me: Principal, *, user_id: UUID) -> AccountRow:
    """One account as the administrators' page shows it."""
    if not me.is_admin:
        raise Forbidden("Only an administrator can look up accounts.")
    user = await auth.get_user(db, user_id=user_id)
    enabled = await second_factor.enabled_for(db, [user.id])
    return AccountRow(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=Role(user.role),
        is_active=user.is_active,
        safeguarding_lead=user.safeguarding_lead,
        second_factor=user.id in enabled,
    )
