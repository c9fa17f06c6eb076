"""Pairs in contact: active on terms the test chooses, each person in their own time zone.

`contact_pair` is `tests.factories.agreeing_pair` with a version already agreed (so these tests
don't depend on the agreement flow), and `agree` puts a new version in force, as if both had
consented, for tests that move the contact windows around "now".
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from api.auth.principal import Principal
from api.common import utcnow
from api.relationships.models import (
    AgreementVersion,
    Relationship,
    RelationshipEvent,
    State,
    VersionStatus,
)
from api.relationships.sealed_topics import new_version
from api.relationships.terms import AgreementTerms
from tests.factories import Pair, agreeable_terms, agreeing_pair

CHANNELS = ["chat", "phone", "video"]
EVERY_EVENING = [{"weekday": d, "start": "18:00", "end": "22:00"} for d in range(7)]


def rid(pair: Pair) -> UUID:
    return UUID(str(pair.relationship_id))


def principal(person, role: str = "peer") -> Principal:
    return Principal(person.id, role, person.id, person.name.title(), second_factor=True)  # type: ignore[arg-type]


def terms(**changes: Any) -> dict[str, Any]:
    """Agreeable terms: every evening 18:00-22:00 London, chat, phone and video, 6 sessions."""
    defaults = {
        "windows": EVERY_EVENING,
        "channels": CHANNELS,
        "sessions_total": 6,
        "max_sessions_per_week": 2,
        "review_after_session": 3,
    }
    return agreeable_terms(**{**defaults, **changes})


async def agree(db, pair: Pair, **changes: Any) -> AgreementTerms:
    """Put a new version of the terms in force (both consented), superseding the last."""
    relationship_id = rid(pair)
    agreed = AgreementTerms.model_validate(terms(**changes))
    db.expire_all()
    relationship = await db.get(Relationship, relationship_id)
    latest = await db.scalar(
        select(AgreementVersion.number)
        .where(AgreementVersion.relationship_id == relationship_id)
        .order_by(AgreementVersion.number.desc())
        .limit(1)
    )
    number = (latest or 0) + 1
    await db.execute(
        update(AgreementVersion)
        .where(
            AgreementVersion.relationship_id == relationship_id,
            AgreementVersion.status == VersionStatus.agreed,
        )
        .values(status=VersionStatus.superseded, closed_at=utcnow())
    )
    db.add(
        new_version(
            db,
            relationship_id=relationship_id,
            number=number,
            proposed_by=pair.supporter.id,
            terms=agreed.model_dump(mode="json"),
            status=VersionStatus.agreed,
            agreed_at=utcnow(),
        )
    )
    review = agreed.review_after_session
    held = relationship.sessions_held
    await db.execute(
        update(Relationship)
        .where(Relationship.id == relationship_id)
        .values(
            agreed_version=number,
            agreement_revision=Relationship.agreement_revision + 1,
            review_at_session=review if review and review > held else None,
        )
    )
    await db.commit()
    return agreed


async def contact_pair(
    client,
    db,
    settings,
    *,
    seeker_tz: str = "Europe/London",
    supporter_tz: str = "Europe/London",
    seeker_name: str = "sam",
    supporter_name: str = "bob",
    **changes: Any,
) -> Pair:
    """Sam (seeker) and Bob (supporter), active on `terms(**changes)`."""
    pair = await agreeing_pair(
        client,
        db,
        settings,
        seeker_profile={"timezone": seeker_tz, "channels": CHANNELS},
        supporter_profile={"timezone": supporter_tz, "channels": CHANNELS},
        seeker_name=seeker_name,
        supporter_name=supporter_name,
    )
    await agree(db, pair, **changes)
    await db.execute(
        update(Relationship).where(Relationship.id == rid(pair)).values(state=State.active)
    )
    db.add(
        RelationshipEvent(
            relationship_id=rid(pair),
            actor_id=pair.seeker.id,
            from_state=State.agreeing,
            to_state=State.active,
        )
    )
    await db.commit()
    return pair


def next_weekday(weekday: int, at: time, tz: str, *, weeks: int = 1) -> datetime:
    """The aware UTC instant of `weekday` at wall time `at` in `tz`, `weeks` weeks ahead."""
    today = datetime.now(ZoneInfo(tz)).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)
    return datetime.combine(day, at, ZoneInfo(tz)).astimezone(UTC)


def on(day: date, at: str, tz: str) -> datetime:
    """Wall time `at` ("HH:MM") on `day` in `tz`, as an aware UTC instant (first of two)."""
    hours, minutes = (int(p) for p in at.split(":"))
    return datetime.combine(day, time(hours, minutes), ZoneInfo(tz)).astimezone(UTC)


def windows_around(moment: datetime, tz: str, before: int, after: int) -> list[dict]:
    """Windows covering [moment - before, moment + after) minutes on the clock in `tz`
    (split at midnight, as windows never cross it); whole minutes, outward."""
    zone = ZoneInfo(tz)
    start = (moment - timedelta(minutes=before)).astimezone(zone).replace(second=0, microsecond=0)
    end = (moment + timedelta(minutes=after + 1)).astimezone(zone).replace(second=0, microsecond=0)
    windows = []
    day = start
    while day < end:
        midnight = datetime.combine(day.date() + timedelta(days=1), time(), zone)
        stop = min(end, midnight)
        last = "24:00" if stop == midnight else f"{stop:%H:%M}"
        windows.append({"weekday": day.weekday(), "start": f"{day:%H:%M}", "end": last})
        day = stop
    return windows


def windows_away_from(moment: datetime, tz: str) -> list[dict]:
    """One window three days away from `moment`: `moment` is well outside it."""
    day = moment.astimezone(ZoneInfo(tz)).date() + timedelta(days=3)
    return [{"weekday": day.weekday(), "start": "10:00", "end": "12:00"}]


async def add_session(db, pair: Pair, start: datetime, status: str = "confirmed", **values):
    """A session straight in the database (say, one that has already started)."""
    from api.contact.models import ContactSession

    session = ContactSession(
        relationship_id=rid(pair),
        supporter_id=pair.supporter.id,
        proposed_by=pair.seeker.id,
        start_at=start,
        minutes=45,
        channel="video",
        status=status,
        agreement_version=1,
        **values,
    )
    db.add(session)
    await db.commit()
    return session


async def notice_kinds(client, person) -> list[str]:
    return [n["kind"] for n in await notices(client, person)]


async def notices(client, person) -> list[dict]:
    """The person's notices about their relationships (a supporter is also told, with no
    relationship, that their offer was approved)."""
    response = await client.get("/api/v1/notices?limit=100", headers=person.headers)
    assert response.status_code == 200, response.text
    return [n for n in response.json()["data"] if n["relationship_id"] is not None]
