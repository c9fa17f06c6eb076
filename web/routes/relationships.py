"""Relationship pages: my relationships, one relationship and its history, what we agreed."""

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.errors import NotFound
from api.matching import views
from api.relationships import agreements, history, lifecycle, service
from api.relationships.agreement_view import Agreement
from api.relationships.history import Event
from api.relationships.models import AgreementVersion, State
from api.relationships.terms import (
    ACKNOWLEDGEMENTS,
    AgreementTerms,
    Person,
)
from api.relationships.wording import describe_terms, summarise
from api.weekly.windows import FALLBACK_TIMEZONE, is_known_timezone
from api.weekly.zones import zone_label
from web.auth import Peer
from web.render import render

router = APIRouter()


# ---- words and times, from the reader's side ----------------------------------------------


def viewer_tz(agreement: Agreement) -> str:
    """The reader's own zone (their profile), else the agreement's, else the service's."""
    mine = agreement.pair.me.timezone
    if mine and is_known_timezone(mine):
        return mine
    in_force = agreement.in_force or agreement.latest
    return agreement.terms_of(in_force).timezone if in_force else FALLBACK_TIMEZONE


def who(agreement: Agreement, role: Person | None) -> str:
    if role is None:
        return service.FORMER_MEMBER
    return "You" if role == agreement.pair.me.role else agreement.pair.other.display_name


def when(at: datetime | None, tz: str) -> str:
    """E.g. "Sun 22 Nov 2026, 18:30" on the reader's clock."""
    if at is None:
        return ""
    local = at.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def event_text(agreement: Agreement, event: Event) -> str:
    if event.by == "service":
        person = "Kindred"
    elif event.by == "coordinator":
        person = "A coordinator"
    else:
        person = who(agreement, event.by)
    n = event.version
    if event.kind == "proposed":
        return f"{person} proposed terms (version {n})"
    if event.kind == "agreed":
        return f"{person} agreed to version {n}, so it is in force"
    if event.kind == "withdrawn":
        return f"{person} withdrew version {n}"
    if event.kind == "reviewed":
        return f"{person} said the terms still fit"
    if event.to_state == State.introduced:
        return "The introduction was made"
    if event.to_state == State.agreeing:
        return f"{person} accepted the introduction"
    if event.to_state == State.active and event.from_state == State.paused:
        return f"{person} carried on after the pause"
    if event.to_state == State.active:
        return "The relationship became active on the agreed terms"
    return f"{person} {'paused' if event.to_state == State.paused else 'ended'} the relationship"


def names(agreement: Agreement) -> dict[Person, str]:
    """How the pages call the two people: "you" and the other person's name."""
    return {
        agreement.pair.me.role: "you",
        agreement.pair.other.role: agreement.pair.other.display_name,
    }


def every_term(agreement: Agreement, terms: AgreementTerms) -> list[tuple[str, str]]:
    """Every term in plain words on the reader's clock: what a first proposal shows in full."""
    rows = describe_terms(terms, viewer_tz=viewer_tz(agreement), names=names(agreement))
    return [(label, text) for _, label, text in rows]


def compare(
    agreement: Agreement, base: AgreementTerms, terms: AgreementTerms
) -> list[tuple[str, str, str]]:
    """Side by side on the reader's clock: (label, before, after) for the terms that differ."""
    tz, called = viewer_tz(agreement), names(agreement)
    before = describe_terms(base, viewer_tz=tz, names=called)
    after = describe_terms(terms, viewer_tz=tz, names=called)
    return [
        (label, old, new)
        for (_, label, old), (_, _, new) in zip(before, after, strict=True)
        if old != new
    ]


def base_of(agreement: Agreement, version: AgreementVersion) -> tuple[AgreementTerms, str] | None:
    """What a version is shown against and what to call it; None for a first proposal, which
    is shown in full (nobody has seen anything to compare it with)."""
    base = agreement.base_for(version)
    if base is None:
        return None
    if base.status == "agreed":
        return agreement.terms_of(base), f"In force (version {base.number})"
    whose = who(agreement, agreement.proposer(base))
    whose = "Your" if whose == "You" else f"{whose}'s"
    return agreement.terms_of(base), f"{whose} version {base.number}"


def agreement_context(agreement: Agreement) -> dict:
    """What every relationship page shows about the agreement, from the reader's side."""
    pending, in_force = agreement.pending, agreement.in_force
    return {
        "agreement": agreement,
        "relationship": agreement.relationship,
        "other": agreement.pair.other,
        "my_role": agreement.pair.me.role,
        "state_text": lifecycle.describe_state(agreement.relationship.state),
        "editable": agreement.relationship.state in agreements.EDITABLE_STATES,
        "pending": pending,
        "pending_is_mine": bool(pending and agreement.proposer(pending) == agreement.pair.me.role),
        "in_force": in_force,
        "review": agreement.review,
        "reviewed_by_me": agreement.pair.me.role in agreement.reviewed_by(),
        "reviewed_by_other": agreement.pair.other.role in agreement.reviewed_by(),
        "tz": viewer_tz(agreement),
        "tz_label": zone_label(viewer_tz(agreement)),
        # Only the first agreed version starts the support; later ones change it.
        "first_agreed": in_force is not None
        and not any(v.status == "superseded" for v in agreement.versions),
    }


# ---- pages ---------------------------------------------------------------------------------


@router.get("/relationships", response_class=HTMLResponse)
async def my_relationships(request: Request, me: Peer, db: SessionDep) -> Response:
    found = await service.list_mine(db, me)
    pairs = await service.pairs(db, me, relationships=found)
    pending = await agreements.pending_versions(db, relationship_ids=[r.id for r in found])
    items = []
    for r in found:
        waiting = pending.get(r.id)
        items.append(
            {
                "relationship": r,
                "pair": pairs[r.id],
                "state_text": lifecycle.describe_state(r.state),
                "your_turn": bool(waiting and waiting.proposed_by != me.user_id),
            }
        )
    return render(request, "pages/relationships.html", {"items": items})


async def _relationship_page(
    request: Request,
    me: Peer,
    db: SessionDep,
    relationship_id: UUID,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    tz = viewer_tz(agreement)
    events = await history.timeline(db, agreement=agreement)
    try:
        asked = await views.support_asked(
            db, me, settings=request.app.state.settings, relationship_id=relationship_id
        )
    except NotFound:
        asked = None  # ended, or not made from a request
    context = {
        **agreement_context(agreement),
        "asked": asked,
        "events": [(when(e.at, tz), event_text(agreement, e)) for e in reversed(events)],
        "summary": summarise(agreement.terms_of(agreement.in_force), tz, names=names(agreement))[:4]
        if agreement.in_force
        else [],
        "errors": errors or {},
    }
    return render(request, "pages/relationship.html", context, status_code=status)


@router.get("/relationships/{relationship_id}", response_class=HTMLResponse)
async def relationship_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep
) -> Response:
    return await _relationship_page(request, me, db, relationship_id)


@router.get("/relationships/{relationship_id}/agreed", response_class=HTMLResponse)
async def what_we_agreed(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep
) -> Response:
    """The terms in force, in plain words, with contact times on my own clock."""
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    context = agreement_context(agreement)
    in_force = agreement.in_force
    if in_force is not None:
        terms = agreement.terms_of(in_force)
        context["summary"] = summarise(terms, context["tz"], names=names(agreement))
        context["agreed_at"] = when(in_force.agreed_at, context["tz"])
        context["acknowledgements"] = [label for label, _ in ACKNOWLEDGEMENTS.values()]
    return render(request, "pages/relationship_agreed.html", context)
