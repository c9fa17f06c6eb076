"""The coordinators' working day: the waiting list, proposals, batch matching and offers to
support. Every route needs a coordinator (403 for peers, 401 without a login). The safety side
(concerns, safety actions, safeguarding access) is in safety_routes.py and included here."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.deps import CurrentCoordinator
from api.coordination import console_routes, governance_routes, offers, safety_routes, waiting
from api.coordination.schemas import OfferDecisionIn, OfferToReviewOut, WaitingSeekerOut
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep
from api.errors import problem_response_docs
from api.matching import drafts, proposals, requests, service
from api.matching.deps import IndexDep
from api.matching.models import BatchDraft, BatchDraftItem
from api.matching.schemas import (
    Candidate,
    DraftItemChange,
    DraftItemOut,
    DraftOut,
    Proposal,
    RelationshipBrief,
)
from api.paging import ListOut, page_of
from api.profiles.service import display_names
from api.supporters.models import OfferStatus
from api.supporters.schemas import OfferPublic

router = APIRouter(prefix="/coordination", tags=["coordination"])
router.include_router(safety_routes.router)
router.include_router(console_routes.router)
router.include_router(governance_routes.router)


# ---- waiting list and proposals -----------------------------------------------------------


@router.get("/waiting-list", response_model=ListOut[WaitingSeekerOut])
async def waiting_list(
    coordinator: CurrentCoordinator,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many, 1 to 100")] = 50,
    starting_after: Annotated[
        UUID | None, Query(description="The id of the last request of the page before this one")
    ] = None,
    ending_before: Annotated[
        UUID | None, Query(description="The id of the first request of the page after this one")
    ] = None,
) -> ListOut[WaitingSeekerOut]:
    """Seekers waiting for a match, a page at a time: first in line first, then the longest
    waiting; what they asked for by name, and whether they asked a coordinator to choose."""
    found = await waiting.waiting_list(
        db, coordinator, limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return ListOut(
        data=[WaitingSeekerOut.model_validate(w) for w in found.items], has_more=found.has_more
    )


@router.get(
    "/support-requests/{request_id}/shortlist",
    response_model=list[Candidate],
    responses=problem_response_docs(409),
)
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
    "/proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=RelationshipBrief,
    responses=problem_response_docs(404, 409, 422),
)
async def propose(
    body: Proposal,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
) -> RelationshipBrief:
    """Propose a specific supporter (one of the shortlist, or any available supporter) for a
    waiting seeker, with a note the supporter reads and, if you like, one the seeker reads.
    Every matching rule applies; 409 says why when that supporter can't be introduced now.
    The supporter still has to accept."""
    relationship = await proposals.propose(
        db,
        coordinator,
        settings=settings,
        index=index,
        request_id=body.request_id,
        supporter_id=body.supporter_id,
        note=body.note,
        note_to_seeker=body.note_to_seeker,
    )
    return RelationshipBrief.model_validate(relationship.model_dump())


# ---- batch matching ------------------------------------------------------------------------


async def _draft_out(db: AsyncSession, draft: BatchDraft, items: list[BatchDraftItem]) -> DraftOut:
    names = await display_names(
        db, user_ids=[i.seeker_id for i in items] + [i.supporter_id for i in items]
    )
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


@router.post("/batches", status_code=status.HTTP_201_CREATED, response_model=DraftOut)
async def run_batch(coordinator: CurrentCoordinator, db: SessionDep, index: IndexDep) -> DraftOut:
    """Assign the whole waiting list optimally, within every supporter's capacity, as a draft."""
    draft = await drafts.create_draft(db, coordinator, index=index)
    return await _draft_out(db, *(await drafts.get_draft(db, coordinator, draft_id=draft.id)))


@router.get("/batches/{draft_id}", response_model=DraftOut)
async def get_batch(draft_id: UUID, coordinator: CurrentCoordinator, db: SessionDep) -> DraftOut:
    """A batch draft: each waiting seeker and the supporter proposed for them."""
    return await _draft_out(db, *(await drafts.get_draft(db, coordinator, draft_id=draft_id)))


@router.patch(
    "/batches/{draft_id}/items/{item_id}",
    response_model=DraftOut,
    responses=problem_response_docs(409),
)
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


@router.delete(
    "/batches/{draft_id}/items/{item_id}",
    response_model=DraftOut,
    responses=problem_response_docs(409),
)
async def remove_batch_item(
    draft_id: UUID, item_id: UUID, coordinator: CurrentCoordinator, db: SessionDep
) -> DraftOut:
    """Leave one seeker out of this batch (they stay on the waiting list)."""
    await drafts.remove_item(db, coordinator, draft_id=draft_id, item_id=item_id)
    return await _draft_out(db, *(await drafts.get_draft(db, coordinator, draft_id=draft_id)))


@router.post("/batches/{draft_id}/send", response_model=dict[str, int])
async def send_batch(
    draft_id: UUID,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
) -> dict[str, int]:
    """Send the reviewed draft's introductions."""
    return await drafts.send(db, coordinator, settings=settings, index=index, draft_id=draft_id)


# ---- offers to support ----------------------------------------------------------------------


@router.get("/supporter-offers", response_model=ListOut[OfferToReviewOut])
async def list_offers(
    coordinator: CurrentCoordinator,
    db: SessionDep,
    window: PageDep,
    period: PeriodDep,
    status: OfferStatus | None = OfferStatus.pending,
) -> ListOut[OfferToReviewOut]:
    """Offers to support, oldest first (pending ones by default), with the experiences each
    person would support others with (names and stages; their own words stay theirs)."""
    found = await offers.to_review(db, coordinator, status=status)
    shown = page_of(
        [o for o in found if period.holds(o.offer.created_at)], window, id_of=lambda o: o.offer.id
    )
    return ListOut(
        data=[
            OfferToReviewOut.model_validate(
                {
                    **o.offer.model_dump(),
                    "display_name": o.display_name,
                    "experiences": o.experiences,
                }
            )
            for o in shown.items
        ],
        has_more=shown.has_more,
    )


@router.post(
    "/supporter-offers/{offer_id}/approve",
    response_model=OfferPublic,
    responses=problem_response_docs(404, 409, 422),
)
async def approve(
    offer_id: UUID,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    body: Annotated[OfferDecisionIn | None, Body()] = None,
) -> OfferPublic:
    """Approve a trained peer as a supporter: from now on they can be matched. An optional
    note is for them; they are told kindly either way."""
    offer = await offers.decide(
        db, coordinator, offer_id=offer_id, approve=True, note=body.note if body else None
    )
    return OfferPublic.model_validate(offer.model_dump())


@router.post(
    "/supporter-offers/{offer_id}/decline",
    response_model=OfferPublic,
    responses=problem_response_docs(404, 409, 422),
)
async def decline(
    offer_id: UUID,
    coordinator: CurrentCoordinator,
    db: SessionDep,
    body: Annotated[OfferDecisionIn | None, Body()] = None,
) -> OfferPublic:
    """Decline an offer, with an optional note for the person (told kindly, never why)."""
    offer = await offers.decide(
        db, coordinator, offer_id=offer_id, approve=False, note=body.note if body else None
    )
    return OfferPublic.model_validate(offer.model_dump())
