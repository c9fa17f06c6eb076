"""Relationships in a person's data rights: what deleting an account erases from agreements.

An agreement version keeps the terms both people consented to, and the other person keeps it
in their history. The parts written in the leaver's own words (topics they'd rather not talk
about) go with the leaver, like the rest of their words.
"""

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.db import settings_of
from api.monthly import service as monthly
from api.relationships.models import AgreementVersion, Relationship
from api.relationships.sealed_topics import full_terms, store_terms


def _without_words_of(terms: dict[str, Any], role: str) -> dict[str, Any]:
    topics = terms.get("topics_to_avoid")
    if isinstance(topics, dict):  # kept person by person: only the leaver's go
        return {**terms, "topics_to_avoid": {**topics, role: []}}
    if topics:  # one shared list: nobody can tell which are whose, so all of them go
        return {**terms, "topics_to_avoid": []}
    return terms


async def erase_words_of(db: AsyncSession, *, user_id: UUID) -> None:
    """Before an account is deleted: its own words in every agreement version it was party to."""
    rows = await db.execute(
        select(AgreementVersion, Relationship.seeker_id)
        .join(Relationship, col(Relationship.id) == col(AgreementVersion.relationship_id))
        .where(or_(Relationship.seeker_id == user_id, Relationship.supporter_id == user_id))
    )
    settings = settings_of(db)
    for version, seeker_id in rows.all():
        terms = full_terms(settings, version)
        kept = _without_words_of(terms, "seeker" if seeker_id == user_id else "supporter")
        if kept is not terms:
            store_terms(settings, version, kept)  # new values, so both columns are written


async def forget_counted_months(db: AsyncSession, *, user_id: UUID) -> None:
    """Before an account is deleted: its relationships stop naming it, so the months that
    counted who ended them and when its requests were first accepted are counted again."""
    rows = await db.execute(
        select(Relationship.answered_at, Relationship.ended_at).where(
            or_(Relationship.seeker_id == user_id, Relationship.supporter_id == user_id)
        )
    )
    monthly.forget(db, [at for row in rows.all() for at in row])
