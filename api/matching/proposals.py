"""A coordinator proposes a specific supporter for a waiting seeker, with a note.

The pair must pass every rule any match passes, checked at the moment of proposing (the
shortlist's own check: approved and not suspended, not paused, a free place, a shared
language, channel and experience, never two people kept apart, never someone already asked
for this request). When it can't be made, the coordinator is told why in plain words (409).
The supporter reads the coordinator's note with the introduction; the seeker is told kindly
that someone has been asked, with the coordinator's note to them if they wrote one.
"""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.config import Settings
from api.contact import notifications
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.matching import introductions, notes, service
from api.matching.index import MatchingIndex
from api.matching.models import IntroductionNote, RequestStatus, SupportRequest
from api.matching.pairs import are_kept_apart
from api.matching.service import Suggestion
from api.profiles.models import Profile
from api.profiles.service import display_names
from api.relationships.models import Relationship, Source
from api.supporters.models import OfferStatus, SupporterOffer


class NotAvailable(Conflict):
    """The supporter can't be introduced to this seeker right now; the detail says why."""

    type = "supporter-not-available"
    title = "That supporter can't be introduced right now"


async def propose(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    index: MatchingIndex,
    request_id: UUID,
    supporter_id: UUID,
    note: str | None = None,
    note_to_seeker: str | None = None,
) -> Relationship:
    """Introduce this supporter to a waiting seeker, with the coordinator's notes; the
    supporter still has to accept."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can propose matches.")
    to_supporter = notes.clean(note, "note")
    to_seeker = notes.clean(note_to_seeker, "note_to_seeker")
    request = await db.get(SupportRequest, request_id)
    if request is None:
        raise NotFound("No such request.")
    await introductions.expire_due(db)
    await db.refresh(request)  # an expiry may have put it back on the waiting list
    if request.status != RequestStatus.waiting:
        raise Conflict(
            "An introduction for this person is already waiting for an answer."
            if request.status == RequestStatus.introduced
            else "This person is no longer waiting for a match."
        )
    found = await service.suggest(db, index=index, request=request, k=1, only=supporter_id)
    if not found:
        raise NotAvailable(await why_not(db, request=request, supporter_id=supporter_id))
    relationship = await introductions.introduce(
        db,
        settings=settings,
        request=request,
        supporter_id=supporter_id,
        source=Source.coordinator,
        score=found[0].score,
        reasons=found[0].reasons,
        actor_id=me.user_id,
    )
    await notes.add(
        db,
        relationship_id=relationship.id,
        written_by=me.user_id,
        to_supporter=to_supporter,
        to_seeker=to_seeker,
    )
    await notifications.notify(
        db,
        user_id=request.seeker_id,
        relationship_id=relationship.id,
        kind="match_proposed",
        key=f"introduction/{relationship.id}/proposed",
        actor_id=me.user_id,
        **({"asked": "yes"} if request.coordinator_chooses else {}),
    )
    await audit.record(
        db,
        me,
        action=Action.match_proposed,
        subject_type="relationship",
        subject_id=relationship.id,
        details={"request_id": str(request.id), "supporter_id": str(supporter_id)},
    )
    return relationship


async def why_not(db: AsyncSession, *, request: SupportRequest, supporter_id: UUID) -> str:
    """Why this supporter can't be introduced to this request's seeker now, in plain words."""
    names = await display_names(db, user_ids=[supporter_id, request.seeker_id])
    name, seeker = names.get(supporter_id), names.get(request.seeker_id, "this person")
    if name is None:
        return "There is no such supporter."
    if supporter_id == request.seeker_id:
        return "Nobody can be their own supporter."
    offer = await db.scalar(select(SupporterOffer).where(SupporterOffer.user_id == supporter_id))
    if offer is None or offer.status not in (OfferStatus.approved, OfferStatus.suspended):
        return f"{name} isn't an approved supporter."
    if offer.status == OfferStatus.suspended:
        return f"{name} is suspended, so they can't be introduced to anyone for now."
    if offer.paused:
        return f"{name} has paused taking new people."
    if offer.active_count >= offer.capacity:
        return (
            f"{name} has no free place: all {offer.capacity} they offered are taken. "
            "Only they can change that."
        )
    if await are_kept_apart(db, request.seeker_id, supporter_id):
        return f"{name} and {seeker} are kept apart (a block, or support they had before)."
    asked = await db.scalar(
        select(Relationship.id).where(
            Relationship.request_id == request.id, Relationship.supporter_id == supporter_id
        )
    )
    if asked is not None:
        return f"{name} was already asked about {seeker} for this request."
    profiles = {
        p.user_id: p
        for p in await db.scalars(
            select(Profile).where(col(Profile.user_id).in_([supporter_id, request.seeker_id]))
        )
    }
    theirs, mine = profiles.get(supporter_id), profiles.get(request.seeker_id)
    if theirs is None or mine is None:
        return f"{name} or {seeker} hasn't set up their profile yet."
    if not set(theirs.languages) & set(mine.languages):
        return f"{name} and {seeker} don't share a language."
    if not set(theirs.channels) & set(mine.channels):
        return f"{name} and {seeker} have no way of being in contact in common."
    return (
        f"{name} and {seeker} have no experience, or no free time in the week, in common "
        "that a match could be made on."
    )


@dataclass(frozen=True)
class Option:
    """A supporter a coordinator looked up by name for a seeker: their shortlist line if they
    can be introduced now, otherwise why not."""

    supporter_id: UUID
    display_name: str
    suggestion: Suggestion | None
    why_not: str | None


async def supporters_named(
    db: AsyncSession,
    me: Principal,
    *,
    index: MatchingIndex,
    request: SupportRequest,
    name: str,
    limit: int = 8,
) -> list[Option]:
    """Supporters whose name contains `name` (any available one may be proposed), each with
    their reasons for this seeker or why they can't be introduced now."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can look up supporters.")
    name = name.strip()
    if not name:
        return []
    if len(name) > 80:
        raise Invalid.field("name", "Please search with a shorter name.")
    pattern = "%" + name.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    rows = await db.execute(
        select(col(User.id), col(User.display_name))
        .join(SupporterOffer, col(SupporterOffer.user_id) == User.id)
        .where(
            col(SupporterOffer.status).in_((OfferStatus.approved, OfferStatus.suspended)),
            func.lower(col(User.display_name)).like(pattern.lower(), escape="\\"),
            col(User.id) != request.seeker_id,
        )
        .order_by(col(User.display_name), col(User.id))
        .limit(limit)
    )
    found = []
    for supporter_id, display_name in rows.all():
        line = await service.suggest(db, index=index, request=request, k=1, only=supporter_id)
        why = None if line else await why_not(db, request=request, supporter_id=supporter_id)
        found.append(Option(supporter_id, display_name, line[0] if line else None, why))
    return found


@dataclass(frozen=True)
class Sent:
    """An introduction a coordinator proposed, as the console says it was sent."""

    supporter_name: str
    seeker_name: str
    with_notes: bool


async def sent(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Sent | None:
    """Who an introduction a coordinator proposed went to, and whether notes went with it
    (None when it isn't one)."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can propose matches.")
    found = await db.get(Relationship, relationship_id)
    if found is None or found.source != Source.coordinator:
        return None
    ids = [u for u in (found.supporter_id, found.seeker_id) if u]
    names = await display_names(db, user_ids=ids)
    supporter = names.get(found.supporter_id, "the supporter") if found.supporter_id else ""
    seeker = names.get(found.seeker_id, "them") if found.seeker_id else "them"
    notes_sent = await db.get(IntroductionNote, relationship_id) is not None
    return Sent(supporter, seeker, notes_sent)
