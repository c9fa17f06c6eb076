"""Sessions and messages for the two people in a relationship (anyone else gets 404).

Routes are thin: parse, call one service function, shape the answer. Notices made on the way
are pushed to people's devices after the transaction commits (a background task).
"""

from datetime import datetime
from typing import Annotated, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Path, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.deps import CurrentPrincipal
from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.contact import messages, rules, sessions
from api.contact.common import Contact, local_text_with_zone
from api.contact.models import ContactSession
from api.contact.rules import Counts, open_slots, windows_text
from api.contact.schemas import (
    CancelIn,
    ContactOut,
    ConversationOut,
    CountsOut,
    MessageIn,
    MessageOut,
    OutcomeIn,
    ReadIn,
    RescheduleIn,
    SessionIn,
    SessionOut,
    SessionsOut,
    SessionStatusName,
    SlotOut,
    SlotsOut,
    conversation_out,
    message_out,
)
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep
from api.errors import problem_response_docs
from api.paging import page_of
from api.relationships.models import State
from api.relationships.review import review_due
from api.relationships.terms import Channel

router = APIRouter(tags=["sessions and messages"])
RelationshipId = Annotated[UUID, Path(description="The relationship's id")]
SessionId = Annotated[UUID, Path(description="The session's id")]
BASE = "/relationships/{relationship_id}"
REFUSALS = problem_response_docs(409, 422)
ETAG = {"ETag": {"description": "Send back as If-None-Match to poll", "schema": {"type": "string"}}}


# ---- shaping -------------------------------------------------------------------------------
def session_out(
    settings: Settings, contact: Contact, session: ContactSession, now: datetime
) -> SessionOut:
    pair = contact.pair
    return SessionOut(
        id=session.id,
        status=cast(SessionStatusName, session.status),
        start_at=session.start_at,
        end_at=rules.end_of(session),
        minutes=session.minutes,
        channel=cast(Channel, session.channel),
        proposed_by=pair.role_of(session.proposed_by),
        proposed_by_me=session.proposed_by == pair.me.user_id,
        local_start=local_text_with_zone(session.start_at, contact.my_tz),
        created_at=session.created_at,
        confirmed_at=session.confirmed_at,
        cancelled_at=session.cancelled_at,
        cancelled_by=pair.role_of(session.cancelled_by),
        note=sessions.note_of(settings, session),
        outcome_at=session.outcome_at,
        can=rules.can(contact, session, now),
    )


def counts_out(contact: Contact, counts: Counts) -> CountsOut:
    return CountsOut(**counts.__dict__, review_due=review_due(contact.relationship))


