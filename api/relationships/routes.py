"""Relationships and their boundary agreements: only the two people in one ever see it."""

from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from api.auth.deps import CurrentPrincipal
from api.db import SessionDep
from api.deps import PageDep, PeriodDep
from api.errors import DomainError, PreconditionFailed, PreconditionRequired, problem_response_docs
from api.paging import ListOut, page_of
from api.relationships import agreements, history, lifecycle, service
from api.relationships.agreement_view import Agreement
from api.relationships.models import AgreementVersion, ConsentKind, Relationship, State
from api.relationships.review import review_due
from api.relationships.schemas import (
    TERMS_EXAMPLE,
    AgreementBrief,
    AgreementOut,
    ConsentOut,
    EventOut,
    PersonOut,
    RelationshipOut,
    RelationshipSummary,
    VersionOut,
)
from api.relationships.service import Pair, Side
from api.relationships.terms import AgreementTerms, Channel
from api.relationships.wording import diff_terms

router = APIRouter(prefix="/relationships", tags=["relationships"])

ETAG_HEADER = {
    "ETag": {
        "description": "The agreement's revision; send it back as If-Match to change it",
        "schema": {"type": "string", "examples": ['"3"']},
    }
}
CHANGE_ERRORS = problem_response_docs(409, 412, 428)
RelationshipId = Annotated[UUID, Path(description="The relationship's id")]
Number = Annotated[int, Path(ge=1, le=100_000, description="The version's number (1, 2, 3, …)")]


class BadBody(DomainError):
    status = 400
    type = "bad-request"
    title = "The request could not be read"


