"""After (or instead of) an ending: blocking, a new match, meeting again, private feedback."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import and_, col, or_, select

from api.auth.principal import Principal
from api.concerns.service import require_coordinator
from api.config import Settings
from api.crypto import seal, unseal
from api.errors import Conflict, Forbidden, Invalid
from api.matching import introductions, pairs, requests
from api.matching.models import SupportRequest
from api.matching.pairs import may_match_again
from api.paging import Order, Page, Period, Window, page
from api.profiles.models import PersonExperience
from api.relationships.models import HOLDS_A_PLACE, EndKind, Relationship, State
from api.relationships.service import mine, other_of, role_in
from api.safety.endings import end
from api.safety.models import Feedback

MAX_FEEDBACK = 4000


async def block(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Relationship:
    """Block the other person: every relationship between us ends at once (introductions are
    withdrawn), and we are never matched again, in either role."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    other = other_of(relationship, me.user_id)
    if other is None:
        raise Conflict("This person has left Kindred, so there is nobody to block.")
    await pairs.record_block(
        db, blocker_id=me.user_id, blocked_id=other, relationship_id=relationship.id
    )
    between = await db.scalars(
        select(Relationship).where(
            or_(
                and_(Relationship.seeker_id == me.user_id, Relationship.supporter_id == other),
                and_(Relationship.seeker_id == other, Relationship.supporter_id == me.user_id),
            ),
            col(Relationship.state).in_((State.introduced, *HOLDS_A_PLACE)),
        )
    )
    for open_one in between.all():
        if open_one.state == State.introduced:
            await introductions.close_for(db, relationship=open_one, actor=me.user_id)
        else:
            await end(db, relationship=open_one, actor_id=me.user_id, kind=EndKind.blocked)
    await db.flush()
    return relationship


async def new_match(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> SupportRequest:
    """One tap after an ending: the seeker is looking again, with the same request and
    preferences (a new request, so the old one stays in the history)."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    if role_in(relationship, me.user_id) != "seeker":
        raise Forbidden("Only the person who was being supported can ask for a new match here.")
    if relationship.state != State.ended:
        raise Conflict("You can ask for a new match once this relationship has ended.")
    if await requests.open_request(db, me.user_id) is not None:
        raise Conflict("You're already looking for a supporter.")
    old = (
        await db.get(SupportRequest, relationship.request_id)
        if relationship.request_id
        else await requests.latest_request(db, me.user_id)
    )
    if old is None:
        raise Conflict("Please ask for support again: choose the experiences to share.")
    have = set(
        await db.scalars(
            select(PersonExperience.tag_id).where(PersonExperience.user_id == me.user_id)
        )
    )
    tags = [t for t in old.tag_ids if t in have]
    return await requests.ask_for_support(
        db,
        me,
        tag_ids=tags,
        preferences=dict(old.preferences or {}),
        share_own_words=old.share_own_words,
    )


async def match_again(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, glad: bool
) -> tuple[bool, bool]:
    """Say whether I'd be glad to be matched with this person again (or take it back).
    Returns (mine, both): the other person's answer shows only once both have said yes."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    if not await may_match_again(db, relationship):
        raise Conflict("After this kind of ending, this pair can't be matched again.")
    if other_of(relationship, me.user_id) is None:
        raise Conflict("This person has left Kindred.")
    await pairs.say_glad(db, relationship_id=relationship.id, user_id=me.user_id, glad=glad)
    return glad, await pairs.both_glad(db, relationship_id=relationship.id) if glad else False


async def leave_feedback(
    db: AsyncSession, me: Principal, *, settings: Settings, relationship_id: UUID, text: str
) -> Feedback:
    """Private feedback for the coordinators after an ending; never shown to the other person."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    if relationship.state != State.ended:
        raise Conflict("You can leave feedback once the relationship has ended.")
    text = text.strip()
    if not text:
        raise Invalid.field("text", "Write a few words, or leave it.")
    if len(text) > MAX_FEEDBACK:
        raise Invalid.field("text", f"Please keep it under {MAX_FEEDBACK} characters.")
    feedback = Feedback(
        relationship_id=relationship.id,
        author_id=me.user_id,
        author_role=role_in(relationship, me.user_id) or "seeker",
        text_sealed=b"",
    )
    feedback.text_sealed = seal(settings, text, feedback.id.bytes) or b""
    db.add(feedback)
    await db.flush()
    return feedback


@dataclass(frozen=True)
class FeedbackView:
    id: UUID
    relationship_id: UUID
    author_role: str
    text: str
    created_at: datetime


async def all_feedback(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    window: Window = Window(),
    period: Period = Period(),
) -> Page[FeedbackView]:
    """A page of feedback for the coordinators, newest first."""
    require_coordinator(me)
    found = await page(
        db,
        select(Feedback).where(*period.where(Feedback.created_at)),
        Order(col(Feedback.created_at), col(Feedback.id), descending=True),
        window,
        anchor=lambda cursor: select(Feedback.created_at).where(Feedback.id == cursor),
    )
    views = [
        FeedbackView(
            f.id,
            f.relationship_id,
            f.author_role,
            unseal(settings, f.text_sealed, f.id.bytes) or "",
            f.created_at,
        )
        for (f,) in found.items
    ]
    return Page(views, found.has_more)
