from tests.personas import PASSWORD, peer


async def _attempt(client, email, password):
    return await client.post(
        "/api/v1/auth/token",
        data={"username": email, "password": password},
    )


async def test_five_failures_lock_the_account_for_a_while_even_with_the_right_password(client):
    alice = await peer(client, "alice")
    for _ in range(5):
        assert (await _attempt(client, alice.email, "wrong password!")).status_code == 401
    locked = await _attempt(client, alice.email, PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "Please wait 15 minutes" in locked.json()["detail"]


async def test_a_successful_login_clears_earlier_failures(client):
    alice = await peer(client, "alice")
    for _ in range(4):
        await _attempt(client, alice.email, "wrong password!")
    assert (await _attempt(client, alice.email, PASSWORD)).status_code == 200
    for _ in range(4):
        await _attempt(client, alice.email, "wrong password!")
    assert (await _attempt(client, alice.email, PASSWORD)).status_code == 200


async def test_one_address_trying_many_accounts_is_throttled(client, settings):
    # All ASGI test requests come from one address, like one attacker spraying passwords.
    for i in range(settings.login_max_failures_per_address):
        response = await _attempt(client, f"guess{i}@example.org", "password guess")
        assert response.status_code == 401
    blocked = await _attempt(client, "another@example.org", "password guess")
    assert blocked.status_code == 429
