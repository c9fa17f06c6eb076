"""Rotating the data-encryption key: the old key still reads while everything is re-sealed
with the new one in batches; afterwards the new key alone opens every sealed field."""

from pydantic import SecretStr
from sqlalchemy import select

from api.contact.models import Message
from api.crypto import unseal
from api.models import metadata
from api.tasks import rekey
from tests.contact.helpers import contact_pair

WORDS = "The night my mother died I sat in the car park for hours."


def test_every_sealed_column_is_in_the_rekey_list():
    sealed = {
        f"{t.name}.{c.name}"
        for t in metadata.tables.values()
        for c in t.columns
        if c.name.endswith("_sealed")
    }
    assert {s.name for s in rekey.SEALED} == sealed


async def _sealed_things(client, db, settings):
    """Sealed text in many tables, written through the API."""
    pair = await contact_pair(client, db, settings)
    seeker = pair.seeker.headers
    for path, body in (
        (
            "/api/v1/profile/experiences",
            [{"tag_id": 1, "stage": "going_through", "description": WORDS}],
        ),
    ):
        assert (await client.put(path, json=body, headers=seeker)).status_code == 200
    assert (
        await client.put(
            "/api/v1/me/safety-plan", json={"warning_signs": "Not sleeping."}, headers=seeker
        )
    ).status_code == 200
    for _ in range(3):
        sent = await client.post(f"{pair.base}/messages", json={"body": WORDS}, headers=seeker)
        assert sent.status_code == 201, sent.text
    raised = await client.post(
        f"{pair.base}/concerns", json={"kind": "other", "details": WORDS}, headers=seeker
    )
    assert raised.status_code == 201, raised.text
    granted = await client.post(
        "/api/v1/coordination/safeguarding-access",
        json={
            "relationship_id": str(pair.relationship_id),
            "reason": "Concern raised about risk to life; need context to judge urgency.",
        },
        headers=pair.coordinator.headers,
    )
    assert granted.status_code == 201, granted.text
    ended = await client.post(
        f"{pair.base}/end", json={"closing_message": "Thank you."}, headers=seeker
    )
    assert ended.status_code == 200, ended.text
    return pair


async def test_rotating_the_data_key_reseals_everything_in_batches(app, client, db, settings):
    await _sealed_things(client, db, settings)
    new_key = SecretStr("a-new-data-encryption-key-after-rotation-0123456789")
    rotating = settings.model_copy(
        update={
            "data_encryption_key": new_key,
            "data_encryption_keys_old": [settings.data_encryption_key],
        }
    )
    new_only = settings.model_copy(update={"data_encryption_key": new_key})
    before, _ = await rekey.check_sealed(db, settings)
    blobs = sum(before.values())
    assert blobs >= 9 and len([n for n in before.values() if n]) >= 6
    # During the rotation the old key still reads; the new key alone reads nothing yet.
    assert (await rekey.check_sealed(db, rotating))[1] == []
    assert len((await rekey.check_sealed(db, new_only))[1]) == blobs

    done = await rekey.rekey(app.state.sessionmaker, rotating, batch=2)
    assert sum(done.values()) == blobs
    db.expire_all()
    opened, failed = await rekey.check_sealed(db, new_only)
    assert failed == [] and opened == before
    # The old key no longer opens anything; a second run has nothing to do.
    assert len((await rekey.check_sealed(db, settings))[1]) == blobs
    assert sum((await rekey.rekey(app.state.sessionmaker, rotating, batch=2)).values()) == 0
    message = await db.scalar(select(Message))
    assert unseal(new_only, message.body_sealed, message.id.bytes) == WORDS
