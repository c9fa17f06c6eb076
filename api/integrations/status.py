"""A referral's status, derived from the person's real state when it is read, and nothing
more: invited, joined, waiting, introduced, active, ended (or refused, expired). Only
relationships begun after the person joined through the referral count."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.clients.principal import ClientPrincipal
from api.common import utcnow
from api.errors import Forbidden, NotFound
from api.matching.models import SupportRequest
from api.matching.requests import OPEN
from api.paging import Order, Window, page
from api.referrals import summaries
from api.referrals.models import Referral, ReferralSummary
from api.relationships.models import Relationship, State


class ReferralStatus(StrEnum):
    invited = "invited"  # the link hasn't been used yet
    joined = "joined"  # they have an account, and haven't asked for support yet
    waiting = "waiting"  # they asked for support and are waiting for a match
    introduced = "introduced"  # introduced to a supporter; getting started
    active = "active"  # support is under way (a pause counts as under way)
    ended = "ended"  # their support ended (or they left Kindred)
    refused = "refused"  # they said no thanks
    expired = "expired"  # the link was never used in time


#: The relationship states an integrator may see: introductions that came to nothing
#: (declined, expired, withdrawn) are never shown, as the seeker never sees them as a refusal.
STARTED = (State.introduced, State.agreeing, State.active, State.paused, State.ended)
_SHOWN = {
    State.introduced: ReferralStatus.introduced,
    State.agreeing: ReferralStatus.introduced,
    State.active: ReferralStatus.active,
    State.paused: ReferralStatus.active,
}


@dataclass(frozen=True)
class ReferralView:
    referral: Referral
    status: ReferralStatus
    summaries: list[ReferralSummary]


def _require(client: ClientPrincipal, scope: str) -> None:
    if not client.has(scope):
        raise Forbidden(f"This needs the {scope} scope.")


async def _statuses(db: AsyncSession, referrals: list[Referral]) -> dict[UUID, ReferralStatus]:
    people = {r.user_id for r in referrals if r.user_id is not None}
    begun: dict[UUID, list[tuple[datetime, State]]] = {p: [] for p in people}
    waiting: set[UUID] = set()
    if people:  # nobody has joined yet: nothing to look up
        rows = await db.execute(
            select(Relationship.seeker_id, Relationship.state, Relationship.created_at).where(
                col(Relationship.seeker_id).in_(people), col(Relationship.state).in_(STARTED)
            )
        )
        for seeker, state, created in rows.all():
            begun[seeker].append((created, State(state)))
        waiting = set(
            await db.scalars(
                select(SupportRequest.seeker_id).where(
                    col(SupportRequest.seeker_id).in_(people),
                    col(SupportRequest.status).in_(OPEN),
                )
            )
        )
    now = utcnow()
    found: dict[UUID, ReferralStatus] = {}
    for r in referrals:
        if r.refused_at is not None:
            found[r.id] = ReferralStatus.refused
        elif r.joined_at is None:
            expired = r.expires_at <= now
            found[r.id] = ReferralStatus.expired if expired else ReferralStatus.invited
        elif r.user_id is None:
            found[r.id] = ReferralStatus.ended  # they left Kindred
        else:
            since = sorted(b for b in begun[r.user_id] if b[0] >= r.joined_at)
            last = since[-1][1] if since else None
            if last in _SHOWN:
                found[r.id] = _SHOWN[last]
            elif r.user_id in waiting:
                found[r.id] = ReferralStatus.waiting
            else:
                found[r.id] = ReferralStatus.ended if last else ReferralStatus.joined
    return found


async def _views(db: AsyncSession, referrals: list[Referral]) -> list[ReferralView]:
    if not referrals:
        return []
    statuses = await _statuses(db, referrals)
    shared = await summaries.shared(db, referral_ids=[r.id for r in referrals])
    return [ReferralView(r, statuses[r.id], shared[r.id]) for r in referrals]


async def view_of(db: AsyncSession, client: ClientPrincipal, *, referral: Referral) -> ReferralView:
    """A referral this client just made, as it reads it back."""
    if referral.client_id != client.client_id:
        raise NotFound("No such referral.")
    return (await _views(db, [referral]))[0]


async def get_referral(
    db: AsyncSession, client: ClientPrincipal, *, referral_id: UUID
) -> ReferralView:
    """One of this client's own referrals (any other: 404, as if it didn't exist)."""
    _require(client, "referrals:read")
    referral = await db.get(Referral, referral_id)
    if referral is None or referral.client_id != client.client_id:
        raise NotFound("No such referral.")
    return (await _views(db, [referral]))[0]


async def list_referrals(
    db: AsyncSession,
    client: ClientPrincipal,
    *,
    window: Window,
    reference: str | None = None,
) -> tuple[list[ReferralView], bool]:
    """This client's referrals, newest first (optionally the one with `reference`)."""
    _require(client, "referrals:read")
    query = select(Referral).where(Referral.client_id == client.client_id)
    if reference is not None:
        query = query.where(Referral.reference == reference)
    found = await page(
        db,
        query,
        Order(col(Referral.created_at), col(Referral.id), descending=True),
        window,
    )
    rows, more = found.items, found.has_more
    return await _views(db, [row[0] for row in rows]), more


@dataclass(frozen=True)
class RelationshipState:
    relationship_id: UUID
    referral_id: UUID
    state: State


async def relationships(
    db: AsyncSession,
    client: ClientPrincipal,
    *,
    window: Window,
) -> tuple[list[RelationshipState], bool]:
    """The support relationships of the people this client referred, begun since they
    joined, newest first: ids and states only."""
    _require(client, "relationships:read")
    query = (
        select(Relationship.id, Relationship.state, Referral.id)
        .join(Referral, col(Referral.user_id) == Relationship.seeker_id)
        .where(
            Referral.client_id == client.client_id,
            col(Relationship.created_at) >= Referral.joined_at,
            col(Relationship.state).in_(STARTED),
        )
    )
    found = await page(
        db,
        cast(Select[Any], query),
        Order(col(Relationship.created_at), col(Relationship.id), descending=True),
        window,
    )
    rows, more = found.items, found.has_more
    return [RelationshipState(rid, referral, State(state)) for rid, state, referral in rows], more
