"""Applying to support, and coordinators approving or declining."""

from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth import service as auth
from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.db import settings_of
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.supporters.models import MAX_CAPACITY, OfferStatus, SupporterOffer

DECISION_NOTE_MAX = 1000


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid.field("capacity", f"Choose between 1 and {MAX_CAPACITY} people at once.")


async def my_offer(db: AsyncSession, me: Principal) -> SupporterOffer | None:
    return await db.scalar(select(SupporterOffer).where(SupporterOffer.user_id == me.user_id))


async def apply(db: AsyncSession, me: Principal, *, capacity: int) -> SupporterOffer:
    """Offer to support others; a coordinator reviews it. Re-applying after a decline is allowed."""
    _check_capacity(capacity)
    offer = await my_offer(db, me)
    if offer is not None and offer.status == OfferStatus.suspended:
        raise Conflict("A coordinator has paused new introductions for you; please talk to them.")
    if offer is not None and offer.status in (OfferStatus.pending, OfferStatus.approved):
        raise Conflict(
            "You are already a peer supporter."
            if offer.status == OfferStatus.approved
            else "Your offer is waiting for a coordinator."
        )
    if offer is None:
        offer = SupporterOffer(user_id=me.user_id, display_name=me.display_name, capacity=capacity)
        db.add(offer)
    else:
        offer.status, offer.capacity = OfferStatus.pending, capacity
        offer.decided_at = offer.decided_by = offer.decision_note_sealed = None
        offer.updated_at = utcnow()
    await db.flush()
    return offer


async def update_my_offer(
    db: AsyncSession, me: Principal, *, capacity: int | None, paused: bool | None
) -> SupporterOffer:
    """A supporter sets their own capacity, or pauses taking new people."""
    offer = await my_offer(db, me)
    if offer is None or offer.status == OfferStatus.withdrawn:
        raise NotFound("You haven't offered to support anyone yet.")
    if capacity is not None:
        _check_capacity(capacity)
        offer.capacity = capacity
    if paused is not None:
        offer.paused = paused
    offer.updated_at = utcnow()
    await db.flush()
    return offer


async def withdraw(db: AsyncSession, me: Principal) -> SupporterOffer:
    offer = await my_offer(db, me)
    if offer is None or offer.status == OfferStatus.withdrawn:
        raise NotFound("You haven't offered to support anyone yet.")
    offer.status, offer.updated_at = OfferStatus.withdrawn, utcnow()
    await db.flush()
    return offer


def _require_coordinator(me: Principal) -> None:
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can review offers to support.")


async def list_offers(
    db: AsyncSession, me: Principal, *, status: OfferStatus | None
) -> list[tuple[SupporterOffer, User]]:
    _require_coordinator(me)
    query = select(SupporterOffer, User).join(User, col(User.id) == SupporterOffer.user_id)
    if status is not None:
        query = query.where(SupporterOffer.status == status)
    rows = await db.execute(query.order_by(col(SupporterOffer.created_at)))
    return [(offer, user) for offer, user in rows.all()]


async def decide(
    db: AsyncSession, me: Principal, *, offer_id: UUID, approve: bool, note: str | None = None
) -> SupporterOffer:
    """Approve (grant the supporter role) or decline a pending offer, with an optional note
    to the person who offered (sealed)."""
    _require_coordinator(me)
    note = (note or "").strip() or None
    if note is not None and len(note) > DECISION_NOTE_MAX:
        raise Invalid.field("note", f"Please keep the note under {DECISION_NOTE_MAX} characters.")
    offer = await db.get(SupporterOffer, offer_id)
    if offer is None:
        raise NotFound("No such offer.")
    if offer.status != OfferStatus.pending:
        raise Conflict(f"This offer is already {offer.status}.")
    offer.status = OfferStatus.approved if approve else OfferStatus.declined
    offer.decided_at, offer.decided_by = utcnow(), me.user_id
    offer.decision_note_sealed = seal(settings_of(db), note, offer.id.bytes)
    offer.updated_at = offer.decided_at
    await db.flush()
    await audit.record(
        db,
        me,
        action=Action.offer_approved if approve else Action.offer_declined,
        subject_type="supporter",
        subject_id=offer.user_id,
        reason=note,
    )
    return offer


