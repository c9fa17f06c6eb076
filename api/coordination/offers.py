"""Offers to support, as coordinators review them: who offered, how many people at once, the
experiences they would support others with (names and stages: what they wrote in their own
words stays theirs, as it does for everyone), and the decision with a note to them."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.auth.principal import Principal
from api.notices.service import notify
from api.profiles.models import ExperienceTag, PersonExperience
from api.screening import checklist
from api.supporters import service as supporters
from api.supporters.models import OfferStatus, SupporterOffer

STAGE_WORDS = {"going_through": "going through it now", "further_along": "further along"}


@dataclass(frozen=True)
class OfferExperience:
    label: str
    stage: str  # in plain words
    willing_to_talk: bool
    in_own_words: bool  # they described it in their own words (the words are not shown)


@dataclass(frozen=True)
class OfferToReview:
    offer: SupporterOffer
    user_id: UUID
    display_name: str
    capacity: int
    offered_at: datetime
    experiences: list[OfferExperience]


async def to_review(
    db: AsyncSession, me: Principal, *, status: OfferStatus | None = OfferStatus.pending
) -> list[OfferToReview]:
    """Offers (waiting for a decision, unless another status is asked for), oldest first,
    with each person's experiences."""
    rows = await supporters.list_offers(db, me, status=status)
    people = [user.id for _, user in rows]
    found: dict[UUID, list[OfferExperience]] = {}
    if people:
        experiences = await db.execute(
            select(
                col(PersonExperience.user_id),
                col(ExperienceTag.label),
                col(PersonExperience.stage),
                col(PersonExperience.willing_to_talk),
                col(PersonExperience.description_sealed).is_not(None),
            )
            .join(ExperienceTag, col(ExperienceTag.id) == PersonExperience.tag_id)
            .where(col(PersonExperience.user_id).in_(people))
            .order_by(col(ExperienceTag.label))
        )
        for user_id, label, stage, willing, words in experiences.all():
            found.setdefault(user_id, []).append(
                OfferExperience(label, STAGE_WORDS.get(stage, stage), willing, bool(words))
            )
    return [
        OfferToReview(
            offer=offer,
            user_id=user.id,
            display_name=user.display_name,
            capacity=offer.capacity,
            offered_at=offer.created_at,
            experiences=found.get(user.id, []),
        )
        for offer, user in rows
    ]


async def decide(
    db: AsyncSession, me: Principal, *, offer_id: UUID, approve: bool, note: str | None = None
) -> SupporterOffer:
    """Approve or decline an offer, with an optional note; the person is told kindly and
    reads the note on their supporter page. Approval waits until every required screening
    item is recorded and in date (409, naming them)."""
    pending = await db.get(SupporterOffer, offer_id)
    if approve and me.is_coordinator and pending and pending.status == OfferStatus.pending:
        await checklist.require_screened(db, user_id=pending.user_id, name=pending.display_name)
    offer = await supporters.decide(db, me, offer_id=offer_id, approve=approve, note=note)
    await notify(
        db,
        user_id=offer.user_id,
        relationship_id=None,
        kind="offer_approved" if approve else "offer_declined",
        key=f"offer/{offer.id}/{offer.decided_at.isoformat() if offer.decided_at else ''}",
        **({"note": "yes"} if offer.decision_note_sealed else {}),
    )
    return offer
