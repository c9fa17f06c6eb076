"""The terms builder: propose terms, or a change to them, in plain form fields.

Contact times are a short list of time ranges for each day (`web/week_ranges.py`): "Add a time"
and "Remove" send the form back and the page returns with the change, keeping everything typed
(htmx swaps only the contact times). Only my own personal limits and topics are fields here;
the other person's are shown as theirs and carried over by the domain
(`agreements.with_their_own`), never sent from this page.
"""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.db import SessionDep
from api.errors import DomainError, PreconditionFailed
from api.relationships import agreements, limits
from api.relationships.agreement_view import Agreement
from api.relationships.terms import (
    ACKNOWLEDGEMENTS,
    CHANNELS,
    RESPONSE_EXPECTATIONS,
    AgreementTerms,
    Person,
)
from api.weekly.zones import zone_groups, zone_label
from web import week_ranges
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.relationships import agreement_context

router = APIRouter()
Revision = Form(default=-1, ge=-1)
NUMBERS = (
    "sessions_total",
    "session_minutes",
    "max_sessions_per_week",
    "review_after_session",
    "planned_end_date",
    "response_expectation",
)


def values_from_terms(terms: AgreementTerms, role: Person) -> dict[str, Any]:
    """What the builder's fields show for some terms; the acknowledgements start unticked."""
    return {
        "rows": week_ranges.rows_from_windows(terms.windows),
        "timezone": terms.timezone,
        "channels": list(terms.channels),
        "sessions_total": terms.sessions_total,
        "session_minutes": terms.session_minutes,
        "max_sessions_per_week": terms.max_sessions_per_week,
        "review_after_session": terms.review_after_session or "",
        "planned_end_date": terms.planned_end_date.isoformat(),
        "response_expectation": terms.response_expectation,
        "topics_to_avoid": "\n".join(terms.topics_to_avoid[role]),
        "limits": dict(terms.personal_limits[role]),
        "acks": dict.fromkeys(ACKNOWLEDGEMENTS, False),  # each person ticks them afresh
    }


def values_from_form(form: FormData) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    return {
        "rows": week_ranges.rows_from_form(form),
        "timezone": text("timezone"),
        "channels": [str(c) for c in form.getlist("channel")],
        **{name: text(name) for name in NUMBERS},
        "topics_to_avoid": text("topics_to_avoid"),
        "limits": {i.key: text(f"limit_{i.key}") or i.default for i in limits.CATALOGUE},
        "acks": {key: form.get(f"ack_{key}") == "yes" for key in ACKNOWLEDGEMENTS},
    }


def terms_data(values: dict[str, Any], role: Person) -> dict[str, Any]:
    """The builder's answers as the terms' plain data (checked by the domain, not here).

    Only my own limits and topics: the domain keeps the other person's as they set them.
    """
    topics = [t.strip() for t in values["topics_to_avoid"].splitlines() if t.strip()]
    return {
        "windows": week_ranges.windows_data(values["rows"]),
        "timezone": values["timezone"],
        "channels": values["channels"],
        **{name: values[name] for name in NUMBERS},
        "review_after_session": values["review_after_session"] or None,
        "topics_to_avoid": {role: topics},
        "personal_limits": {role: values["limits"]},
        "acknowledgements": values["acks"],
    }


def builder_errors(error: DomainError, role: Person) -> dict[str, str]:
    """The domain's field errors, keyed by the builder's fields ("window-2" for a row)."""
    found: dict[str, list[str]] = {}
    for item in error.errors or []:
        name = item.field
        if name.startswith("windows["):
            name = "window-" + name[len("windows[") :].split("]")[0]
        elif name.startswith("personal_limits."):
            _, person, key = [*name.split("."), "", ""][:3]
            name = f"limit_{key}" if person == role else "limits"
        elif name.startswith("acknowledgements."):
            name = "ack_" + name.split(".", 1)[1]
        else:
            name = name.split("[")[0].split(".")[0]
        found.setdefault(name, []).append(item.message)
    messages = {name: " ".join(dict.fromkeys(texts)) for name, texts in found.items()}
    if not messages:
        return field_errors(error)
    return {"": "Some answers need another look; the messages are by each one.", **messages}


def _builder(
    request: Request,
    agreement: Agreement,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    revision: int | None = None,
) -> Response:
    """The builder page; `revision` is the one the form began at (the latest if not given)."""
    me, other = agreement.pair.me, agreement.pair.other
    start, _ = agreements.starting_terms(agreement)  # where the other person's answers are
    theirs = start.personal_limits[other.role]
    context = {
        **agreement_context(agreement),
        "values": values,
        "revision": agreement.revision if revision is None else revision,
        "days": week_ranges.by_day(values["rows"]),
        "start_options": week_ranges.start_options,
        "end_options": week_ranges.end_options,
        "timezones": zone_groups(values["timezone"], me.timezone, other.timezone),
        "zone_label": zone_label,
        "my_tz": me.timezone,
        "their_tz": other.timezone,
        "channels": [
            (key, label, key in me.channels, key in other.channels)
            for key, label in CHANNELS.items()
        ],
        "responses": list(RESPONSE_EXPECTATIONS.items()),
        "limits": [(item, limits.level_label(theirs[item.key])) for item in limits.CATALOGUE],
        "my_limits_carried": me.role in agreement.carried_limits,
        "their_topics": start.topics_to_avoid[other.role],
        "levels": list(limits.LEVELS.items()),
        "acknowledgements": list(ACKNOWLEDGEMENTS.items()),
        "errors": errors or {},
    }
    return render(request, "pages/relationship_builder.html", context, status_code=status)


def _start(agreement: Agreement) -> dict[str, Any]:
    terms, _ = agreements.starting_terms(agreement)
    return values_from_terms(terms, agreement.pair.me.role)


@router.get("/relationships/{relationship_id}/agreement/propose", response_class=HTMLResponse)
async def builder_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep
) -> Response:
    """The builder, starting from the waiting proposal, the terms in force or the template."""
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    agreements.check_editable(agreement.relationship)
    return _builder(request, agreement, _start(agreement))


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
) -> Response:
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    form = await request.form()
    values = values_from_form(form)
    add, remove = str(form.get("add", "")), str(form.get("remove", ""))
    if add.isdigit() or remove.isdigit():
        # Adding or removing a contact time only changes the page; nothing is proposed yet.
        rows = values["rows"]
        if add.isdigit() and int(add) < 7:
            values["rows"] = week_ranges.add_row(rows, int(add))
        elif remove.isdigit():
            values["rows"] = week_ranges.remove_row(rows, int(remove))
        return _builder(request, agreement, values, revision=revision)
    role = agreement.pair.me.role
    try:
        await agreements.propose(
            db,
            me,
            relationship_id=relationship_id,
            expected=revision,
            data=terms_data(values, role),
        )
    except DomainError as error:
        if error.status == 404:
            raise
        await db.rollback()
        agreement = await agreements.load(db, me, relationship_id=relationship_id)
        if isinstance(error, PreconditionFailed):
            # Keep what they typed; the next send is based on the latest, knowingly.
            message = (
                f"{agreement.pair.other.display_name} changed the agreement while you were "
                "editing. Your answers are still here: look at the latest on the agreement "
                "page first, then send yours if you still want to propose them."
            )
            return _builder(request, agreement, values, {"": message}, error.status)
        return _builder(request, agreement, values, builder_errors(error, role), error.status)
    return redirect(request, f"/relationships/{relationship_id}/agreement")
