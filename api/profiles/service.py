"""Profiles, experiences in people's own words, and the taxonomy coordinators keep."""

import re
from typing import TypeVar
from uuid import UUID, uuid4

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.errors import FieldError, Forbidden, Invalid, NotFound
from api.profiles import own_words
from api.profiles.models import (
    ExperienceCategory,
    ExperienceTag,
    PersonExperience,
    Profile,
    Stage,
)
from api.profiles.schemas import (
    CategoryIn,
    ExperienceIn,
    ExperienceOut,
    ProfileIn,
    TagIn,
    TaxonomyChange,
)
from api.profiles.topics import set_topics
from api.weekly.windows import check_windows


async def get_profile(db: AsyncSession, me: Principal) -> Profile:
    profile = await db.get(Profile, me.user_id)
    if profile is None:
        raise NotFound("You haven't set up your profile yet.")
    return profile


async def save_profile(db: AsyncSession, me: Principal, *, data: ProfileIn) -> Profile:
    """Create or replace my profile."""
    check_windows(data.availability, data.timezone, field="availability")
    values = data.model_dump(mode="json")
    values["languages"] = sorted(set(values["languages"]))
    values["channels"] = sorted(set(values["channels"]))
    topics = values.pop("topics_to_avoid")
    profile = await db.get(Profile, me.user_id)
    if profile is None:
        profile = Profile(user_id=me.user_id, **values)
        db.add(profile)
    else:
        for key, value in values.items():
            setattr(profile, key, value)
    set_topics(db, profile, topics)
    profile.updated_at = utcnow()
    await db.flush()
    return profile


async def _tags(
    db: AsyncSession, tag_ids: set[int]
) -> dict[int, tuple[ExperienceTag, ExperienceCategory]]:
    rows = await db.execute(
        select(ExperienceTag, ExperienceCategory)
        .join(ExperienceCategory, col(ExperienceCategory.id) == ExperienceTag.category_id)
        .where(col(ExperienceTag.id).in_(tag_ids))
    )
    return {tag.id: (tag, category) for tag, category in rows.all() if tag.id is not None}


def _out(
    settings: Settings,
    item: PersonExperience,
    tag: ExperienceTag,
    category: ExperienceCategory,
    words: bool = True,
) -> ExperienceOut:
    return ExperienceOut(
        id=item.id,
        tag_id=item.tag_id,
        tag_label=tag.label,
        category_label=category.label,
        retired=tag.retired,
        stage=Stage(item.stage),
        willing_to_talk=item.willing_to_talk,
        description=unseal(settings, item.description_sealed, item.id.bytes) if words else None,
    )


async def my_experiences(
    db: AsyncSession, me: Principal, *, settings: Settings
) -> list[ExperienceOut]:
    """My experiences, with my own words decrypted (only ever for me)."""
    rows = await db.execute(
        select(PersonExperience, ExperienceTag, ExperienceCategory)
        .join(ExperienceTag, col(ExperienceTag.id) == PersonExperience.tag_id)
        .join(ExperienceCategory, col(ExperienceCategory.id) == ExperienceTag.category_id)
        .where(col(PersonExperience.user_id) == me.user_id)
        .order_by(col(ExperienceCategory.id), col(ExperienceTag.id))
    )
    return [_out(settings, *row) for row in rows.all()]


async def experiences_for_support(
    db: AsyncSession, *, settings: Settings, user_id: UUID, tag_ids: list[int], own_words: bool
) -> list[ExperienceOut]:
    """One person's experiences among `tag_ids`, as their supporter may read them: names and
    stages always, their own words only when `own_words` (the person chose to share them)."""
    rows = await db.execute(
        select(PersonExperience, ExperienceTag, ExperienceCategory)
        .join(ExperienceTag, col(ExperienceTag.id) == PersonExperience.tag_id)
        .join(ExperienceCategory, col(ExperienceCategory.id) == ExperienceTag.category_id)
        .where(col(PersonExperience.user_id) == user_id, col(PersonExperience.tag_id).in_(tag_ids))
        .order_by(col(ExperienceCategory.id), col(ExperienceTag.id))
    )
    return [_out(settings, *row, words=own_words) for row in rows.all()]


