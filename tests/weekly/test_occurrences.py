"""Weekly windows in real time: daylight saving, boundaries, week wraps, other zones."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from api.weekly.occurrences import (
    instant,
    interval_fits,
    is_within_windows,
    next_window_opening,
    window_containing,
    windows_in_zone,
)
from api.weekly.windows import (
    WeeklyWindow,
    WindowsError,
    check_windows,
    describe_window,
    longest_window_minutes,
    window_problems,
    zone,
)

LONDON = "Europe/London"
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = "Asia/Tokyo"
# Tuesday and Thursday evenings, as in the service's template.
EVENINGS = [
    WeeklyWindow(weekday=1, start="19:00", end="20:30"),
    WeeklyWindow(weekday=3, start="19:00", end="20:30"),
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def w(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday=weekday, start=start, end=end)


# The four weeks around the 2026 changes: London and New York change on different Sundays.
#   week of       London  New York  Tuesday 19:00 London is
DST_WEEKS = [
    (date(2026, 3, 10), utc(2026, 3, 10, 19), time(15)),  # GMT, EDT (US changed 8 March)
    (date(2026, 3, 31), utc(2026, 3, 31, 18), time(14)),  # BST, EDT
    (date(2026, 10, 27), utc(2026, 10, 27, 19), time(15)),  # GMT (UK back 25 Oct), EDT
    (date(2026, 11, 3), utc(2026, 11, 3, 19), time(14)),  # GMT, EST (US back 1 Nov)
]


@pytest.mark.parametrize(("tuesday", "opens", "new_york_clock"), DST_WEEKS)
def test_window_boundaries_follow_london_clock(tuesday, opens, new_york_clock):
    closes = opens + timedelta(minutes=90)
    assert tuesday.weekday() == 1
    assert is_within_windows(opens, EVENINGS, LONDON)  # start inclusive
    assert is_within_windows(closes - timedelta(seconds=1), EVENINGS, LONDON)
    assert not is_within_windows(closes, EVENINGS, LONDON)  # end exclusive
    assert not is_within_windows(opens - timedelta(seconds=1), EVENINGS, LONDON)
    # The same instant written on a New York clock is the same answer.
    seen_in_new_york = opens.astimezone(NEW_YORK)
    assert seen_in_new_york.time() == new_york_clock
    assert is_within_windows(seen_in_new_york, EVENINGS, LONDON)
    assert window_containing(seen_in_new_york, EVENINGS, LONDON) == (opens, closes)


@pytest.mark.parametrize(("tuesday", "opens", "new_york_clock"), DST_WEEKS)
def test_windows_seen_from_new_york_each_week(tuesday, opens, new_york_clock):
    seen = windows_in_zone(EVENINGS, LONDON, NEW_YORK, tuesday)
    end = (datetime.combine(tuesday, new_york_clock) + timedelta(minutes=90)).time()
    assert [(x.weekday, x.start, x.end) for x in seen] == [
        (1, new_york_clock, end),
        (3, new_york_clock, end),
    ]
    assert describe_window(seen[0]) == f"Tuesday {new_york_clock:%H:%M}\u2013{end:%H:%M}"


def test_summer_evening_is_earlier_in_utc():
    # A 19:00-21:00 London window is 18:00-20:00 UTC in summer and 19:00-21:00 UTC in winter.
    window = [w(1, "19:00", "21:00")]
    assert is_within_windows(utc(2026, 7, 7, 18), window, LONDON)
    assert not is_within_windows(utc(2026, 7, 7, 20), window, LONDON)
    assert not is_within_windows(utc(2026, 1, 6, 18), window, LONDON)
    assert is_within_windows(utc(2026, 1, 6, 20, 59), window, LONDON)


def test_next_opening_wraps_round_the_week():
    friday = utc(2026, 3, 13, 12)
    assert next_window_opening(friday, EVENINGS, LONDON) == utc(2026, 3, 17, 19)
    # From a GMT Friday to a BST Tuesday: the window opens an hour earlier in UTC.
    assert next_window_opening(utc(2026, 3, 27, 12), EVENINGS, LONDON) == utc(2026, 3, 31, 18)
    # Just after the only window closes, the next opening is a week later.
    monday = [w(0, "09:00", "10:00")]
    assert next_window_opening(utc(2026, 11, 2, 10), monday, LONDON) == utc(2026, 11, 9, 9)
    sunday_night = [w(6, "22:00", "24:00")]
    assert next_window_opening(utc(2026, 11, 2, 0), sunday_night, LONDON) == utc(2026, 11, 8, 22)


def test_next_opening_is_now_when_inside_and_none_without_windows():
    inside = datetime(2026, 3, 10, 15, 30, tzinfo=NEW_YORK)
    assert next_window_opening(inside, EVENINGS, LONDON) == inside
    assert next_window_opening(inside, [], LONDON) is None


def test_session_must_fit_inside_one_window():
    start = utc(2026, 11, 3, 19)
    assert interval_fits(start, start + timedelta(minutes=90), EVENINGS, LONDON)
    assert interval_fits(
        start + timedelta(minutes=45), start + timedelta(minutes=90), EVENINGS, LONDON
    )
    # Runs past 20:30, starts at the closing minute, starts before opening, or is empty.
    late = start + timedelta(minutes=60)
    assert not interval_fits(late, late + timedelta(minutes=45), EVENINGS, LONDON)
    closing = start + timedelta(minutes=90)
    assert not interval_fits(closing, closing + timedelta(minutes=15), EVENINGS, LONDON)
    early = start - timedelta(minutes=1)
    assert not interval_fits(early, early + timedelta(minutes=30), EVENINGS, LONDON)
    assert not interval_fits(start, start, EVENINGS, LONDON)


def test_session_fits_in_summer_at_summer_times():
    start = utc(2026, 3, 31, 18, 45)  # 19:45 BST
    assert interval_fits(start, start + timedelta(minutes=45), EVENINGS, LONDON)
    assert not interval_fits(start, start + timedelta(minutes=46), EVENINGS, LONDON)


def test_touching_windows_act_as_one_even_across_midnight():
    windows = [w(5, "23:00", "24:00"), w(6, "00:00", "01:00"), w(1, "19:00", "20:00")]
    windows.append(w(1, "20:00", "21:00"))
    saturday = utc(2026, 11, 7, 23, 30)
    assert interval_fits(saturday, saturday + timedelta(hours=1), windows, LONDON)
    assert window_containing(saturday, windows, LONDON) == (
        utc(2026, 11, 7, 23),
        utc(2026, 11, 8, 1),
    )
    tuesday = utc(2026, 11, 3, 19, 30)
    assert interval_fits(tuesday, tuesday + timedelta(hours=1), windows, LONDON)
    assert longest_window_minutes(windows) == 120


def test_clocks_going_forward_skip_part_of_a_window():
    # 29 March 2026: London jumps from 01:00 GMT to 02:00 BST.
    window = [w(6, "01:30", "03:00")]
    assert not is_within_windows(utc(2026, 3, 29, 0, 59), window, LONDON)
    assert is_within_windows(utc(2026, 3, 29, 1), window, LONDON)  # 02:00 BST, the jump
    assert is_within_windows(utc(2026, 3, 29, 1, 59), window, LONDON)
    assert not is_within_windows(utc(2026, 3, 29, 2), window, LONDON)  # 03:00 BST
    # A window wholly inside the skipped hour has no time that day; the next one is a week on.
    skipped = [w(6, "01:10", "01:50")]
    assert not is_within_windows(utc(2026, 3, 29, 1, 30), skipped, LONDON)
    assert next_window_opening(utc(2026, 3, 28, 12), skipped, LONDON) == utc(2026, 4, 5, 0, 10)


def test_clocks_going_back_keep_the_whole_window():
    # 25 October 2026: London shows 01:00-02:00 twice (BST, then GMT).
    window = [w(6, "01:30", "03:00")]
    assert not is_within_windows(utc(2026, 10, 25, 0, 29), window, LONDON)
    assert is_within_windows(utc(2026, 10, 25, 0, 30), window, LONDON)  # first 01:30
    assert is_within_windows(utc(2026, 10, 25, 1, 10), window, LONDON)  # second 01:10
    assert is_within_windows(utc(2026, 10, 25, 2, 59), window, LONDON)
    assert not is_within_windows(utc(2026, 10, 25, 3), window, LONDON)
    short = [w(6, "00:30", "01:30")]
    assert window_containing(utc(2026, 10, 25, 1), short, LONDON) == (
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 1, 30),  # the second 01:30
    )


def test_new_york_windows_across_the_us_change():
    evening = [w(6, "18:00", "19:00")]
    assert is_within_windows(utc(2026, 3, 1, 23), evening, NEW_YORK)  # EST
    assert is_within_windows(utc(2026, 3, 8, 22), evening, NEW_YORK)  # EDT
    assert not is_within_windows(utc(2026, 3, 8, 23), evening, NEW_YORK)


def test_late_london_hour_seen_from_new_york_and_tokyo():
    late = [w(0, "23:00", "24:00")]
    winter, summer = date(2026, 11, 2), date(2026, 3, 30)
    assert windows_in_zone(late, LONDON, NEW_YORK, winter) == [w(0, "18:00", "19:00")]
    assert windows_in_zone(late, LONDON, NEW_YORK, summer) == [w(0, "18:00", "19:00")]
    assert windows_in_zone(late, LONDON, TOKYO, winter) == [w(1, "08:00", "09:00")]
    assert windows_in_zone(late, LONDON, TOKYO, summer) == [w(1, "07:00", "08:00")]
    # Seen in its own zone a window is unchanged.
    assert windows_in_zone(late, LONDON, LONDON, winter) == late


def test_windows_split_at_midnight_and_wrap_the_week():
    sunday_afternoon = [w(6, "14:00", "17:00")]
    assert windows_in_zone(sunday_afternoon, LONDON, TOKYO, date(2026, 11, 2)) == [
        w(0, "00:00", "02:00"),
        w(6, "23:00", "24:00"),
    ]
    monday_early = [w(0, "03:00", "06:00")]
    assert windows_in_zone(monday_early, LONDON, NEW_YORK, date(2026, 11, 2)) == [
        w(0, "00:00", "01:00"),
        w(6, "22:00", "24:00"),
    ]
    # Two London windows either side of midnight are one evening in New York.
    saturday_night = [w(6, "00:00", "01:00"), w(5, "23:00", "24:00")]
    assert windows_in_zone(saturday_night, LONDON, NEW_YORK, date(2026, 11, 2)) == [
        w(5, "18:00", "20:00")
    ]


def test_window_shape_and_spelling():
    window = w(4, "22:00", "24:00")
    assert window.end == time(0) and window.end_minute == 24 * 60 and window.minutes == 120
    assert window.model_dump() == {"weekday": 4, "start": "22:00", "end": "24:00"}
    assert WeeklyWindow.model_validate(window.model_dump()) == window
    assert describe_window(window) == "Friday 22:00\u201324:00"
    assert w(4, "22:00", "00:00") == window  # 00:00 as an end is the same midnight
    for start, end in [("20:00", "19:00"), ("19:00", "19:00"), ("24:00", "24:00"), ("7pm", "9pm")]:
        with pytest.raises(ValidationError):
            w(1, start, end)
    with pytest.raises(ValidationError):
        WeeklyWindow(weekday=7, start="09:00", end="10:00")
    with pytest.raises(ValidationError):
        WeeklyWindow(weekday=1, start=time(9, 0, 30), end="10:00")


def test_overlaps_and_unknown_zone_are_reported_together():
    windows = [w(1, "19:00", "21:00"), w(3, "19:00", "20:00"), w(1, "20:00", "22:00")]
    windows.append(w(1, "21:00", "21:30"))  # clear of the first, inside the third
    assert window_problems(windows) == [
        (
            "windows[2]",
            "This overlaps Tuesday 19:00\u201321:00; join them into one window or "
            "move one of them.",
        ),
        (
            "windows[3]",
            "This overlaps Tuesday 20:00\u201322:00; join them into one window or "
            "move one of them.",
        ),
    ]
    with pytest.raises(WindowsError) as caught:
        check_windows(windows, "Mars/Olympus_Mons")
    assert [f for f, _ in caught.value.field_errors] == ["timezone", "windows[2]", "windows[3]"]
    assert caught.value.status == 422
    assert [e.field for e in caught.value.problem().errors] == [
        "timezone",
        "windows[2]",
        "windows[3]",
    ]
    assert check_windows(windows[:2], LONDON) == ZoneInfo(LONDON)


def test_only_real_places_are_time_zones():
    assert zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    for name in ["", "localtime", "../etc/passwd", "Europe/Atlantis", "posixrules"]:
        with pytest.raises(WindowsError):
            zone(name)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="aware"):
        is_within_windows(datetime(2026, 3, 10, 19), EVENINGS, LONDON)


def test_next_opening_across_both_changes_of_the_clocks():
    sunday_morning = [w(6, "09:00", "10:00")]
    # From a GMT Saturday to the first BST Sunday, and from BST to the first GMT Sunday.
    assert next_window_opening(utc(2026, 3, 28, 12), sunday_morning, LONDON) == utc(2026, 3, 29, 8)
    assert next_window_opening(utc(2026, 10, 24, 12), sunday_morning, LONDON) == utc(
        2026, 10, 25, 9
    )
    # Opening at the jump itself: 01:30 doesn't exist on 29 March, so the window opens at 02:00.
    early = [w(6, "01:30", "02:30")]
    assert next_window_opening(utc(2026, 3, 28, 12), early, LONDON) == utc(2026, 3, 29, 1)


def test_the_rule_for_one_wall_clock_minute():
    london = ZoneInfo(LONDON)
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    # Skipped: start and end alike stand for the jump, 01:00 UTC.
    assert instant(spring, 90, tz=london, is_end=False) == utc(2026, 3, 29, 1)
    assert instant(spring, 90, tz=london, is_end=True) == utc(2026, 3, 29, 1)
    # Repeated: a start takes the first pass (BST), an end the second (GMT).
    assert instant(autumn, 90, tz=london, is_end=False) == utc(2026, 10, 25, 0, 30)
    assert instant(autumn, 90, tz=london, is_end=True) == utc(2026, 10, 25, 1, 30)
    # "24:00" is the next day's midnight.
    assert instant(autumn, 24 * 60, tz=london, is_end=True) == utc(2026, 10, 26, 0)
