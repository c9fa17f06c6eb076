"""Batch drafts in the console (PWA): run a batch over the waiting list, review every pair,
give a seeker another supporter or leave them out, and send once. Everything is a plain form:
no JavaScript is needed, and a draft already sent (by anyone) is never sent again."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from api.matching import drafts
from api.matching.deps import IndexDep
from api.profiles.service import display_names
from web.auth import Staff, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
ALTERNATIVES = 6


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
    changed: UUID | None = None,
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
            "changed": changed,
            "errors": errors or {},
            "tab": "waiting",
        },
        status_code=status_code,
    )


@router.get("/coordinator/batches/{draft_id}/items/{item_id}", response_class=HTMLResponse)
async def change_page(
    request: Request,
    draft_id: UUID,
    item_id: UUID,
    me: Staff,
    db: SessionDep,
    index: IndexDep,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """Who else could support this seeker, and whether this draft leaves them a place."""
    draft, _ = await drafts.get_draft(db, me, draft_id=draft_id)
    item, instead = await drafts.alternatives(
        db, me, index=index, draft_id=draft_id, item_id=item_id, k=ALTERNATIVES
    )
    names = await display_names(db, user_ids=[item.seeker_id, item.supporter_id])
    return render(
        request,
        "pages/coordinator_batch_change.html",
        {
            "draft": draft,
            "item": item,
            "instead": instead,
            "names": names,
            "errors": errors or {},
            "tab": "waiting",
        },
        status_code=status_code,
    )


@router.post(
    "/coordinator/batches/{draft_id}/items/{item_id}/change",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def change_item(
    request: Request,
    draft_id: UUID,
    item_id: UUID,
    me: Staff,
    db: SessionDep,
    index: IndexDep,
    supporter_id: Annotated[UUID | None, Form()] = None,
) -> Response:
    if supporter_id is None:
        errors = {"supporter_id": "Choose who should support them instead."}
        return await change_page(request, draft_id, item_id, me, db, index, errors, 422)
    try:
        await drafts.change_item(
            db, me, index=index, draft_id=draft_id, item_id=item_id, supporter_id=supporter_id
        )
    except DomainError as error:
        return await change_page(
            request, draft_id, item_id, me, db, index, field_errors(error), error.status
        )
    return redirect(request, f"/coordinator/batches/{draft_id}?changed={item_id}#item-{item_id}")


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
        return await batch_page(
            request, draft_id, me, db, index, errors=field_errors(error), status_code=error.status
        )
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
        return await batch_page(
            request, draft_id, me, db, index, errors=field_errors(error), status_code=error.status
        )
    return redirect(request, f"/coordinator/batches/{draft_id}")