async def expected_revision(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Required: the ETag from the last read of the agreement",
            openapi_examples={"current": {"summary": "The ETag last read", "value": '"3"'}},
        ),
    ] = None,
) -> int:
    """The revision a change is based on, from If-Match: 428 without one, 412 if unreadable."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Send If-Match with the agreement's ETag (from GET …/agreement), so that a change "
            "made by the other person in the meantime is never overwritten."
        )
    tag = if_match.strip()
    if tag == "*":
        raise PreconditionRequired("If-Match: * would overwrite anything; send the ETag itself.")
    if len(tag) > 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit() and len(tag) < 12:
        return int(tag[1:-1])
    raise PreconditionFailed("That If-Match is not the ETag of this agreement. Reload it.")


ExpectedRevision = Annotated[int, Depends(expected_revision)]


async def terms_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise BadBody("The body is not valid JSON.") from None


TERMS_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/AgreementTerms"},
                "examples": {"terms": {"summary": "Two evenings a week", "value": TERMS_EXAMPLE}},
            }
        },
    }
}


# ---- shaping -------------------------------------------------------------------------------


def _person(side: Side) -> PersonOut:
    return PersonOut(
        role=side.role,
        display_name=side.display_name,
        pronouns=side.pronouns,
        timezone=side.timezone,
        channels=cast(list[Channel], list(side.channels)),
        topics_to_avoid=list(side.topics_to_avoid),
    )


def _brief(
    relationship: Relationship, pending: AgreementVersion | None, pair: Pair
) -> AgreementBrief:
    return AgreementBrief(
        revision=relationship.agreement_revision,
        in_force=relationship.agreed_version,
        pending=pending.number if pending else None,
        pending_from=pair.role_of(pending.proposed_by) if pending else None,
        review=review_due(relationship),
    )


def _summary(relationship: Relationship, pending: AgreementVersion | None, pair: Pair) -> dict:
    return {
        **relationship.model_dump(include={"id", "state", "created_at", "answered_at", "ended_at"}),
        "state_text": lifecycle.describe_state(relationship.state),
        "my_role": pair.me.role,
        "other": _person(pair.other),
        "agreement": _brief(relationship, pending, pair),
    }


def _version(agreement: Agreement, version: AgreementVersion) -> VersionOut:
    before = agreement.previous(version)
    terms = agreement.terms_of(version)
    viewer_tz = agreement.pair.me.timezone or terms.timezone
    changes = diff_terms(agreement.terms_of(before), terms, viewer_tz=viewer_tz) if before else []
    return VersionOut(
        **version.model_dump(include={"number", "status", "created_at", "agreed_at", "closed_at"}),
        proposed_by=agreement.proposer(version),
        terms=terms,
        consents=[
            ConsentOut(by=agreement.pair.role_of(c.user_id), kind=ConsentKind(c.kind), at=c.at)
            for c in agreement.consents_to(version)
        ],
        changes=changes,
    )


def _agreement(agreement: Agreement, response: Response) -> AgreementOut:
    response.headers["ETag"] = agreement.etag
    relationship = agreement.relationship
    in_force, pending = agreement.in_force, agreement.pending
    return AgreementOut(
        relationship_id=relationship.id,
        state=State(relationship.state),
        revision=agreement.revision,
        in_force=_version(agreement, in_force) if in_force else None,
        pending=_version(agreement, pending) if pending else None,
        versions=[_version(agreement, v) for v in agreement.versions],
        review=agreement.review,
        review_at_session=relationship.review_at_session,
        sessions_held=relationship.sessions_held,
        reviewed_by=agreement.reviewed_by(),
    )


async def _relationship(
    db: SessionDep, me: CurrentPrincipal, relationship_id: UUID
) -> RelationshipOut:
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    events = await history.timeline(db, agreement=agreement)
    return RelationshipOut(
        **_summary(agreement.relationship, agreement.pending, agreement.pair),
        me=_person(agreement.pair.me),
        events=[EventOut.model_validate(e.__dict__) for e in events],
    )


# ---- relationships -------------------------------------------------------------------------


@router.get("", response_model=ListOut[RelationshipSummary])
async def my_relationships(
    me: CurrentPrincipal,
    db: SessionDep,
    window: PageDep,
    period: PeriodDep,
    state: Annotated[list[State] | None, Query(description="Only those in these states")] = None,
) -> ListOut[RelationshipSummary]:
    """My relationships, as seeker and as supporter, newest first (from `agreeing` on)."""
    found = await service.page_of_mine(
        db, me, window=window, period=period, states=[s.value for s in state or []]
    )
    pairs = await service.pairs(db, me, relationships=found.items)
    pending = await agreements.pending_versions(db, relationship_ids=[r.id for r in found.items])
    return ListOut(
        data=[
            RelationshipSummary.model_validate(_summary(r, pending.get(r.id), pairs[r.id]))
            for r in found.items
        ],
        has_more=found.has_more,
    )


@router.get("/{relationship_id}", response_model=RelationshipOut)
async def get_relationship(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep
) -> RelationshipOut:
    """One of my relationships: its state, the other person, its agreement and its history."""
    return await _relationship(db, me, relationship_id)


@router.get("/{relationship_id}/events", response_model=ListOut[EventOut])
async def get_events(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    window: PageDep,
    period: PeriodDep,
) -> ListOut[EventOut]:
    """Every change of state and of the terms, oldest first: who did it and when."""
    events = await history.timeline(
        db, agreement=await agreements.load(db, me, relationship_id=relationship_id)
    )
    found = page_of([e for e in events if period.holds(e.at)], window, id_of=lambda e: e.id)
    return ListOut(
        data=[EventOut.model_validate(e.__dict__) for e in found.items], has_more=found.has_more
    )


# ---- the agreement -------------------------------------------------------------------------


@router.get(
    "/{relationship_id}/agreement", response_model=AgreementOut, responses={200: ETAG_HEADER}
)
async def get_agreement(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep, response: Response
) -> AgreementOut:
    """Every version and consent, the version in force and the one waiting; ETag to change it."""
    return _agreement(await agreements.load(db, me, relationship_id=relationship_id), response)


@router.get(
    "/{relationship_id}/agreement/template",
    response_model=AgreementTerms,
    responses={200: {"content": {"application/json": {"example": TERMS_EXAMPLE}}}},
)
async def get_template(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep
) -> AgreementTerms:
    """The service's starting terms for this pair, with the channels both have chosen.

    The acknowledgements start unticked: whoever proposes ticks them.
    """
    return await agreements.template(db, me, relationship_id=relationship_id)


@router.get("/{relationship_id}/agreement/versions/{number}", response_model=VersionOut)
async def get_version(
    relationship_id: RelationshipId, number: Number, me: CurrentPrincipal, db: SessionDep
) -> VersionOut:
    """One version, with its consents and what changed from the one before."""
    agreement = await agreements.load(db, me, relationship_id=relationship_id)
    return _version(agreement, agreement.version(number))


@router.post(
    "/{relationship_id}/agreement/proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementOut,
    responses={201: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    openapi_extra=TERMS_REQUEST,
)
async def propose(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    data: Annotated[Any, Depends(terms_body)],  # read first: an unreadable body is a 400
    expected: ExpectedRevision,
    response: Response,
) -> AgreementOut:
    """Propose terms: a first version, a counter-proposal, or a change to the terms in force.

    Needs If-Match (428 without it, 412 if the agreement changed meanwhile). Proposing counts
    as your consent; the other person agrees to that exact version or proposes another.
    """
    version = await agreements.propose(
        db, me, relationship_id=relationship_id, expected=expected, data=data
    )
    response.headers["Location"] = (
        f"/api/v1/relationships/{relationship_id}/agreement/versions/{version.number}"
    )
    return _agreement(await agreements.load(db, me, relationship_id=relationship_id), response)


@router.post(
    "/{relationship_id}/agreement/versions/{number}/consent",
    response_model=AgreementOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
)
async def consent(
    relationship_id: RelationshipId,
    number: Number,
    me: CurrentPrincipal,
    db: SessionDep,
    expected: ExpectedRevision,
    response: Response,
) -> AgreementOut:
    """Agree to the other person's latest proposal; it comes into force at once.

    The first agreed version makes the relationship active. Needs If-Match; a version that
    isn't the latest is refused with 422.
    """
    await agreements.consent(
        db, me, relationship_id=relationship_id, number=number, expected=expected
    )
    return _agreement(await agreements.load(db, me, relationship_id=relationship_id), response)


@router.post(
    "/{relationship_id}/agreement/versions/{number}/withdraw",
    response_model=AgreementOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
)
async def withdraw(
    relationship_id: RelationshipId,
    number: Number,
    me: CurrentPrincipal,
    db: SessionDep,
    expected: ExpectedRevision,
    response: Response,
) -> AgreementOut:
    """Take back my own proposal while it waits; the version in force stays in force."""
    await agreements.withdraw(
        db, me, relationship_id=relationship_id, number=number, expected=expected
    )
    return _agreement(await agreements.load(db, me, relationship_id=relationship_id), response)


@router.post(
    "/{relationship_id}/agreement/review",
    response_model=AgreementOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
)
async def confirm_review(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    expected: ExpectedRevision,
    response: Response,
) -> AgreementOut:
    """At the review point: the terms in force still fit me (or propose a change instead)."""
    return _agreement(
        await agreements.confirm_review(db, me, relationship_id=relationship_id, expected=expected),
        response,
    )
