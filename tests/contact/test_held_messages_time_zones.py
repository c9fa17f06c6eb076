"""Held messages across the clock changes, one person in London and the other in New York.

The service is called with the moment it should take as now, so each case runs at the exact
instants around a change of the clocks.
"""

from datetime import UTC, datetime, timedelta

import pytest

from api.contact import inbox, messages, upkeep
from tests.contact.helpers import contact_pair, principal, rid

LONDON, NEW_YORK = "Europe/London", "America/New_York"
SUNDAY_MORNING = [{"weekday": 6, "start": "09:00", "end": "10:00"}]


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def visible_to(db, settings, person, pair, now: datetime) -> list[str]:
    found = await messages.conversation(
        db, principal(person), settings=settings, relationship_id=rid(pair), now=now
    )
    await db.commit()
    return [m.body for m in found.messages if not m.mine]


async def london_and_new_york(client, db, settings, windows, tz=LONDON):
    return await contact_pair(
        client, db, settings, seeker_tz=NEW_YORK, supporter_tz=LONDON, windows=windows, timezone=tz
    )


@pytest.mark.parametrize(
    ("sent", "opens", "sender_sees"),
    [
        # Saturday 20:00 in New York (already on summer time), before London changes at 01:00
        # UTC: the window opens at 09:00 BST, which is 08:00 UTC, 04:00 in New York.
        (at(2027, 3, 28, 0, 0), at(2027, 3, 28, 8, 0), "Sun 28 Mar, 04:00"),
        # Saturday 22:00 in New York, just after London went back at 01:00 UTC: 09:00 GMT is
        # 09:00 UTC, and New York (still on summer time until 7 November) sees 05:00.
        (at(2027, 10, 31, 2, 0), at(2027, 10, 31, 9, 0), "Sun 31 Oct, 05:00"),
        # A week later New York has changed too: 09:00 GMT is 04:00 EST.
        (at(2027, 11, 7, 2, 0), at(2027, 11, 7, 9, 0), "Sun 7 Nov, 04:00"),
    ],
)
async def test_held_until_the_window_opens_in_real_time_and_told_on_the_senders_clock(
    client, db, settings, sent, opens, sender_sees
):
    pair = await london_and_new_york(client, db, settings, SUNDAY_MORNING)
    sam, bob = pair.seeker, pair.supporter
    _, shown = await messages.send(
        db, principal(sam), settings=settings, relationship_id=rid(pair), body="Morning!", now=sent
    )
    await db.commit()
    assert shown.held and shown.deliver_at == opens
    assert shown.delivery_text.startswith(f"Held until {sender_sees} (New York time)")
    assert await visible_to(db, settings, bob, pair, opens - timedelta(seconds=1)) == []
    assert await upkeep.sweep(db, now=opens - timedelta(seconds=1)) == 0
    assert await visible_to(db, settings, bob, pair, opens) == ["Morning!"]
    # Sam's view at the same moment: delivered.
    mine = await messages.conversation(
        db, principal(sam), settings=settings, relationship_id=rid(pair), now=opens
    )
    assert mine.messages[0].status == "delivered"


async def test_a_window_in_the_spring_gap_opens_when_the_clocks_jump(client, db, settings):
    """Sunday 01:30-03:00 London on 28 March 2027: 01:30 never happens; it opens at 02:00 BST."""
    pair = await london_and_new_york(
        client, db, settings, [{"weekday": 6, "start": "01:30", "end": "03:00"}]
    )
    bob = principal(pair.supporter)
    _, shown = await messages.send(
        db,
        bob,
        settings=settings,
        relationship_id=rid(pair),
        body="Up late",
        now=at(2027, 3, 28, 0, 30),
    )
    await db.commit()
    assert shown.deliver_at == at(2027, 3, 28, 1, 0)  # 02:00 BST
    assert shown.delivery_text.startswith("Held until Sun 28 Mar, 02:00 (London time)")
    # Sam, in New York, gets it at 21:00 on Saturday his time.
    assert await visible_to(db, settings, pair.seeker, pair, at(2027, 3, 28, 0, 59)) == []
    assert await visible_to(db, settings, pair.seeker, pair, at(2027, 3, 28, 1, 0)) == ["Up late"]


async def test_in_the_repeated_autumn_hour_the_second_pass_is_inside_the_window(
    client, db, settings
):
    """Sunday 01:00-01:30 London on 31 October 2027 runs from 01:00 BST to 01:30 GMT."""
    pair = await london_and_new_york(
        client, db, settings, [{"weekday": 6, "start": "01:00", "end": "01:30"}]
    )
    sam = principal(pair.seeker)
    _, inside = await messages.send(
        db,
        sam,
        settings=settings,
        relationship_id=rid(pair),
        body="one",
        now=at(2027, 10, 31, 1, 10),
    )
    assert not inside.held  # 01:10 GMT, the clock's second pass through 01:10
    _, after = await messages.send(
        db,
        sam,
        settings=settings,
        relationship_id=rid(pair),
        body="two",
        now=at(2027, 10, 31, 1, 40),
    )
    await db.commit()
    assert after.held and after.deliver_at == at(2027, 11, 7, 1, 0)  # next Sunday, 01:00 GMT
    assert after.delivery_text.startswith("Held until Sat 6 Nov, 21:00 (New York time)")


async def test_windows_agreed_in_new_york_time_across_the_american_change(client, db, settings):
    """Sunday 03:00-04:00 New York on 14 March 2027: the clocks jump from 02:00 to 03:00."""
    pair = await london_and_new_york(
        client, db, settings, [{"weekday": 6, "start": "03:00", "end": "04:00"}], tz=NEW_YORK
    )
    bob = principal(pair.supporter)
    _, shown = await messages.send(
        db, bob, settings=settings, relationship_id=rid(pair), body="Hi", now=at(2027, 3, 14, 6, 30)
    )
    await db.commit()
    assert shown.deliver_at == at(2027, 3, 14, 7, 0)  # 03:00 EDT
    assert shown.delivery_text.startswith("Held until Sun 14 Mar, 07:00 (London time)")
    # A week earlier the same window was 08:00 UTC (03:00 EST).
    _, before = await messages.send(
        db, bob, settings=settings, relationship_id=rid(pair), body="Hi", now=at(2027, 3, 7, 7, 30)
    )
    assert before.deliver_at == at(2027, 3, 7, 8, 0)


async def test_the_recipient_is_told_once_when_the_window_opens(client, db, settings):
    pair = await london_and_new_york(client, db, settings, SUNDAY_MORNING)
    sam = principal(pair.seeker)
    for n in range(3):
        await messages.send(
            db,
            sam,
            settings=settings,
            relationship_id=rid(pair),
            body=f"note {n}",
            now=at(2027, 3, 27, 23, n),
        )
    await db.commit()
    opens = at(2027, 3, 28, 8, 0)
    assert await upkeep.sweep(db, now=opens) == 1
    assert await upkeep.sweep(db, now=opens + timedelta(minutes=1)) == 0
    await db.commit()
    told = [n for n in await inbox.my_notices(db, principal(pair.supporter)) if n.relationship_id]
    assert [(n.kind, n.text) for n in told] == [("message_delivered", "Sam sent you 3 messages.")]
