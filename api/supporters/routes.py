from fastapi import APIRouter, status

from api.auth.deps import BearerToken, CurrentPrincipal
from api.auth.schemas import UserPublic
from api.db import SessionDep, settings_of
from api.deps import SettingsDep
from api.errors import NotFound, problem_response_docs
from api.supporters import service
from api.supporters.schemas import OfferCreate, OfferPublic, OfferUpdate

router = APIRouter(tags=["supporters"])


@router.get("/me", response_model=UserPublic, tags=["accounts"])
async def me(token: BearerToken, db: SessionDep, settings: SettingsDep) -> UserPublic:
    """My account, and whether I support others (so it is answered here, above accounts)."""
    return UserPublic.model_validate(await service.my_account(db, settings=settings, token=token))


@router.get("/supporter-offer", response_model=OfferPublic)
async def my_offer(me: CurrentPrincipal, db: SessionDep) -> OfferPublic:
    """My offer to support others, and where it stands."""
    offer = await service.my_offer(db, me)
    if offer is None:
        raise NotFound("You haven't offered to support anyone yet.")
    note = service.decision_note(settings_of(db), offer)
    return OfferPublic.model_validate({**offer.model_dump(), "decision_note": note})


@router.post("/supporter-offer", status_code=status.HTTP_201_CREATED, response_model=OfferPublic)
async def apply(body: OfferCreate, me: CurrentPrincipal, db: SessionDep) -> OfferPublic:
    """Offer to support others; a coordinator reviews it (the role is never self-assigned)."""
    offer = await service.apply(db, me, capacity=body.capacity)
    return OfferPublic.model_validate(offer.model_dump())


@router.patch("/supporter-offer", response_model=OfferPublic, responses=problem_response_docs(409))
async def update_offer(body: OfferUpdate, me: CurrentPrincipal, db: SessionDep) -> OfferPublic:
    """Set how many people I support at once, or pause taking new people."""
    offer = await service.update_my_offer(db, me, capacity=body.capacity, paused=body.paused)
    return OfferPublic.model_validate(offer.model_dump())


@router.delete("/supporter-offer", response_model=OfferPublic, responses=problem_response_docs(409))
async def withdraw_offer(me: CurrentPrincipal, db: SessionDep) -> OfferPublic:
    """Stop offering support."""
    return OfferPublic.model_validate((await service.withdraw(db, me)).model_dump())
