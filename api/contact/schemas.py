"""What the contact API takes and sends: sessions, messages, calendar feeds, push."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.config import CrisisResource
from api.contact.common import local_text_with_zone
from api.contact.messages import MAX_BODY, Conversation, ShownMessage
from api.contact.rules import SessionAction
from api.contact.sessions import MAX_NOTE
from api.relationships.models import State
from api.relationships.terms import Channel, Person

SAFETY_PLAN_URL = "/safety-plan"

SessionStatusName = Literal["proposed", "confirmed", "cancelled", "held", "missed"]

_AT = "2027-03-30T18:00:00Z"
_SESSION = {
    "id": "5f0c7a52-8a0e-4d7b-a3a4-0b3c8d6f1e21",
    "status": "confirmed",
    "start_at": _AT,
    "end_at": "2027-03-30T18:45:00Z",
    "minutes": 45,
    "channel": "video",
    "proposed_by": "supporter",
    "proposed_by_me": False,
    "local_start": "Tue 30 Mar, 19:00 (London time)",
    "created_at": "2027-03-20T09:00:00Z",
    "confirmed_at": "2027-03-20T12:00:00Z",
    "cancelled_at": None,
    "cancelled_by": None,
    "note": None,
    "outcome_at": None,
    "can": ["reschedule", "cancel"],
}
_COUNTS = {
    "agreed": 6,
    "held": 2,
    "booked": 1,
    "remaining": 3,
    "planned_ending": False,
    "review_due": False,
}
_MESSAGE = {
    "id": "9d1e3c55-2a5b-4d1b-8f2e-6c7d8e9f0a1b",
    "mine": True,
    "body": "Thank you for today.",
    "sent_at": "2027-03-30T23:10:00Z",
    "deliver_at": "2027-04-01T18:00:00Z",
    "held": True,
    "status": "held",
    "read": False,
    "delivery_text": "Held until Thu 1 Apr, 19:00 (London time), when your next agreed "
    "contact time opens. Bob won't see it or be told about it before then.",
}


def _example(example: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


# ---- sessions ------------------------------------------------------------------------------


class SessionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"start_at": _AT, "channel": "video"}]}
    )

    start_at: AwareDatetime = Field(description="With its offset; the length is the agreed one")
    channel: Channel


class RescheduleIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"start_at": "2027-01-12T19:00:00Z", "channel": "video"}]},
        extra="forbid",
    )

    start_at: AwareDatetime
    channel: Channel | None = Field(default=None, description="Unchanged when left out")


class CancelIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "Something came up, sorry."}]}, extra="forbid"
    )

    note: str | None = Field(
        default=None,
        max_length=MAX_NOTE,
        description="Optional, for the other person; no reason is ever needed",
    )


class OutcomeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome": "held"}]}, extra="forbid")

    outcome: Literal["held", "missed"]


class SessionOut(BaseModel):
    model_config = _example(_SESSION)

    id: UUID
    status: SessionStatusName
    start_at: datetime
    end_at: datetime
    minutes: int
    channel: Channel
    proposed_by: Person | None = Field(description="Who proposed the time on the table")
    proposed_by_me: bool
    local_start: str = Field(description="The start on my own clock, with my time zone")
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: Person | None = Field(description="null when cancelled because support ended")
    note: str | None = Field(description="The note left when it was cancelled, if any")
    outcome_at: datetime | None
    can: list[SessionAction] = Field(description="What I may do with it now")


class CountsOut(BaseModel):
    model_config = _example(_COUNTS)

    agreed: int = Field(description="Sessions in the agreement in force")
    held: int
    booked: int = Field(description="Confirmed, not yet marked held or missed")
    remaining: int = Field(description="Still to arrange")
    planned_ending: bool = Field(
        description="Every agreed session is held: both are invited to close their support "
        "(POST …/complete) or agree more sessions in a new version of the agreement"
    )
    review_due: bool = Field(description="The agreed review point is reached")


class SessionsOut(BaseModel):
    timezone: str = Field(description="My time zone: the one local_start uses")
    counts: CountsOut
    sessions: list[SessionOut] = Field(description="By start time, a page at a time")
    has_more: bool = Field(
        description="More sessions lie beyond this page: pass the last session's id as "
        "starting_after (or the first's as ending_before)"
    )


class SlotOut(BaseModel):
    start_at: datetime
    local_start: str


class SlotsOut(BaseModel):
    timezone: str
    minutes: int = Field(description="The agreed session length")
    slots: list[SlotOut] = Field(description="Start times that can be proposed now")


class ContactOut(BaseModel):
    """A relationship's contact at a glance: the next session, the counts, the chat."""

    relationship_id: UUID
    state: State
    timezone: str = Field(description="My time zone: every *_text is on this clock")
    contact_times_text: str | None = Field(description="The agreed windows on my clock")
    channels: list[Channel]
    session_minutes: int | None
    max_sessions_per_week: int | None
    counts: CountsOut
    next_session: SessionOut | None
    waiting_for_me: list[SessionOut] = Field(description="Proposed by the other person")
    open_now: bool = Field(description="Inside an agreed contact window right now")
    next_opening: datetime | None
    next_opening_text: str | None
    unread_messages: int


