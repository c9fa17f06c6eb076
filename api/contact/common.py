"""What sessions and messages share: the relationship as one of its people sees it, with the
agreement in force; each person's own clock; refusing contact outside the `active` state.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from api.auth.principal import Principal
from api.errors import Conflict
from api.policies.service import DependencyLimits
from api.relationships import service
from api.relationships.models import AgreementVersion, Relationship, State
from api.relationships.service import Pair
from api.relationships.terms import CHANNELS, AgreementTerms
from api.weekly.windows import FALLBACK_TIMEZONE, is_known_timezone
from api.weekly.zones import clock_name

_NOT_ACTIVE = {
    State.agreeing: "you haven't agreed your terms yet; contact starts once you both have",
    State.paused: "your support is paused; nothing is arranged or sent until you carry on",
    State.ended: "your support has ended",
}


@dataclass(frozen=True)
class Contact:
    """A relationship I am in, with the terms in force (None before any are agreed)."""

    relationship: Relationship
    pair: Pair
    terms: AgreementTerms | None
    limits: DependencyLimits  # the service's: the most messages a day, sessions a week

    @property
    def id(self) -> UUID:
        return self.relationship.id

    @property
    def my_tz(self) -> str:
        """My own zone (my profile's), else the agreement's, else the service's."""
        return zone_of(self.pair.me.timezone, self.terms)

    @property
    def other_tz(self) -> str:
        return zone_of(self.pair.other.timezone, self.terms)

    def tz_of(self, user_id: UUID | None) -> str:
        return self.my_tz if user_id == self.pair.me.user_id else self.other_tz


def zone_of(profile_tz: str | None, terms: AgreementTerms | None) -> str:
    if profile_tz and is_known_timezone(profile_tz):
        return profile_tz
    return terms.timezone if terms else FALLBACK_TIMEZONE


async def terms_in_force(db: AsyncSession, relationship: Relationship) -> AgreementTerms | None:
    """The terms both people agreed last (the version in force), if any."""
    if relationship.agreed_version is None:
        return None
    data = await db.scalar(
        select(AgreementVersion.terms).where(
            AgreementVersion.relationship_id == relationship.id,
            AgreementVersion.number == relationship.agreed_version,
        )
    )
    return AgreementTerms.model_validate(data) if data else None


async def load(db: AsyncSession, me: Principal, relationship_id: UUID) -> Contact:
    """One of my relationships with its terms in force; 404 for anyone else, coordinators too."""
    mine = await service.mine_with_pair(db, me, relationship_id=relationship_id)
    terms = AgreementTerms.model_validate(mine.terms) if mine.terms else None
    return Contact(mine.relationship, mine.pair, terms, mine.limits)


def require_active(contact: Contact, doing: str) -> AgreementTerms:
    """The terms in force, when the relationship is active; 409 saying why not otherwise."""
    state = State(contact.relationship.state)
    if state != State.active or contact.terms is None:
        why = _NOT_ACTIVE.get(state, "this relationship isn't active")
        raise Conflict(f"You can't {doing} now: {why}.")
    return contact.terms


async def lock_pair(db: AsyncSession, relationship_id: UUID) -> None:
    """Serialise changes to one pair's sessions (the first write of the transaction).

    A no-op UPDATE of the relationship row: PostgreSQL holds its row lock, SQLite its write
    lock, until commit, so two proposals made at once are checked one after the other and
    can't both take the same time, the last agreed session, or the week's last place.
    """
    await service.lock(db, relationship_id=relationship_id)


def aware(moment: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused (it has no place in time)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a time needs its offset or zone, like 2027-03-30T19:00:00+01:00")
    return moment.astimezone(UTC)


def local_text(at: datetime, tz: str) -> str:
    """E.g. "Tue 30 Mar, 19:00" on the clock in `tz`."""
    local = at.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def local_text_with_zone(at: datetime, tz: str) -> str:
    """E.g. "Tue 30 Mar, 19:00 (London time)"."""
    return f"{local_text(at, tz)} ({clock_name(tz)})"


def channel_words(channel: str) -> str:
    return CHANNELS.get(channel, channel)  # type: ignore[call-overload]
