"""Agreement pages: a proposal in full or beside what it changes, agree in one tap, review.

The builder, where terms are proposed, is `web/routes/agreement_builder.py`.

Every form carries the agreement's revision (the API's ETag): a change sent from a page that
someone else's change has overtaken is refused and the page says so, keeping what was typed.
"""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.db import SessionDep
from api.errors import DomainError, PreconditionFailed
from api.relationships import agreements
from api.relationships.agreement_view import Agreement
from api.relationships.terms import (
    ACKNOWLEDGEMENTS,
)
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.relationships import agreement_context, base_of, compare, every_term, when

router = APIRouter()
Revision = Form(default=-1, ge=-1)

VERSION_WORDS = {
    "pending": "waiting for an answer",
    "agreed": "in force",
    "superseded": "replaced by a later version",
    "withdrawn": "withdrawn",
    "declined": "answered with other terms",
}


def _stale_message(agreement: Agreement) -> str:
    return (
        f"{agreement.pair.other.display_name} changed the agreement while you were looking. "
        "Here is the latest; please look again."
    )


# ---- the agreement page --------------------------------------------------------------------


async def _agreement_page(
    request: Request,
    me: Principal,
    db: AsyncSession,
    relationship_id: UUID,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    context: dict[str, Any] = {**agreement_context(agreement), "errors": errors or {}}
    tz = context["tz"]
    shown = agreement.pending
    if shown is not None:
        terms = agreement.terms_of(shown)
        context["every_term"] = every_term(agreement, terms)
        against = base_of(agreement, shown)
        context["first_proposal"] = against is None
        if against is not None:
            base, context["base_label"] = against
            context["changed"] = compare(agreement, base, terms)
        context["acknowledgements"] = list(ACKNOWLEDGEMENTS.values())
        # My limits as I last agreed them elsewhere, or Kindred's usual answers: say so plainly.
        context["my_limits_from"] = await agreements.where_my_limits_start(db, agreement, terms)
    context["versions"] = [
        (v.number, VERSION_WORDS[v.status], agreement.proposer(v), when(v.created_at, tz))
        for v in reversed(agreement.versions)
    ]
    return render(request, "pages/relationship_agreement.html", context, status_code=status)


@router.get("/relationships/{relationship_id}/agreement", response_class=HTMLResponse)
async def agreement_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep
) -> Response:
    return await _agreement_page(request, me, db, relationship_id)


async def _act(
    request: Request,
    me: Principal,
    db: AsyncSession,
    relationship_id: UUID,
    act: Callable[[], Awaitable[object]],
) -> Response | None:
    """Run a change; on a refusal undo everything and show the agreement page with the reason."""
    try:
        await act()
    except DomainError as error:
        if error.status == 404:
            raise
        await db.rollback()
        errors = field_errors(error)
        if isinstance(error, PreconditionFailed):
            errors = {
                "": _stale_message(await agreements.load(db, me, relationship_id=relationship_id))
            }
        elif error.errors:
            errors = {"": " ".join(e.message for e in error.errors)}
        page = await _agreement_page(request, me, db, relationship_id, errors, error.status)
        # htmx would show this POST's URL; a reload should find the agreement page instead.
        page.headers["HX-Replace-Url"] = f"/relationships/{relationship_id}/agreement"
        return page
    return None


@router.post(
    "/relationships/{relationship_id}/agreement/versions/{number}/consent",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def agree(
    request: Request,
    relationship_id: UUID,
    number: int,
    me: Peer,
    db: SessionDep,
    revision: int = Revision,
) -> Response:
    """Agree to the proposal on the page, in one tap."""
    refused = await _act(
        request,
        me,
        db,
        relationship_id,
        lambda: agreements.consent(
            db, me, relationship_id=relationship_id, number=number, expected=revision
        ),
    )
    return refused or redirect(request, f"/relationships/{relationship_id}/agreed?new={number}")


@router.post(
    "/relationships/{relationship_id}/agreement/versions/{number}/withdraw",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def withdraw(
    request: Request,
    relationship_id: UUID,
    number: int,
    me: Peer,
    db: SessionDep,
    revision: int = Revision,
) -> Response:
    refused = await _act(
        request,
        me,
        db,
        relationship_id,
        lambda: agreements.withdraw(
            db, me, relationship_id=relationship_id, number=number, expected=revision
        ),
    )
    return refused or redirect(request, f"/relationships/{relationship_id}/agreement")


@router.post(
    "/relationships/{relationship_id}/agreement/review",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def still_fits(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, revision: int = Revision
) -> Response:
    """At the review point: these terms still fit me."""
    refused = await _act(
        request,
        me,
        db,
        relationship_id,
        lambda: agreements.confirm_review(
            db, me, relationship_id=relationship_id, expected=revision
        ),
    )
    return refused or redirect(request, f"/relationships/{relationship_id}")
