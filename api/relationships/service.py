"""Relationships as the two people in them see them: finding them, and who is who.

Only the seeker and the supporter of a relationship can see it; anyone else (another peer, a
coordinator) gets 404, as if it did not exist. Before the supporter accepts, a relationship is
an introduction and lives in the matching API (where a decline is never shown as a rejection),
so it appears here from `agreeing` on. Pausing and ending live in api/safety.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select

from api.auth.models import User
from api.auth.principal import Principal
from api.errors import NotFound
from api.paging import Order, Page, Period, Window, page
from api.policies import service as policies
from api.policies.service import DefaultAgreement, DependencyLimits
from api.profiles.models import Profile
from api.profiles.topics import topics_of
from api.relationships.models import AgreementVersion, Relationship, State
from api.relationships.terms import Person

VISIBLE_STATES = (State.agreeing, State.active, State.paused, State.ended)
FORMER_MEMBER = "A former member"


@dataclass(frozen=True)
class Side:
    """One of the two people, as the other may see them."""

    role: Person
    user_id: UUID | None
    display_name: str
    pronouns: str | None
    timezone: str | None  # from their profile; None without one
    channels: tuple[str, ...]  # the ways they have said they are willing to be in contact
    # What they'd rather not talk about (their profile); a new agreement starts from these.
    topics_to_avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    me: Side
    other: Side

    def side(self, role: Person) -> Side:
        return self.me if self.me.role == role else self.other

    def role_of(self, user_id: UUID | None) -> Person | None:
        for side in (self.me, self.other):
            if user_id is not None and side.user_id == user_id:
                return side.role
        return None


def other_of(relationship: Relationship, user_id: UUID | None) -> UUID | None:
    """The other person in the relationship (None if their account is gone)."""
    if user_id == relationship.seeker_id:
        return relationship.supporter_id
    return relationship.seeker_id


def role_in(relationship: Relationship, user_id: UUID) -> Person | None:
    """Which of the two `user_id` is in this relationship, or None for anyone else."""
    if relationship.seeker_id == user_id:
        return "seeker"
    if relationship.supporter_id == user_id:
        return "supporter"
    return None


async def mine(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Relationship:
    """A relationship I am in (seeker or supporter); 404 for anyone else, coordinators too."""
    relationship = await db.get(Relationship, relationship_id, populate_existing=True)
    if (
        relationship is None
        or role_in(relationship, me.user_id) is None
        or relationship.state not in VISIBLE_STATES
    ):
        raise NotFound("No such relationship.")
    return relationship


_SEEKER, _SUPPORTER = aliased(User), aliased(User)
_SEEKER_PROFILE, _SUPPORTER_PROFILE = aliased(Profile), aliased(Profile)
# A relationship with both people's names and profiles: one round trip where `mine` then
# `pair` took two (every read of one relationship starts here: shared/performance.md); built
# once with its parameter, as building it cost as much as running it.
_MINE_WITH_PAIR = (
    sa_select(
        Relationship,
        col(_SEEKER.display_name),
        _SEEKER_PROFILE,
        col(_SUPPORTER.display_name),
        _SUPPORTER_PROFILE,
        col(AgreementVersion.terms),
        policies.stored("default_agreement"),
        policies.stored("dependency_limits"),
    )
    .outerjoin(_SEEKER, col(_SEEKER.id) == Relationship.seeker_id)
    .outerjoin(_SEEKER_PROFILE, col(_SEEKER_PROFILE.user_id) == Relationship.seeker_id)
    .outerjoin(_SUPPORTER, col(_SUPPORTER.id) == Relationship.supporter_id)
    .outerjoin(_SUPPORTER_PROFILE, col(_SUPPORTER_PROFILE.user_id) == Relationship.supporter_id)
    .outerjoin(  # the terms in force (their JSON: contact reads them)
        AgreementVersion,
        (col(AgreementVersion.relationship_id) == Relationship.id)
        & (col(AgreementVersion.number) == Relationship.agreed_version),
    )
    .where(col(Relationship.id) == bindparam("relationship_id"))
    .execution_options(populate_existing=True)
)


@dataclass(frozen=True)
class Mine:
    """A relationship I am in, who is who in it, the stored terms of the version in force (None
    before any are agreed) and the service's bounds on agreements (its template and limits)."""

    relationship: Relationship
    pair: Pair
    terms: dict | None
    template: DefaultAgreement
    limits: DependencyLimits


