"""The moderation record a regulator may ask for: every decision and its appeal, as ids,
kinds, dates, who decided and the outcome, never anything anyone wrote. The safeguarding lead
and administrators read it a page at a time or as CSV; each export is in the staff audit log.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.principal import Principal
from api.errors import Forbidden, Invalid
from api.moderation.models import Appeal, ModerationDecision
from api.paging import Order, Page, Period, Window, page

EXPORT_LIMIT = 50_000
ORDER = Order(col(ModerationDecision.decided_at), col(ModerationDecision.id), descending=True)


@dataclass(frozen=True)
class Filters:
    period: Period = field(default_factory=Period)
    kind: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Row:
    """One decision and its appeal, without a word anyone wrote."""

    decision_id: UUID
    decided_at: datetime
    kind: str
    outcome: str
    concern_id: UUID | None
    relationship_id: UUID | None
    person_role: str | None
    decided_by: UUID | None
    decided_by_name: str
    suspended_until: datetime | None
    reversed_at: datetime | None
    appeal_id: UUID | None
    appealed_at: datetime | None
    appeal_outcome: str | None
    appeal_decided_at: datetime | None
    appeal_decided_by: UUID | None
    appeal_decided_by_name: str | None


def require_record_reader(me: Principal) -> None:
    if not (me.is_safeguarding_lead or me.is_admin):
        raise Forbidden(
            "Only the safeguarding lead or an administrator can read the whole moderation record."
        )


def _selection(filters: Filters) -> Select[Any]:
    query = cast(
        "Select[Any]",
        sa_select(ModerationDecision, Appeal)
        .outerjoin(Appeal, col(Appeal.decision_id) == ModerationDecision.id)
        .where(*filters.period.where(col(ModerationDecision.decided_at))),
    )
    if filters.kind is not None:
        query = query.where(col(ModerationDecision.kind) == filters.kind)
    if filters.outcome is not None:
        query = query.where(col(ModerationDecision.outcome) == filters.outcome)
    return query


def _row(d: ModerationDecision, a: Appeal | None) -> Row:
    return Row(
        decision_id=d.id,
        decided_at=d.decided_at,
        kind=d.kind,
        outcome=d.outcome,
        concern_id=d.concern_id,
        relationship_id=d.relationship_id,
        person_role=d.person_role,
        decided_by=d.decided_by,
        decided_by_name=d.decided_by_name,
        suspended_until=d.suspended_until,
        reversed_at=d.reversed_at,
        appeal_id=a.id if a else None,
        appealed_at=a.made_at if a else None,
        appeal_outcome=a.outcome if a else None,
        appeal_decided_at=a.decided_at if a else None,
        appeal_decided_by=a.decided_by if a else None,
        appeal_decided_by_name=a.decided_by_name if a else None,
    )


async def decisions(
    db: AsyncSession, me: Principal, *, window: Window, filters: Filters
) -> Page[Row]:
    """A page of the record, newest decision first."""
    require_record_reader(me)
    found = await page(
        db,
        _selection(filters),
        ORDER,
        window,
        anchor=lambda cursor: select(ModerationDecision.decided_at).where(
            col(ModerationDecision.id) == cursor
        ),
    )
    return Page([_row(d, a) for d, a in found.items], found.has_more)


CSV_FIELDS = list(Row.__dataclass_fields__)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


async def export_csv(db: AsyncSession, me: Principal, *, filters: Filters) -> str:
    """The selected decisions as CSV, oldest first; the export is itself audited."""
    require_record_reader(me)
    query = _selection(filters).order_by(*ORDER.by(reverse=True)).limit(EXPORT_LIMIT + 1)
    rows = [_row(d, a) for d, a in (await db.execute(query)).all()]
    if len(rows) > EXPORT_LIMIT:
        raise Invalid.field(
            "created_before",
            f"That is more than {EXPORT_LIMIT:,} decisions: choose a shorter period.",
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow([_cell(getattr(row, name)) for name in CSV_FIELDS])
    await audit.record(
        db,
        me,
        action=Action.moderation_exported,
        subject_type="moderation_record",
        details={"decisions": len(rows)}
        | ({"kind": filters.kind} if filters.kind else {})
        | ({"outcome": filters.outcome} if filters.outcome else {}),
    )
    return out.getvalue()
