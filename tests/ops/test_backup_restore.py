"""The backup procedure in docs/operations.md, run for real against the local PostgreSQL:
dump, restore into a fresh database, same rows, sealed text still opens with the key."""

import pytest
from pydantic import SecretStr

from scripts import backup_restore_check
from tests.contact.helpers import contact_pair

WORDS = "The night my mother died I sat in the car park for hours."


@pytest.fixture
def postgres_only(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("pg_dump and pg_restore are PostgreSQL's; SQLite is backed up as a file")


async def _some_of_everything(client, db, settings):
    pair = await contact_pair(client, db, settings)
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": "going_through", "description": WORDS}],
        headers=pair.seeker.headers,
    )
    assert saved.status_code == 200, saved.text
    for _ in range(2):
        sent = await client.post(
            f"{pair.base}/messages", json={"body": WORDS}, headers=pair.seeker.headers
        )
        assert sent.status_code == 201, sent.text
    raised = await client.post(
        f"{pair.base}/concerns",
        json={"kind": "other", "details": WORDS},
        headers=pair.seeker.headers,
    )
    assert raised.status_code == 201, raised.text
    return pair


async def test_a_backup_restores_with_the_same_rows_and_sealed_text_opens(
    postgres_only, client, db, settings, database_url, tmp_path
):
    await _some_of_everything(client, db, settings)
    dump = tmp_path / "kindred.pgdump"
    report = await backup_restore_check.check(database_url, settings, dump=dump)
    assert report.ok, report
    assert dump.stat().st_size == report.dump_bytes > 0
    assert report.mismatched_counts == {} and report.migration_matches
    assert report.tables >= 45 and report.rows > 0
    assert report.sealed_opened >= 4 and report.sealed_failed == []
    assert WORDS not in repr(report)


async def test_the_check_fails_when_the_key_does_not_open_the_backup(
    postgres_only, client, db, settings, database_url
):
    await _some_of_everything(client, db, settings)
    wrong = settings.model_copy(
        update={"data_encryption_key": SecretStr("not-the-key-this-data-was-sealed-with-0000")}
    )
    report = await backup_restore_check.check(database_url, wrong)
    assert not report.ok
    assert len(report.sealed_failed) >= 4 and report.mismatched_counts == {}
