"""What people are told about contact: one in-app list (api/notices), and a Web Push to their
devices where they allowed it.

Notices store a kind and a few plain values (a time already on the reader's clock, a channel,
a count), never free text or anyone's name; they are worded when read (api/notices/wording.py).

Some notices follow from time passing rather than from anyone's action: a held message whose
window has opened, a session starting within a day, an introduction or a proposal waiting for
an answer. No background worker makes them. They are *materialised* when someone reads
(``bring_up_to_date``, also run by ``python -m api.contact sweep`` for people who aren't looking),
each with an id derived from what it is about, inserted with ON CONFLICT DO NOTHING: however
many replicas or requests get there at once, each is made exactly once.
"""

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.contact.common import channel_words, local_text_with_zone, zone_of
from api.contact.models import ContactSession, SessionStatus
from api.notices import service as notices
from api.notices.models import NoticePreference
from api.profiles.models import Profile
from api.relationships.agreements import EDITABLE_STATES
from api.relationships.models import AgreementVersion, Relationship, State, VersionStatus

REMIND_BEFORE = timedelta(hours=24)  # unless the person chose another time
REMIND_AT_MOST = timedelta(days=7)  # the longest anyone can choose
INTRODUCTION_CLOSING = timedelta(hours=12)


# What a push says on a lock screen: never a name, never content (phones are shared).
PUSH_TEXT = {
    "message_delivered": "You have a new message.",
    "session_proposed": "A session is waiting for your answer.",
    "session_rescheduled": "A session is waiting for your answer.",
    "session_confirmed": "A session is confirmed.",
    "session_reminder": "You have a session coming up.",
    "introduction_received": "Someone would like you to support them.",
    "introduction_expiring": "An introduction is waiting for your answer.",
    "proposal_to_review": "Proposed terms are waiting for you.",
    "introduction_accepted": "There's news about your introduction.",
    "match_proposed": "There's news about your request for support.",
    "introduction_not_available": "There's news about your introduction.",
}
PUSH_DEFAULT = "There's something new for you."


async def notify(
    db: AsyncSession,
    *,
    user_id: UUID | None,
    relationship_id: UUID,
    kind: str,
    key: str | None = None,
    actor_id: UUID | None = None,
    **params: str,
) -> bool:
    """Tell one person; with a `key`, at most once ever. True when a notice was made.

    Pushes and e-mails follow through the one pipeline (api/notices/delivery.py), unless they
    did it themselves.
    """
    tell = notices.notify if user_id != actor_id else notices.notify_in_app
    return await tell(
        db, user_id=user_id, relationship_id=relationship_id, kind=kind, key=key, **params
    )


async def zones(db: AsyncSession, *, user_ids: set[UUID]) -> dict[UUID, str]:
    """Each person's own time zone from their profile (known zones only)."""
    rows = await db.execute(
        select(Profile.user_id, Profile.timezone).where(col(Profile.user_id).in_(user_ids))
    )
    return {uid: zone_of(tz, None) for uid, tz in rows.all()}


# ---- notices that follow from time passing ----------------------------------------------------


async def _remind_before(db: AsyncSession, people: set[UUID]) -> dict[UUID, timedelta]:
    """How long before a session each person wants reminding (their notification settings)."""
    rows = await db.execute(
        select(NoticePreference.user_id, NoticePreference.remind_before_minutes).where(
            col(NoticePreference.user_id).in_(people)
        )
    )
    chosen = {uid: timedelta(minutes=minutes) for uid, minutes in rows.all()}
    return {uid: chosen.get(uid, REMIND_BEFORE) for uid in people}


