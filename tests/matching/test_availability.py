"""Weekly availability as UTC slot bitsets: zones, daylight saving, wrapping, overlap."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from api.matching.availability import (
    SLOTS_PER_DAY,
    bits_from_slots,
    overlap_minutes,
    overlap_minutes_many,
    shared_local_periods,
    slots_of,
    to_utc_slots,
)
from api.weekly.occurrences import occurrence_on
from api.weekly.windows import WeeklyWindow

WINTER = date(2026, 1, 5)
MARCH = date(2026, 3, 9)  # US clocks changed on 8 March, UK clocks change on 29 March
JULY = date(2026, 7, 6)


def w(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday=weekday, start=start, end=end)


def test_london_window_moves_with_summer_time():
    evening = [w(0, "18:00", "19:00")]
    assert slots_of(to_utc_slots(evening, "Europe/London", WINTER)).tolist() == [36, 37]
    assert slots_of(to_utc_slots(evening, "Europe/London", JULY)).tolist() == [34, 35]


def test_london_and_new_york_evenings_overlap_differs_between_march_and_july():
    london = [w(0, "21:00", "23:00")]
    new_york = [w(0, "17:00", "19:00")]

    def shared(week: date) -> int:
        a = to_utc_slots(london, "Europe/London", week)
        b = to_utc_slots(new_york, "America/New_York", week)
        return overlap_minutes(a, b)

    # March: London on GMT, New York already on EDT: 4 hours apart, the windows coincide.
    assert shared(MARCH) == 120
    # July: both on summer time, 5 hours apart: only one hour is shared.
    assert shared(JULY) == 60


def test_half_hour_zone_and_partial_slots():
    kolkata = to_utc_slots([w(0, "18:00", "20:00")], "Asia/Kolkata", MARCH)
    assert slots_of(kolkata).tolist() == [25, 26, 27, 28]  # 12:30-14:30 UTC
    # Nepal is UTC+5:45: 12:15-14:15 UTC; only whole slots are promised.
    nepal = to_utc_slots([w(0, "18:00", "20:00")], "Asia/Kathmandu", MARCH)
    assert slots_of(nepal).tolist() == [25, 26, 27]


def test_end_of_day_and_wrapping_round_the_week():
    late = to_utc_slots([w(6, "22:00", "24:00")], "UTC", MARCH)
    assert slots_of(late).tolist() == [332, 333, 334, 335]
    # Monday 08:00-10:00 in Sydney (UTC+11) is Sunday 21:00-23:00 UTC: wraps to the week's end.
    sydney = to_utc_slots([w(0, "08:00", "10:00")], "Australia/Sydney", MARCH)
    assert slots_of(sydney).tolist() == [330, 331, 332, 333]
    # Sunday 23:00-24:00 in New York is Monday 03:00-04:00 UTC the next week: wraps to the start.
    ny = to_utc_slots([w(6, "23:00", "24:00")], "America/New_York", MARCH)
    assert slots_of(ny).tolist() == [6, 7]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="Monday"):
        to_utc_slots([w(0, "09:00", "10:00")], "UTC", date(2026, 3, 10))
    # A window that isn't one can't even be written down.
    with pytest.raises(ValueError):
        w(0, "10:00", "09:00")
    with pytest.raises(ValueError):
        w(7, "09:00", "10:00")
    with pytest.raises(ValueError):
        w(0, "09:75", "10:00")


def test_vectorised_overlap_matches_scalar_in_either_memory_order():
    rng = np.random.default_rng(0)
    supporters = np.stack(
        [bits_from_slots(rng.choice(336, rng.integers(0, 60), replace=False)) for _ in range(50)]
    )
    seeker = bits_from_slots(range(SLOTS_PER_DAY, 3 * SLOTS_PER_DAY))
    expected = [overlap_minutes(seeker, row) for row in supporters]
    assert overlap_minutes_many(seeker, supporters).tolist() == expected
    assert overlap_minutes_many(seeker, np.asfortranarray(supporters)).tolist() == expected


def test_shared_periods_in_the_seekers_zone():
    tuesday_evening = to_utc_slots([w(1, "18:00", "21:00")], "Europe/London", JULY)
    periods = shared_local_periods(tuesday_evening, tuesday_evening, "Europe/London", JULY)
    assert [(p.weekday, p.part, p.minutes) for p in periods] == [(1, "evening", 180)]
    # The same UTC slots, seen from New York, are Tuesday afternoon.
    periods = shared_local_periods(tuesday_evening, tuesday_evening, "America/New_York", JULY)
    assert [(p.weekday, p.part) for p in periods] == [(1, "afternoon")]


def test_small_hours_count_as_the_night_before_and_short_periods_are_dropped():
    small_hours = to_utc_slots([w(2, "01:00", "03:00"), w(4, "09:00", "09:30")], "UTC", MARCH)
    periods = shared_local_periods(small_hours, small_hours, "UTC", MARCH)
    assert [(p.weekday, p.part) for p in periods] == [(1, "night")]  # Tuesday night


def _occurrence_slots(window: WeeklyWindow, tz: str, week: date) -> list[int]:
    """The whole UTC slots of the window's occurrence that week, by api.weekly's rule."""
    day = week + timedelta(days=window.weekday)
    found = occurrence_on(window, day, tz=ZoneInfo(tz))
    if found is None:
        return []
    origin = datetime.combine(week, time(0), tzinfo=UTC)
    first = -(-(found.start - origin) // timedelta(minutes=30))
    last = (found.end - origin) // timedelta(minutes=30)
    return list(range(first, last))


@pytest.mark.parametrize(
    ("window", "week", "slots"),
    [
        # 29 March 2026, London jumps 01:00 GMT -> 02:00 BST: 01:30 stands for the jump.
        (w(6, "01:30", "03:00"), date(2026, 3, 23), [290, 291]),
        (w(6, "01:10", "01:50"), date(2026, 3, 23), []),  # wholly skipped
        # 25 October 2026, London shows 01:00-02:00 twice: an end uses the second pass.
        (w(6, "00:30", "01:30"), date(2026, 10, 19), [287, 288, 289, 290]),
        (w(6, "01:00", "02:00"), date(2026, 10, 19), [288, 289, 290, 291]),
    ],
)
def test_slots_follow_the_weekly_daylight_saving_rule(window, week, slots):
    assert slots_of(to_utc_slots([window], "Europe/London", week)).tolist() == slots
    assert _occurrence_slots(window, "Europe/London", week) == slots
