"""The coordinators' matching desk (PWA): the waiting list a page at a time, each seeker with
their best candidates and why, and proposing a match with a note (any available supporter,
looked up by name, as well as the shortlist). Batch drafts are in coordinator_batches.py."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.coordination import waiting
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from api.matching import proposals, requests, service
from api.matching.deps import IndexDep
from api.matching.notes import NOTE_MAX
from web.auth import Staff, redirect
from web.csrf import Checked
from web.pager import pager
from web.render import field_errors, render

router = APIRouter()
PAGE = 20
SHOWN_INLINE = 3  # candidates shown beside each seeker on the list
SHOWN = 5  # on a seeker's own page, before "Show more"
MORE = 20


async def _proposed(db: SessionDep, me: Staff, relationship_id: UUID | None) -> str | None:
    """What the list says after a proposal: "Introduction sent to Cleo for Dana"."""
    found = (
        await proposals.sent(db, me, relationship_id=relationship_id) if relationship_id else None
    )
    if found is None:
        return None
    supporter, seeker = found.supporter_name, found.seeker_name
    return (
        f"Introduction sent to {supporter} for {seeker}"
        + (", with your notes. " if found.with_notes else ". ")
        + f"{supporter} will answer; {seeker} has been told that someone has been asked."
    )


@router.get("/coordinator/waiting", response_class=HTMLResponse)
async def waiting_page(
    request: Request,
    me: Staff,
    db: SessionDep,
    index: IndexDep,
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
    proposed: UUID | None = None,
) -> Response:
    found = await waiting.waiting_list(
        db, me, limit=PAGE, starting_after=starting_after, ending_before=ending_before
    )
    best = {}
    for seeker in found.items:
        if not seeker.address_confirmed:  # nobody can be introduced to them yet
            continue
        support_request = await requests.get_any_request(db, me, request_id=seeker.request_id)
        best[seeker.request_id] = await service.suggest(
            db, index=index, request=support_request, k=SHOWN_INLINE
        )
    return render(
        request,
        "pages/coordinator_waiting.html",
        {
            "page": found,
            "best": best,
            "total": await waiting.count_waiting(db, me),
            "continued": starting_after is not None or ending_before is not None,
            "links": pager(
                found,
                id_of=lambda w: w.request_id,
                starting_after=starting_after,
                ending_before=ending_before,
            ),
            "sent": await _proposed(db, me, proposed),
            "tab": "waiting",
        },
    )


async def _candidates(
    request: Request,
    request_id: UUID,
    me: Staff,
    db: SessionDep,
    index: IndexDep,
    *,
    more: bool = False,
    name: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    support_request = await requests.get_any_request(db, me, request_id=request_id)
    shown = await waiting.one(db, me, request_id=request_id)
    found = []
    if shown.address_confirmed:  # nobody is introduced to them before they confirm
        found = await service.suggest(
            db, index=index, request=support_request, k=MORE if more else SHOWN
        )
    named: list[proposals.Option] = []
    if name and shown.address_confirmed:
        try:
            named = await proposals.supporters_named(
                db, me, index=index, request=support_request, name=name
            )
        except DomainError as error:
            errors = {**(errors or {}), **field_errors(error)}
    listed = {c.supporter_id for c in found}
    return render(
        request,
        "pages/coordinator_candidates.html",
        {
            "support_request": support_request,
            "seeker": shown,
            "candidates": found,
            "more": more,
            "name_query": name,
            "found_by_name": bool(named),
            "named": [o for o in named if o.supporter_id not in listed],
            "values": values or {},
            "note_max": NOTE_MAX,
            "errors": errors or {},
            "tab": "waiting",
        },
        status_code=status_code,
    )


@router.get("/coordinator/waiting/{request_id}", response_class=HTMLResponse)
async def candidates_page(
    request: Request,
    request_id: UUID,
    me: Staff,
    db: SessionDep,
    index: IndexDep,
    more: bool = False,
    name: str = "",
) -> Response:
    return await _candidates(request, request_id, me, db, index, more=more, name=name)


@router.post(
    "/coordinator/waiting/{request_id}/propose",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def propose(
    request: Request,
    request_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    supporter_id: Annotated[UUID | None, Form()] = None,
    note: Annotated[str, Form()] = "",
    note_to_seeker: Annotated[str, Form()] = "",
) -> Response:
    """Send the introduction; if it can't be made, the page says why and keeps the notes."""
    values = {"supporter_id": supporter_id, "note": note, "note_to_seeker": note_to_seeker}
    if supporter_id is None:
        errors = {"supporter_id": "Choose who to introduce first."}
        return await _candidates(
            request, request_id, me, db, index, values=values, errors=errors, status_code=422
        )
    try:
        relationship = await proposals.propose(
            db,
            me,
            settings=settings,
            index=index,
            request_id=request_id,
            supporter_id=supporter_id,
            note=note,
            note_to_seeker=note_to_seeker,
        )
    except DomainError as error:
        return await _candidates(
            request,
            request_id,
            me,
            db,
            index,
            values=values,
            errors=field_errors(error),
            status_code=error.status,
        )
    return redirect(request, f"/coordinator/waiting?proposed={relationship.id}")
