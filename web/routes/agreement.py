"""Agreement pages: a proposal side by side with what it changes, agree in one tap, the builder.

Every form carries the agreement's revision (the API's ETag): a change sent from a page that
someone else's change has overtaken is refused and the page says so, keeping what was typed.
"""

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any
from uuid import UUID
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from api.auth.principal import Principal
from api.db import SessionDep
from api.errors import DomainError, PreconditionFailed
from api.relationships import agreements, limits
from api.relationships.agreements import Agreement
from api.relationships.limits import LimitLevel
from api.relationships.terms import (
    ACKNOWLEDGEMENTS,
    CHANNELS,
    RESPONSE_EXPECTATIONS,
    AgreementTerms,
    Person,
)
from api.weekly.windows import WEEKDAYS, WeeklyWindow, describe_window, is_known_timezone
from web import grid
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.relationships import agreement_context, base_of, compare, when

router = APIRouter()
Revision = Form(default=-1, ge=-1)

VERSION_WORDS = {
    "pending": "waiting for an answer",
    "agreed": "in force",
    "superseded": "replaced by a later version",
    "withdrawn": "withdrawn",
    "declined": "answered with other terms",
}


@cache
def timezones() -> list[str]:
    return sorted(z for z in available_timezones() if is_known_timezone(z))


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
        base, context["base_label"] = base_of(agreement, shown)
        context["changed"], context["same"] = compare(agreement, base, agreement.terms_of(shown))
        context["acknowledgements"] = list(ACKNOWLEDGEMENTS.values())
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


# ---- the builder ---------------------------------------------------------------------------


def values_from_terms(terms: AgreementTerms, role: Person) -> dict[str, Any]:
    """What the builder's fields show for some terms; the acknowledgements start unticked."""
    cells, others = grid.cells_from_windows(terms.windows)
    return {
        "cells": cells,
        "others": [_other_window(w.model_dump()) for w in others],
        "timezone": terms.timezone,
        "channels": list(terms.channels),
        "sessions_total": terms.sessions_total,
        "session_minutes": terms.session_minutes,
        "max_sessions_per_week": terms.max_sessions_per_week,
        "review_after_session": terms.review_after_session or "",
        "planned_end_date": terms.planned_end_date.isoformat(),
        "response_expectation": terms.response_expectation,
        "topics_to_avoid": "\n".join(terms.topics_to_avoid),
        "limits": dict(terms.personal_limits[role]),
        "acks": dict.fromkeys(ACKNOWLEDGEMENTS, False),  # each person ticks them afresh
    }


def _other_window(data: dict[str, Any]) -> tuple[str, str]:
    window = WeeklyWindow.model_validate(data)
    dumped = window.model_dump()
    return f"{window.weekday}|{dumped['start']}|{dumped['end']}", describe_window(window)


def values_from_form(form: FormData) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    others = []
    for raw in form.getlist("other_window"):
        day, _, rest = str(raw).partition("|")
        start, _, end = rest.partition("|")
        try:
            others.append(_other_window({"weekday": day, "start": start, "end": end}))
        except ValueError:
            continue  # not something this page wrote; the grid still has the rest
    return {
        "cells": {str(c) for c in form.getlist("cell")},
        "others": others,
        "timezone": text("timezone"),
        "channels": [str(c) for c in form.getlist("channel")],
        **{
            name: text(name)
            for name in (
                "sessions_total",
                "session_minutes",
                "max_sessions_per_week",
                "review_after_session",
                "planned_end_date",
                "response_expectation",
            )
        },
        "topics_to_avoid": text("topics_to_avoid"),
        "limits": {i.key: text(f"limit_{i.key}") or i.default for i in limits.CATALOGUE},
        "acks": {key: form.get(f"ack_{key}") == "yes" for key in ACKNOWLEDGEMENTS},
    }


def terms_data(
    values: dict[str, Any], role: Person, other_limits: dict[str, LimitLevel]
) -> dict[str, Any]:
    """The builder's answers as the terms' plain data (checked by the domain, not here)."""
    others = [value.split("|") for value, _ in values["others"]]
    windows = grid.windows_from_cells(values["cells"])
    windows += [{"weekday": int(d), "start": s, "end": e} for d, s, e in others]
    other: Person = "supporter" if role == "seeker" else "seeker"
    return {
        "windows": windows,
        "timezone": values["timezone"],
        "channels": values["channels"],
        "sessions_total": values["sessions_total"],
        "session_minutes": values["session_minutes"],
        "max_sessions_per_week": values["max_sessions_per_week"],
        "review_after_session": values["review_after_session"] or None,
        "planned_end_date": values["planned_end_date"],
        "response_expectation": values["response_expectation"],
        "topics_to_avoid": [t.strip() for t in values["topics_to_avoid"].splitlines() if t.strip()],
        "personal_limits": {role: values["limits"], other: other_limits},
        "acknowledgements": values["acks"],
    }