async def save_experiences(
    db: AsyncSession, me: Principal, *, settings: Settings, items: list[ExperienceIn]
) -> list[ExperienceOut]:
    """Replace my experiences. Retired tags I already have stay; new ones must be current."""
    current = {
        e.tag_id
        for e in (
            await db.scalars(
                select(PersonExperience).where(col(PersonExperience.user_id) == me.user_id)
            )
        )
    }
    known = await _tags(db, {i.tag_id for i in items})
    errors, seen = [], set()
    for n, item in enumerate(items):
        found = known.get(item.tag_id)
        if found is None:
            errors.append(
                FieldError(field=f"experiences[{n}].tag_id", message="Unknown experience.")
            )
        elif found[0].retired and item.tag_id not in current:
            errors.append(
                FieldError(
                    field=f"experiences[{n}].tag_id",
                    message="This experience can no longer be chosen.",
                )
            )
        elif item.tag_id in seen:
            errors.append(FieldError(field=f"experiences[{n}].tag_id", message="Listed twice."))
        seen.add(item.tag_id)
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    # Loading the similarity model takes seconds the first time: do it before this transaction
    # writes (SQLite would hold its one write lock meanwhile).
    await own_words.prepare(settings)
    await db.execute(delete(PersonExperience).where(col(PersonExperience.user_id) == me.user_id))
    for item in items:
        row_id = uuid4()
        description = (item.description or "").strip() or None
        db.add(
            PersonExperience(
                id=row_id,
                user_id=me.user_id,
                tag_id=item.tag_id,
                stage=item.stage,
                willing_to_talk=item.willing_to_talk,
                description_sealed=seal(settings, description, row_id.bytes),
            )
        )
    profile = await db.get(Profile, me.user_id)
    if profile is not None:
        profile.updated_at = utcnow()
    await db.flush()
    await own_words.refresh_person(db, settings, me.user_id)
    return await my_experiences(db, me, settings=settings)


async def taxonomy(
    db: AsyncSession, *, include_retired: bool = False
) -> list[tuple[ExperienceCategory, list[ExperienceTag]]]:
    categories = list(
        await db.scalars(select(ExperienceCategory).order_by(col(ExperienceCategory.id)))
    )
    tags = list(await db.scalars(select(ExperienceTag).order_by(col(ExperienceTag.id))))
    by_category: dict[int, list[ExperienceTag]] = {c.id: [] for c in categories if c.id is not None}
    for tag in tags:
        if include_retired or not tag.retired:
            by_category[tag.category_id].append(tag)
    return [
        (c, by_category[c.id])
        for c in categories
        if c.id is not None and (include_retired or not c.retired)
    ]


TaxonomyItem = TypeVar("TaxonomyItem", ExperienceCategory, ExperienceTag)


def _require_coordinator(me: Principal) -> None:
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can change the list of experiences.")


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:70] or "experience"


async def _unique_slug(
    db: AsyncSession, model: type[ExperienceCategory] | type[ExperienceTag], label: str
) -> str:
    base = slug = _slug(label)
    n = 2
    while await db.scalar(select(col(model.id)).where(col(model.slug) == slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


async def add_category(db: AsyncSession, me: Principal, *, data: CategoryIn) -> ExperienceCategory:
    _require_coordinator(me)
    category = ExperienceCategory(
        slug=await _unique_slug(db, ExperienceCategory, data.label),
        label=data.label,
        phrase=data.phrase,
    )
    db.add(category)
    await db.flush()
    return category


async def add_tag(db: AsyncSession, me: Principal, *, data: TagIn) -> ExperienceTag:
    _require_coordinator(me)
    if await db.get(ExperienceCategory, data.category_id) is None:
        raise Invalid.field("category_id", "Unknown category.")
    tag = ExperienceTag(
        category_id=data.category_id,
        slug=await _unique_slug(db, ExperienceTag, data.label),
        label=data.label,
        phrase=data.phrase,
    )
    db.add(tag)
    await db.flush()
    return tag


async def change_taxonomy_item(
    db: AsyncSession,
    me: Principal,
    *,
    model: type[TaxonomyItem],
    item_id: int,
    change: TaxonomyChange,
) -> TaxonomyItem:
    """Rename or retire a category or tag; profiles that use it keep it (slugs never change)."""
    _require_coordinator(me)
    item = await db.get(model, item_id)
    if item is None:
        raise NotFound("No such item in the list of experiences.")
    for key, value in change.model_dump(exclude_none=True).items():
        setattr(item, key, value)
    await db.flush()
    return item


async def display_names(db: AsyncSession, *, user_ids: list[UUID]) -> dict[UUID, str]:
    rows = await db.execute(
        select(col(User.id), col(User.display_name)).where(col(User.id).in_(user_ids))
    )
    return {uid: name for uid, name in rows.all()}
