"""Administrators' pages: staff and accounts (roles, the safeguarding lead, second factor
resets) and the staff audit log with its CSV. Every change goes through api/admin, which
records it in the audit log."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.admin import service as admin
from api.audit import service as audit
from api.auth.models import Role
from api.auth.principal import Principal
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, FieldError, Invalid
from api.paging import Period, Window
from web.auth import Admin, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
PER_PAGE = 50
ROLE_WORDS = {Role.peer: "Peer", Role.coordinator: "Coordinator", Role.admin: "Administrator"}
Reason = Annotated[str, Form(max_length=500)]


@router.get("/admin/accounts", response_class=HTMLResponse)
async def accounts_page(
    request: Request,
    me: Admin,
    db: SessionDep,
    email: Annotated[str, Query(max_length=320)] = "",
) -> Response:
    """Find an account by e-mail; with nothing asked, the staff."""
    found = await admin.find_accounts(db, me, email=email)
    context = {"found": found, "email": email, "roles": ROLE_WORDS, "tab": "accounts"}
    return render(request, "pages/admin_accounts.html", context)


async def _account_page(
    request: Request,
    me: Principal,
    db: SessionDep,
    user_id: UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "account": await admin.account(db, me, user_id=user_id),
        "roles": ROLE_WORDS,
        "tab": "accounts",
        "errors": errors or {},
        "values": values or {},
        "done": request.query_params.get("done"),
    }
    return render(request, "pages/admin_account.html", context, status_code=status_code)


@router.get("/admin/accounts/{user_id}", response_class=HTMLResponse)
async def account_page(request: Request, user_id: UUID, me: Admin, db: SessionDep) -> Response:
    return await _account_page(request, me, db, user_id)


def _reason(reason: str, form: str) -> str:
    if not reason.strip():
        raise Invalid(
            "Say why: it is kept in the audit log.",
            errors=[FieldError(field=f"{form}_reason", message="Say why: it is kept in the log.")],
        )
    return reason.strip()


@router.post("/admin/accounts/{user_id}/roles", dependencies=[Checked])
async def change_roles(
    request: Request,
    user_id: UUID,
    me: Admin,
    db: SessionDep,
    role: Annotated[str, Form(max_length=20)] = "",
    safeguarding_lead: Annotated[bool, Form()] = False,
    reason: Reason = "",
) -> Response:
    try:
        if role not in set(Role):
            raise Invalid.field("role", "Choose a role.")
        await admin.change_account(
            db,
            me,
            user_id=user_id,
            role=Role(role),
            safeguarding_lead=safeguarding_lead,
            reason=_reason(reason, "roles"),
        )
    except DomainError as error:
        return await _refused(request, me, db, user_id, error, form="roles", reason=reason)
    return redirect(request, f"/admin/accounts/{user_id}?done=roles")


async def _refused(
    request: Request,
    me: Principal,
    db: SessionDep,
    user_id: UUID,
    error: DomainError,
    *,
    form: str,
    reason: str,
) -> Response:
    """The account page again with why one of its forms was refused; nothing changed."""
    await db.rollback()
    errors = field_errors(error)
    if "" in errors:
        errors = {form: errors[""]}
    return await _account_page(
        request,
        me,
        db,
        user_id,
        errors=errors,
        values={f"{form}_reason": reason},
        status_code=error.status,
    )


@router.post("/admin/accounts/{user_id}/second-factor/reset", dependencies=[Checked])
async def reset_second_factor(
    request: Request, user_id: UUID, me: Admin, db: SessionDep, reason: Reason = ""
) -> Response:
    try:
        await admin.reset_second_factor(db, me, user_id=user_id, reason=_reason(reason, "reset"))
    except DomainError as error:
        return await _refused(request, me, db, user_id, error, form="reset", reason=reason)
    return redirect(request, f"/admin/accounts/{user_id}?done=reset")


def _period(start: date | None, end: date | None) -> Period:
    """From the start of one day to the end of another (UTC), both included."""
    if start and end and end < start:
        raise Invalid.field("to", "The end comes before the start.")
    after = datetime.combine(start, time.min, UTC) - timedelta(microseconds=1) if start else None
    before = datetime.combine(end + timedelta(days=1), time.min, UTC) if end else None
    return Period(after=after, before=before)


def _filters(
    action: str, actor: str, start_text: str, end_text: str
) -> tuple[audit.Filters, dict[str, str]]:
    start, end = _day(start_text, "from"), _day(end_text, "to")
    if action and action not in set(audit.Action):
        raise Invalid.field("action", "Choose an action from the list.")
    try:
        actor_id = UUID(actor) if actor else None
    except ValueError:
        raise Invalid.field("actor", "Choose a person from the list.") from None
    filters = audit.Filters(actor_id=actor_id, action=action or None, period=_period(start, end))
    query = {"action": action, "actor": actor, "from": start or "", "to": end or ""}
    return filters, {k: str(v) for k, v in query.items() if v}


Action = Annotated[str, Query(max_length=60)]
Actor = Annotated[str, Query(max_length=40)]
From = Annotated[str, Query(alias="from", max_length=10)]
To = Annotated[str, Query(alias="to", max_length=10)]


def _day(value: str, field: str) -> date | None:
    """A date from the form's date field; empty means no limit."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid.field(field, "Use a date like 2026-05-04.") from None


@router.get("/admin/audit-log", response_class=HTMLResponse)
async def audit_log_page(
    request: Request,
    me: Admin,
    db: SessionDep,
    settings: SettingsDep,
    action: Action = "",
    actor: Actor = "",
    start: From = "",
    end: To = "",
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
) -> Response:
    """Every staff action, newest first, a page at a time; filters by action, person and
    period; the same selection as CSV."""
    staff = await admin.find_accounts(db, me)
    context: dict = {
        "tab": "audit",
        "actions": audit.LABELS,
        "staff": staff,
        "values": {"action": action, "actor": actor, "from": start, "to": end},
    }
    try:
        filters, query = _filters(action, actor, start, end)
        window = Window(limit=PER_PAGE, starting_after=starting_after, ending_before=ending_before)
        found = await audit.entries(db, settings, me, window=window, filters=filters)
    except DomainError as error:
        context |= {"entries": [], "errors": field_errors(error), "query": ""}
        return render(request, "pages/admin_audit.html", context, status_code=error.status)
    items = found.items
    older = newer = None
    if items and (found.has_more or ending_before):
        older = urlencode({**query, "starting_after": items[-1].id})
    if items and (starting_after or (ending_before and found.has_more)):
        newer = urlencode({**query, "ending_before": items[0].id})
    context |= {
        "entries": items,
        "older": older,
        "newer": newer,
        "query": urlencode(query),
    }
    return render(request, "pages/admin_audit.html", context)


@router.get("/admin/audit-log.csv", response_class=PlainTextResponse)
async def audit_log_csv(
    request: Request,
    me: Admin,
    db: SessionDep,
    settings: SettingsDep,
    action: Action = "",
    actor: Actor = "",
    start: From = "",
    end: To = "",
) -> Response:
    """The selection as CSV, oldest first (the export is itself recorded)."""
    try:
        filters, _query = _filters(action, actor, start, end)
        text = await audit.export_csv(db, settings, me, filters=filters)
    except DomainError as error:
        return redirect(request, f"/admin/audit-log?error={error.status}")
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="kindred-audit-log.csv"',
            "Cache-Control": "no-store",
        },
    )
