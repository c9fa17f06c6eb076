"""A summary back to the referrer, only with the person's consent.

When a referred person's support ends (``api.safety.endings.end`` calls ``support_ended`` in
the ending's transaction), they are asked whether their referrer may know how it ended (in
plain categories) and how many sessions were held: never anything said or written. Nothing
is shared without a yes; no answer, or no, shares nothing, and they can change a no (or no
answer) to a yes at any time. A yes shares it at once (``referral.summary``) and can't be
taken back.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.clients.models import IntegratorClient
from api.common import utcnow
from api.errors import Conflict, NotFound
from api.notices import service as notices
from api.outbox.service import emit
from api.referrals.models import Answer, Ending, Referral, ReferralSummary
from api.relationships.models import EndKind, Relationship

ENDINGS = {
    EndKind.completed: Ending.planned,
    EndKind.ended_by_person: Ending.early,
    EndKind.blocked: Ending.early,
    EndKind.account_deleted: Ending.early,  # the other person left Kindred
    EndKind.ended_for_safety: Ending.by_the_service,
}

#: How each ending reads, to the person asked and in the docs.
ENDING_WORDS = {
    Ending.planned: "It came to its planned end",
    Ending.early: "It ended earlier than planned",
    Ending.by_the_service: "The service ended it",
}


@dataclass(frozen=True)
class Question:
    """A summary I may share, exactly as the referrer would see it, and my answer so far."""

    id: UUID
    referral_id: UUID
    referrer: str
    ending: Ending
    sessions_held: int
    asked_at: datetime
    answer: Answer | None
    shared_at: datetime | None
    referrer_in_use: bool

    @property
    def in_words(self) -> str:
        sessions = f"{self.sessions_held} session{'' if self.sessions_held == 1 else 's'}"
        return f"{ENDING_WORDS[self.ending]}, after {sessions} held."


async def support_ended(db: AsyncSession, *, relationship: Relationship) -> None:
    """The seeker's support ended: if they were referred, ask whether to share a summary."""
    seeker = relationship.seeker_id
    if seeker is None or relationship.end_kind is None:
        return
    if relationship.end_kind == EndKind.account_deleted and relationship.ended_by == seeker:
        return  # they are leaving Kindred: nothing to ask
    rows = (
        await db.execute(
            select(Referral, IntegratorClient.name)
            .join(IntegratorClient, col(IntegratorClient.id) == Referral.client_id)
            .where(
                Referral.user_id == seeker,
                col(IntegratorClient.revoked_at).is_(None),
                col(Referral.joined_at) <= relationship.created_at,
            )
            .order_by(col(Referral.joined_at))
        )
    ).all()
    for referral, _name in rows:
        db.add(
            ReferralSummary(
                referral_id=referral.id,
                relationship_id=relationship.id,
                ending=ENDINGS[EndKind(relationship.end_kind)],
                sessions_held=relationship.sessions_held,
            )
        )
    if rows:
        await db.flush()
        await notices.notify(
            db,
            user_id=seeker,
            relationship_id=relationship.id,
            kind="referral_summary_question",
            key=f"referral-summary/{relationship.id}",
            referrer=rows[0][1],
        )


def _question(summary: ReferralSummary, client: IntegratorClient) -> Question:
    return Question(
        id=summary.id,
        referral_id=summary.referral_id,
        referrer=client.name,
        ending=Ending(summary.ending),
        sessions_held=summary.sessions_held,
        asked_at=summary.asked_at,
        answer=Answer(summary.answer) if summary.answer else None,
        shared_at=summary.shared_at,
        referrer_in_use=client.revoked_at is None,
    )


async def my_questions(db: AsyncSession, me: Principal) -> list[Question]:
    """The summaries I've been asked about, newest first."""
    rows = await db.execute(
        select(ReferralSummary, IntegratorClient)
        .join(Referral, col(Referral.id) == ReferralSummary.referral_id)
        .join(IntegratorClient, col(IntegratorClient.id) == Referral.client_id)
        .where(Referral.user_id == me.user_id)
        .order_by(col(ReferralSummary.asked_at).desc())
    )
    return [_question(s, c) for s, c in rows.all()]


async def unanswered(db: AsyncSession, me: Principal) -> list[Question]:
    """The summaries waiting for my answer (for a prompt on my home page)."""
    return [q for q in await my_questions(db, me) if q.answer is None and q.referrer_in_use]


async def answer(db: AsyncSession, me: Principal, *, summary_id: UUID, share: bool) -> Question:
    """Say yes (shared now, for good) or no (nothing shared; I can still say yes later)."""
    row = (
        await db.execute(
            select(ReferralSummary, Referral, IntegratorClient)
            .join(Referral, col(Referral.id) == ReferralSummary.referral_id)
            .join(IntegratorClient, col(IntegratorClient.id) == Referral.client_id)
            .where(ReferralSummary.id == summary_id)
            .with_for_update(of=ReferralSummary)
        )
    ).first()
    if row is None or row[1].user_id != me.user_id:
        raise NotFound("No such summary.")
    summary, referral, client = row
    if summary.shared_at is not None:
        if share:
            return _question(summary, client)
        raise Conflict("This summary has already been shared, so it can't be taken back.")
    if client.revoked_at is not None:
        raise Conflict(f"{client.name} no longer receives summaries from Kindred.")
    now = utcnow()
    summary.answer, summary.answered_at = (Answer.yes if share else Answer.no), now
    if share:
        summary.shared_at = now
        emit(
            db,
            type="referral.summary",
            data={
                "referral_id": str(referral.id),
                "client_id": str(referral.client_id),
                "reference": referral.reference,
            },
            about_users=[me.user_id],
        )
    await db.flush()
    return _question(summary, client)


async def shared(
    db: AsyncSession, *, referral_ids: list[UUID]
) -> dict[UUID, list[ReferralSummary]]:
    """The summaries each referral's person agreed to share, oldest first."""
    found: dict[UUID, list[ReferralSummary]] = {r: [] for r in referral_ids}
    for summary in await db.scalars(
        select(ReferralSummary)
        .where(
            col(ReferralSummary.referral_id).in_(referral_ids),
            col(ReferralSummary.shared_at).is_not(None),
        )
        .order_by(col(ReferralSummary.shared_at))
    ):
        found[summary.referral_id].append(summary)
    return found
