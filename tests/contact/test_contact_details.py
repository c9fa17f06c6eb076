"""Contact details stay inside the agreement: a message with a phone number, an e-mail
address or a social-media handle is kept back (never delivered) and the sender told why,
unless both people's agreed personal limits say sharing them is always OK."""

import pytest

from api.common import utcnow
from api.contact.contact_details import found_in
from api.relationships import limits
from tests.contact.helpers import agree, contact_pair, windows_around

LONDON = "Europe/London"

PHONES = [
    "Call me on 07911 123456",
    "my number is +44 7911 123 456",
    "ring me at home 0161 496 0000",
    "0 7 9 1 1 1 2 3 4 5 6",
    "07911-123-456 any time",
    "(020) 7946 0018",
    "07911123456",
    "tel:+447911123456",
    "+1 415 555 2671 if I'm in the States",
    "text me 07700 900123",
]
EMAILS = [
    "email me sam.jones@gmail.com",
    "Sam.Jones+kindred@example.co.uk",
    "sam at gmail dot com",
    "sam(at)example(dot)org",
]
SOCIAL = [
    "add me @sam_jones",
    "my insta is sam_jones99",
    "instagram.com/samj",
    "https://www.facebook.com/sam.jones.77",
    "https://wa.me/447911123456",
    "snapchat: sam.j",
    "find me on tiktok - @samwalks",
]
NOTHING = [
    "See you at 19:00 on 3/5/2026",
    "Session 3 of 6 went well",
    "It's 2026-05-03 18:30 here",
    "from 18:00-22:00 every day",
    "I was born in 1987",
    "meet @7pm?",
    "meet @ 7:30",
    "I walked 10,000 steps today",
    "we talked for 45 minutes",
    "Room 101, floor 2",
    "I took 2 x 50mg",
    "call 999 if you need to",
    "Samaritans are on 116 123",
    "Text SHOUT to 85258",
    "my instagram is full of cats",
    "£1,250.00 for the course",
    "version 2.0.1",
    "sessions 4, 5 and 6",
    "I'm at the 14:45 train",
]


@pytest.mark.parametrize("text", PHONES)
def test_phone_numbers_are_found(text):
    assert "phone" in found_in(text)


@pytest.mark.parametrize("text", EMAILS)
def test_email_addresses_are_found(text):
    assert found_in(text) == ["email"]


@pytest.mark.parametrize("text", SOCIAL)
def test_social_media_handles_and_links_are_found(text):
    assert "social" in found_in(text)


@pytest.mark.parametrize("text", NOTHING)
def test_times_dates_counts_and_crisis_numbers_are_not_contact_details(text):
    assert found_in(text) == []


def limits_with(**levels: str) -> dict:
    people = {p: limits.default_limits() for p in ("seeker", "supporter")}
    for key, level in levels.items():
        for person in people:
            people[person][key] = level
    return people


async def send(client, pair, person, body):
    sent = await client.post(f"{pair.base}/messages", json={"body": body}, headers=person.headers)
    assert sent.status_code == 201, sent.text
    return sent.json()


async def read(client, pair, person) -> dict:
    response = await client.get(f"{pair.base}/messages", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_phone_number_is_kept_back_and_the_sender_told_why(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    sent = await send(client, pair, pair.seeker, "If it's easier, my number is 07911 123456")
    assert sent["status"] == "kept_back"
    assert "a phone number" in sent["delivery_text"]
    assert "Bob hasn't seen it" in sent["delivery_text"]
    assert "07911" not in sent["delivery_text"]
    fine = await send(client, pair, pair.seeker, "See you at 19:00 for session 3.")
    assert fine["status"] == "delivered"
    seen = await read(client, pair, pair.supporter)
    assert [m["body"] for m in seen["messages"]] == ["See you at 19:00 for session 3."]
    told = await client.get("/api/v1/notices", headers=pair.supporter.headers)
    assert "07911" not in told.text


async def test_when_both_limits_allow_it_the_details_go_through(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(
        db,
        pair,
        windows=windows_around(utcnow(), LONDON, 60, 180),
        timezone=LONDON,
        personal_limits=limits_with(phone_numbers="always_ok"),
    )
    sent = await send(client, pair, pair.seeker, "My number is 07911 123456")
    assert sent["status"] == "delivered"
    # Social media is still never OK for them: a handle is kept back.
    kept = await send(client, pair, pair.seeker, "and my insta is sam_jones99")
    assert kept["status"] == "kept_back" and "social media" in kept["delivery_text"]


async def test_maybe_is_not_enough_and_one_persons_never_holds_for_both(client, db, settings):
    pair = await contact_pair(client, db, settings)
    people = limits_with(phone_numbers="always_ok")
    people["supporter"]["phone_numbers"] = "maybe"
    await agree(
        db,
        pair,
        windows=windows_around(utcnow(), LONDON, 60, 180),
        timezone=LONDON,
        personal_limits=people,
    )
    sent = await send(client, pair, pair.supporter, "sam.jones@gmail.com is best")
    assert sent["status"] == "kept_back" and "an e-mail address" in sent["delivery_text"]


async def test_a_kept_back_message_goes_through_once_both_agree_it_is_ok(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)
    await send(client, pair, pair.seeker, "My number is 07911 123456")
    assert (await read(client, pair, pair.supporter))["messages"] == []
    await agree(
        db,
        pair,
        windows=windows_around(utcnow(), LONDON, 60, 180),
        timezone=LONDON,
        personal_limits=limits_with(phone_numbers="always_ok"),
    )
    seen = await read(client, pair, pair.supporter)
    assert [m["body"] for m in seen["messages"]] == ["My number is 07911 123456"]
