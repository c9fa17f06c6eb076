"""Writing to the staff audit log, and reading it (administrators only).

Every staff action calls ``record`` in the same transaction as the change it records, so an
action and its entry are kept or lost together. Reading is for administrators: a page at a
time with filters, or the whole selection as CSV (the export is itself recorded).
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Select, delete, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit.models import AuditEntry
from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.db import settings_of
from api.errors import Forbidden, Invalid
from api.paging import Order, Page, Period, Window, page

# The most entries one CSV export holds; narrow the period for more.
EXPORT_LIMIT = 50_000


class Action(StrEnum):
    """What staff did. The value is what the log and its CSV say; the label is the page's."""

    offer_approved = "offer.approved"
    offer_declined = "offer.declined"
    supporter_suspended = "supporter.suspended"
    supporter_reinstated = "supporter.reinstated"
    match_proposed = "match.proposed"
    batch_sent = "batch.sent"
    setting_changed = "setting.changed"
    account_changed = "account.changed"
    second_factor_reset = "account.second_factor_reset"
    content_accessed = "safeguarding.content_accessed"
    relationship_paused = "relationship.paused_for_safety"
    relationship_ended = "relationship.ended_for_safety"
    safety_pause_lifted = "relationship.safety_pause_lifted"
    concern_updated = "concern.updated"
    audit_exported = "audit.exported"
    statistics_exported = "statistics.exported"
    reported_message_read = "moderation.reported_message_read"
    moderation_decided = "moderation.decided"
    appeal_decided = "moderation.appeal_decided"
    moderation_exported = "moderation.exported"
    screening_recorded = "screening.recorded"
    supervision_logged = "supervision.logged"
    debriefs_read = "supervision.debriefs_read"
    content_access_requested = "safeguarding.access_requested"
    content_access_approved = "safeguarding.access_approved"
    content_access_refused = "safeguarding.access_refused"


LABELS: dict[str, str] = {
    Action.offer_approved: "Approved a supporter's offer",
    Action.offer_declined: "Declined a supporter's offer",
    Action.supporter_suspended: "Suspended a supporter",
    Action.supporter_reinstated: "Reinstated a supporter",
    Action.match_proposed: "Proposed a match",
    Action.batch_sent: "Sent a batch of matches",
    Action.setting_changed: "Changed a setting",
    Action.account_changed: "Changed an account's roles or access",
    Action.second_factor_reset: "Reset someone's second factor",
    Action.content_accessed: "Opened a relationship's content for safeguarding",
    Action.relationship_paused: "Paused a relationship for safety",
    Action.relationship_ended: "Ended a relationship for safety",
    Action.safety_pause_lifted: "Lifted a safety pause",
    Action.concern_updated: "Updated a concern",
    Action.audit_exported: "Exported the audit log",
    Action.statistics_exported: "Exported statistics",
    Action.reported_message_read: "Read a reported message because of its report",
    Action.moderation_decided: "Made a moderation decision",
    Action.appeal_decided: "Decided an appeal against a moderation decision",
    Action.moderation_exported: "Exported the moderation record",
    Action.screening_recorded: "Recorded a supporter's screening or training",
    Action.supervision_logged: "Logged a supervision session",
    Action.debriefs_read: "Read a supporter's debrief notes",
    Action.content_access_requested: "Asked to open a relationship's content (two-person rule)",
    Action.content_access_approved: "Approved another coordinator's safeguarding access",
    Action.content_access_refused: "Refused another coordinator's safeguarding access",
}


def roles_of(actor: Principal) -> str:
    names = [str(actor.role)]
    if actor.safeguarding_lead:
        names.append("safeguarding_lead")
    return " ".join(names)


def _context(entry_id: UUID) -> bytes:
    return b"audit_entry:" + entry_id.bytes


