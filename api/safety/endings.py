"""Endings: explicit, final, and kind. Every way a relationship ends goes through ``end``.

``end`` moves the relationship to ``ended`` through the lifecycle (which frees the
supporter's place at once and records who and when), keeps how and why, closes a pause,
stops contact (``api.contact.upkeep.stop_contact``), and tells the other person kindly
(never the reason category). Both people are told when a coordinator ends it for safety.
"""

from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.config import Settings
from api.contact import upkeep
from api.crypto import seal
from api.errors import Conflict, Invalid
from api.notices import service as notices
from api.notices.wording import Wording
from api.referrals import summaries
from api.relationships import lifecycle
from api.relationships.models import AgreementVersion, EndKind, Relationship, State
from api.relationships.service import mine, other_of, role_in
from api.safety.models import Ending, Pause, ReasonCategory

MAX_MESSAGE = 1000

_NOTICE = {
    EndKind.ended_by_person: "ended",
    EndKind.blocked: "ended",  # a block is never announced: it reads as a plain ending
    EndKind.completed: "completed",
    EndKind.ended_for_safety: "ended_for_safety",
    EndKind.account_deleted: "account_deleted",
}


def closing_context(relationship_id: UUID) -> bytes:
    return relationship_id.bytes + b"closing"


def safety_context(relationship_id: UUID) -> bytes:
    return relationship_id.bytes + b"safety"


def clean_message(text: str | None, field: str = "closing_message") -> str | None:
    """A closing message as it will be sent: trimmed, None when empty, at most 1000 characters."""
    text = (text or "").strip()
    if len(text) > MAX_MESSAGE:
        raise Invalid.field(field, f"Please keep it under {MAX_MESSAGE} characters.")
    return text or None


async def end(
    db: AsyncSession,
    *,
    relationship: Relationship,
    actor_id: UUID | None,
    kind: EndKind,
    settings: Settings | None = None,
    reason_category: ReasonCategory | None = None,
    closing_message: str | None = None,
    safety_reason: str | None = None,
    concern_id: UUID | None = None,
) -> Ending:
    """End a relationship (409 if it can't end now): the one path for every kind of ending."""
    await lifecycle.move(
        db, relationship=relationship, target=State.ended, actor_id=actor_id, end_kind=kind
    )
    await db.execute(
        update(Pause)
        .where(col(Pause.relationship_id) == relationship.id, col(Pause.over_at).is_(None))
        .values(over_at=relationship.ended_at)
        .execution_options(synchronize_session=False)
    )
    ending = Ending(
        relationship_id=relationship.id, reason_category=reason_category, concern_id=concern_id
    )
    if closing_message or safety_reason:
        assert settings is not None, "sealing free text needs the settings"
        ending.closing_message_sealed = seal(
            settings, closing_message, closing_context(relationship.id)
        )
        ending.safety_reason_sealed = seal(settings, safety_reason, safety_context(relationship.id))
    db.add(ending)
    await db.flush()
    # Contact stops with the relationship, in the same transaction: held messages are dropped
    # (never delivered), sessions not yet started are cancelled and both people told. If that
    # fails, the whole ending is undone.
    await upkeep.stop_contact(db, relationship=relationship)
    # A referred seeker is asked whether their referrer may have a short summary.
    await summaries.support_ended(db, relationship=relationship)
    if kind == EndKind.ended_for_safety:
        told = [relationship.seeker_id, relationship.supporter_id]
    else:
        told = [other_of(relationship, actor_id)]
    for user_id in told:
        await notices.notify(
            db, user_id=user_id, relationship_id=relationship.id, kind=_NOTICE[kind]
        )
    await db.flush()
    return ending


async def end_by_person(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    reason_category: ReasonCategory | None = None,
    closing_message: str | None = None,
) -> Relationship:
    """Either person ends it, at any time, with no reason needed and no penalty."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    await end(
        db,
        relationship=relationship,
        actor_id=me.user_id,
        kind=EndKind.ended_by_person,
        settings=settings,
        reason_category=reason_category,
        closing_message=clean_message(closing_message),
    )
    return relationship


async def planned_sessions(db: AsyncSession, *, relationship: Relationship) -> int | None:
    """How many sessions the agreement in force plans, if one is in force."""
    if relationship.agreed_version is None:
        return None
    terms = await db.scalar(
        select(AgreementVersion.terms).where(
            AgreementVersion.relationship_id == relationship.id,
            AgreementVersion.number == relationship.agreed_version,
        )
    )
    return int(terms["sessions_total"]) if terms else None


async def completion_due(db: AsyncSession, *, relationship: Relationship) -> bool:
    """Whether every agreed session has been held, so either person can confirm the end."""
    planned = await planned_sessions(db, relationship=relationship)
    return (
        relationship.state in (State.active, State.paused)
        and planned is not None
        and relationship.sessions_held >= planned
    )


async def complete(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    closing_message: str | None = None,
) -> Relationship:
    """Confirm the planned ending once the agreed sessions are held (either person)."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    if relationship.state in (State.active, State.paused) and not await completion_due(
        db, relationship=relationship
    ):
        planned = await planned_sessions(db, relationship=relationship)
        raise Conflict(
            f"{relationship.sessions_held} of {planned or 'the'} agreed sessions have been held, "
            "so it isn't time for the planned ending yet. You can still end at any time."
        )
    await end(
        db,
        relationship=relationship,
        actor_id=me.user_id,
        kind=EndKind.completed,
        settings=settings,
        closing_message=clean_message(closing_message),
    )
    return relationship


async def preview(
    db: AsyncSession,
    me: Principal,
    *,
    relationship_id: UUID,
    closing_message: str | None,
    completing: bool = False,
) -> tuple[str, str | None]:
    """Exactly what the other person will be told, and the closing message as they'll see it."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    if relationship.state == State.ended:
        raise Conflict("This relationship has already ended.")
    my_role = role_in(relationship, me.user_id)
    wording = Wording(
        other_name=me.display_name,
        other_role=my_role or "seeker",
        i_am_seeker=my_role == "supporter",
        params={},
    )
    text = notices.worded("completed" if completing else "ended", wording)
    return text, clean_message(closing_message)


async def erase_closing_messages_by(db: AsyncSession, *, user_id: UUID) -> None:
    """Their account is going: the closing messages they wrote go with it."""
    await db.execute(
        update(Ending)
        .where(
            col(Ending.relationship_id).in_(
                select(Relationship.id).where(col(Relationship.ended_by) == user_id)
            )
        )
        .values(closing_message_sealed=None)
        .execution_options(synchronize_session=False)
    )
