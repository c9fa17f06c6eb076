"""Staff governance pages of the console: one supporter's screening and training, their
supervision and their debriefs (each reading audited), and the two-person rule's requests for
safeguarding access (api/screening, api/safety/two_person.py)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, Invalid, NotFound
from api.policies import service as policies
from api.safety import two_person
from api.screening import checklist, debriefs, supervision
from web.auth import redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.coordinator import Staff

router = APIRouter()
Text = Annotated[str, Form()]
STATE_WORDS = {
    "missing": "Not recorded",
    "done": "Done",
    "due_soon": "Due again soon",
    "expired": "Expired",
}
DONE = {
    "recorded": "Recorded.",
    "supervision": "Supervision logged.",
    "approved": "Approved: the access is open for them now.",
    "refused": "Refused: the access won't open.",
}


async def _screening_page(
    request: Request,
    me: Staff,
    db: SessionDep,
    user_id: UUID,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    name, status = await checklist.supporter_name(db, me, user_id=user_id)
    items = await checklist.checklist_of(db, me, user_id=user_id)
    return render(
        request,
        "pages/coordinator_screening.html",
        {
            "user_id": user_id,
            "name": name,
            "offer_status": status,
            "items": items,
            "missing": [i.name for i in items if i.required and i.state in ("missing", "expired")],
            "state_words": STATE_WORDS,
            "sessions": await supervision.sessions_of(db, me, user_id=user_id),
            "interval": (await policies.supervision(db)).interval_days,
            "today": date.today().isoformat(),
            "done": DONE.get(request.query_params.get("done", "")),
            "errors": errors or {},
            "values": values or {},
            "tab": "supporters",
        },
        status_code=status_code,
    )


@router.get("/coordinator/supporters/{user_id}/screening", response_class=HTMLResponse)
async def screening_page(request: Request, user_id: UUID, me: Staff, db: SessionDep) -> Response:
    return await _screening_page(request, me, db, user_id)


@router.post(
    "/coordinator/supporters/{user_id}/screening",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def record_screening(
    request: Request,
    user_id: UUID,
    me: Staff,
    db: SessionDep,
    item: Text = "",
    done_on: Text = "",
    note: Text = "",
) -> Response:
    values = {"item": item, "done_on": done_on, "note": note}
    try:
        when = _date("done_on", done_on)
        await checklist.record(db, me, user_id=user_id, item_key=item, done_on=when, note=note)
    except DomainError as error:
        errors = field_errors(error)
        return await _screening_page(request, me, db, user_id, errors, values, error.status)
    return redirect(request, f"/coordinator/supporters/{user_id}/screening?done=recorded")


def _date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid.field(field, "Choose a date.") from None


@router.post(
    "/coordinator/supporters/{user_id}/supervision",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def log_supervision(
    request: Request,
    user_id: UUID,
    me: Staff,
    db: SessionDep,
    held_on: Text = "",
    with_whom: Text = "",
    next_due: Text = "",
    note: Text = "",
) -> Response:
    values = {"held_on": held_on, "with_whom": with_whom, "next_due": next_due, "note": note}
    try:
        await supervision.log_session(
            db,
            me,
            user_id=user_id,
            held_on=_date("held_on", held_on),
            with_whom=with_whom,
            next_due=_date("next_due", next_due) if next_due else None,
            note=note,
        )
    except DomainError as error:
        errors = {f"s:{k}": v for k, v in field_errors(error).items()}
        return await _screening_page(request, me, db, user_id, errors, values, error.status)
    return redirect(request, f"/coordinator/supporters/{user_id}/screening?done=supervision")


@router.get("/coordinator/supporters/{user_id}/debriefs", response_class=HTMLResponse)
async def debriefs_page(request: Request, user_id: UUID, me: Staff, db: SessionDep) -> Response:
    """A supporter's debriefs: opening this page is recorded in the staff audit log."""
    name, _ = await checklist.supporter_name(db, me, user_id=user_id)
    return render(
        request,
        "pages/coordinator_debriefs.html",
        {
            "user_id": user_id,
            "name": name,
            "debriefs": await debriefs.for_coordinators(db, me, user_id=user_id),
            "tab": "supporters",
        },
    )


async def _requests_page(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "pages/coordinator_access_requests.html",
        {
            "requests": await two_person.pending(db, me, settings=settings),
            "rule": await policies.two_person_access(db),
            "done": DONE.get(request.query_params.get("done", "")),
            "errors": errors or {},
            "tab": "concerns",
        },
        status_code=status_code,
    )


@router.get("/coordinator/safeguarding-requests", response_class=HTMLResponse)
async def requests_page(
    request: Request, me: Staff, db: SessionDep, settings: SettingsDep
) -> Response:
    return await _requests_page(request, me, db, settings)


@router.post(
    "/coordinator/safeguarding-requests/{access_id}/{answer}",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def answer_request(
    request: Request,
    access_id: UUID,
    answer: str,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    reason: Text = "",
) -> Response:
    if answer not in ("approve", "refuse"):
        raise NotFound("Choose to approve or refuse.")
    try:
        if answer == "approve":
            await two_person.approve(db, me, access_id=access_id)
        else:
            await two_person.refuse(db, me, access_id=access_id, reason=reason or None)
    except DomainError as error:
        errors = {f"{access_id}": error.detail or error.title}
        return await _requests_page(request, me, db, settings, errors, error.status)
    done = "approved" if answer == "approve" else "refused"
    return redirect(request, f"/coordinator/safeguarding-requests?done={done}")
