"""The matching API for peers: support requests, shortlists, choices and introductions.
The coordinators' side (waiting list, proposals, batches) is api/coordination/routes.py."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.deps import CurrentPrincipal
from api.db import SessionDep
from api.deps import PageDep, SettingsDep
from api.errors import NotFound, problem_response_docs
from api.matching import introductions, requests, service, views
from api.matching.deps import IndexDep
from api.matching.models import SupportRequest
from api.matching.schemas import (
    Candidate,
    Choice,
    CoordinatorChoiceIn,
    IntroductionForSeeker,
    IntroductionForSupporter,
    RelationshipBrief,
    RequestIn,
    RequestOut,
    SeekerExperience,
    SharingIn,
    SupportAsked,
    introduction_out,
    request_out,
)
from api.paging import ListOut, page_of
from api.profiles.schemas import ExperienceOut

router = APIRouter(tags=["matching"])


async def _request_out(db: AsyncSession, request: SupportRequest) -> RequestOut:
    return request_out(request, await views.request_view(db, request=request))


@router.post("/support-requests", status_code=status.HTTP_201_CREATED, response_model=RequestOut)
async def ask_for_support(body: RequestIn, me: CurrentPrincipal, db: SessionDep) -> RequestOut:
    """Ask for a supporter with some of my experiences (or update my open request)."""
    request = await requests.ask_for_support(
        db,
        me,
        tag_ids=body.tag_ids,
        preferences=body.preferences.model_dump(),
        share_own_words=body.share_own_words,
    )
    return await _request_out(db, request)


@router.get("/support-requests/current", response_model=RequestOut)
async def current_request(me: CurrentPrincipal, db: SessionDep) -> RequestOut:
    """My latest request and what happened to its introductions."""
    request = await requests.latest_request(db, me.user_id)
    if request is None:
        raise NotFound("You haven't asked for support yet.")
    return await _request_out(db, request)


@router.delete(
    "/support-requests/{request_id:uuid}",
    response_model=RequestOut,
    responses=problem_response_docs(409),
)
async def withdraw_request(request_id: UUID, me: CurrentPrincipal, db: SessionDep) -> RequestOut:
    """Stop looking for now; no reason needed."""
    return await _request_out(db, await requests.withdraw_request(db, me, request_id=request_id))


@router.put(
    "/support-requests/{request_id}/coordinator-choice",
    response_model=RequestOut,
    responses=problem_response_docs(409),
)
async def ask_a_coordinator(
    request_id: UUID, body: CoordinatorChoiceIn, me: CurrentPrincipal, db: SessionDep
) -> RequestOut:
    """Ask a coordinator to choose a supporter for me, instead of choosing from the shortlist
    (or take that back). Coordinators see it on the waiting list."""
    request = await requests.ask_a_coordinator(db, me, request_id=request_id, ask=body.ask)
    return await _request_out(db, request)


@router.get(
    "/support-requests/{request_id}/shortlist",
    response_model=list[Candidate],
    responses=problem_response_docs(409),
)
async def shortlist(
    request_id: UUID,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[Candidate]:
    """Who could support me, best first, each with plain reasons and nothing private."""
    found = await service.suggestions(
        db, me, settings=settings, index=index, request_id=request_id, k=k
    )
    return [Candidate.model_validate(s.__dict__) for s in found]


@router.post(
    "/support-requests/{request_id}/choice",
    status_code=status.HTTP_201_CREATED,
    response_model=IntroductionForSeeker,
)
async def choose(
    request_id: UUID,
    body: Choice,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
) -> IntroductionForSeeker:
    """Choose someone from my shortlist: they get an introduction to accept or decline."""
    relationship = await service.choose(
        db,
        me,
        settings=settings,
        index=index,
        request_id=request_id,
        supporter_id=body.supporter_id,
    )
    [chosen] = await views.seeker_introductions(db, relationships=[relationship])
    return introduction_out(chosen)


def _experience(found: ExperienceOut) -> SeekerExperience:
    return SeekerExperience(
        tag_id=found.tag_id,
        label=found.tag_label,
        category_label=found.category_label,
        stage=found.stage,
        own_words=found.description,
    )


@router.get("/introductions", response_model=ListOut[IntroductionForSupporter])
async def inbox(
    me: CurrentPrincipal, db: SessionDep, settings: SettingsDep, window: PageDep
) -> ListOut[IntroductionForSupporter]:
    """Introductions waiting for my answer, as a supporter: what the person is going through
    (never their own words before I accept), their topics to avoid, and why me. Oldest first;
    a supporter has at most as many as their places."""
    waiting = await views.supporter_inbox(db, me, settings=settings)
    shown = page_of(waiting, window, id_of=lambda i: i.relationship.id)
    data = [
        IntroductionForSupporter(
            id=i.relationship.id,
            seeker_display_name=i.seeker_display_name,
            seeker_pronouns=i.seeker_pronouns,
            seeker_experiences=[_experience(e) for e in i.experiences],
            seeker_topics_to_avoid=i.topics_to_avoid,
            reasons=i.reasons,
            coordinator_note=i.coordinator_note,
            source=i.relationship.source,
            created_at=i.relationship.created_at,
            expires_at=i.relationship.expires_at,
        )
        for i in shown.items
    ]
    return ListOut(data=data, has_more=shown.has_more)


@router.get("/relationships/{relationship_id}/support-asked", response_model=SupportAsked)
async def support_asked(
    relationship_id: UUID, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> SupportAsked:
    """What the seeker asked for support with, for either of the two once the supporter has
    accepted; the seeker's own words only if they chose to share them."""
    found = await views.support_asked(db, me, settings=settings, relationship_id=relationship_id)
    return SupportAsked(
        request_id=found.request.id,
        share_own_words=found.request.share_own_words,
        experiences=[_experience(e) for e in found.experiences],
    )


@router.put("/support-requests/{request_id}/share-own-words", response_model=RequestOut)
async def share_own_words(
    request_id: UUID, body: SharingIn, me: CurrentPrincipal, db: SessionDep
) -> RequestOut:
    """Let my supporter read my own words about these experiences, or stop, at any time."""
    request = await requests.share_own_words(
        db, me, request_id=request_id, share=body.share_own_words
    )
    return await _request_out(db, request)


@router.post("/introductions/{relationship_id}/accept", response_model=RelationshipBrief)
async def accept(relationship_id: UUID, me: CurrentPrincipal, db: SessionDep) -> RelationshipBrief:
    """Accept: we start agreeing terms. Never more people than my capacity."""
    relationship = await introductions.accept(db, me, relationship_id=relationship_id)
    return RelationshipBrief.model_validate(relationship.model_dump())


@router.post("/introductions/{relationship_id}/decline", response_model=RelationshipBrief)
async def decline(relationship_id: UUID, me: CurrentPrincipal, db: SessionDep) -> RelationshipBrief:
    """Decline, no reason needed. The seeker only sees "not available right now"."""
    relationship = await introductions.decline(db, me, relationship_id=relationship_id)
    return RelationshipBrief.model_validate(relationship.model_dump())