async def remind(db: AsyncSession, *, now: datetime, user_id: UUID | None = None) -> int:
    """Remind both people of each confirmed session, as long before as each chose (a day
    unless they changed it); once per time, and never if they turned these reminders off."""
    query = (
        select(ContactSession, Relationship.seeker_id, Relationship.supporter_id)
        .join(Relationship, col(Relationship.id) == ContactSession.relationship_id)
        .where(
            ContactSession.status == SessionStatus.confirmed,
            ContactSession.start_at > now,
            ContactSession.start_at <= now + REMIND_AT_MOST,
            Relationship.state == State.active,
        )
    )
    if user_id is not None:
        query = query.where(
            or_(Relationship.seeker_id == user_id, Relationship.supporter_id == user_id)
        )
    rows = (await db.execute(query)).all()
    people = {uid for _, *pair in rows for uid in pair if uid is not None}
    clocks = await zones(db, user_ids=people)
    before = await _remind_before(db, people)
    made = 0
    for session, *pair in rows:
        for person in pair:
            if person is None or (user_id is not None and person != user_id):
                continue
            if session.start_at - now > before[person]:
                continue
            made += await notify(
                db,
                user_id=person,
                relationship_id=session.relationship_id,
                kind="session_reminder",
                key=f"reminder/{session.id}/{session.start_at.isoformat()}",
                when=local_text_with_zone(
                    session.start_at, clocks.get(person, zone_of(None, None))
                ),
                channel=channel_words(session.channel),
            )
    return made


async def closing_introductions(
    db: AsyncSession, *, now: datetime, user_id: UUID | None = None
) -> int:
    """Tell a supporter once when an introduction to them closes within 12 hours unanswered."""
    query = select(Relationship.id, Relationship.supporter_id, Relationship.expires_at).where(
        Relationship.state == State.introduced,
        col(Relationship.expires_at) > now,
        col(Relationship.expires_at) <= now + INTRODUCTION_CLOSING,
    )
    if user_id is not None:
        query = query.where(Relationship.supporter_id == user_id)
    rows = (await db.execute(query)).all()
    clocks = await zones(db, user_ids={s for _, s, _ in rows if s is not None})
    made = 0
    for relationship_id, supporter_id, expires_at in rows:
        if supporter_id is None or expires_at is None:
            continue
        made += await notify(
            db,
            user_id=supporter_id,
            relationship_id=relationship_id,
            kind="introduction_expiring",
            key=f"introduction-closing/{relationship_id}",
            when=local_text_with_zone(expires_at, clocks.get(supporter_id, zone_of(None, None))),
        )
    return made


async def waiting_answers(db: AsyncSession, *, user_id: UUID | None = None) -> int:
    """Introductions and proposed terms waiting for an answer: each person told once."""
    made = 0
    introductions = select(Relationship.id, Relationship.supporter_id).where(
        Relationship.state == State.introduced
    )
    if user_id is not None:
        introductions = introductions.where(Relationship.supporter_id == user_id)
    for relationship_id, supporter_id in (await db.execute(introductions)).all():
        made += await notify(
            db,
            user_id=supporter_id,
            relationship_id=relationship_id,
            kind="introduction_received",
            key=f"introduction/{relationship_id}",
        )
    proposals = (
        sa_select(
            col(AgreementVersion.relationship_id),
            col(AgreementVersion.number),
            col(AgreementVersion.proposed_by),
            col(Relationship.seeker_id),
            col(Relationship.supporter_id),
        )
        .join(Relationship, col(Relationship.id) == AgreementVersion.relationship_id)
        .where(
            col(AgreementVersion.status) == VersionStatus.pending,
            col(Relationship.state).in_(EDITABLE_STATES),
        )
    )
    if user_id is not None:
        proposals = proposals.where(
            or_(Relationship.seeker_id == user_id, Relationship.supporter_id == user_id)
        )
    for relationship_id, number, proposer, seeker, supporter in (await db.execute(proposals)).all():
        answerer = supporter if proposer == seeker else seeker
        if answerer is None or (user_id is not None and answerer != user_id):
            continue
        made += await notify(
            db,
            user_id=answerer,
            relationship_id=relationship_id,
            kind="proposal_to_review",
            key=f"proposal/{relationship_id}/{number}",
            number=str(number),
        )
    return made
