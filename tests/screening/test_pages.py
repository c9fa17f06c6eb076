"""The console's governance pages over HTTP: readable refusals that change nothing, the
two-person rule's requests approved by someone else, and who may open which page."""

from sqlalchemy import func, select

from api.safety.models import SafeguardingAccess
from api.screening.models import ScreeningRecord, SupervisionSession
from tests.personas import staff
from tests.safety.helpers import active_pair
from tests.screening.helpers import offering
from tests.web.pages import csrf_token, log_in, token

REASON = "A reported message suggests risk to life; reading it to judge urgency."


async def _count(db, model) -> int:
    return await db.scalar(select(func.count()).select_from(model))


async def test_bad_entries_are_refused_in_words_and_change_nothing(client, db, settings):
    robin = await staff(client, db, settings)
    finn, _ = await offering(client, "finn")
    await log_in(client, robin.email)
    url = f"/coordinator/supporters/{finn.id}"
    csrf = await token(client, f"{url}/screening")
    for form, words in (
        ({"item": "references", "done_on": "2999-01-01"}, "already happened"),
        ({"item": "references", "done_on": ""}, "Choose a date."),
        ({"item": "horoscope", "done_on": "2026-01-01"}, "screening checklist"),
    ):
        page = await client.post(f"{url}/screening", data={"csrf_token": csrf, **form})
        assert page.status_code == 422 and words in page.text, form
    page = await client.post(
        f"{url}/supervision",
        data={"csrf_token": csrf, "held_on": "2026-01-01", "with_whom": ""},
    )
    assert page.status_code == 422 and "Say who the supervision was with" in page.text
    assert await _count(db, ScreeningRecord) == 0 and await _count(db, SupervisionSession) == 0
    missing = await client.get(
        "/coordinator/supporters/00000000-0000-0000-0000-000000000000/screening"
    )
    assert missing.status_code == 404


async def test_a_request_is_approved_by_someone_else_in_the_pwa(client, other_client, db, settings):
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    on = await client.put(
        "/api/v1/coordination/settings/two_person_access",
        json={"value": {"enabled": True, "request_hours": 4}},
        headers=robin.headers,
    )
    assert on.status_code == 200
    await log_in(client, robin.email)
    rel = f"/coordinator/relationships/{pair.relationship_id}"
    asked = await client.post(
        f"{rel}/access",
        data={"csrf_token": await token(client, rel), "reason": REASON, "minutes": "30"},
    )
    assert asked.status_code == 303 and asked.headers["location"].endswith("done=requested")
    page = await client.get(asked.headers["location"])
    assert "Asked. The service needs a second person" in page.text
    own = await client.get("/coordinator/safeguarding-requests")
    assert "This is your own request" in own.text and "Approve Robin" not in own.text
    access_id = await db.scalar(select(SafeguardingAccess.id))
    refused = await client.post(
        f"/coordinator/safeguarding-requests/{access_id}/approve",
        data={"csrf_token": csrf_token(own.text)},
    )
    assert refused.status_code == 403 and "another coordinator" in refused.text

    kit = await staff(other_client, db, settings, name="kit")
    await log_in(other_client, kit.email)
    listed = await other_client.get("/coordinator/safeguarding-requests")
    assert REASON in listed.text and "Approve Robin's request" in listed.text
    approved = await other_client.post(
        f"/coordinator/safeguarding-requests/{access_id}/approve",
        data={"csrf_token": csrf_token(listed.text)},
    )
    assert approved.status_code == 303
    db.expire_all()
    access = await db.get(SafeguardingAccess, access_id)
    assert access.approved_by == kit.id and access.approved_at is not None


async def test_peers_cant_open_the_governance_pages(client, db, settings):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.supporter.email)
    for path in (
        f"/coordinator/supporters/{pair.supporter.id}/screening",
        f"/coordinator/supporters/{pair.supporter.id}/debriefs",
        "/coordinator/safeguarding-requests",
    ):
        assert (await client.get(path)).status_code == 403, path
    mine = await client.get("/support/debriefs")
    assert mine.status_code == 200 and "My debriefs" in mine.text
