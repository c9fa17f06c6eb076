"""Confidentiality: coordinators see health, not content, unless a safeguarding access is open.

"What is shared in peer support remains in peer support." The two people can always read their
relationship's content. A coordinator can read it only with a safeguarding access: a written
reason, a time limit, one relationship. Every grant, read and revocation lands in an audit log
that the two people can see (when, which content, which coordinator; the reason stays with the
coordinators, as it may name whoever raised a concern). A refused attempt is logged too, for
the coordinators.

Every way a coordinator reads content (own words; messages, which api/contact keeps) goes
through ``require_content_access`` first.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.concerns.models import Concern
from api.concerns.service import concern_of, require_coordinator
from api.config import Settings
from api.contact import messages, reports
from api.crypto import seal, unseal
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.policies import service as policies
from api.profiles.models import ExperienceCategory, ExperienceTag, PersonExperience
from api.relationships.models import Relationship
from api.relationships.service import VISIBLE_STATES, mine, role_in
from api.safety.models import AuditAction, SafeguardingAccess, SafeguardingAuditEntry

log = structlog.get_logger("kindred.safeguarding")

MIN_REASON, MAX_REASON = 20, 2000
# What the log says was read when a coordinator reads a message because it was reported.
REPORTED_MESSAGE = "reported_message"
LONGEST_MINUTES = 24 * 60
REPORT_IS_THE_REASON = "A person in the relationship reported this message."


class NoSafeguardingAccess(Forbidden):
    type = "no-safeguarding-access"
    title = "This content is confidential"
    keeps_changes = True  # the refused attempt stays in the audit log


async def grant(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    reason: str,
    minutes: int,
    concern_id: UUID | None = None,
) -> SafeguardingAccess:
    """Open a time-limited access to one relationship's content, with a written reason."""
    require_coordinator(me)
    relationship = await db.get(Relationship, relationship_id)
    if relationship is None:
        raise NotFound("No such relationship.")
    reason = reason.strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise Invalid.field(
            "reason", f"Write the safeguarding reason ({MIN_REASON} to {MAX_REASON} characters)."
        )
    if not 1 <= minutes <= LONGEST_MINUTES:
        raise Invalid.field("minutes", f"Choose between 1 and {LONGEST_MINUTES} minutes.")
    if concern_id is not None:
        await concern_of(db, relationship=relationship, concern_id=concern_id)
    # expires_at is set just below, from granted_at (table models don't validate on init).
    access = SafeguardingAccess(  # type: ignore[call-arg]
        relationship_id=relationship.id,
        coordinator_id=me.user_id,
        concern_id=concern_id,
        reason_sealed=b"",
    )
    access.expires_at = access.granted_at + timedelta(minutes=minutes)
    access.reason_sealed = seal(settings, reason, access.id.bytes) or b""
    rule = await policies.two_person_access(db)
    details = {"access_id": str(access.id), "minutes": minutes} | (
        {"concern_id": str(concern_id)} if concern_id else {}
    )
    if rule.enabled:
        # Closed until a second coordinator (or the safeguarding lead) approves it.
        access.request_expires_at = access.granted_at + timedelta(hours=rule.request_hours)
        db.add(access)
        await db.flush()
        await audit.record(
            db,
            me,
            action=Action.content_access_requested,
            subject_type="relationship",
            subject_id=relationship.id,
            reason=reason,
            details=details,
        )
        log.info("safeguarding_access_requested", access=str(access.id), minutes=minutes)
        return access
    access.approved_at = access.granted_at
    db.add(access)
    await db.flush()
    db.add(log_entry(access, AuditAction.granted, "content"))
    await db.flush()
    await audit.record(
        db,
        me,
        action=Action.content_accessed,
        subject_type="relationship",
        subject_id=relationship.id,
        reason=reason,
        details=details,
    )
    log.info("safeguarding_access_granted", access=str(access.id), minutes=minutes)
    return access


def log_entry(access: SafeguardingAccess, action: AuditAction, what: str) -> SafeguardingAuditEntry:
    return SafeguardingAuditEntry(
        relationship_id=access.relationship_id,
        access_id=access.id,
        coordinator_id=access.coordinator_id,
        action=action,
        what=what,
    )


async def revoke(db: AsyncSession, me: Principal, *, access_id: UUID) -> SafeguardingAccess:
    """End an access before it expires."""
    require_coordinator(me)
    access = await db.get(SafeguardingAccess, access_id)
    if access is None:
        raise NotFound("No such safeguarding access.")
    if access.revoked_at is not None or access.expires_at <= utcnow():
        raise Conflict("This access has already ended.")
    access.revoked_at = utcnow()
    if access.approved_at is not None:  # a request never opened is only withdrawn
        db.add(log_entry(access, AuditAction.revoked, "content"))
    await db.flush()
    return access


async def require_content_access(
    db: AsyncSession, principal: Principal, *, relationship_id: UUID, what: str = "messages"
) -> SafeguardingAccess | None:
    """May this principal read the relationship's content? None for the two people; the open
    access for a coordinator (each read is audited); 403 for a coordinator without one; 404
    for anyone else."""
    relationship = await db.get(Relationship, relationship_id)
    if relationship is None:
        raise NotFound("No such relationship.")
    if role_in(relationship, principal.user_id) is not None:
        if relationship.state not in VISIBLE_STATES:
            raise NotFound("No such relationship.")
        return None
    if not principal.is_coordinator:
        raise NotFound("No such relationship.")
    now = utcnow()
    access = await db.scalar(
        select(SafeguardingAccess)
        .where(
            SafeguardingAccess.relationship_id == relationship_id,
            SafeguardingAccess.coordinator_id == principal.user_id,
            col(SafeguardingAccess.revoked_at).is_(None),
            col(SafeguardingAccess.approved_at).is_not(None),
            SafeguardingAccess.expires_at > now,
        )
        .order_by(col(SafeguardingAccess.expires_at).desc())
        .limit(1)
    )
    if access is None:
        db.add(
            SafeguardingAuditEntry(
                relationship_id=relationship_id,
                coordinator_id=principal.user_id,
                action=AuditAction.refused,
                what=what,
            )
        )
        await db.flush()
        raise NoSafeguardingAccess(
            "Coordinators can read what people share only through a safeguarding access: "
            "POST /api/v1/coordination/safeguarding-access with a written reason (where the "
            "service asks for two people, once a second coordinator has approved it)."
        )
    db.add(log_entry(access, AuditAction.read, what))
    await db.flush()
    return access


