"""Relationships ready for the safety tests, built straight in the database.

`active_pair` is `tests.factories.agreeing_pair` with terms already agreed (version 1 in force),
so these tests don't depend on the agreement flow.
"""

from uuid import UUID

from sqlalchemy import select, update

from api.common import utcnow
from api.notices.models import Notice
from api.relationships.models import (
    Relationship,
    RelationshipEvent,
    State,
    VersionStatus,
)
from api.relationships.sealed_topics import new_version
from api.relationships.terms import AgreementTerms
from api.supporters.models import SupporterOffer
from tests.factories import Pair, agreeable_terms, agreeing_pair

__all__ = ["Pair", "active_pair", "notices_of", "places_taken", "relationship", "rid"]


def rid(pair: Pair) -> UUID:
    """The pair's relationship id as a UUID."""
    return UUID(str(pair.relationship_id))


async def active_pair(client, db, settings, *, sessions_total: int = 6, **kwargs) -> Pair:
    """Sam (seeker) and Bob (supporter) in an active relationship on agreed terms."""
    pair = await agreeing_pair(client, db, settings, **kwargs)
    relationship_id = rid(pair)
    terms = AgreementTerms.model_validate(agreeable_terms(sessions_total=sessions_total))
    db.add(
        new_version(
            db,
            relationship_id=relationship_id,
            number=1,
            proposed_by=pair.supporter.id,
            terms=terms.model_dump(mode="json"),
            status=VersionStatus.agreed,
            agreed_at=utcnow(),
        )
    )
    await db.execute(
        update(Relationship)
        .where(Relationship.id == relationship_id)
        .values(state=State.active, agreed_version=1, agreement_revision=2)
    )
    db.add(
        RelationshipEvent(
            relationship_id=relationship_id,
            actor_id=pair.seeker.id,
            from_state=State.agreeing,
            to_state=State.active,
        )
    )
    await db.commit()
    return pair


async def relationship(db, pair: Pair) -> Relationship:
    found = await db.get(Relationship, rid(pair), populate_existing=True)
    assert found is not None
    return found


async def places_taken(db, supporter_id: UUID) -> int:
    """How many of the supporter's places are held now (their offer's active_count)."""
    db.expire_all()
    return await db.scalar(
        select(SupporterOffer.active_count).where(SupporterOffer.user_id == supporter_id)
    )


async def notices_of(client, person) -> list[dict]:
    """The person's notices about their relationships (a supporter is also told, with no
    relationship, that their offer was approved)."""
    response = await client.get("/api/v1/notices?limit=100", headers=person.headers)
    assert response.status_code == 200, response.text
    return [n for n in response.json()["data"] if n["relationship_id"] is not None]


async def raw_notices(db, user_id: UUID) -> list[Notice]:
    db.expire_all()
    return list(await db.scalars(select(Notice).where(Notice.user_id == user_id)))
