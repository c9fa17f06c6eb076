"""A reported message ready to moderate: Sam (seeker) reports a message Bob (supporter) sent,
Robin (coordinator) moderates, Casey (another coordinator) decides appeals."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import update

from api.auth.models import User
from api.common import utcnow
from tests.contact.helpers import agree, contact_pair, windows_around
from tests.factories import Pair
from tests.personas import Person, staff

LONDON = "Europe/London"
REPORTED = "Meet me at the pub on Saturday, and don't tell the coordinators."
WORDS = "Meet me at the pub on Saturday"  # as it appears in HTML too (no apostrophe)
COORDINATION = "/api/v1/coordination"


@dataclass
class Reported:
    pair: Pair
    casey: Person  # another coordinator
    message_id: str
    concern_id: str


async def reported(client, db, settings) -> Reported:
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    sent = await client.post(
        f"{pair.base}/messages", json={"body": REPORTED}, headers=pair.supporter.headers
    )
    assert sent.status_code == 201, sent.text
    report = await client.post(
        f"{pair.base}/messages/{sent.json()['id']}/report",
        json={"note": "This made me uneasy."},
        headers=pair.seeker.headers,
    )
    assert report.status_code == 201, report.text
    casey = await staff(client, db, settings, name="casey")
    return Reported(pair, casey, sent.json()["id"], report.json()["concern"]["id"])


async def make_lead(db, person: Person) -> None:
    await db.execute(update(User).where(User.id == person.id).values(safeguarding_lead=True))
    await db.commit()


async def decide(client, r: Reported, kind: str, by: Person | None = None, **more) -> dict:
    body = {
        "kind": kind,
        "reason": "The message asked to meet outside the agreement and to keep it secret.",
        "to_person": "We've looked at a message you sent. Please keep to what you both agreed; "
        "secrets about meeting put you both at risk.",
        **more,
    }
    made = await client.post(
        f"{COORDINATION}/concerns/{r.concern_id}/decisions",
        json=body,
        headers=(by or r.pair.coordinator).headers,
    )
    assert made.status_code == 201, made.text
    return made.json()


async def appeal(client, person: Person, decision_id: str, text: str = "I meant my group."):
    return await client.post(
        f"/api/v1/moderation/decisions/{decision_id}/appeal",
        json={"text": text},
        headers=person.headers,
    )


def uid(value: str) -> UUID:
    return UUID(value)