def decision_note(settings: Settings, offer: SupporterOffer) -> str | None:
    """The coordinator's note with the decision on this offer, if they wrote one."""
    return unseal(settings, offer.decision_note_sealed, offer.id.bytes)


async def suspend(db: AsyncSession, me: Principal, *, user_id: UUID) -> SupporterOffer:
    """Suspend an approved supporter: no new introductions (matching sees them as not
    approved); the relationships they are in carry on, untouched."""
    _require_coordinator(me)
    offer = await db.scalar(select(SupporterOffer).where(col(SupporterOffer.user_id) == user_id))
    if offer is None:
        raise NotFound("No such supporter.")
    if offer.status != OfferStatus.approved:
        raise Conflict(
            "This supporter is already suspended."
            if offer.status == OfferStatus.suspended
            else f"Only an approved supporter can be suspended (this offer is {offer.status})."
        )
    offer.status = OfferStatus.suspended
    offer.suspended_at, offer.suspended_by = utcnow(), me.user_id
    offer.updated_at = offer.suspended_at
    await db.flush()
    await audit.record(
        db, me, action=Action.supporter_suspended, subject_type="supporter", subject_id=user_id
    )
    return offer


async def reinstate(db: AsyncSession, me: Principal, *, user_id: UUID) -> SupporterOffer:
    """Lift a suspension: they can be introduced to people again."""
    _require_coordinator(me)
    offer = await db.scalar(select(SupporterOffer).where(col(SupporterOffer.user_id) == user_id))
    if offer is None:
        raise NotFound("No such supporter.")
    if offer.status != OfferStatus.suspended:
        raise Conflict("This supporter isn't suspended.")
    offer.status = OfferStatus.approved
    offer.suspended_at = offer.suspended_by = None
    offer.updated_at = utcnow()
    await db.flush()
    await audit.record(
        db, me, action=Action.supporter_reinstated, subject_type="supporter", subject_id=user_id
    )
    return offer


# SQLModel sets __table__ on table models but does not declare it.
_U, _O = User.__table__.c, SupporterOffer.__table__.c  # type: ignore[attr-defined]
# GET /me: the session re-check, the account and whether they support others, one statement.
_ACCOUNT = auth.with_session_check(
    _U.email,
    _U.created_at,
    sa_select(_O.status).where(_O.user_id == _U.id).scalar_subquery().label("offer"),
)


async def my_account(db: AsyncSession, *, settings: Settings, token: str) -> dict[str, Any]:
    """My account as `GET /me` shows it, and whether I support others, for whoever this
    access token's live session belongs to: one round trip, the session check included."""
    me, (email, created_at, offer) = await auth.principal_and(
        db, settings=settings, token=token, statement=_ACCOUNT
    )
    return {
        "id": me.user_id,
        "email": email,
        "display_name": me.display_name,
        "role": me.role,
        "created_at": created_at,
        "is_supporter": offer == OfferStatus.approved,
    }


async def is_supporter(db: AsyncSession, *, user_id: UUID) -> bool:
    status = await db.scalar(select(SupporterOffer.status).where(SupporterOffer.user_id == user_id))
    return status == OfferStatus.approved


# ---- places: taken and freed by the relationship lifecycle (api/relationships/lifecycle.py)


async def claim_place(db: AsyncSession, *, supporter_id: UUID) -> bool:
    """Take one of the supporter's places, atomically; False when none is free."""
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(SupporterOffer)
            .where(
                col(SupporterOffer.user_id) == supporter_id,
                col(SupporterOffer.status) == OfferStatus.approved,
                col(SupporterOffer.active_count) < SupporterOffer.capacity,
            )
            .values(active_count=SupporterOffer.active_count + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


async def release_place(db: AsyncSession, *, supporter_id: UUID) -> None:
    await db.execute(
        update(SupporterOffer)
        .where(col(SupporterOffer.user_id) == supporter_id, col(SupporterOffer.active_count) > 0)
        .values(active_count=SupporterOffer.active_count - 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