# ---- messages ------------------------------------------------------------------------------


class MessageIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "Thank you for today."}]}
    )

    body: str = Field(min_length=1, max_length=MAX_BODY)


class MessageOut(BaseModel):
    model_config = _example(_MESSAGE)

    id: UUID
    mine: bool
    body: str
    sent_at: datetime
    deliver_at: datetime = Field(description="When it reaches (or reached) the other person")
    held: bool = Field(description="Sent outside the agreed contact times")
    status: Literal["delivered", "held", "kept_back", "not_delivered", "hidden"]
    read: bool
    delivery_text: str | None = Field(description="For my held messages: when, on my clock")


class ConversationOut(BaseModel):
    messages: list[MessageOut] = Field(
        description="The latest (or the page asked for with ending_before / starting_after), "
        "oldest first"
    )
    has_more: bool = Field(
        description="More messages lie beyond this page in the direction asked: older ones by "
        "default and with ending_before (pass the first message's id), newer ones with "
        "starting_after (pass the last's)"
    )
    open_now: bool
    next_opening: datetime | None
    next_opening_text: str | None
    can_send: bool
    why_not: str | None = Field(description="Why sending is refused now")
    unread: int
    crisis_resources: list[CrisisResource] = Field(
        description="Outside the agreed contact times, or while a message of mine is held: "
        "who to reach straight away if I'm not safe (empty otherwise)"
    )
    safety_plan_url: str | None = Field(description="My own safety plan, shown with them")


def message_out(message: ShownMessage) -> MessageOut:
    return MessageOut(**message.__dict__)


def conversation_out(found: Conversation) -> ConversationOut:
    opening = found.next_opening
    return ConversationOut(
        messages=[message_out(m) for m in found.messages],
        has_more=found.has_more,
        open_now=found.open_now,
        next_opening=opening,
        next_opening_text=local_text_with_zone(opening, found.contact.my_tz) if opening else None,
        can_send=found.can_send,
        why_not=found.why_not,
        unread=found.unread,
        crisis_resources=found.crisis,
        safety_plan_url=SAFETY_PLAN_URL if found.crisis else None,
    )


class ReadIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"up_to": "2027-01-12T19:30:00Z"}]}, extra="forbid"
    )

    up_to: AwareDatetime | None = Field(
        default=None, description="Messages sent up to this moment; all when left out"
    )


class SafeguardedMessageOut(BaseModel):
    id: UUID
    sender: Person | None
    body: str
    sent_at: datetime
    deliver_at: datetime
    held: bool
    status: Literal["delivered", "held", "kept_back", "not_delivered", "hidden"]


# ---- calendar and push ---------------------------------------------------------------------


class CalendarFeedOut(BaseModel):
    live: bool
    created_at: datetime | None


class CalendarFeedCreated(BaseModel):
    url: str = Field(description="Shown once: keep it private. Make a new one to replace it.")
    created_at: datetime


class PushKeyOut(BaseModel):
    public_key: str = Field(description="applicationServerKey for PushManager.subscribe")


class PushKeys(BaseModel):
    p256dh: str = Field(max_length=128)
    auth: str = Field(max_length=64)


class PushSubscriptionIn(BaseModel):
    """A browser's PushSubscription.toJSON()."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh",
                    "keys": {
                        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u"
                        "-Ts1XbjhazAkj7I99e8QcYP7DkM",
                        "auth": "tBHItJI5svbpez7KI4CCXg",
                    },
                }
            ]
        }
    )

    endpoint: str = Field(max_length=1024)
    keys: PushKeys
    expirationTime: int | None = None


class PushSubscriptionOut(BaseModel):
    id: UUID
    service: str = Field(description="The push service's host (the endpoint stays private)")
    created_at: datetime
    last_sent_at: datetime | None
