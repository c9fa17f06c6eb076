"""Statistics by month, against a data set whose answers this test works out for itself."""

import random
import statistics as pystats
from datetime import UTC, datetime, timedelta

from api.auth.models import User
from api.contact.models import ContactSession, SessionStatus
from api.coordination.sql import months_back
from api.matching.models import SupportRequest
from api.relationships.models import EndKind, Relationship, State
from tests.personas import staff


def _p(values, q):
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


async def test_monthly_statistics_match_an_independent_count(client, db, settings):
    robin = await staff(client, db, settings)
    rng = random.Random(12)
    now = datetime.now(UTC)
    months = months_back(3)
    people = [
        User(email=f"p{i}@example.org", display_name=f"P{i}", password_hash="x") for i in range(12)
    ]
    db.add_all(people)
    await db.flush()
    expected = {
        m: {
            "waits": [],
            "proposed": 0,
            "accepted": 0,
            "declined": 0,
            "expired": 0,
            "completed": 0,
            "early": 0,
            "by_seeker": 0,
            "by_supporter": 0,
            "safety": 0,
            "held": 0,
            "supporters": set(),
        }
        for m in months
    }

    def month(at):
        return at.strftime("%Y-%m")

    for _ in range(60):
        seeker, supporter = rng.sample(people, 2)
        created = now - timedelta(days=rng.uniform(0, 80), hours=1)
        request = SupportRequest(seeker_id=seeker.id, created_at=created, updated_at=created)
        db.add(request)
        await db.flush()
        introduced = created + timedelta(days=rng.uniform(0, 5))
        introduced = min(introduced, now - timedelta(minutes=30))
        state = rng.choice(
            [State.introduced, State.declined, State.expired, State.active, State.ended]
        )
        answered = (
            introduced + timedelta(hours=rng.uniform(1, 20)) if state != State.introduced else None
        )
        if answered and answered > now:
            answered = now - timedelta(minutes=1)
        r = Relationship(
            seeker_id=seeker.id,
            supporter_id=supporter.id,
            request_id=request.id,
            state=state,
            created_at=introduced,
            answered_at=answered,
        )
        if month(introduced) in expected:
            e = expected[month(introduced)]
            e["proposed"] += 1
            e["accepted"] += state in (State.active, State.ended)
            e["declined"] += state == State.declined
            e["expired"] += state == State.expired
        if state in (State.active, State.ended) and month(answered) in expected:
            expected[month(answered)]["waits"].append((answered - created).total_seconds() / 86400)
        if state == State.ended:
            kind = rng.choice(
                [EndKind.completed, EndKind.ended_by_person, EndKind.ended_for_safety]
            )
            ended = answered + (now - answered) * rng.random()
            by = (
                rng.choice([seeker.id, supporter.id])
                if kind == EndKind.ended_by_person
                else robin.id
            )
            r.ended_at, r.end_kind, r.ended_by = ended, kind, by
            if month(ended) in expected:
                e = expected[month(ended)]
                e["completed"] += kind == EndKind.completed
                e["early"] += kind != EndKind.completed
                e["by_seeker"] += kind == EndKind.ended_by_person and by == seeker.id
                e["by_supporter"] += kind == EndKind.ended_by_person and by == supporter.id
                e["safety"] += kind == EndKind.ended_for_safety
        db.add(r)
        await db.flush()
        if state in (State.active, State.ended):
            for _ in range(rng.randint(0, 3)):
                start = answered + (now - answered) * rng.random()
                status = rng.choice([SessionStatus.held, SessionStatus.cancelled])
                db.add(
                    ContactSession(
                        relationship_id=r.id,
                        supporter_id=r.supporter_id,
                        start_at=start,
                        minutes=60,
                        channel="video",
                        agreement_version=1,
                        status=status,
                    )
                )
                if status == SessionStatus.held and month(start) in expected:
                    expected[month(start)]["held"] += 1
                    expected[month(start)]["supporters"].add(supporter.id)
    await db.commit()

    response = await client.get("/api/v1/coordination/statistics?months=3", headers=robin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["months"] == months
    for i, m in enumerate(months):
        e = expected[m]
        waiting = body["waiting"][i]
        assert waiting["matched"] == len(e["waits"])
        if e["waits"]:
            assert waiting["median_days"] == round(pystats.median(e["waits"]), 2)
            assert waiting["p90_days"] == round(_p(e["waits"], 0.9), 2)
        assert body["introductions"][i] == {
            "month": m,
            "proposed": e["proposed"],
            "accepted": e["accepted"],
            "not_available": e["declined"],
            "expired": e["expired"],
        }
        endings = body["endings"][i]
        assert (
            endings["completed"],
            endings["ended_early"],
            endings["by_seeker"],
            endings["by_supporter"],
            endings["by_coordinator"],
        ) == (e["completed"], e["early"], e["by_seeker"], e["by_supporter"], e["safety"])
        assert body["activity"][i] == {
            "month": m,
            "sessions_held": e["held"],
            "supporters_active": len(e["supporters"]),
        }
    assert sum(len(e["waits"]) for e in expected.values()) > 5  # the data set is not empty

    csv = await client.get(
        "/api/v1/coordination/statistics/introductions.csv?months=3", headers=robin.headers
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().split("\n")
    assert lines[0] == "month,proposed,accepted,not_available,expired"
    assert lines[1].startswith(f"{months[0]},{expected[months[0]]['proposed']},")
    missing = await client.get("/api/v1/coordination/statistics/nope.csv", headers=robin.headers)
    assert missing.status_code == 404
