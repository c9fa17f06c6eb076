"""A supporter's offer is approved only once every required screening item is recorded and in
date; the refusal names what is missing and changes nothing."""

from datetime import date
from uuid import UUID

from sqlalchemy import select

from api.audit.models import AuditEntry
from api.supporters.models import OfferStatus, SupporterOffer
from tests.personas import staff
from tests.screening.helpers import approve, days_ago, offering, record, screening_of


async def _status(db, offer_id: str) -> str:
    db.expire_all()
    return (await db.get(SupporterOffer, UUID(offer_id))).status


async def test_approval_is_refused_until_the_required_items_are_recorded(client, db, settings):
    robin = await staff(client, db, settings)
    finn, offer_id = await offering(client)

    refused = await approve(client, robin, offer_id)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "/problems/screening-incomplete"
    for name in ("References checked", "Peer support training completed", "Code of conduct signed"):
        assert name in problem["detail"]
    assert "DBS" not in problem["detail"]  # not required by the shipped checklist
    assert {e["field"] for e in problem["errors"]} == {
        "screening.references",
        "screening.training",
        "screening.code_of_conduct",
    }
    assert await _status(db, offer_id) == OfferStatus.pending

    today = date.today().isoformat()
    await record(client, robin, finn, "references", today, note="Two references, both warm.")
    await record(client, robin, finn, "code_of_conduct", today)
    still = await approve(client, robin, offer_id)
    assert still.status_code == 409
    assert "Peer support training completed (not recorded yet)" in still.json()["detail"]
    assert "References" not in still.json()["detail"]
    assert await _status(db, offer_id) == OfferStatus.pending

    await record(client, robin, finn, "training", days_ago(10))
    seen = await client.get(screening_of(finn.id), headers=robin.headers)
    assert seen.json()["ready_to_approve"] is True and seen.json()["missing"] == []
    items = {i["key"]: i for i in seen.json()["items"]}
    assert items["references"]["recorded_by"] == "Robin"
    assert items["references"]["note"] == "Two references, both warm."
    assert items["training"]["expires_on"] is not None and items["dbs"]["state"] == "missing"
    # The note is sealed at rest.
    stored = (await db.execute(select(AuditEntry.action))).scalars().all()
    assert stored.count("screening.recorded") == 3

    approved = await approve(client, robin, offer_id)
    assert approved.status_code == 200, approved.text
    assert await _status(db, offer_id) == OfferStatus.approved


async def test_an_expired_item_refuses_approval_again(client, db, settings):
    robin = await staff(client, db, settings)
    finn, offer_id = await offering(client)
    today = date.today().isoformat()
    await record(client, robin, finn, "references", today)
    await record(client, robin, finn, "code_of_conduct", today)
    old = await record(client, robin, finn, "training", days_ago(400))  # expires after a year
    assert {i["key"]: i["state"] for i in old["items"]}["training"] == "expired"

    refused = await approve(client, robin, offer_id)
    assert refused.status_code == 409
    assert "Peer support training completed (expired on" in refused.json()["detail"]
    assert await _status(db, offer_id) == OfferStatus.pending

    await record(client, robin, finn, "training", today)  # the refresher
    assert (await approve(client, robin, offer_id)).status_code == 200


async def test_the_service_sets_its_checklist(client, db, settings):
    robin = await staff(client, db, settings)
    finn, offer_id = await offering(client)
    checklist = [
        {"key": "references", "name": "References checked", "required": True},
        {"key": "dbs", "name": "Enhanced DBS check", "required": True, "expires_after_months": 36},
    ]
    changed = await client.put(
        "/api/v1/coordination/settings/screening_checklist",
        json={"value": checklist},
        headers=robin.headers,
    )
    assert changed.status_code == 200, changed.text
    refused = await approve(client, robin, offer_id)
    assert "Enhanced DBS check" in refused.json()["detail"]
    assert "training" not in refused.json()["detail"]
    await record(client, robin, finn, "references", days_ago(3))
    await record(client, robin, finn, "dbs", days_ago(3))
    assert (await approve(client, robin, offer_id)).status_code == 200

    twice = await client.put(
        "/api/v1/coordination/settings/screening_checklist",
        json={"value": [*checklist, checklist[0]]},
        headers=robin.headers,
    )
    assert twice.status_code == 422 and twice.headers["content-type"] == "application/problem+json"


async def test_bad_records_are_refused_and_change_nothing(client, db, settings):
    robin = await staff(client, db, settings)
    finn, _ = await offering(client)
    cases = [
        ({"item": "astrology", "done_on": days_ago(1)}, 422),
        ({"item": "references", "done_on": "2999-01-01"}, 422),
        ({"item": "references", "done_on": "1900-01-01"}, 422),
        ({"item": "references", "done_on": "not a date"}, 422),
        ({"item": "references", "done_on": days_ago(1), "who": "me"}, 422),
        ({"item": "references", "done_on": days_ago(1), "note": "x" * 1001}, 422),
    ]
    for body, code in cases:
        answer = await client.post(screening_of(finn.id), json=body, headers=robin.headers)
        assert answer.status_code == code, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    nobody = await client.post(
        screening_of("00000000-0000-0000-0000-000000000000"),
        json={"item": "references", "done_on": days_ago(1)},
        headers=robin.headers,
    )
    assert nobody.status_code == 404
    seen = await client.get(screening_of(finn.id), headers=robin.headers)
    assert all(i["state"] == "missing" for i in seen.json()["items"])
