"""What the API and the PWA both show of a search and of introductions, built once.

Plain dataclasses from the matching services: the JSON routes turn them into schemas, the
pages into templates; neither builds them on its own.
"""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.config import Settings
from api.db import settings_of
from api.errors import NotFound
from api.matching import introductions, notes
from api.matching.models import SupportRequest
from api.matching.reasons import for_supporter
from api.profiles.models import Profile
from api.profiles.schemas import ExperienceOut
from api.profiles.service import display_names, experiences_for_support
from api.profiles.topics import open_topics
from api.relationships import service as relationships
from api.relationships.models import HOLDS_A_PLACE, Relationship

FORMER_MEMBER = "A former member"


@dataclass(frozen=True)
class SeekerIntroduction:
    """One introduction as the seeker sees it: who, and where it stands in their words."""

    relationship: Relationship
    supporter_display_name: str
    status: str  # introductions.seeker_status: a decline is never shown as a rejection
    supporter_topics_to_avoid: list[str]  # theirs, set by them, shown on the introduction
    coordinator_note: str | None = None  # a coordinator's note to them, if they wrote one


@dataclass(frozen=True)
class RequestView:
    """A request with what happened to its introductions, oldest first."""

    request: SupportRequest
    introductions: list[SeekerIntroduction]


@dataclass(frozen=True)
class SupporterIntroduction:
    """One introduction waiting for a supporter's answer: what they may see of the seeker."""

    relationship: Relationship
    seeker_display_name: str
    seeker_pronouns: str | None
    experiences: list[ExperienceOut]  # what they asked support with: names and stages only
    topics_to_avoid: list[str]  # theirs, set by them
    reasons: list[str]  # why I was suggested, said to me
    coordinator_note: str | None = None  # why a coordinator thought of me, if they said


@dataclass(frozen=True)
class SupportAsked:
    """What a seeker asked for support with, as the two people in the relationship see it."""

    request: SupportRequest
    experiences: list[ExperienceOut]  # own words only if the seeker chose to share them


async def topics_of(db: AsyncSession, *, user_ids: list[UUID]) -> dict[UUID, list[str]]:
    """Each person's topics to avoid, from their profile (shown with their introductions)."""
    rows = await db.execute(
        select(Profile.user_id, Profile.topics_sealed).where(col(Profile.user_id).in_(user_ids))
    )
    settings = settings_of(db)
    return {uid: open_topics(settings, uid, sealed) for uid, sealed in rows.all()}


async def seeker_introductions(
    db: AsyncSession, *, relationships: list[Relationship]
) -> list[SeekerIntroduction]:
    """These introductions as their seeker sees them (one query for the names)."""
    if not relationships:
        return []
    ids: list[UUID] = [r.supporter_id for r in relationships if r.supporter_id]
    names = await display_names(db, user_ids=ids)
    topics = await topics_of(db, user_ids=ids)
    said = await notes.for_reader(
        db, relationship_ids=[r.id for r in relationships], reader="seeker"
    )
    return [
        SeekerIntroduction(
            relationship=r,
            supporter_display_name=(
                names.get(r.supporter_id, FORMER_MEMBER) if r.supporter_id else FORMER_MEMBER
            ),
            status=introductions.seeker_status(r),
            supporter_topics_to_avoid=topics.get(r.supporter_id, []) if r.supporter_id else [],
            coordinator_note=said.get(r.id),
        )
        for r in relationships
    ]


async def request_view(db: AsyncSession, *, request: SupportRequest) -> RequestView:
    """A request and its introductions, after expiring those past their time."""
    return (await request_views(db, requests=[request]))[0]


async def request_views(db: AsyncSession, *, requests: list[SupportRequest]) -> list[RequestView]:
    """Requests and their introductions, after expiring those past their time: a query each
    for the introductions, the names and the topics, however many requests."""
    found = await introductions.for_requests(db, request_ids=[r.id for r in requests])
    seen = await seeker_introductions(
        db, relationships=[i for r in requests for i in found.get(r.id, [])]
    )
    by_id = {s.relationship.id: s for s in seen}
    return [RequestView(r, [by_id[i.id] for i in found.get(r.id, [])]) for r in requests]


async def _asked(
    db: AsyncSession, settings: Settings, relationship: Relationship, *, own_words: bool
) -> tuple[SupportRequest | None, list[ExperienceOut]]:
    request = (
        await db.get(SupportRequest, relationship.request_id) if relationship.request_id else None
    )
    if request is None or relationship.seeker_id is None:
        return request, []
    found = await experiences_for_support(
        db,
        settings=settings,
        user_id=relationship.seeker_id,
        tag_ids=list(request.tag_ids),
        own_words=own_words and request.share_own_words,
    )
    return request, found


async def supporter_inbox(
    db: AsyncSession, me: Principal, *, settings: Settings
) -> list[SupporterIntroduction]:
    """Introductions waiting for my answer, as a supporter: who, what they are going through
    (names and stages, never their own words before I accept), their topics, and why me."""
    waiting = await introductions.inbox(db, me)
    seekers = [r.seeker_id for r in waiting if r.seeker_id]
    people = await introductions.seekers_public(db, user_ids=[r.seeker_id for r in waiting])
    topics = await topics_of(db, user_ids=seekers)
    said = await notes.for_reader(db, relationship_ids=[r.id for r in waiting], reader="supporter")
    found = []
    for r in waiting:
        name, pronouns = people[r.seeker_id]
        _, experiences = await _asked(db, settings, r, own_words=False)
        found.append(
            SupporterIntroduction(
                relationship=r,
                seeker_display_name=name,
                seeker_pronouns=pronouns,
                experiences=experiences,
                topics_to_avoid=topics.get(r.seeker_id, []) if r.seeker_id else [],
                reasons=for_supporter(r.reasons),
                coordinator_note=said.get(r.id),
            )
        )
    return found


async def support_asked(
    db: AsyncSession, me: Principal, *, settings: Settings, relationship_id: UUID
) -> SupportAsked:
    """What the seeker asked for support with, for either of the two once the supporter has
    accepted: names and stages, and the seeker's own words if they chose to share them."""
    relationship = await relationships.mine(db, me, relationship_id=relationship_id)
    if relationship.state not in HOLDS_A_PLACE:
        raise NotFound("This support has ended, so what was asked is no longer shown.")
    request, experiences = await _asked(db, settings, relationship, own_words=True)
    if request is None:
        raise NotFound("This relationship was not made from a request for support.")
    return SupportAsked(request, experiences)
