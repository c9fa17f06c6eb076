"""The two-person rule, when the service turns it on: a coordinator's safeguarding access to
content is a request until a second coordinator (or the safeguarding lead) approves it, within
the service's time limit. Nobody approves their own; a refusal closes it; both are audited,
and only an approved access appears in the log the two people see."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.concerns.service import require_coordinator
from api.config import Settings
from api.crypto import unseal
from api.errors import Conflict, Forbidden, NotFound
from api.safety.models import AuditAction, SafeguardingAccess
from api.safety.safeguarding import log, log_entry


class OwnRequest(Forbidden):
    type = "own-safeguarding-request"
    title = "Someone else needs to approve this"


@dataclass(frozen=True)
class Request:
    id: UUID
    relationship_id: UUID
    concern_id: UUID | None
    requested_by: str | None
    requested_by_id: UUID | None
    reason: str | None
    minutes: int
    asked_at: datetime
    answer_by: datetime


def _open() -> tuple[object, ...]:
    return (
        col(SafeguardingAccess.request_expires_at) > utcnow(),
        col(SafeguardingAccess.approved_at).is_(None),
        col(SafeguardingAccess.refused_at).is_(None),
        col(SafeguardingAccess.revoked_at).is_(None),
    )


def minutes_of(access: SafeguardingAccess) -> int:
    return int((access.expires_at - access.granted_at).total_seconds() // 60)


async def pending(db: AsyncSession, me: Principal, *, settings: Settings) -> list[Request]:
    """Requests waiting for a second coordinator, the soonest to run out first (with the
    reason, which the approver needs to judge)."""
    require_coordinator(me)
    rows = await db.execute(
        select(SafeguardingAccess, User.display_name)
        .outerjoin(User, col(User.id) == SafeguardingAccess.coordinator_id)
        .where(*_open())  # type: ignore[arg-type]
        .order_by(col(SafeguardingAccess.request_expires_at), col(SafeguardingAccess.id))
    )
    return [
        Request(
            a.id,
            a.relationship_id,
            a.concern_id,
            name,
            a.coordinator_id,
            unseal(settings, a.reason_sealed, a.id.bytes),
            minutes_of(a),
            a.granted_at,
            a.request_expires_at or a.granted_at,
        )
        for a, name in rows.all()
    ]


async def _deciding(db: AsyncSession, me: Principal, access_id: UUID) -> SafeguardingAccess:
    require_coordinator(me)
    access = await db.get(SafeguardingAccess, access_id)
    if access is None or access.request_expires_at is None:
        raise NotFound("No such request for safeguarding access.")
    if access.coordinator_id == me.user_id:
        raise OwnRequest(
            "You can't decide your own request: another coordinator or the safeguarding lead does."
        )
    if access.approved_at or access.refused_at or access.revoked_at:
        raise Conflict("This request has already been answered or withdrawn.")
    if access.request_expires_at <= utcnow():
        raise Conflict(
            "This request ran out of time before anyone approved it; the coordinator can ask "
            "again if it is still needed."
        )
    return access


async def approve(db: AsyncSession, me: Principal, *, access_id: UUID) -> SafeguardingAccess:
    """Approve another coordinator's request: the access opens now, for as long as asked."""
    access = await _deciding(db, me, access_id)
    length = access.expires_at - access.granted_at
    access.approved_at, access.approved_by = utcnow(), me.user_id
    access.expires_at = access.approved_at + length
    db.add(log_entry(access, AuditAction.granted, "content"))
    await db.flush()
    await audit.record(
        db,
        me,
        action=Action.content_access_approved,
        subject_type="relationship",
        subject_id=access.relationship_id,
        details={"access_id": str(access.id), "requested_by": str(access.coordinator_id)},
    )
    log.info("safeguarding_access_approved", access=str(access.id))
    return access


async def refuse(
    db: AsyncSession, me: Principal, *, access_id: UUID, reason: str | None = None
) -> SafeguardingAccess:
    """Refuse another coordinator's request: it never opens."""
    access = await _deciding(db, me, access_id)
    access.refused_at, access.refused_by = utcnow(), me.user_id
    await db.flush()
    await audit.record(
        db,
        me,
        action=Action.content_access_refused,
        subject_type="relationship",
        subject_id=access.relationship_id,
        reason=reason,
        details={"access_id": str(access.id), "requested_by": str(access.coordinator_id)},
    )
    return access
