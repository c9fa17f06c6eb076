"""A referred person's part of the export and of account deletion."""

from typing import Any
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.clients.models import IntegratorClient
from api.referrals.models import Referral, ReferralSummary
from api.referrals.summaries import my_questions


async def export(db: AsyncSession, me: Principal) -> list[dict[str, Any]]:
    """Who referred me, when I joined, and each summary I was asked about with my answer."""
    rows = await db.execute(
        select(Referral, IntegratorClient.name)
        .join(IntegratorClient, col(IntegratorClient.id) == Referral.client_id)
        .where(Referral.user_id == me.user_id)
    )
    questions = await my_questions(db, me)
    return [
        {
            "referred_by": name,
            "referred_at": r.created_at.isoformat(),
            "joined_at": r.joined_at.isoformat() if r.joined_at else None,
            "summaries": [
                {
                    "what_would_be_shared": q.in_words,
                    "asked_at": q.asked_at.isoformat(),
                    "answer": q.answer,
                    "shared_at": q.shared_at.isoformat() if q.shared_at else None,
                }
                for q in questions
                if q.referral_id == r.id
            ],
        }
        for r, name in rows.all()
    ]


async def erase(db: AsyncSession, *, user_id: UUID) -> None:
    """Before my account goes: summaries never shared go with me (a shared one was already
    sent, and holds no more than a category and a count); the referral itself stays, its
    link to me cut by the database (ON DELETE SET NULL)."""
    mine = select(Referral.id).where(Referral.user_id == user_id)
    await db.execute(
        delete(ReferralSummary)
        .where(
            col(ReferralSummary.referral_id).in_(mine),
            col(ReferralSummary.shared_at).is_(None),
        )
        .execution_options(synchronize_session=False)
    )


async def referrers_of(db: AsyncSession, *, user_id: UUID) -> list[UUID]:
    """The clients I joined through a referral of: they still hear of the events about me
    that are not yet sent out when my account goes (my support ending among them)."""
    found = await db.scalars(
        select(Referral.client_id).where(
            Referral.user_id == user_id, col(Referral.joined_at).is_not(None)
        )
    )
    return list(found.all())