@dataclass(frozen=True)
class OwnWords:
    role: str
    category: str
    experience: str
    stage: str
    description: str | None


async def read_messages(
    db: AsyncSession, principal: Principal, *, settings: Settings, relationship_id: UUID
) -> list[messages.SafeguardedMessage]:
    """Every message of a relationship, for a coordinator with an open safeguarding access
    (403 without one; each read is in the audit log both people can see)."""
    await require_content_access(db, principal, relationship_id=relationship_id, what="messages")
    relationship = await db.get(Relationship, relationship_id)
    if relationship is None:  # require_content_access has answered 404 already
        raise NotFound("No such relationship.")
    return await messages.for_safeguarding(db, settings=settings, relationship=relationship)


async def read_reported(
    db: AsyncSession, me: Principal, *, settings: Settings, concern_id: UUID
) -> messages.SafeguardedMessage:
    """The one message a person reported, for a coordinator: the report is the recorded
    reason, and the read goes in the log both people see."""
    require_coordinator(me)
    concern = await db.get(Concern, concern_id)
    if concern is None or concern.message_id is None:
        raise NotFound("No reported message here.")
    relationship = await db.get(Relationship, concern.relationship_id)
    assert relationship is not None  # the concern goes with its relationship
    found = await reports.one_for_safeguarding(
        db, settings=settings, relationship=relationship, message_id=concern.message_id
    )
    db.add(
        SafeguardingAuditEntry(
            relationship_id=relationship.id,
            coordinator_id=me.user_id,
            action=AuditAction.read,
            what=REPORTED_MESSAGE,
        )
    )
    # The report is the recorded reason: no safeguarding access is needed for this one message.
    await audit.record(
        db,
        me,
        action=Action.reported_message_read,
        subject_type="concern",
        subject_id=concern.id,
        reason=REPORT_IS_THE_REASON,
        details={"relationship_id": str(relationship.id), "message_id": str(found.id)},
    )
    log.info("reported message read", relationship_id=str(relationship.id))
    await db.flush()
    return found


async def own_words(
    db: AsyncSession, me: Principal, *, settings: Settings, relationship_id: UUID
) -> list[OwnWords]:
    """Both people's experiences in their own words: content, behind a safeguarding access."""
    await require_content_access(db, me, relationship_id=relationship_id, what="own_words")
    relationship = await db.get(Relationship, relationship_id)
    assert relationship is not None
    people = {relationship.seeker_id: "seeker", relationship.supporter_id: "supporter"}
    rows = await db.execute(
        select(PersonExperience, ExperienceTag.label, ExperienceCategory.label)
        .join(ExperienceTag, col(ExperienceTag.id) == PersonExperience.tag_id)
        .join(ExperienceCategory, col(ExperienceCategory.id) == ExperienceTag.category_id)
        .where(col(PersonExperience.user_id).in_([p for p in people if p is not None]))
        .order_by(col(PersonExperience.user_id), col(ExperienceTag.id))
    )
    return [
        OwnWords(
            role=people[item.user_id],
            category=category,
            experience=tag,
            stage=item.stage,
            description=unseal(settings, item.description_sealed, item.id.bytes),
        )
        for item, tag, category in rows.all()
    ]


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    action: str
    what: str
    coordinator: str | None
    expires_at: datetime | None
    reason: str | None = None  # coordinators only


async def _log(
    db: AsyncSession, relationship_id: UUID, settings: Settings | None
) -> list[LogEntry]:
    rows = await db.execute(
        select(SafeguardingAuditEntry, SafeguardingAccess, User.display_name)
        .outerjoin(
            SafeguardingAccess, col(SafeguardingAccess.id) == SafeguardingAuditEntry.access_id
        )
        .outerjoin(User, col(User.id) == SafeguardingAuditEntry.coordinator_id)
        .where(SafeguardingAuditEntry.relationship_id == relationship_id)
        .order_by(col(SafeguardingAuditEntry.at))
    )
    entries = []
    for entry, access, name in rows.all():
        if settings is None and entry.action == AuditAction.refused:
            continue
        reason = None
        if settings is not None and access is not None:
            reason = unseal(settings, access.reason_sealed, access.id.bytes)
        expires = access.expires_at if access is not None else None
        entries.append(LogEntry(entry.at, entry.action, entry.what, name, expires, reason))
    return entries


async def log_for_people(
    db: AsyncSession, me: Principal, *, relationship_id: UUID
) -> list[LogEntry]:
    """When coordinators opened or read this relationship's content (never why)."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    return await _log(db, relationship.id, None)


async def log_for_coordinators(
    db: AsyncSession, me: Principal, *, settings: Settings, relationship_id: UUID
) -> list[LogEntry]:
    """The full log, with each access's reason and refused attempts."""
    require_coordinator(me)
    return await _log(db, relationship_id, settings)


def active(access: SafeguardingAccess, now: datetime | None = None) -> bool:
    return (
        access.revoked_at is None
        and access.approved_at is not None
        and access.expires_at > (now or utcnow())
    )