def builder_errors(error: DomainError, role: Person) -> dict[str, str]:
    """The domain's field errors, keyed by the builder's fields."""
    found: dict[str, list[str]] = {}
    for item in error.errors or []:
        name = item.field.split("[")[0]
        if name.startswith("personal_limits."):
            _, person, key = [*name.split("."), "", ""][:3]
            name = f"limit_{key}" if person == role else "limits"
        elif name.startswith("acknowledgements."):
            name = "ack_" + name.split(".", 1)[1]
        else:
            name = name.split(".")[0]
        found.setdefault(name, []).append(item.message)
    messages = {name: " ".join(dict.fromkeys(texts)) for name, texts in found.items()}
    if not messages:
        return field_errors(error)
    return {"": "Some answers need another look; the messages are by each one.", **messages}


def _builder(
    request: Request,
    agreement: Agreement,
    values: dict[str, Any],
    base: int,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    me, other = agreement.pair.me, agreement.pair.other
    other_limits = _other_limits(agreement, base)
    context = {
        **agreement_context(agreement),
        "values": values,
        "revision": agreement.revision,
        "base": base,
        "rows": grid.rows(),
        "days": [(i, name[:3], name) for i, name in enumerate(WEEKDAYS)],
        "cell_key": grid.cell_key,
        "cell_label": grid.cell_label,
        "timezones": timezones(),
        "my_tz": me.timezone,
        "channels": [
            (key, label, key in me.channels, key in other.channels)
            for key, label in CHANNELS.items()
        ],
        "responses": list(RESPONSE_EXPECTATIONS.items()),
        "limits": [(item, limits.level_label(other_limits[item.key])) for item in limits.CATALOGUE],
        "levels": list(limits.LEVELS.items()),
        "acknowledgements": list(ACKNOWLEDGEMENTS.items()),
        "errors": errors or {},
    }
    return render(request, "pages/relationship_builder.html", context, status_code=status)


def _other_limits(agreement: Agreement, base: int) -> dict[str, LimitLevel]:
    """The other person's limits stay theirs: carried over from the version the form began at."""
    if base:
        terms = agreement.terms_of(agreement.version(base))
        return dict(terms.personal_limits[agreement.pair.other.role])
    return limits.default_limits()


def _start(agreement: Agreement) -> tuple[dict[str, Any], int]:
    terms, version = agreements.starting_terms(agreement)
    return values_from_terms(terms, agreement.pair.me.role), version.number if version else 0


@router.get("/relationships/{relationship_id}/agreement/propose", response_class=HTMLResponse)
async def builder_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep
) -> Response:
    """The builder, starting from the waiting proposal, the terms in force or the template."""
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    agreements.check_editable(agreement.relationship)
    values, base = _start(agreement)
    return _builder(request, agreement, values, base)


@router.post(
    "/relationships/{relationship_id}/agreement/propose",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def propose(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    revision: int = Revision,
    base: int = Form(default=0, ge=0),
) -> Response:
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    values = values_from_form(await request.form())
    role = agreement.pair.me.role
    try:
        data = terms_data(values, role, _other_limits(agreement, base))
        await agreements.propose(
            db, me, relationship_id=relationship_id, expected=revision, data=data
        )
    except DomainError as error:
        if error.status == 404:
            raise
        await db.rollback()
        agreement = await agreements.load(db, me, relationship_id=relationship_id)
        if isinstance(error, PreconditionFailed):
            # Keep what they typed; the next send is based on the latest, knowingly.
            _, base = _start(agreement)
            message = (
                f"{agreement.pair.other.display_name} changed the agreement while you were "
                "editing. Your answers are still here: look at the latest on the agreement "
                "page first, then send yours if you still want to propose them."
            )
            return _builder(request, agreement, values, base, {"": message}, error.status)
        return _builder(request, agreement, values, base, builder_errors(error, role), error.status)
    return redirect(request, f"/relationships/{relationship_id}/agreement")
