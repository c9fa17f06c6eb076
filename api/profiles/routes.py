from fastapi import APIRouter, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.deps import CurrentCoordinator, CurrentPrincipal
from api.auth.principal import Principal
from api.db import SessionDep
from api.deps import SettingsDep
from api.profiles import service
from api.profiles.models import ExperienceCategory, ExperienceTag, Profile
from api.profiles.schemas import (
    CategoryIn,
    CategoryOut,
    ExperienceIn,
    ExperienceOut,
    ProfileIn,
    ProfileOut,
    TagIn,
    TaxonomyChange,
    TaxonomyItemOut,
)
from api.profiles.topics import topics_of

router = APIRouter(tags=["profiles"])


def _profile_out(db: AsyncSession, profile: Profile, me: Principal) -> ProfileOut:
    return ProfileOut.model_validate(
        {
            **profile.model_dump(exclude={"topics_sealed"}),
            "topics_to_avoid": topics_of(db, profile),
            "display_name": me.display_name,
        }
    )


@router.get("/profile", response_model=ProfileOut)
async def get_profile(me: CurrentPrincipal, db: SessionDep) -> ProfileOut:
    """My profile."""
    return _profile_out(db, await service.get_profile(db, me), me)


@router.put("/profile", response_model=ProfileOut)
async def put_profile(body: ProfileIn, me: CurrentPrincipal, db: SessionDep) -> ProfileOut:
    """Create or replace my profile: languages, time zone, weekly availability, channels, …"""
    return _profile_out(db, await service.save_profile(db, me, data=body), me)


@router.get("/profile/experiences", response_model=list[ExperienceOut])
async def get_experiences(
    me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> list[ExperienceOut]:
    """My experiences, with my own words (only I ever see them)."""
    return await service.my_experiences(db, me, settings=settings)


@router.put("/profile/experiences", response_model=list[ExperienceOut])
async def put_experiences(
    body: list[ExperienceIn], me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> list[ExperienceOut]:
    """Replace my experiences: tags from the taxonomy, where I am with each, my own words."""
    return await service.save_experiences(db, me, settings=settings, items=body)


@router.get("/taxonomy", response_model=list[CategoryOut])
async def get_taxonomy(
    me: CurrentPrincipal, db: SessionDep, include_retired: bool = False
) -> list[CategoryOut]:
    """The two-level list of experiences people can pick from."""
    rows = await service.taxonomy(db, include_retired=include_retired and me.is_coordinator)
    return [
        CategoryOut.model_validate(
            {
                **c.model_dump(),
                "tags": [TaxonomyItemOut.model_validate(t.model_dump()) for t in tags],
            }
        )
        for c, tags in rows
    ]


@router.post(
    "/coordination/taxonomy/categories",
    status_code=status.HTTP_201_CREATED,
    response_model=TaxonomyItemOut,
)
async def add_category(body: CategoryIn, me: CurrentCoordinator, db: SessionDep) -> TaxonomyItemOut:
    """Add a category of experience (its label, and the phrase sentences use)."""
    category = await service.add_category(db, me, data=body)
    return TaxonomyItemOut.model_validate(category.model_dump())


@router.patch("/coordination/taxonomy/categories/{category_id}", response_model=TaxonomyItemOut)
async def change_category(
    category_id: int, body: TaxonomyChange, me: CurrentCoordinator, db: SessionDep
) -> TaxonomyItemOut:
    """Rename or retire a category. People who have it keep it."""
    item = await service.change_taxonomy_item(
        db, me, model=ExperienceCategory, item_id=category_id, change=body
    )
    return TaxonomyItemOut.model_validate(item.model_dump())


@router.post(
    "/coordination/taxonomy/tags",
    status_code=status.HTTP_201_CREATED,
    response_model=TaxonomyItemOut,
)
async def add_tag(body: TagIn, me: CurrentCoordinator, db: SessionDep) -> TaxonomyItemOut:
    """Add an experience people can choose, within a category."""
    return TaxonomyItemOut.model_validate((await service.add_tag(db, me, data=body)).model_dump())


@router.patch("/coordination/taxonomy/tags/{tag_id}", response_model=TaxonomyItemOut)
async def change_tag(
    tag_id: int, body: TaxonomyChange, me: CurrentCoordinator, db: SessionDep
) -> TaxonomyItemOut:
    """Rename or retire an experience. People who have it keep it; it can't be newly picked."""
    item = await service.change_taxonomy_item(
        db, me, model=ExperienceTag, item_id=tag_id, change=body
    )
    return TaxonomyItemOut.model_validate(item.model_dump())
