"""The demo's relationships, one in every state, so a newcomer and a coordinator see a living
service at once: Uma's introduction waits for Chen's answer, Vic and Ben are agreeing terms,
Sam and Amara are active (a session held, one booked, messages), Wren and Dana have paused,
and Xan's support with Eli came to its planned end.

Rows are written directly, as the demo's people are (api/demo.py), with the same sealing and
the same shapes the services write; the loader runs once.
"""

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.auth.models import User
from api.common import utcnow
from api.config import Settings
from api.contact.models import ContactSession, Message, SessionStatus
from api.crypto import seal
from api.matching.models import RequestStatus, SupportRequest
from api.relationships.models import (
    AgreementConsent,
    EndKind,
    Relationship,
    RelationshipEvent,
    State,
    VersionStatus,
)
from api.relationships.sealed_topics import new_version
from api.relationships.terms import AgreementTerms
from api.safety.models import Pause
from api.supporters.models import SupporterOffer

EVENINGS = [{"weekday": d, "start": "18:00", "end": "21:30"} for d in (0, 1, 2, 3)]
# More seekers, in api.demo's shape: (email, name, pronouns, zone, languages, channels,
# availability, experiences as (taxonomy slug, stage, own words or None)).
SEEKERS = [
    (
        "wren@demo.kindred",
        "Wren",
        "they/them",
        "Europe/London",
        ["en"],
        ["chat", "video"],
        EVENINGS,
        [("anxiety", "going_through", "Panic on the bus most mornings since the winter.")],
    ),
    (
        "xan@demo.kindred",
        "Xan",
        "he/him",
        "Europe/London",
        ["en"],
        ["chat", "video"],
        EVENINGS,
        [("loss-of-a-parent", "further_along", None)],
    ),
]
WHY = ["You both have experience of losing a parent", "Your evenings overlap"]
MESSAGES = [
    ("seeker", "Hi Amara, thank you for Tuesday. The bit about small routines stayed with me."),
    ("supporter", "I'm really glad, Sam. How did the week go with the morning walk?"),
    ("seeker", "Managed three out of five. Looking forward to next week."),
]


def _terms(today: date, weeks: int = 8) -> dict:
    return AgreementTerms.model_validate(
        {
            "windows": [{"weekday": d, "start": "18:00", "end": "21:00"} for d in (0, 1, 2, 3)],
            "timezone": "Europe/London",
            "channels": ["chat", "video"],
            "sessions_total": 6,
            "session_minutes": 45,
            "max_sessions_per_week": 1,
            "review_after_session": 3,
            "planned_end_date": (today + timedelta(weeks=weeks)).isoformat(),
            "acknowledgements": {
                "confidentiality_and_exception": True,
                "not_a_crisis_service": True,
            },
        }
    ).model_dump(mode="json")


def _evening(weeks: int, weekday: int = 1) -> datetime:
    """19:00 UTC on a weekday, ``weeks`` weeks from this one (inside the London windows)."""
    now = utcnow().replace(hour=19, minute=0, second=0, microsecond=0)
    return now + timedelta(days=(weekday - now.weekday()) % 7 + 7 * weeks)


async def _pair(
    db: AsyncSession,
    seeker: User,
    supporter: User,
    *,
    state: State,
    path: tuple[State, ...],
    tag_ids: list[int],
    started: datetime,
) -> Relationship:
    asked = started - timedelta(days=2)  # they asked a little before they were introduced
    request = SupportRequest(
        seeker_id=seeker.id,
        tag_ids=tag_ids,
        status=RequestStatus.introduced if state == State.introduced else RequestStatus.matched,
        created_at=asked,
        updated_at=asked,
    )
    db.add(request)
    await db.flush()
    relationship = Relationship(
        seeker_id=seeker.id,
        supporter_id=supporter.id,
        request_id=request.id,
        state=state,
        score=0.82,
        reasons=WHY,
        created_at=started,
        expires_at=started + timedelta(days=7) if state == State.introduced else None,
        answered_at=None if state == State.introduced else started + timedelta(days=1),
    )
    db.add(relationship)
    await db.flush()
    before: State | None = None
    for i, step in enumerate(path):
        actor = seeker.id if step in (State.introduced, State.active) else supporter.id
        at = started + timedelta(days=i)
        db.add(
            RelationshipEvent(
                relationship_id=relationship.id,
                actor_id=actor,
                from_state=before,
                to_state=step,
                at=at,
            )
        )
        before = step
    if state != State.introduced:
        await db.execute(
            update(SupporterOffer)
            .where(col(SupporterOffer.user_id) == supporter.id)
            .values(active_count=SupporterOffer.active_count + int(state != State.ended))
        )
    return relationship