# ---- at a glance ---------------------------------------------------------------------------
@router.get(f"{BASE}/contact", response_model=ContactOut)
async def get_contact(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> ContactOut:
    """The next session, sessions held of agreed, contact times on my clock, unread messages."""
    now = utcnow()
    found = await sessions.sessions_of(db, me, relationship_id=relationship_id, now=now)
    chat = await messages.conversation(
        db, me, settings=settings, relationship_id=relationship_id, now=now
    )
    contact, terms = found.contact, found.contact.terms
    nxt = found.next_session
    today = now.astimezone(ZoneInfo(contact.my_tz)).date()
    return ContactOut(
        relationship_id=contact.id,
        state=State(contact.relationship.state),
        timezone=contact.my_tz,
        contact_times_text=windows_text(terms, contact.my_tz, today) if terms else None,
        channels=list(terms.channels) if terms else [],
        session_minutes=terms.session_minutes if terms else None,
        max_sessions_per_week=terms.max_sessions_per_week if terms else None,
        counts=counts_out(contact, found.counts),
        next_session=session_out(settings, contact, nxt, now) if nxt else None,
        waiting_for_me=[session_out(settings, contact, s, now) for s in found.waiting_for_me],
        open_now=chat.open_now,
        next_opening=chat.next_opening,
        next_opening_text=conversation_out(chat).next_opening_text,
        unread_messages=chat.unread,
    )


# ---- sessions ------------------------------------------------------------------------------


@router.get(f"{BASE}/sessions", response_model=SessionsOut)
async def list_sessions(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    window: PageDep,
    period: PeriodDep,
) -> SessionsOut:
    """Sessions by start time, a page at a time (the period picks by start), with counts."""
    found = await sessions.sessions_of(db, me, relationship_id=relationship_id)
    contact = found.contact
    starting = [s for s in found.sessions if period.holds(s.start_at)]
    shown = page_of(starting, window, id_of=lambda s: s.id)
    return SessionsOut(
        timezone=contact.my_tz,
        counts=counts_out(contact, found.counts),
        sessions=[session_out(settings, contact, s, found.now) for s in shown.items],
        has_more=shown.has_more,
    )


@router.get(f"{BASE}/sessions/slots", response_model=SlotsOut)
async def session_slots(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep, days: int = 21
) -> SlotsOut:
    """Start times that can be proposed now (inside the windows, within every limit)."""
    found = await sessions.sessions_of(db, me, relationship_id=relationship_id)
    contact, terms = found.contact, found.contact.terms
    if terms is None or contact.relationship.state != "active":
        return SlotsOut(timezone=contact.my_tz, minutes=0, slots=[])
    starts = open_slots(
        terms,
        sessions=found.sessions,
        sessions_held=contact.relationship.sessions_held,
        now=found.now,
        days=max(1, min(days, 56)),
    )
    return SlotsOut(
        timezone=contact.my_tz,
        minutes=terms.session_minutes,
        slots=[
            SlotOut(start_at=s, local_start=local_text_with_zone(s, contact.my_tz)) for s in starts
        ],
    )


@router.post(
    f"{BASE}/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionOut,
    responses=REFUSALS,
)
async def propose_session(
    relationship_id: RelationshipId,
    body: SessionIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> SessionOut:
    """Propose a session; the other person confirms it or suggests another time.

    Refused with every reason that applies (422, `session-refused`, one entry per reason):
    outside the agreed contact times, a channel not agreed, over the weekly limit, beyond the
    agreed number, in the past, overlapping another session; 409 unless the relationship is
    active.
    """
    session = await sessions.propose(
        db, me, relationship_id=relationship_id, start_at=body.start_at, channel=body.channel
    )
    contact, _ = await sessions.one(db, me, relationship_id=relationship_id, session_id=session.id)
    response.headers["Location"] = f"/api/v1/relationships/{relationship_id}/sessions/{session.id}"
    return session_out(settings, contact, session, utcnow())


@router.get(f"{BASE}/sessions/{{session_id}}", response_model=SessionOut)
async def get_session(
    relationship_id: RelationshipId,
    session_id: SessionId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> SessionOut:
    """One session, with what I can do about it now."""
    contact, session = await sessions.one(
        db, me, relationship_id=relationship_id, session_id=session_id
    )
    return session_out(settings, contact, session, utcnow())


async def _after(
    db: AsyncSession,
    me: Principal,
    relationship_id: UUID,
    session: ContactSession,
    settings: Settings,
) -> SessionOut:
    contact, session = await sessions.one(
        db, me, relationship_id=relationship_id, session_id=session.id
    )
    return session_out(settings, contact, session, utcnow())


@router.post(
    f"{BASE}/sessions/{{session_id}}/confirm", response_model=SessionOut, responses=REFUSALS
)
async def confirm_session(
    relationship_id: RelationshipId,
    session_id: SessionId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> SessionOut:
    """Confirm the time the other person proposed (checked again against the terms in force)."""
    session = await sessions.confirm(db, me, relationship_id=relationship_id, session_id=session_id)
    return await _after(db, me, relationship_id, session, settings)


@router.post(
    f"{BASE}/sessions/{{session_id}}/reschedule", response_model=SessionOut, responses=REFUSALS
)
async def reschedule_session(
    relationship_id: RelationshipId,
    session_id: SessionId,
    body: RescheduleIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> SessionOut:
    """Suggest another time: the session is proposed again, by me, for the other to confirm."""
    session = await sessions.reschedule(
        db,
        me,
        relationship_id=relationship_id,
        session_id=session_id,
        start_at=body.start_at,
        channel=body.channel,
    )
    return await _after(db, me, relationship_id, session, settings)


@router.post(
    f"{BASE}/sessions/{{session_id}}/cancel", response_model=SessionOut, responses=REFUSALS
)
async def cancel_session(
    relationship_id: RelationshipId,
    session_id: SessionId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    body: CancelIn | None = None,
) -> SessionOut:
    """Cancel (or decline) a session that hasn't started. Never penalised; a note is optional."""
    note = body.note if body else None
    session = await sessions.cancel(
        db, me, settings=settings, relationship_id=relationship_id, session_id=session_id, note=note
    )
    return await _after(db, me, relationship_id, session, settings)


@router.post(
    f"{BASE}/sessions/{{session_id}}/outcome", response_model=SessionOut, responses=REFUSALS
)
async def record_outcome(
    relationship_id: RelationshipId,
    session_id: SessionId,
    body: OutcomeIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> SessionOut:
    """Once it has started: was it held or missed? Held ones count towards the agreed number;
    the review point and the planned ending follow from that count."""
    session = await sessions.record_outcome(
        db, me, relationship_id=relationship_id, session_id=session_id, outcome=body.outcome
    )
    return await _after(db, me, relationship_id, session, settings)


# ---- messages ------------------------------------------------------------------------------


@router.get(
    f"{BASE}/messages",
    response_model=ConversationOut,
    responses={200: {"headers": ETAG}, 304: {"description": "Nothing changed since the ETag"}},
)
async def get_messages(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    response: Response,
    window: PageDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> ConversationOut | Response:
    """The latest messages I may see: mine (held ones say until when) and the other person's
    once delivered, oldest first. Page back with `ending_before` (the first message's id).
    Poll with If-None-Match: 304 when nothing changed."""
    found = await messages.conversation(
        db, me, settings=settings, relationship_id=relationship_id, window=window
    )
    tag = f'"{found.fingerprint}"'
    if if_none_match and tag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return conversation_out(found)


@router.post(
    f"{BASE}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses=REFUSALS,
)
async def send_message(
    relationship_id: RelationshipId,
    body: MessageIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> MessageOut:
    """Send a message. Inside the agreed contact times it is delivered at once; outside them
    it is held, and `delivery_text` says when it will arrive, on my clock. 409 unless the
    relationship is active with in-app chat agreed."""
    _, sent = await messages.send(
        db, me, settings=settings, relationship_id=relationship_id, body=body.body
    )
    return message_out(sent)


@router.post(f"{BASE}/messages/read", status_code=status.HTTP_204_NO_CONTENT)
async def read_messages(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    body: ReadIn | None = None,
) -> None:
    """I have read the other person's delivered messages (up to a moment, or all)."""
    await messages.mark_read(
        db, me, relationship_id=relationship_id, up_to=body.up_to if body else None
    )
