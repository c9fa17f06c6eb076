"""The session rules as pure functions: every reason, one at a time, on both sides of the
clock changes (London and New York change on different dates, in March and in October)."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from api.contact.models import ContactSession, SessionStatus
from api.contact.rules import counts, first_fitting, open_slots, session_problems, windows_text
from api.relationships.terms import AgreementTerms
from tests.contact.helpers import on, terms

LONDON, NEW_YORK = "Europe/London", "America/New_York"
NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
TUESDAY_EVENING = [{"weekday": 1, "start": "19:00", "end": "20:30"}]


def agreement(**changes) -> AgreementTerms:
    return AgreementTerms.model_validate(terms(**changes))


def session(start: datetime, status=SessionStatus.confirmed, minutes=45) -> ContactSession:
    return ContactSession(
        id=uuid4(),
        relationship_id=uuid4(),
        start_at=start,
        minutes=minutes,
        channel="video",
        status=status,
        agreement_version=1,
    )


def problems(agreed, start, channel="video", sessions=(), held=0, viewer=LONDON, now=NOW):
    return session_problems(
        agreed,
        start=start,
        channel=channel,
        sessions=list(sessions),
        sessions_held=held,
        now=now,
        viewer_tz=viewer,
    )


def test_a_session_inside_the_windows_on_an_agreed_channel_is_fine():
    agreed = agreement(windows=TUESDAY_EVENING)
    assert problems(agreed, on(date(2027, 3, 2), "19:00", LONDON)) == []
    assert problems(agreed, on(date(2027, 3, 2), "19:45", LONDON)) == []  # ends at 20:30


@pytest.mark.parametrize(
    ("at", "why"),
    [
        ("18:30", "isn't inside your agreed contact times"),
        ("19:50", "isn't inside your agreed contact times"),  # would end at 20:35
    ],
)
def test_outside_the_windows_says_so_and_when_the_next_time_fits(at, why):
    agreed = agreement(windows=TUESDAY_EVENING)
    found = problems(agreed, on(date(2027, 3, 2), at, LONDON))
    assert [f for f, _ in found] == ["start_at"]
    assert why in found[0][1]
    assert "Tuesday 19:00\u201320:30 (London time)" in found[0][1]
    assert "The next time that fits is" in found[0][1]


def test_in_the_past_a_channel_not_agreed_and_every_reason_at_once():
    agreed = agreement(windows=TUESDAY_EVENING, channels=["chat", "video"])
    found = problems(agreed, NOW - timedelta(hours=1), channel="in_person")
    assert [f for f, _ in found] == ["start_at", "channel"]
    assert "already passed" in found[0][1]
    assert "in-app chat or video" in found[1][1] and "in person" in found[1][1]


def test_the_weekly_limit_counts_confirmed_and_held_sessions_in_the_agreements_week():
    agreed = agreement(max_sessions_per_week=1)
    monday = on(date(2027, 3, 8), "19:00", LONDON)
    sunday = on(date(2027, 3, 14), "21:00", LONDON)
    # A proposed (unconfirmed) or cancelled one doesn't use the week's place.
    for status in (SessionStatus.proposed, SessionStatus.cancelled, SessionStatus.missed):
        assert not [p for p in problems(agreed, sunday, sessions=[session(monday, status)])]
    for status in (SessionStatus.confirmed, SessionStatus.held):
        found = problems(agreed, sunday, sessions=[session(monday, status)])
        assert len(found) == 1 and "at most 1 session a week" in found[0][1]
        assert "week of Monday 8 March has 1 session already" in found[0][1]
    # The next Monday is another week.
    assert problems(agreed, sunday + timedelta(hours=22), sessions=[session(monday)]) == []


def test_the_week_is_the_agreements_week_not_the_viewers():
    """Sunday 22:30 in London is already Monday in Berlin: the London week decides."""
    late = [{"weekday": d, "start": "18:00", "end": "23:30"} for d in range(7)]
    agreed = agreement(windows=late, max_sessions_per_week=1)
    monday = session(on(date(2027, 3, 8), "19:00", LONDON))
    sunday_late = on(date(2027, 3, 14), "22:30", LONDON)
    found = problems(agreed, sunday_late, sessions=[monday], viewer="Europe/Berlin")
    assert len(found) == 1 and "a week" in found[0][1]


def test_beyond_the_agreed_number_counts_held_and_booked():
    agreed = agreement(sessions_total=3, max_sessions_per_week=2)
    booked = [session(on(date(2027, 3, 2), "19:00", LONDON))]
    start = on(date(2027, 3, 16), "19:00", LONDON)
    assert problems(agreed, start, sessions=booked, held=1) == []
    found = problems(agreed, start, sessions=booked, held=2)
    assert len(found) == 1
    assert "All 3 agreed sessions are held or booked (2 held, 1 booked)" in found[0][1]
    assert "new version of your agreement" in found[0][1]


def test_overlapping_another_session_of_the_pair():
    agreed = agreement()
    first = session(on(date(2027, 3, 2), "19:00", LONDON), SessionStatus.proposed)
    found = problems(agreed, on(date(2027, 3, 2), "19:30", LONDON), sessions=[first])
    assert len(found) == 1 and "overlaps your proposed session on Tue 2 Mar, 19:00" in found[0][1]
    # Touching is not overlapping; a cancelled one takes no time.
    assert problems(agreed, on(date(2027, 3, 2), "19:45", LONDON), sessions=[first]) == []
    first.status = SessionStatus.cancelled
    assert problems(agreed, on(date(2027, 3, 2), "19:30", LONDON), sessions=[first]) == []


# ---- one person in London, the other in New York, through both clock changes ----------------

# (date, the UTC hour of 19:00 in London, New York's clock then)
TUESDAYS = [
    (date(2027, 3, 9), 19, "14:00"),  # both on winter time
    (date(2027, 3, 16), 19, "15:00"),  # New York changed on 14 March, London not yet
    (date(2027, 3, 30), 18, "14:00"),  # London changed on 28 March
    (date(2027, 10, 26), 18, "14:00"),  # both on summer time
    (date(2027, 11, 2), 19, "15:00"),  # London changed back on 31 October, New York not yet
    (date(2027, 11, 9), 19, "14:00"),  # New York changed back on 7 November
]


@pytest.mark.parametrize(("day", "utc_hour", "new_york"), TUESDAYS)
def test_a_london_window_is_the_same_instant_for_both_and_moves_on_new_yorks_clock(
    day, utc_hour, new_york
):
    agreed = agreement(windows=TUESDAY_EVENING, timezone=LONDON)
    start = datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    now = datetime(2027, 3, 1, tzinfo=UTC)
    assert problems(agreed, start, now=now) == []
    assert problems(agreed, start, now=now, viewer=NEW_YORK) == []
    # The hour the New Yorker might guess from last week's clock is outside.
    for wrong in (start - timedelta(hours=1), start + timedelta(hours=1)):
        found = problems(agreed, wrong, now=now, viewer=NEW_YORK)
        assert found and "isn't inside" in found[0][1]
        assert f"Tuesday {new_york}" in found[0][1] and "(New York time)" in found[0][1]
    assert windows_text(agreed, NEW_YORK, day).startswith(f"Tuesday {new_york}")


def test_a_new_york_window_seen_from_london_across_the_october_changes():
    """Windows agreed in New York time: Monday 20:00-21:00 there."""
    agreed = agreement(
        windows=[{"weekday": 0, "start": "20:00", "end": "21:00"}], timezone=NEW_YORK
    )
    # 20:00 EDT is 00:00 UTC on Tuesday, 01:00 BST; after London goes back, 00:00 GMT.
    before = datetime(2027, 10, 26, 0, tzinfo=UTC)
    between = datetime(2027, 11, 2, 0, tzinfo=UTC)
    after = datetime(2027, 11, 9, 1, tzinfo=UTC)  # 20:00 EST
    now = datetime(2027, 10, 1, tzinfo=UTC)
    for start in (before, between, after):
        assert problems(agreed, start, now=now, viewer=LONDON) == []
    assert windows_text(agreed, LONDON, date(2027, 10, 26)).startswith("Tuesday 01:00")
    assert windows_text(agreed, LONDON, date(2027, 11, 2)).startswith("Tuesday 00:00")
    assert windows_text(agreed, LONDON, date(2027, 11, 9)).startswith("Tuesday 01:00")


def test_a_window_across_the_spring_gap_starts_when_the_clocks_jump():
    """Sunday 01:30-03:00 London on 28 March 2027 runs 02:00-03:00 BST (01:00-02:00 UTC)."""
    agreed = agreement(windows=[{"weekday": 6, "start": "01:30", "end": "03:00"}])
    now = datetime(2027, 3, 1, tzinfo=UTC)
    assert problems(agreed, datetime(2027, 3, 28, 1, 0, tzinfo=UTC), now=now) == []
    assert problems(agreed, datetime(2027, 3, 28, 1, 15, tzinfo=UTC), now=now) == []
    assert problems(agreed, datetime(2027, 3, 28, 0, 45, tzinfo=UTC), now=now)  # 00:45 GMT
    assert problems(agreed, datetime(2027, 3, 28, 1, 30, tzinfo=UTC), now=now)  # ends 02:15
    gap = datetime(2027, 3, 28, 0, 40, tzinfo=UTC)
    assert first_fitting(agreed, gap) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_a_window_across_the_autumn_repeat_keeps_all_the_time_the_clock_shows():
    """Sunday 01:00-02:00 London on 31 October 2027: 01:00 BST (00:00 UTC) to 02:00 GMT."""
    agreed = agreement(
        windows=[{"weekday": 6, "start": "01:00", "end": "02:00"}], session_minutes=90
    )
    now = datetime(2027, 10, 1, tzinfo=UTC)
    start = datetime(2027, 10, 31, 0, 0, tzinfo=UTC)
    assert problems(agreed, start, now=now) == []  # two real hours: a 90-minute session fits
    a_week_later = datetime(2027, 11, 7, 1, 0, tzinfo=UTC)
    assert problems(agreed, a_week_later, now=now)  # an ordinary hour again


def test_open_slots_are_every_quarter_hour_that_passes_every_rule():
    agreed = agreement(windows=TUESDAY_EVENING, sessions_total=2, max_sessions_per_week=1)
    now = datetime(2027, 3, 1, tzinfo=UTC)
    slots = open_slots(agreed, sessions=[], sessions_held=0, now=now, days=7)
    assert [s.strftime("%H:%M") for s in slots] == ["19:00", "19:15", "19:30", "19:45"]
    booked = [session(slots[0])]
    assert open_slots(agreed, sessions=booked, sessions_held=0, now=now, days=7) == []
    later = open_slots(agreed, sessions=booked, sessions_held=0, now=now, days=14)
    assert later and all(s.day == 9 for s in later)  # the next week
    assert open_slots(agreed, sessions=booked, sessions_held=1, now=now, days=14) == []


def test_counts_and_the_planned_ending():
    agreed = agreement(sessions_total=3)
    booked = [session(NOW), session(NOW, SessionStatus.proposed)]
    seen = counts(agreed, 1, booked)
    assert (seen.agreed, seen.held, seen.booked, seen.remaining) == (3, 1, 1, 1)
    assert not seen.planned_ending
    assert counts(agreed, 3, []).planned_ending
    assert counts(None, 0, []).agreed == 0
