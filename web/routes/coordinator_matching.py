"""The coordinators' matching desk (PWA): the waiting list with each seeker's best candidates
and their reasons, proposing a match, and batch drafts (run, review, remove, send once)."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.common import utcnow
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from api.matching import drafts, requests, service
from api.matching.deps import IndexDep
from api.profiles.service import display_names, taxonomy
from web.auth import redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.coordinator import Staff

router = APIRouter()


def _aware(at: datetime) -> datetime:
    """SQLite hands back naive UTC times."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


async def _tag_names(db: SessionDep) -> dict[int, str]:
    return {
        t.id: t.label for _, tags in await taxonomy(db, include_retired=True) for t in tags if t.id
    }


@router.get("/coordinator/waiting", response_class=HTMLResponse)
async def waiting_page(request: Request, me: Staff, db: SessionDep) -> Response:
    waiting = await requests.waiting_list(db, me)
    names = await display_names(db, user_ids=[r.seeker_id for r in waiting])
    now = utcnow()
    waited = {r.id: (now - _aware(r.created_at)).days for r in waiting}
    return render(
        request,
        "pages/coordinator_waiting.html",
        {
            "waiting": waiting,
            "waited": waited,
            "names": names,
            "tags": await _tag_names(db),
            "tab": "waiting",
        },
    )


@router.get("/coordinator/waiting/{request_id}", response_class=HTMLResponse)
async def candidates_page(
    request: Request,
    request_id: UUID,
    me: Staff,
    db: SessionDep,
    index: IndexDep,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    support_request = await requests.get_any_request(db, me, request_id=request_id)
    found = await service.suggest(db, index=index, request=support_request, k=5)
    names = await display_names(db, user_ids=[support_request.seeker_id])
    return render(
        request,
        "pages/coordinator_candidates.html",
        {
            "support_request": support_request,
            "seeker_name": names.get(support_request.seeker_id, ""),
            "candidates": found,
            "tags": await _tag_names(db),
            "errors": errors or {},
            "tab": "waiting",
        },
        status_code=status_code,
    )


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
    supporter_id: Annotated[UUID, Form()],
) -> Response:
    try:
        await service.propose(
            db, me, settings=settings, index=index, request_id=request_id, supporter_id=supporter_id
        )
    except DomainError as error:
        return await candidates_page(
            request, request_id, me, db, index, field_errors(error), error.status
        )
    return redirect(request, "/coordinator/waiting?proposed=1")


@router.post("/coordinator/batches", response_class=HTMLResponse, dependencies=[Checked])
async def run_batch(request: Request, me: Staff, db: SessionDep, index: IndexDep) -> Response:
    draft = await drafts.create_draft(db, me, index=index)
    return redirect(request, f"/coordinator/batches/{draft.id}")


@router.get("/coordinator/batches/{draft_id}", response_class=HTMLResponse)
async def batch_page(
    request: Request,
    draft_id: UUID,
    me: Staff,
    db: SessionDep,
    index: IndexDep,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    draft, items = await drafts.get_draft(db, me, draft_id=draft_id)
    reasons = await drafts.explain(db, me, index=index, items=items)
    names = await display_names(
        db, user_ids=[i.seeker_id for i in items] + [i.supporter_id for i in items]
    )
    return render(
        request,
        "pages/coordinator_batch.html",
        {
            "draft": draft,
            "items": items,
            "reasons": reasons,
            "names": names,
            "errors": errors or {},
            "tab": "waiting",
        },
        status_code=status_code,
    )


@router.post(
    "/coordinator/batches/{draft_id}/items/{item_id}/remove",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def remove_item(
    request: Request, draft_id: UUID, item_id: UUID, me: Staff, db: SessionDep, index: IndexDep
) -> Response:
    try:
        await drafts.remove_item(db, me, draft_id=draft_id, item_id=item_id)
    except DomainError as error:
        return await batch_page(request, draft_id, me, db, index, field_errors(error), error.status)
    return redirect(request, f"/coordinator/batches/{draft_id}")


@router.post(
    "/coordinator/batches/{draft_id}/send", response_class=HTMLResponse, dependencies=[Checked]
)
async def send_batch(
    request: Request,
    draft_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
) -> Response:
    try:
        await drafts.send(db, me, settings=settings, index=index, draft_id=draft_id)
    except DomainError as error:
        return await batch_page(request, draft_id, me, db, index, field_errors(error), error.status)
    return redirect(request, f"/coordinator/batches/{draft_id}")
