"""What the API and the PWA both show of a search and of introductions, built once.

Plain dataclasses from the matching services: the JSON routes turn them into schemas, the
pages into templates; neither builds them on its own.
"""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.matching import introductions
from api.matching.models import SupportRequest
from api.profiles.service import display_names
from api.relationships.models import Relationship

FORMER_MEMBER = "A former member"


@dataclass(frozen=True)
class SeekerIntroduction:
    """One introduction as the seeker sees it: who, and where it stands in their words."""

    relationship: Relationship
    supporter_display_name: str
    status: str  # introductions.seeker_status: a decline is never shown as a rejection


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


async def seeker_introductions(
    db: AsyncSession, *, relationships: list[Relationship]
) -> list[SeekerIntroduction]:
    """These introductions as their seeker sees them (one query for the names)."""
    ids: list[UUID] = [r.supporter_id for r in relationships if r.supporter_id]
    names = await display_names(db, user_ids=ids)
    return [
        SeekerIntroduction(
            relationship=r,
            supporter_display_name=(
                names.get(r.supporter_id, FORMER_MEMBER) if r.supporter_id else FORMER_MEMBER
            ),
            status=introductions.seeker_status(r),
        )
        for r in relationships
    ]


async def request_view(db: AsyncSession, *, request: SupportRequest) -> RequestView:
    """A request and its introductions, after expiring those past their time."""
    found = await introductions.for_request(db, request=request)
    return RequestView(request, await seeker_introductions(db, relationships=found))


async def supporter_inbox(db: AsyncSession, me: Principal) -> list[SupporterIntroduction]:
    """Introductions waiting for my answer, as a supporter, with the seekers' names."""
    waiting = await introductions.inbox(db, me)
    people = await introductions.seekers_public(db, user_ids=[r.seeker_id for r in waiting])
    return [SupporterIntroduction(r, *people[r.seeker_id]) for r in waiting]
