"""Sessions: either person proposes a time and channel, the other confirms or suggests another
time; either can cancel (never penalised) or, once it has started, mark it held or missed.

Every time is checked by `rules.session_problems` against the agreement in force, after
`lock_pair` has serialised the pair's changes. Each change of a session is a conditional
UPDATE on its revision, so of two people acting on it at once one wins and the other gets a
409. Marking a session held adds one to `Relationship.sessions_held`, which is what the review
point (api/relationships/review.py) and the planned ending (api/safety/endings.py) read.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, cast
from uuid import UUID

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.contact import events, notifications
from api.contact.common import (
    Contact,
    aware,
    channel_words,
    load,
    local_text_with_zone,
    lock_pair,
    require_active,
    terms_in_force,
)
from api.contact.models import OPEN, ContactSession, SessionStatus
from api.contact.rules import SessionRefused, Sessions, counts, session_problems
from api.crypto import seal, unseal
from api.errors import Conflict, Invalid, NotFound
from api.monthly import service as monthly
from api.relationships import service as relationships
from api.relationships.models import State
from api.relationships.review import review_due
from api.relationships.terms import AgreementTerms

MAX_NOTE = 500
Outcome = Literal["held", "missed"]


def note_context(session_id: UUID) -> bytes:
    return session_id.bytes + b"note"


def note_of(settings: Settings, session: ContactSession) -> str | None:
    return unseal(settings, session.note_sealed, note_context(session.id))


async def _of(db: AsyncSession, relationship_id: UUID) -> list[ContactSession]:
    rows = await db.scalars(
        select(ContactSession)
        .where(ContactSession.relationship_id == relationship_id)
        .order_by(col(ContactSession.start_at), col(ContactSession.created_at))
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def sessions_of(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, now: datetime | None = None
) -> Sessions:
    """Every session of a relationship I am in, with the counts; 404 for anyone else."""
    contact = await load(db, me, relationship_id)
    found = await _of(db, contact.id)
    held = contact.relationship.sessions_held
    return Sessions(contact, found, counts(contact.terms, held, found), now or utcnow())


async def one(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, session_id: UUID
) -> tuple[Contact, ContactSession]:
    """One session of a relationship I am in; 404 for anyone else or another pair's session."""
    contact = await load(db, me, relationship_id)
    session = await db.get(ContactSession, session_id, populate_existing=True)
    if session is None or session.relationship_id != contact.id:
        raise NotFound("No such session.")
    return contact, session


async def _locked(
    db: AsyncSession, contact: Contact, doing: str
) -> tuple[Contact, AgreementTerms, list[ContactSession]]:
    """Lock the pair, then read again what the checks depend on: the relationship's state, the
    terms in force, the pair's sessions (someone may have changed them meanwhile)."""
    await lock_pair(db, contact.id)
    relationship = contact.relationship
    await db.refresh(relationship)
    fresh = Contact(
        relationship, contact.pair, await terms_in_force(db, relationship), contact.limits
    )
    terms = require_active(fresh, doing)
    return fresh, terms, await _of(db, contact.id)


def _check(
    contact: Contact,
    terms: AgreementTerms,
    sessions: Sequence[ContactSession],
    *,
    start: datetime,
    channel: str,
    now: datetime,
    exclude_id: UUID | None = None,
) -> None:
    problems = session_problems(
        terms,
        start=start,
        channel=channel,
        sessions=sessions,
        sessions_held=contact.relationship.sessions_held,
        now=now,
        viewer_tz=contact.my_tz,
        exclude_id=exclude_id,
    )
    if problems:
        raise SessionRefused(problems)


