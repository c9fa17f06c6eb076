"""Two people editing the agreement at the same moment: exactly one wins, never a silent merge.

Real concurrent requests (asyncio.gather through httpx's ASGITransport); each request has its
own session and so its own database connection. In the gated tests every request waits at a
barrier just before the conditional UPDATE, so all of them have passed the early ETag check and
the database alone decides: PostgreSQL through the row lock (the losers wait for the winner's
commit, then match no row), SQLite by letting one writer in at a time (the losers wait on the
busy timeout, then match no row). Both databases run these tests.
"""

import asyncio

import pytest
from sqlalchemy import select

from api.relationships import agreements
from api.relationships.models import AgreementConsent, AgreementVersion, Relationship
from tests.factories import agreeable_terms, agreeing_pair, as_of

STALE = "/problems/stale"


@pytest.fixture
def gate(monkeypatch):
    """Hold every change just before its conditional UPDATE until `parties` have arrived."""

    def install(parties: int) -> list[int]:
        barrier = asyncio.Barrier(parties)
        arrived: list[int] = []
        original = agreements.bump_revision

        async def gated(db, relationship, expected, **values):
            arrived.append(expected)
            await asyncio.wait_for(barrier.wait(), timeout=10)
            return await original(db, relationship, expected, **values)

        monkeypatch.setattr(agreements, "bump_revision", gated)
        return arrived

    return install


async def _state(db, pair):
    relationship = await db.get(Relationship, pair.relationship_id, populate_existing=True)
    versions = (
        await db.execute(select(AgreementVersion).order_by(AgreementVersion.number))
    ).scalars()
    return relationship, [(v.number, v.status) for v in versions]


async def _first_proposal(client, pair):
    first = await client.post(
        f"{pair.base}/agreement/proposals",
        json=agreeable_terms(),
        headers=as_of(pair.supporter, '"0"'),
    )
    assert first.status_code == 201, first.text


async def test_two_people_proposing_at_once_one_wins_the_other_gets_412(client, db, settings, gate):
    pair = await agreeing_pair(client, db, settings)
    await _first_proposal(client, pair)
    arrived = gate(2)
    sam_terms, bob_terms = agreeable_terms(sessions_total=8), agreeable_terms(sessions_total=4)
    url = f"{pair.base}/agreement/proposals"
    answers = await asyncio.gather(
        client.post(url, json=sam_terms, headers=as_of(pair.seeker, '"1"')),
        client.post(url, json=bob_terms, headers=as_of(pair.supporter, '"1"')),
    )
    assert arrived == [1, 1]  # both passed the early check: the UPDATE decided
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 412], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 412)
    assert loser.json()["type"] == STALE
    assert loser.headers["content-type"] == "application/problem+json"
    winner = next(a for a in answers if a.status_code == 201)
    assert winner.headers["etag"] == '"2"'

    relationship, versions = await _state(db, pair)
    assert relationship.agreement_revision == 2
    assert [n for n, _ in versions] == [1, 2] and versions[1][1] == "pending"
    stored = (
        await db.execute(select(AgreementVersion).where(AgreementVersion.number == 2))
    ).scalar_one()
    assert stored.terms["sessions_total"] == winner.json()["pending"]["terms"]["sessions_total"]


async def test_agreeing_while_the_proposer_withdraws_one_wins(client, db, settings, gate):
    pair = await agreeing_pair(client, db, settings)
    await _first_proposal(client, pair)
    arrived = gate(2)
    consent, withdraw = await asyncio.gather(
        client.post(f"{pair.base}/agreement/versions/1/consent", headers=as_of(pair.seeker, '"1"')),
        client.post(
            f"{pair.base}/agreement/versions/1/withdraw", headers=as_of(pair.supporter, '"1"')
        ),
    )
    assert arrived == [1, 1]
    assert sorted([consent.status_code, withdraw.status_code]) == [200, 412]
    relationship, versions = await _state(db, pair)
    assert relationship.agreement_revision == 2
    if consent.status_code == 200:
        assert versions == [(1, "agreed")] and relationship.state == "active"
        assert relationship.agreed_version == 1
    else:
        assert versions == [(1, "withdrawn")] and relationship.state == "agreeing"
        assert relationship.agreed_version is None
    consents = (await db.execute(select(AgreementConsent))).scalars().all()
    assert len(consents) == (2 if consent.status_code == 200 else 1)


async def test_many_edits_at_once_exactly_one_lands(client, db, settings):
    """No gate: a burst of changes from both people, all based on the same ETag."""
    pair = await agreeing_pair(client, db, settings)
    await _first_proposal(client, pair)
    url = f"{pair.base}/agreement/proposals"
    burst = []
    for n in range(6):
        person = pair.seeker if n % 2 else pair.supporter
        burst.append(
            client.post(
                url, json=agreeable_terms(sessions_total=4 + n), headers=as_of(person, '"1"')
            )
        )
    burst.append(
        client.post(f"{pair.base}/agreement/versions/1/consent", headers=as_of(pair.seeker, '"1"'))
    )
    answers = await asyncio.gather(*burst)
    codes = sorted(a.status_code for a in answers)
    assert codes.count(412) == len(answers) - 1, [a.text for a in answers]
    assert {a.json()["type"] for a in answers if a.status_code == 412} == {STALE}
    relationship, versions = await _state(db, pair)
    assert relationship.agreement_revision == 2
    assert len(versions) in (1, 2)  # a consent adds no version; a proposal adds exactly one