async def _agreed(
    db: AsyncSession, relationship: Relationship, people: list[User], at: datetime
) -> None:
    version = new_version(
        db,
        relationship_id=relationship.id,
        number=1,
        proposed_by=people[1].id,
        terms=_terms(at.date()),
        status=VersionStatus.agreed,
        created_at=at,
        agreed_at=at + timedelta(hours=5),
    )
    db.add(version)
    await db.flush()  # the consents refer to it
    for person in people:
        db.add(AgreementConsent(version_id=version.id, user_id=person.id, at=at))
    relationship.agreed_version, relationship.agreement_revision = 1, 2
    relationship.review_at_session = 3


async def load(
    db: AsyncSession, settings: Settings, *, people: dict[str, User], tags: dict[str, int]
) -> None:
    """Relationships in every state between the demo's people (see the module docstring)."""
    now = utcnow()
    # Introduced: Chen hasn't answered Uma yet.
    await _pair(
        db,
        people["uma"],
        people["chen"],
        state=State.introduced,
        path=(State.introduced,),
        tag_ids=[tags["burnout"]],
        started=now - timedelta(hours=6),
    )
    # Agreeing: Ben proposed terms; Vic hasn't agreed yet.
    vic_ben = await _pair(
        db,
        people["vic"],
        people["ben"],
        state=State.agreeing,
        path=(State.introduced, State.agreeing),
        tag_ids=[tags["alcohol"]],
        started=now - timedelta(days=2),
    )
    pending = new_version(
        db,
        relationship_id=vic_ben.id,
        number=1,
        proposed_by=people["ben"].id,
        terms=_terms(now.date()),
        status=VersionStatus.pending,
    )
    db.add(pending)
    await db.flush()
    db.add(AgreementConsent(version_id=pending.id, user_id=people["ben"].id))
    vic_ben.agreement_revision = 1
    # Active: Sam and Amara, a session held last week, one booked, a few messages.
    sam, amara = people["sam"], people["amara"]
    started = now - timedelta(weeks=2)
    active = await _pair(
        db,
        sam,
        amara,
        state=State.active,
        path=(State.introduced, State.agreeing, State.active),
        tag_ids=[tags["loss-of-a-parent"]],
        started=started,
    )
    await _agreed(db, active, [sam, amara], started + timedelta(days=1))
    active.sessions_held = 1
    for weeks, status in ((-1, SessionStatus.held), (1, SessionStatus.confirmed)):
        at = _evening(weeks)
        db.add(
            ContactSession(
                relationship_id=active.id,
                supporter_id=amara.id,
                proposed_by=amara.id,
                start_at=at,
                minutes=45,
                channel="video",
                status=status,
                agreement_version=1,
                created_at=at - timedelta(days=5),
                confirmed_at=at - timedelta(days=4),
            )
        )
    for i, (who, text) in enumerate(MESSAGES):
        sender, recipient = (sam, amara) if who == "seeker" else (amara, sam)
        sent = _evening(-1, weekday=2) + timedelta(minutes=20 * i)
        message_id: UUID = uuid4()
        db.add(
            Message(
                id=message_id,
                relationship_id=active.id,
                sender_id=sender.id,
                recipient_id=recipient.id,
                body_sealed=seal(settings, text, message_id.bytes) or b"",
                sent_at=sent,
                deliver_at=sent,
                notified_at=sent,
                read_at=sent + timedelta(minutes=5) if i < len(MESSAGES) - 1 else None,
            )
        )
    # Paused: Wren paused with Dana for a fortnight.
    wren, dana = people["wren"], people["dana"]
    paused = await _pair(
        db,
        wren,
        dana,
        state=State.paused,
        path=(State.introduced, State.agreeing, State.active, State.paused),
        tag_ids=[tags["anxiety"]],
        started=now - timedelta(weeks=4),
    )
    await _agreed(db, paused, [wren, dana], now - timedelta(weeks=4, days=-1))
    db.add(
        Pause(
            relationship_id=paused.id,
            paused_by=wren.id,
            paused_at=now - timedelta(days=3),
            until=(now + timedelta(days=11)).date(),
        )
    )
    # Ended: Xan and Eli held all their sessions; support came to its planned end.
    xan, eli = people["xan"], people["eli"]
    ended = await _pair(
        db,
        xan,
        eli,
        state=State.ended,
        path=(State.introduced, State.agreeing, State.active, State.ended),
        tag_ids=[tags["loss-of-a-parent"]],
        started=now - timedelta(weeks=10),
    )
    await _agreed(db, ended, [xan, eli], now - timedelta(weeks=10, days=-1))
    ended.sessions_held, ended.review_at_session = 6, None
    ended.ended_at, ended.ended_by, ended.end_kind = (
        now - timedelta(days=5),
        xan.id,
        EndKind.completed,
    )
    await db.flush()
