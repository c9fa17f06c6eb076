"""No personal data or free text in the logs: a whole journey, every log line captured."""

import io
import logging
import socket

from api.mail.catcher import catching
from api.tasks.notices import deliver_due
from tests.addresses import confirm_address
from tests.personas import PASSWORD, screen, staff

SEEKER = {"email": "quillon.marsh@example.org", "display_name": "Quillon Marsh"}
SUPPORTER = {"email": "orrin.vale@example.org", "display_name": "Orrin Vale"}
SEEKER_WORDS = "Since my brother's accident I wake at four and replay the phone call."
SUPPORTER_WORDS = "My sister was in hospital for a year; I learned to ask for help."
CONCERN = "Orrin asked which gym I go to, twice, after I said I'd rather not say."
CLOSING = "Thank you Orrin. I've found a group near me and I'm ready to stop here."
FEEDBACK = "Kind and patient, but the evenings were hard for me to keep."
PROFILE = {
    "pronouns": "he/him",
    "languages": ["en"],
    "timezone": "Europe/London",
    "availability": [{"weekday": d, "start": "18:00", "end": "21:00"} for d in (1, 3)],
    "channels": ["chat", "video"],
    "topics_to_avoid": ["the driver who hit him"],
}


async def _sign_up(client, person: dict) -> dict[str, str]:
    created = await client.post("/api/v1/auth/signup", json={**person, "password": PASSWORD})
    assert created.status_code == 201, created.text
    await confirm_address(client, person["email"])
    token = await client.post(
        "/api/v1/auth/token", data={"username": person["email"], "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def _journey(client, db, settings) -> None:
    robin = await staff(client, db, settings)
    seeker, helper = await _sign_up(client, SEEKER), await _sign_up(client, SUPPORTER)
    offer = await client.post("/api/v1/supporter-offer", json={"capacity": 2}, headers=helper)
    await screen(client, robin, (await client.get("/api/v1/me", headers=helper)).json()["id"])
    await client.post(
        f"/api/v1/coordination/supporter-offers/{offer.json()['id']}/approve",
        headers=robin.headers,
    )
    for headers, words, stage in (
        (seeker, SEEKER_WORDS, "going_through"),
        (helper, SUPPORTER_WORDS, "further_along"),
    ):
        assert (await client.put("/api/v1/profile", json=PROFILE, headers=headers)).is_success
        saved = await client.put(
            "/api/v1/profile/experiences",
            json=[{"tag_id": 1, "stage": stage, "description": words}],
            headers=headers,
        )
        assert saved.status_code == 200, saved.text
    request = await client.post(
        "/api/v1/support-requests", json={"tag_ids": [1], "preferences": {}}, headers=seeker
    )
    shortlist = await client.get(
        f"/api/v1/support-requests/{request.json()['id']}/shortlist", headers=seeker
    )
    supporter_id = shortlist.json()[0]["supporter_id"]
    chosen = await client.post(
        f"/api/v1/support-requests/{request.json()['id']}/choice",
        json={"supporter_id": supporter_id},
        headers=seeker,
    )
    accepted = await client.post(
        f"/api/v1/introductions/{chosen.json()['id']}/accept", headers=helper
    )
    base = f"/api/v1/relationships/{accepted.json()['id']}"
    concern = await client.post(
        f"{base}/concerns", json={"kind": "boundary_crossed", "details": CONCERN}, headers=seeker
    )
    assert concern.status_code == 201, concern.text
    await client.get("/api/v1/coordination/concerns", headers=robin.headers)
    preview = await client.post(
        f"{base}/end/preview", json={"closing_message": CLOSING}, headers=seeker
    )
    assert preview.status_code == 200
    ended = await client.post(
        f"{base}/end",
        json={"reason_category": "got_what_i_needed", "closing_message": CLOSING},
        headers=seeker,
    )
    assert ended.status_code == 200, ended.text
    assert (
        await client.post(f"{base}/feedback", json={"text": FEEDBACK}, headers=seeker)
    ).status_code == 201
    await client.get("/api/v1/notices", headers=helper)
    await client.get(f"{base}/safety", headers=helper)
    exported = await client.get("/api/v1/me/export", headers=seeker)
    assert SEEKER_WORDS in exported.text  # the export itself carries them; the logs must not
    # Mistakes on the way: a wrong password, an unreadable body, a stranger's request.
    await client.post(
        "/api/v1/auth/token", data={"username": SEEKER["email"], "password": "wrong guess 123"}
    )
    await client.post(f"{base}/concerns", content=CONCERN.encode(), headers=seeker)
    await client.post("/api/v1/auth/signup", json={**SEEKER, "password": PASSWORD})
    # E-mails go out through a real SMTP server (the server's own logs included).
    await client.post("/api/v1/auth/password-reset", json={"email": SEEKER["email"]})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with catching("127.0.0.1", port) as smtp:
        await deliver_due(
            client._transport.app.state.sessionmaker,
            settings=settings.model_copy(update={"smtp_port": port}),
        )
    assert any(SEEKER["email"] in str(m["To"]) for m in smtp.messages)
    wrong = await client.request(
        "DELETE", "/api/v1/me", json={"password": "wrong guess 123"}, headers=seeker
    )
    assert wrong.status_code == 403
    gone = await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=seeker)
    assert gone.status_code == 204


async def test_a_whole_journey_leaves_no_personal_data_in_the_logs(
    client, db, settings, capsys, caplog
):
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    if root.handlers:  # the app's own JSON formatter, so we read exactly what it writes
        handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    caplog.set_level(logging.INFO)
    try:
        await _journey(client, db, settings)
    finally:
        root.removeHandler(handler)
    captured = stream.getvalue() + caplog.text + "".join(capsys.readouterr())
    assert captured.count('"event": "request"') >= 25, "the logs were not captured"
    secrets = [
        SEEKER["email"],
        SUPPORTER["email"],
        SEEKER["display_name"],
        SUPPORTER["display_name"],
        "Quillon",
        "Orrin",
        PASSWORD,
        "wrong guess 123",
        SEEKER_WORDS,
        SUPPORTER_WORDS,
        CONCERN,
        CLOSING,
        FEEDBACK,
        "the driver who hit him",
        "got_what_i_needed",
    ]
    leaked = [s for s in secrets if s in captured or s.lower() in captured.lower()]
    assert leaked == []
