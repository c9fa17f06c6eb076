"""In-app chat for the two people, inside the agreed contact windows.

A message sent outside the windows is accepted and *held*: ``deliver_at`` is when the next
window opens, and it is timed again whenever another version of the agreement comes into force,
never arriving before one written earlier (``held.py``). A message with contact details the
agreement doesn't allow is kept back until it does (``contact_details.py``). Delivery is
decided whenever anyone reads: the recipient sees a message once ``deliver_at <= now`` and it
was not dropped, so held messages arrive with no background worker, on any replica. The
sender is told when, on their own clock. The recipient is told by a notice (and a push) when
it is first released, by whoever reads first (or ``python -m api.contact sweep``).

While the support is paused nothing new arrives (messages due after the pause began wait
until it is over). When it ends, sending is refused and held messages are dropped: never
delivered. Bodies are sealed with AES-GCM bound to the message's id and never logged.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast
from uuid import UUID

from sqlalchemy import ColumnElement, CursorResult, bindparam, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import and_, col, or_, select

from api.auth.principal import Principal
from api.common import utcnow
from api.config import CrisisResource, Settings
from api.contact import contact_details, daily_limit, held, notifications
from api.contact.common import Contact, load, local_text_with_zone, require_active
from api.contact.models import Message
from api.crypto import seal, unseal
from api.db import fast_rows
from api.errors import Conflict, Invalid
from api.notices import service as notices
from api.paging import Order, Window, page
from api.policies import service as policies
from api.relationships.models import Relationship, RelationshipEvent, State
from api.weekly.occurrences import is_within_windows, next_window_opening

MAX_BODY = 4000
LATEST = 100
Status = Literal["delivered", "held", "kept_back", "not_delivered", "hidden"]
HIDDEN_TEXT = (
    "A coordinator hid this message. Your notices say why, and how to ask for another look."
)


@dataclass(frozen=True)
class ShownMessage:
    id: UUID
    mine: bool
    body: str
    sent_at: datetime
    deliver_at: datetime
    held: bool  # it was sent outside the agreed windows
    status: Status
    read: bool  # mine: the other person has read it; theirs: I have
    delivery_text: str | None  # mine and held: when it arrives, on my clock


@dataclass(frozen=True)
class Conversation:
    contact: Contact
    messages: list[ShownMessage]  # oldest first
    has_more: bool  # more beyond this page, in the direction asked (older, by default)
    open_now: bool  # inside an agreed window right now
    next_opening: datetime | None  # when the next window opens, if not open now
    can_send: bool
    why_not: str | None  # why sending is refused now
    unread: int
    # Outside the agreed times, or something of mine is waiting: the crisis contacts and the
    # safety plan are shown right beside the chat.
    show_crisis: bool
    crisis: list[CrisisResource]  # the service's crisis contacts when show_crisis

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything shown changes; the PWA polls with it, the API's ETag."""
        parts = [f"{m.id}:{m.status}:{m.read}" for m in self.messages]
        parts.append(f"{self.open_now}:{self.can_send}:{self.contact.relationship.state}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


async def cutoff(db: AsyncSession, *, relationship: Relationship, now: datetime) -> datetime:
    """Messages due at or before this moment are delivered (a pause or an ending stops it)."""
    if relationship.state == State.ended and relationship.ended_at is not None:
        return min(now, relationship.ended_at)
    if relationship.state == State.paused:
        # The pause began when the state last became paused (api/safety/pauses.py records
        # its pause at that same moment).
        paused_at = await db.scalar(
            select(func.max(RelationshipEvent.at)).where(
                RelationshipEvent.relationship_id == relationship.id,
                RelationshipEvent.to_state == State.paused,
            )
        )
        if paused_at is not None:
            return min(now, paused_at)
    return now


def due(relationship_id: UUID, until: datetime) -> ColumnElement[bool]:
    return and_(
        Message.relationship_id == relationship_id,
        col(Message.dropped_at).is_(None),
        col(Message.withheld).is_(None),
        col(Message.hidden_at).is_(None),
        Message.deliver_at <= until,
    )


_M = Message.__table__.c  # type: ignore[attr-defined]
# Due (`due(…)`, with parameters) and not yet told: asked on every poll of a conversation.
_DUE_UNTOLD = (
    _M.relationship_id == bindparam("relationship"),
    _M.dropped_at.is_(None),
    _M.withheld.is_(None),
    _M.hidden_at.is_(None),
    _M.deliver_at <= bindparam("until"),
    _M.notified_at.is_(None),
)
_ANY_UNTOLD = sa_select(_M.id).where(*_DUE_UNTOLD).limit(1)
_STALE_OR_UNTOLD = sa_select(held.ANY_STALE.exists(), _ANY_UNTOLD.exists())
# Tell of what is due and not yet told: one statement for both people, built once.
_TELL = (
    update(Message.__table__)  # type: ignore[attr-defined]
    .where(*_DUE_UNTOLD, _M.recipient_id.is_not(None))
    .values(notified_at=bindparam("now"))
    .returning(_M.recipient_id)
)


async def release(
    db: AsyncSession,
    *,
    relationship: Relationship,
    now: datetime,
    seen_by: UUID | None = None,
    retimed: bool = False,
) -> int:
    """Tell each recipient of messages now delivered and not yet told (once, however many
    requests get here together). `seen_by` is reading them right now: no notice for them.
    `retimed`: waiting messages were timed again in this request already."""
    until = await cutoff(db, relationship=relationship, now=now)
    parameters = {
        "relationship": relationship.id,  # (an UPDATE keeps "relationship_id" for its column)
        "relationship_id": relationship.id,
        "current": relationship.agreed_version,
        "until": until,
        "now": now,
    }
    if retimed or relationship.agreed_version is None:
        untold = bool(await fast_rows(db, _ANY_UNTOLD, parameters))
    else:  # both questions in one round trip; anything to retime comes first
        stale, untold = (await fast_rows(db, _STALE_OR_UNTOLD, parameters))[0]
        if stale:
            await held.retime(db, relationship=relationship, known_stale=True)
            untold = bool(await fast_rows(db, _ANY_UNTOLD, parameters))
    if not untold:
        return 0  # the usual case for a poll: no write at all
    told_to = Counter(r[0] for r in (await db.execute(_TELL, parameters)).all())
    told = 0
    for recipient in (relationship.seeker_id, relationship.supporter_id):
        if recipient is not None and told_to[recipient] and recipient != seen_by:
            told += await notifications.notify(
                db,
                user_id=recipient,
                relationship_id=relationship.id,
                kind="message_delivered",
                count=str(told_to[recipient]),
            )
    return told


def status_of(message: Message, until: datetime) -> Status:
    if message.hidden_at is not None:
        return "hidden"
    if message.dropped_at is not None:
        return "not_delivered"
    if message.withheld:
        return "kept_back"
    return "delivered" if message.deliver_at <= until else "held"


def _shown(settings: Settings, contact: Contact, message: Message, until: datetime) -> ShownMessage:
    mine = message.sender_id == contact.pair.me.user_id
    status = status_of(message, until)
    text = None
    if mine and status == "held":
        text = (
            f"Held until {local_text_with_zone(message.deliver_at, contact.my_tz)}, when your "
            f"next agreed contact time opens. {contact.pair.other.display_name} won't see it "
            "or be told about it before then."
        )
    elif mine and status == "kept_back":
        text = contact_details.why_kept_back(
            contact_details.parse_kinds(message.withheld), contact.pair.other.display_name
        )
    elif mine and status == "not_delivered":
        text = "Not delivered: your support ended before its contact time came."
    elif status == "hidden":
        text = HIDDEN_TEXT
    return ShownMessage(
        id=message.id,
        mine=mine,
        # A hidden message's text is never shown again, not even to its sender.
        body=""
        if status == "hidden"
        else unseal(settings, message.body_sealed, message.id.bytes) or "",
        sent_at=message.sent_at,
        deliver_at=message.deliver_at,
        held=message.held,
        status=status,
        read=message.read_at is not None,
        delivery_text=text,
    )


# What one person may see of a conversation: all of theirs, and the other's once delivered.
# Built once with its parameters (every poll of a conversation reads it).
_CONVERSATION = select(Message).where(
    col(Message.relationship_id) == bindparam("relationship_id"),
    or_(
        col(Message.sender_id) == bindparam("me"),
        and_(
            col(Message.recipient_id) == bindparam("me"),
            col(Message.dropped_at).is_(None),
            col(Message.withheld).is_(None),
            col(Message.hidden_at).is_(None),
            col(Message.deliver_at) <= bindparam("until"),
        ),
    ),
)
_IN_ORDER = Order(col(Message.sent_at), col(Message.id), descending=False)


def _sending(contact: Contact) -> tuple[bool, str | None]:
    try:
        terms = require_active(contact, "send messages")
    except Conflict as refused:
        return False, refused.detail
    if "chat" not in terms.channels:
        return False, (
            "In-app chat isn't one of the ways you agreed to be in contact. Either of you can "
            "propose a change to your agreement to add it."
        )
    return True, None


async def conversation(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    window: Window = Window(limit=LATEST),
    now: datetime | None = None,
) -> Conversation:
    """The latest messages I may see (or the page the window asks for, oldest first): all of
    mine (held ones say until when), and theirs once delivered. Reading releases what has
    become due (see the module's docstring)."""
    now = now or utcnow()
    contact = await load(db, me, relationship_id)
    relationship = contact.relationship
    await release(db, relationship=relationship, now=now, seen_by=me.user_id)
    until = await cutoff(db, relationship=relationship, now=now)
    found = await page(
        db,
        _CONVERSATION,
        _IN_ORDER,
        window,
        anchor=lambda cursor: _CONVERSATION.with_only_columns(col(Message.sent_at)).where(
            col(Message.id) == cursor
        ),
        from_end=True,
        parameters={"relationship_id": relationship.id, "me": me.user_id, "until": until},
    )
    shown = [_shown(settings, contact, m, until) for (m,) in found.items]
    can_send, why_not = _sending(contact)
    if can_send:
        mine = await daily_limit.allowance(db, contact, sender_id=me.user_id, now=now)
        if mine.reached:
            can_send, why_not = False, daily_limit.why_not(contact, mine)
    terms = contact.terms
    live = relationship.state in (State.active, State.paused)
    # Only active support has contact times: paused or ended, it is never "a contact time now".
    active = relationship.state == State.active
    open_now = bool(active and terms and is_within_windows(now, terms.windows, terms.timezone))
    opening = None
    if active and terms and not open_now:
        opening = next_window_opening(now, terms.windows, terms.timezone)
    show_crisis = live and (not open_now or any(m.status == "held" for m in shown))
    return Conversation(
        contact=contact,
        messages=shown,
        has_more=found.has_more,
        open_now=open_now,
        next_opening=opening,
        can_send=can_send,
        why_not=why_not,
        unread=sum(1 for m in shown if not m.mine and not m.read),
        show_crisis=show_crisis,
        crisis=await policies.crisis_resources(db, settings) if show_crisis else [],
    )


def clean_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid.field("body", "Write a message first.")
    if len(body) > MAX_BODY:
        raise Invalid.field("body", f"Please keep a message under {MAX_BODY} characters.")
    return body


async def send(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    body: str,
    now: datetime | None = None,
) -> tuple[Contact, ShownMessage]:
    """Send a message: delivered now inside an agreed window, otherwise held until the next."""
    now = now or utcnow()
    contact = await load(db, me, relationship_id)
    allowed, why_not = _sending(contact)
    if not allowed:
        raise Conflict(why_not)
    terms = contact.terms
    assert terms is not None
    text = clean_body(body)
    await daily_limit.check(db, contact, sender_id=me.user_id, now=now)
    await held.retime(db, relationship=contact.relationship)  # earlier ones first, on today's terms
    deliver_at = await held.release_time(db, relationship_id=contact.id, terms=terms, now=now)
    kept = contact_details.kept_back(terms, text)
    message = Message(
        relationship_id=contact.id,
        sender_id=me.user_id,
        recipient_id=contact.pair.other.user_id,
        body_sealed=b"",
        sent_at=now,
        deliver_at=deliver_at,
        held=deliver_at > now,
        windows_version=contact.relationship.agreed_version,
        withheld=",".join(kept) or None,
    )
    message.body_sealed = seal(settings, text, message.id.bytes) or b""
    db.add(message)
    await db.flush()
    if not message.held and not message.withheld:
        await release(db, relationship=contact.relationship, now=now, retimed=True)
    return contact, _shown(settings, contact, message, now)


async def mark_read(
    db: AsyncSession,
    me: Principal,
    *,
    relationship_id: UUID,
    up_to: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """I have read the other person's delivered messages (sent up to `up_to`, or all)."""
    now = now or utcnow()
    contact = await load(db, me, relationship_id)
    until = await cutoff(db, relationship=contact.relationship, now=now)
    mine = due(contact.id, until) & (Message.recipient_id == me.user_id)
    if up_to is not None:
        mine = mine & (Message.sent_at <= up_to)
    read = cast(
        CursorResult[Any],
        await db.execute(
            update(Message)
            .where(mine, col(Message.read_at).is_(None))
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    await db.execute(
        update(Message)
        .where(mine, col(Message.notified_at).is_(None))
        .values(notified_at=now)
        .execution_options(synchronize_session=False)
    )
    await notices.mark_kind_read(
        db, me, relationship_id=contact.id, kind="message_delivered", at=now
    )
    return read.rowcount


async def drop_held(db: AsyncSession, *, relationship: Relationship) -> None:
    """The support has ended: held messages are never delivered (``upkeep.stop_contact``)."""
    now = utcnow()
    await db.execute(
        update(Message)
        .where(
            col(Message.relationship_id) == relationship.id,
            col(Message.deliver_at) > now,
            col(Message.dropped_at).is_(None),
        )
        .values(dropped_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class SafeguardedMessage:
    id: UUID
    sender_role: str | None  # None once the sender's account is gone (their messages go too)
    body: str
    sent_at: datetime
    deliver_at: datetime
    held: bool
    status: Status


async def for_safeguarding(
    db: AsyncSession, *, settings: Settings, relationship: Relationship
) -> list[SafeguardedMessage]:
    """Every message of a relationship, held and undelivered ones too. Only for a safeguarding
    read: api/safety/safeguarding.py checks and audits the access before it calls this."""
    relationship_id = relationship.id
    roles = {relationship.seeker_id: "seeker", relationship.supporter_id: "supporter"}
    until = await cutoff(db, relationship=relationship, now=utcnow())
    rows = await db.scalars(
        select(Message)
        .where(Message.relationship_id == relationship_id)
        .order_by(col(Message.sent_at), col(Message.id))
    )
    return [
        SafeguardedMessage(
            id=m.id,
            sender_role=roles.get(m.sender_id),
            body=unseal(settings, m.body_sealed, m.id.bytes) or "",
            sent_at=m.sent_at,
            deliver_at=m.deliver_at,
            held=m.held,
            status=status_of(m, until),
        )
        for m in rows.all()
    ]
