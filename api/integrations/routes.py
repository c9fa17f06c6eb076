"""Integrators' routes. Each needs a client token from the client-credentials grant holding
its scope: 401 without one (a person's token included), 403 naming the missing scope."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status

from api.clients.deps import require_scopes
from api.clients.principal import ClientPrincipal
from api.coordination import stats
from api.coordination.console_schemas import StatisticsOut
from api.db import SessionDep
from api.deps import PageDep, SettingsDep
from api.errors import problem_response_docs
from api.integrations import status as referral_status
from api.integrations.schemas import (
    ReferralCreated,
    ReferralIn,
    ReferralOut,
    RelationshipStateOut,
)
from api.paging import ListOut
from api.profiles import service as profiles
from api.profiles.schemas import CategoryOut, TaxonomyItemOut
from api.referrals import service as referrals
from api.referrals.service import ReferrerContact

router = APIRouter(tags=["integrations"])


@router.post(
    "/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralCreated,
    responses=problem_response_docs(409),
)
async def refer(
    body: ReferralIn,
    request: Request,
    client: Annotated[ClientPrincipal, require_scopes("referrals:write")],
    db: SessionDep,
    settings: SettingsDep,
) -> ReferralCreated:
    """Refer a person. The answer holds their invite link (shown only here): they can join
    with their profile pre-filled from your suggestions, or say no thanks."""
    referral, token = await referrals.refer(
        db,
        client,
        settings=settings,
        email=body.email,
        reference=body.reference,
        experiences=list(body.experiences),
        referrer=ReferrerContact(**body.referrer.model_dump()) if body.referrer else None,
        note=body.note,
    )
    view = await referral_status.view_of(db, client, referral=referral)
    url = str(request.base_url).rstrip("/") + f"/invite/{token}"
    return ReferralCreated(**ReferralOut.of(view).model_dump(), invite_url=url)


@router.get("/referrals", response_model=ListOut[ReferralOut])
async def list_referrals(
    client: Annotated[ClientPrincipal, require_scopes("referrals:read")],
    db: SessionDep,
    window: PageDep,
    reference: Annotated[
        str | None, Query(max_length=100, description="Only this reference")
    ] = None,
) -> ListOut[ReferralOut]:
    """Your referrals, newest first, each with its status (and any summary the person agreed
    to share)."""
    found, more = await referral_status.list_referrals(
        db,
        client,
        window=window,
        reference=reference,
    )
    return ListOut(data=[ReferralOut.of(v) for v in found], has_more=more)


@router.get("/referrals/{referral_id}", response_model=ReferralOut)
async def get_referral(
    referral_id: UUID,
    client: Annotated[ClientPrincipal, require_scopes("referrals:read")],
    db: SessionDep,
) -> ReferralOut:
    """One of your referrals: its status, derived from where the person is now, and the
    summary of how their support ended if (and only if) they agreed to share it."""
    return ReferralOut.of(await referral_status.get_referral(db, client, referral_id=referral_id))


@router.get("/integrations/relationships", response_model=ListOut[RelationshipStateOut])
async def relationships(
    client: Annotated[ClientPrincipal, require_scopes("relationships:read")],
    db: SessionDep,
    window: PageDep,
) -> ListOut[RelationshipStateOut]:
    """The support relationships of the people you referred (begun since they joined),
    newest first: ids and states only."""
    found, more = await referral_status.relationships(db, client, window=window)
    return ListOut(data=[RelationshipStateOut.of(f) for f in found], has_more=more)


@router.get("/integrations/taxonomy", response_model=list[CategoryOut])
async def taxonomy(
    client: Annotated[ClientPrincipal, require_scopes("referrals:write")], db: SessionDep
) -> list[CategoryOut]:
    """The experiences people can pick from, to suggest by id, slug or name in a referral."""
    return [
        CategoryOut.model_validate(
            {
                **c.model_dump(),
                "tags": [TaxonomyItemOut.model_validate(t.model_dump()) for t in tags],
            }
        )
        for c, tags in await profiles.taxonomy(db)
    ]


@router.get("/integrations/statistics", response_model=StatisticsOut)
async def statistics(
    client: Annotated[ClientPrincipal, require_scopes("stats:read")],
    db: SessionDep,
    months: Annotated[int, Query(ge=1, le=36, description="How many months, 1 to 36")] = 12,
) -> StatisticsOut:
    """The service's monthly totals (waiting times, introductions, endings, sessions held):
    the same figures coordinators see, nothing about any one person."""
    return StatisticsOut.model_validate(await stats.monthly_totals(db, months=months))