async def mine_with_pair(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Mine:
    """`mine`, its `pair`, its terms in force and the service's bounds, in one query."""
    row = (await db.execute(_MINE_WITH_PAIR, {"relationship_id": relationship_id})).first()
    if row is None:
        raise NotFound("No such relationship.")
    relationship, seeker_name, seeker_profile, supporter_name, supporter_profile = row[:5]
    terms, template, limits = row[5:]
    if role_in(relationship, me.user_id) is None or relationship.state not in VISIBLE_STATES:
        raise NotFound("No such relationship.")
    found = {
        relationship.seeker_id: (seeker_name, seeker_profile),
        relationship.supporter_id: (supporter_name, supporter_profile),
    }
    pair = _pair_of(db, me, relationship, found)
    return Mine(relationship, pair, terms, *policies.bounds_of(template, limits))


async def list_mine(db: AsyncSession, me: Principal) -> list[Relationship]:
    """My relationships in both roles, newest first."""
    rows = await db.scalars(
        select(Relationship)
        .where(
            or_(Relationship.seeker_id == me.user_id, Relationship.supporter_id == me.user_id),
            col(Relationship.state).in_(VISIBLE_STATES),
        )
        .order_by(col(Relationship.created_at).desc(), col(Relationship.id).desc())
    )
    return list(rows.all())


# My relationships in some states (and made in a period), built once with their parameters.
_IM_IN_IT = or_(
    col(Relationship.seeker_id) == bindparam("me"),
    col(Relationship.supporter_id) == bindparam("me"),
)
_MINE = select(Relationship).where(
    _IM_IN_IT, col(Relationship.state).in_(bindparam("states", expanding=True))
)
_WHEN_MADE = select(Relationship.created_at).where(_IM_IN_IT)  # a cursor: any of mine
_MINE_IN_PERIOD = _MINE.where(
    col(Relationship.created_at) > bindparam("after"),
    col(Relationship.created_at) < bindparam("before"),
)
_EARLIEST, _LATEST = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)
_NEWEST_FIRST = Order(col(Relationship.created_at), col(Relationship.id), descending=True)


async def page_of_mine(
    db: AsyncSession,
    me: Principal,
    *,
    window: Window,
    period: Period = Period(),
    states: list[str] | None = None,
) -> Page[Relationship]:
    """A page of my relationships in both roles, newest first; in some states, made in a period."""
    shown = set(VISIBLE_STATES) & set(states) if states else set(VISIBLE_STATES)
    found = await page(
        db,
        _MINE if period.after is None and period.before is None else _MINE_IN_PERIOD,
        _NEWEST_FIRST,
        window,
        anchor=lambda cursor: _WHEN_MADE.where(col(Relationship.id) == cursor),
        parameters={
            "me": me.user_id,
            "states": sorted(shown),
            "after": period.after or _EARLIEST,
            "before": period.before or _LATEST,
        },
    )
    return Page([row[0] for row in found.items], found.has_more)


# People's names and profiles by id, built once (every list of relationships reads it).
_PEOPLE = (
    select(User.id, User.display_name, Profile)
    .outerjoin(Profile, col(Profile.user_id) == User.id)
    .where(col(User.id).in_(bindparam("ids", expanding=True)))
)


async def pairs(
    db: AsyncSession, me: Principal, *, relationships: list[Relationship]
) -> dict[UUID, Pair]:
    """Who is who in each relationship, from my side: names, pronouns, zones and channels."""
    ids = {uid for r in relationships for uid in (r.seeker_id, r.supporter_id) if uid is not None}
    rows = await db.execute(_PEOPLE, {"ids": list(ids)})
    found = {uid: (name, profile) for uid, name, profile in rows.all()}
    return {r.id: _pair_of(db, me, r, found) for r in relationships}


def _pair_of(
    db: AsyncSession, me: Principal, r: Relationship, found: dict[Any, tuple[Any, Any]]
) -> Pair:
    """Both sides of one relationship from its people's (name, profile), from my side."""

    def side(role: Person, user_id: UUID | None) -> Side:
        name, profile = found.get(user_id, (FORMER_MEMBER, None)) if user_id else (None, None)
        return Side(
            role=role,
            user_id=user_id,
            display_name=name or FORMER_MEMBER,
            pronouns=profile.pronouns if profile else None,
            timezone=profile.timezone if profile else None,
            channels=tuple(profile.channels) if profile else (),
            topics_to_avoid=tuple(topics_of(db, profile)) if profile else (),
        )

    seeker, supporter = side("seeker", r.seeker_id), side("supporter", r.supporter_id)
    mine_is_seeker = r.seeker_id == me.user_id
    return Pair(
        me=seeker if mine_is_seeker else supporter,
        other=supporter if mine_is_seeker else seeker,
    )


async def pair(db: AsyncSession, me: Principal, *, relationship: Relationship) -> Pair:
    return (await pairs(db, me, relationships=[relationship]))[relationship.id]


async def lock(db: AsyncSession, *, relationship_id: UUID) -> None:
    """Serialise changes to one relationship until commit (make it the transaction's first
    write): a no-op UPDATE of its row, so PostgreSQL holds the row lock and SQLite its write
    lock."""
    await db.execute(
        update(Relationship)
        .where(col(Relationship.id) == relationship_id)
        .values(sessions_held=Relationship.sessions_held)
        .execution_options(synchronize_session=False)
    )


async def count_session_held(db: AsyncSession, *, relationship: Relationship) -> None:
    """One more session held (read by the review point and the planned ending)."""
    await db.execute(
        update(Relationship)
        .where(col(Relationship.id) == relationship.id)
        .values(sessions_held=Relationship.sessions_held + 1)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(relationship)
