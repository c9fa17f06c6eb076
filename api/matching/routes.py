"""The matching API: support requests, shortlists, introductions and batch assignment."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.deps import CurrentCoordinator, CurrentPrincipal
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import NotFound
from api.matching import drafts, introductions, requests, service, views
from api.matching.index import MatchingIndex
from api.matching.models import BatchDraft, BatchDraftItem, SupportRequest
from api.matching.schemas import (
    Candidate,
    Choice,
    DraftItemChange,
    DraftItemOut,
    DraftOut,
    IntroductionForSeeker,
    IntroductionForSupporter,
    Proposal,
    RelationshipBrief,
    RequestIn,
    RequestOut,
)
from api.profiles.service import display_names

router = APIRouter(tags=["matching"])


async def matching_index(request: Request) -> MatchingIndex:
    return request.app.state.matching_index


IndexDep = Annotated[MatchingIndex, Depends(matching_index)]


def _introduction_out(found: views.SeekerIntroduction) -> IntroductionForSeeker:
    return IntroductionForSeeker(
        id=found.relationship.id,
        supporter_display_name=found.supporter_display_name,
        status=found.status,
        created_at=found.relationship.created_at,
    )


async def _request_out(db: AsyncSession, request: SupportRequest) -> RequestOut:
    view = await views.request_view(db, request=request)
    return RequestOut.model_validate(
        {
            **request.model_dump(),
            "introductions": [_introduction_out(i) for i in view.introductions],
        }
    )


@router.post("/support-requests", status_code=status.HTTP_201_CREATED, response_model=RequestOut)
async def ask_for_support(body: RequestIn, me: CurrentPrincipal, db: SessionDep) -> RequestOut:
    """Ask for a supporter with some of my experiences (or update my open request)."""
    request = await requests.ask_for_support(
        db, me, tag_ids=body.tag_ids, preferences=body.preferences.model_dump()
    )
    return await _request_out(db, request)


@router.get("/support-requests/current", response_model=RequestOut)
async def current_request(me: CurrentPrincipal, db: SessionDep) -> RequestOut:
    """My latest request and what happened to its introductions."""
    request = await requests.latest_request(db, me.user_id)
    if request is None:
        raise NotFound("You haven't asked for support yet.")
    return await _request_out(db, request)


@router.delete("/support-requests/{request_id}", response_model=RequestOut)
async def withdraw_request(request_id: UUID, me: CurrentPrincipal, db: SessionDep) -> RequestOut:
    """Stop looking for now; no reason needed."""
    return await _request_out(db, await requests.withdraw_request(db, me, request_id=request_id))


@router.get("/support-requests/{request_id}/shortlist", response_model=list[Candidate])
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
    return _introduction_out(chosen)


@router.get("/introductions", response_model=list[IntroductionForSupporter])
async def inbox(me: CurrentPrincipal, db: SessionDep) -> list[IntroductionForSupporter]:
    """Introductions waiting for my answer, as a supporter."""
    return [
        IntroductionForSupporter(
            id=i.relationship.id,
            seeker_display_name=i.seeker_display_name,
            seeker_pronouns=i.seeker_pronouns,
            reasons=i.relationship.reasons,
            source=i.relationship.source,
            created_at=i.relationship.created_at,
            expires_at=i.relationship.expires_at,
        )
        for i in await views.supporter_inbox(db, me)
    ]


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


@router.get("/coordination/waiting-list", response_model=list[RequestOut])
async def waiting_list(coordinator: CurrentCoordinator, db: SessionDep) -> list[RequestOut]:
    """Seekers waiting for a match, longest waiting first."""
    waiting = await requests.waiting_list(db, coordinator)
    return [await _request_out(db, r) for r in waiting]


@router.get("/coordination/support-requests/{request_id}/shortlist", response_model=list[Candidate])
async def coordinator_shortlist(
    request_id: UUID,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    index: IndexDep,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Candidate]:
    """The shortlist a waiting seeker would see, to pick a match for them."""
    request = await requests.get_any_request(db, coordinator, request_id=request_id)
    found = await service.suggest(db, index=index, request=request, k=k)
    return [Candidate.model_validate(s.__dict__) for s in found]


@router.post(
    "/coordination/proposals", status_code=status.HTTP_201_CREATED, response_model=RelationshipBrief
)
async def propose(
    body: Proposal,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
) -> RelationshipBrief:
    """Propose a specific supporter for a waiting seeker; the supporter still has to accept."""
    relationship = await service.propose(
        db,
        coordinator,
        settings=settings,
        index=index,
        request_id=body.request_id,
        supporter_id=body.supporter_id,
    )
    return RelationshipBrief.model_validate(relationship.model_dump())


async def _draft_out(db: AsyncSession, draft: BatchDraft, items: list[BatchDraftItem]) -> DraftOut:
    names = await display_names(db, [i.seeker_id for i in items] + [i.supporter_id for i in items])
    return DraftOut.model_validate(
        {
            **draft.model_dump(),
            "items": [
                DraftItemOut.model_validate(
                    {
                        **i.model_dump(),
                        "seeker_display_name": names.get(i.seeker_id, ""),
                        "supporter_display_name": names.get(i.supporter_id, ""),
                    }
                )
                for i in items
            ],
        }
    )


@router.post("/coordination/batches", status_code=status.HTTP_201_CREATED, response_model=DraftOut)
async def run_batch(coordinator: CurrentCoordinator, db: SessionDep, index: IndexDep) -> DraftOut:
    """Assign the whole waiting list optimally, within every supporter's capacity, as a draft."""
    draft = await drafts.create_draft(db, coordinator, index=index)
    return await _draft_out(db, *(await drafts.get_draft(db, coordinator, draft_id=draft.id)))


@router.get("/coordination/batches/{draft_id}", response_model=DraftOut)
async def get_batch(draft_id: UUID, coordinator: CurrentCoordinator, db: SessionDep) -> DraftOut:
    return await _draft_out(db, *(await drafts.get_draft(db, coordinator, draft_id=draft_id)))


@router.patch("/coordination/batches/{draft_id}/items/{item_id}", response_model=DraftOut)
async def change_batch_item(
    draft_id: UUID,
    item_id: UUID,
    body: DraftItemChange,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    index: IndexDep,
) -> DraftOut:
    """Give one seeker in the draft another supporter."""
    await drafts.change_item(
        db,
        coordinator,
        index=index,
        draft_id=draft_id,
        item_id=item_id,
        supporter_id=body.supporter_id,
    )
    return await _draft_out(db, *(await drafts.get_draft(db, coordinator, draft_id=draft_id)))


@router.delete("/coordination/batches/{draft_id}/items/{item_id}", response_model=DraftOut)
async def remove_batch_item(
    draft_id: UUID, item_id: UUID, coordinator: CurrentCoordinator, db: SessionDep
) -> DraftOut:
    """Leave one seeker out of this batch (they stay on the waiting list)."""
    await drafts.remove_item(db, coordinator, draft_id=draft_id, item_id=item_id)
    return await _draft_out(db, *(await drafts.get_draft(db, coordinator, draft_id=draft_id)))


@router.post("/coordination/batches/{draft_id}/send", response_model=dict[str, int])
async def send_batch(
    draft_id: UUID,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
) -> dict[str, int]:
    """Send the reviewed draft's introductions."""
    return await drafts.send(db, coordinator, settings=settings, index=index, draft_id=draft_id)