async def change(
    db: AsyncSession, *, session: ContactSession, allowed: tuple[SessionStatus, ...], **values: Any
) -> None:
    """Apply `values` if nobody changed the session since it was read and its status is one of
    `allowed` (409 otherwise): of two people acting on one session at once, one wins."""
    values["revision"] = session.revision + 1
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(ContactSession)
            .where(
                col(ContactSession.id) == session.id,
                col(ContactSession.revision) == session.revision,
                col(ContactSession.status).in_(allowed),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise Conflict("This session changed in the meantime. Please reload and try again.")
    for key, value in values.items():
        set_committed_value(session, key, value)


async def _tell_other(
    contact: Contact, db: AsyncSession, session: ContactSession, kind: str, key: str
) -> None:
    other = contact.pair.other.user_id
    await notifications.notify(
        db,
        user_id=other,
        relationship_id=contact.id,
        kind=kind,
        key=f"session/{session.id}/{key}",
        actor_id=contact.pair.me.user_id,
        when=local_text_with_zone(session.start_at, contact.other_tz),
        channel=channel_words(session.channel),
    )


async def propose(
    db: AsyncSession,
    me: Principal,
    *,
    relationship_id: UUID,
    start_at: datetime,
    channel: str,
    now: datetime | None = None,
) -> ContactSession:
    """Propose a session; the other person confirms it or suggests another time."""
    now = now or utcnow()
    contact = await load(db, me, relationship_id)
    require_active(contact, "arrange a session")
    contact, terms, found = await _locked(db, contact, "arrange a session")
    start = aware(start_at)
    _check(contact, terms, found, start=start, channel=channel, now=now)
    session = ContactSession(
        relationship_id=contact.id,
        supporter_id=contact.relationship.supporter_id,
        proposed_by=me.user_id,
        start_at=start,
        minutes=terms.session_minutes,
        channel=channel,
        agreement_version=contact.relationship.agreed_version or 0,
        created_at=now,
    )
    db.add(session)
    await db.flush()
    await _tell_other(contact, db, session, "session_proposed", "proposed")
    return session


async def confirm(
    db: AsyncSession,
    me: Principal,
    *,
    relationship_id: UUID,
    session_id: UUID,
    now: datetime | None = None,
) -> ContactSession:
    """Confirm the time the other person proposed (checked again against the terms in force)."""
    now = now or utcnow()
    contact, session = await one(db, me, relationship_id=relationship_id, session_id=session_id)
    require_active(contact, "confirm a session")
    if session.status != SessionStatus.proposed:
        raise Conflict(f"This session is {session.status}; only a proposed one can be confirmed.")
    if session.proposed_by == me.user_id:
        other = contact.pair.other.display_name
        raise Conflict(f"You proposed this time; it's waiting for {other} to confirm it.")
    contact, terms, found = await _locked(db, contact, "confirm a session")
    _check(
        contact,
        terms,
        found,
        start=session.start_at,
        channel=session.channel,
        now=now,
        exclude_id=session.id,
    )
    await change(
        db,
        session=session,
        allowed=(SessionStatus.proposed,),
        status=SessionStatus.confirmed,
        confirmed_at=now,
        minutes=terms.session_minutes,
        agreement_version=contact.relationship.agreed_version or 0,
    )
    await _tell_other(contact, db, session, "session_confirmed", f"confirmed/{session.revision}")
    events.session_event(db, contact.relationship, session, "session.scheduled")
    return session


async def reschedule(
    db: AsyncSession,
    me: Principal,
    *,
    relationship_id: UUID,
    session_id: UUID,
    start_at: datetime,
    channel: str | None = None,
    now: datetime | None = None,
) -> ContactSession:
    """Suggest another time (and channel) for a session not yet started: the other confirms."""
    now = now or utcnow()
    contact, session = await one(db, me, relationship_id=relationship_id, session_id=session_id)
    require_active(contact, "change a session")
    if session.status not in OPEN:
        raise Conflict(f"This session is {session.status}, so its time can't change.")
    if session.start_at <= now:
        raise Conflict("This session has started; mark it held or missed instead.")
    contact, terms, found = await _locked(db, contact, "change a session")
    start, channel = aware(start_at), channel or session.channel
    _check(contact, terms, found, start=start, channel=channel, now=now, exclude_id=session.id)
    await change(
        db,
        session=session,
        allowed=OPEN,
        status=SessionStatus.proposed,
        start_at=start,
        channel=channel,
        proposed_by=me.user_id,
        confirmed_at=None,
        minutes=terms.session_minutes,
        agreement_version=contact.relationship.agreed_version or 0,
    )
    await _tell_other(contact, db, session, "session_rescheduled", f"moved/{session.revision}")
    return session


def clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid.field("note", f"Please keep the note under {MAX_NOTE} characters.")
    return note or None


async def cancel(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    session_id: UUID,
    note: str | None = None,
    now: datetime | None = None,
) -> ContactSession:
    """Cancel a session that hasn't started (or decline a proposed one). Never penalised."""
    now = now or utcnow()
    contact, session = await one(db, me, relationship_id=relationship_id, session_id=session_id)
    if contact.relationship.state == State.ended:
        raise Conflict("Your support has ended, so its sessions are already cancelled.")
    if session.status not in OPEN:
        raise Conflict(f"This session is {session.status}, so it can't be cancelled.")
    if session.start_at <= now:
        raise Conflict("This session has started; mark it held or missed instead.")
    note = clean_note(note)
    await change(
        db,
        session=session,
        allowed=OPEN,
        status=SessionStatus.cancelled,
        cancelled_at=now,
        cancelled_by=me.user_id,
        note_sealed=seal(settings, note, note_context(session.id)),
    )
    other = contact.pair.other.user_id
    await notifications.notify(
        db,
        user_id=other,
        relationship_id=contact.id,
        kind="session_cancelled",
        key=f"session/{session.id}/cancelled",
        actor_id=me.user_id,
        when=local_text_with_zone(session.start_at, contact.other_tz),
        **({"note": "yes"} if note else {}),
    )
    return session


async def record_outcome(
    db: AsyncSession,
    me: Principal,
    *,
    relationship_id: UUID,
    session_id: UUID,
    outcome: Outcome,
    now: datetime | None = None,
) -> ContactSession:
    """Mark a confirmed session that has started as held or missed (either person, once)."""
    now = now or utcnow()
    contact, session = await one(db, me, relationship_id=relationship_id, session_id=session_id)
    if contact.relationship.state not in (State.active, State.paused):
        raise Conflict("Sessions can only be marked while your support is active or paused.")
    if session.status != SessionStatus.confirmed:
        raise Conflict(f"This session is {session.status}; only a confirmed one can be marked.")
    if session.start_at > now:
        raise Conflict("This session hasn't started yet; you can mark it once it has.")
    status = SessionStatus.held if outcome == "held" else SessionStatus.missed
    await change(
        db,
        session=session,
        allowed=(SessionStatus.confirmed,),
        status=status,
        outcome_at=now,
        outcome_by=me.user_id,
    )
    if status == SessionStatus.held:
        await _count_held(db, contact)
        events.session_event(db, contact.relationship, session, "session.held")
        monthly.forget(db, [session.start_at])  # held in a month that may be over
    return session


async def _count_held(db: AsyncSession, contact: Contact) -> None:
    """One more session held: the review point and the planned ending may now be due."""
    relationship = contact.relationship
    await relationships.count_session_held(db, relationship=relationship)
    held, terms = relationship.sessions_held, contact.terms
    people = (relationship.seeker_id, relationship.supporter_id)
    version = relationship.agreed_version
    if review_due(relationship) and held == relationship.review_at_session:
        for person in people:
            await notifications.notify(
                db,
                user_id=person,
                relationship_id=relationship.id,
                kind="review_due",
                key=f"review/{relationship.id}/{version}/{held}",
                number=str(held),
            )
    if terms is not None and held >= terms.sessions_total:
        for person in people:
            await notifications.notify(
                db,
                user_id=person,
                relationship_id=relationship.id,
                kind="sessions_complete",
                key=f"complete/{relationship.id}/{version}/{terms.sessions_total}",
                count=str(terms.sessions_total),
            )
