"""A referral made through the API, and the referred person answering it in the PWA."""

from urllib.parse import urlparse
from uuid import UUID

import httpx
from sqlalchemy import select, update

from api.common import utcnow
from api.outbox.models import OutboxEvent
from api.relationships.models import Relationship, State, VersionStatus
from api.relationships.sealed_topics import new_version
from api.relationships.terms import AgreementTerms
from tests.addresses import confirm_address
from tests.clients.helpers import Integrator
from tests.factories import agreeable_terms
from tests.personas import PASSWORD, Person, token_for
from tests.web.pages import csrf_token

ORGANISATION = "Riverside social prescribing"
REFERRER = {
    "name": "Jo Patel",
    "role": "Social prescribing link worker",
    "email": "jo.patel@riverside.example",
    "phone": "020 7946 0321",
}
NOTE = "As we talked about on Tuesday, this is the peer support service I mentioned."


async def refer(client: httpx.AsyncClient, made: Integrator, **changes) -> dict:
    body = {
        "reference": "RSP-2041",
        "email": "sam.referred@example.org",
        "experiences": [1, 2],
        "referrer": REFERRER,
        "note": NOTE,
        **changes,
    }
    response = await client.post("/api/v1/referrals", json=body, headers=made.headers)
    assert response.status_code == 201, response.text
    return response.json()


def invite_path(referral: dict) -> str:
    return urlparse(referral["invite_url"]).path


async def join(
    browser: httpx.AsyncClient,
    referral: dict,
    *,
    name: str = "Sam",
    email: str = "sam.referred@example.org",
    tags: list[int] | None = None,
) -> httpx.Response:
    """The person signs up on the invite page, keeping `tags` of the suggestions."""
    path = invite_path(referral)
    page = await browser.get(path)
    assert page.status_code == 200, page.text
    form = {
        "csrf_token": csrf_token(page.text),
        "display_name": name,
        "email": email,
        "password": PASSWORD,
        "tag": [str(t) for t in (tags or [])],
    }
    joined = await browser.post(path, data=form)
    app = getattr(browser._transport, "app", None)
    if joined.status_code < 400 and app is not None:
        await confirm_address(browser, email, app)  # the link e-mailed when they joined
    return joined


async def person(client: httpx.AsyncClient, name: str, email: str) -> Person:
    tokens = await token_for(client, email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = (await client.get("/api/v1/me", headers=headers)).json()
    return Person(name, email, UUID(me["id"]), tokens["access_token"], "", headers)


async def status_of(client: httpx.AsyncClient, made: Integrator, referral: dict) -> str:
    found = await client.get(f"/api/v1/referrals/{referral['id']}", headers=made.headers)
    assert found.status_code == 200, found.text
    return found.json()["status"]


async def events(db, kind: str) -> list[OutboxEvent]:
    db.expire_all()
    return list(
        (
            await db.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.type == kind)
                .order_by(OutboxEvent.occurred_at)
            )
        ).all()
    )


async def agree_terms(db, relationship_id: UUID, proposer: UUID, sessions_total: int = 6) -> None:
    """What both consenting to the first version does (as tests/safety/helpers.active_pair)."""
    terms = AgreementTerms.model_validate(agreeable_terms(sessions_total=sessions_total))
    db.add(
        new_version(
            db,
            relationship_id=relationship_id,
            number=1,
            proposed_by=proposer,
            terms=terms.model_dump(mode="json"),
            status=VersionStatus.agreed,
            agreed_at=utcnow(),
        )
    )
    await db.execute(
        update(Relationship)
        .where(Relationship.id == relationship_id)
        .values(state=State.active, agreed_version=1, agreement_revision=2)
    )
    await db.commit()


async def sessions_held(db, relationship_id: UUID, count: int) -> None:
    await db.execute(
        update(Relationship).where(Relationship.id == relationship_id).values(sessions_held=count)
    )
    await db.commit()