async def record(
    db: AsyncSession,
    actor: Principal,
    *,
    action: Action,
    subject_type: str,
    subject_id: UUID | str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append what `actor` did to the log (in the caller's transaction). `details` holds ids,
    states and counts only; anything a person wrote goes in `reason`, which is sealed."""
    entry_id = uuid4()
    entry = AuditEntry(
        id=entry_id,
        at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.display_name,
        actor_roles=roles_of(actor),
        action=str(action),
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        reason_sealed=seal(settings_of(db), reason.strip() if reason else None, _context(entry_id)),
        details=details or {},
    )
    db.add(entry)
    await db.flush()
    return entry


@dataclass(frozen=True)
class Filters:
    """Which entries: by whom, what, about which subject, when."""

    actor_id: UUID | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    period: Period = field(default_factory=Period)


@dataclass(frozen=True)
class EntryView:
    id: UUID
    at: datetime
    actor_id: UUID | None
    actor_name: str
    actor_roles: list[str]
    action: str
    action_label: str
    subject_type: str
    subject_id: str | None
    reason: str | None
    details: dict[str, Any]


def _require_admin(me: Principal) -> None:
    if not me.is_admin:
        raise Forbidden("Only an administrator can read the audit log.")


def _selection(filters: Filters) -> Select[Any]:
    if filters.action is not None and filters.action not in set(Action):
        raise Invalid.field("action", "That isn't an action the log records.")
    query = select(AuditEntry).where(*filters.period.where(col(AuditEntry.at)))
    if filters.actor_id is not None:
        query = query.where(col(AuditEntry.actor_id) == filters.actor_id)
    if filters.action is not None:
        query = query.where(col(AuditEntry.action) == filters.action)
    if filters.subject_type is not None:
        query = query.where(col(AuditEntry.subject_type) == filters.subject_type)
    if filters.subject_id is not None:
        query = query.where(col(AuditEntry.subject_id) == filters.subject_id)
    return query


ORDER = Order(col(AuditEntry.at), col(AuditEntry.id), descending=True)


def _view(settings: Settings, entry: AuditEntry) -> EntryView:
    return EntryView(
        id=entry.id,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        actor_roles=entry.actor_roles.split(),
        action=entry.action,
        action_label=LABELS.get(entry.action, entry.action),
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        reason=unseal(settings, entry.reason_sealed, _context(entry.id)),
        details=entry.details,
    )


async def entries(
    db: AsyncSession, settings: Settings, me: Principal, *, window: Window, filters: Filters
) -> Page[EntryView]:
    """A page of the log, newest first."""
    _require_admin(me)
    found = await page(db, _selection(filters), ORDER, window)
    return Page([_view(settings, row[0]) for row in found.items], found.has_more)


CSV_FIELDS = [
    "id",
    "at",
    "actor_id",
    "actor_name",
    "actor_roles",
    "action",
    "action_label",
    "subject_type",
    "subject_id",
    "reason",
    "details",
]


def _csv(views: Sequence[EntryView]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for v in views:
        writer.writerow(
            [
                v.id,
                v.at.astimezone(UTC).isoformat(),
                v.actor_id or "",
                v.actor_name,
                " ".join(v.actor_roles),
                v.action,
                v.action_label,
                v.subject_type,
                v.subject_id or "",
                v.reason or "",
                ";".join(f"{k}={v.details[k]}" for k in sorted(v.details)),
            ]
        )
    return out.getvalue()


async def purge(db: AsyncSession, *, before: datetime) -> int:
    """Retention: delete the entries made before `before` (the one deletion there is; on
    PostgreSQL the trigger lets it through only inside this transaction). How many went."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SET LOCAL kindred.audit_purge = 'on'"))
    gone = await db.execute(
        delete(AuditEntry)
        .where(col(AuditEntry.at) < before)
        .execution_options(synchronize_session=False)
    )
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SET LOCAL kindred.audit_purge = 'off'"))
    return int(getattr(gone, "rowcount", 0) or 0)


async def export_csv(
    db: AsyncSession, settings: Settings, me: Principal, *, filters: Filters
) -> str:
    """The selected entries as CSV, oldest first; the export is itself recorded."""
    _require_admin(me)
    query = _selection(filters).order_by(*ORDER.by(reverse=True)).limit(EXPORT_LIMIT + 1)
    rows = list((await db.scalars(query)).all())
    if len(rows) > EXPORT_LIMIT:
        raise Invalid.field(
            "created_before",
            f"That is more than {EXPORT_LIMIT:,} entries: choose a shorter period.",
        )
    text = _csv([_view(settings, row) for row in rows])
    await record(
        db,
        me,
        action=Action.audit_exported,
        subject_type="audit_log",
        details={"entries": len(rows)},
    )
    return text
