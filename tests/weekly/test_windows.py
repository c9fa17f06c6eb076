"""The weekly window itself: reading it from stored data and from words, and the constants."""

from datetime import time

import pytest

from api.weekly.windows import (
    FALLBACK_TIMEZONE,
    PARTS_OF_DAY,
    WEEKDAYS,
    WeeklyWindow,
    WindowsError,
    describe_windows,
    is_known_timezone,
    parse_window_text,
    parse_windows,
    part_of_day,
    stored_windows,
)


def w(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday=weekday, start=start, end=end)


def test_parse_windows_reports_every_window():
    with pytest.raises(WindowsError) as caught:
        parse_windows([{"weekday": 9, "start": "09:00", "end": "10:00"}, {"weekday": 0}])
    assert [f for f, _ in caught.value.field_errors] == [
        "windows[0].weekday",
        "windows[1].start",
        "windows[1].end",
    ]
    assert dict(caught.value.field_errors)["windows[1].start"] == "This is needed."
    assert parse_windows([{"weekday": 0, "start": "09:00", "end": "24:00"}])[0].minutes == 900


def test_parse_windows_names_its_field_and_refuses_overlaps():
    raw = [{"weekday": 2, "start": "10:00", "end": "12:00"}]
    raw.append({"weekday": 2, "start": "11:00", "end": "13:00"})
    with pytest.raises(WindowsError) as caught:
        parse_windows(raw, field="availability")
    assert caught.value.field_errors == [
        (
            "availability[1]",
            "This overlaps Wednesday 10:00\u201312:00; join them into one window or move one "
            "of them.",
        )
    ]
    assert caught.value.status == 422


def test_a_window_never_crosses_midnight():
    with pytest.raises(ValueError, match="second window on the next day"):
        w(5, "22:00", "02:00")
    assert w(5, "22:00", "24:00") == w(5, "22:00", "00:00")
    assert w(5, "22:00", "24:00").model_dump()["end"] == "24:00"
    with pytest.raises(ValueError, match="start it at 00:00 the next day"):
        w(5, "24:00", "24:00")


def test_stored_windows_read_saved_json_and_refuse_bad_data():
    saved = [{"weekday": 1, "start": "18:00", "end": "21:00"}]
    saved.append({"weekday": 6, "start": "22:00", "end": "24:00"})
    assert stored_windows(saved) == [w(1, "18:00", "21:00"), w(6, "22:00", "24:00")]
    assert stored_windows([]) == []
    with pytest.raises(ValueError):
        stored_windows([{"weekday": 1, "start": "21:00", "end": "18:00"}])


def test_words_round_trip_through_describe_windows():
    windows = [w(1, "19:00", "20:30"), w(3, "09:00", "10:00"), w(6, "22:00", "24:00")]
    text = describe_windows(windows)
    assert text == "Tuesday 19:00\u201320:30, Thursday 09:00\u201310:00, Sunday 22:00\u201324:00"
    assert parse_window_text(text) == windows
    assert parse_window_text("tue 19:00-20:30 , THU 9:00 - 10:00") == windows[:2]
    assert parse_window_text("") == [] == parse_window_text(describe_windows([]))


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("Someday 19:00-20:00", ["windows[0]"]),
        ("Tuesday 7pm-9pm, Wednesday 19:00", ["windows[0]", "windows[1]"]),
        ("Tuesday 19:00-20:00, Friday 21:00-20:00", ["windows[1]"]),
        ("Tuesday 19:00-21:00, Tue 20:00-22:00", ["windows[1]"]),
        ("Mon 19:61-20:00", ["windows[0].start"]),
    ],
)
def test_words_that_are_not_windows_are_reported_by_place(text, fields):
    with pytest.raises(WindowsError) as caught:
        parse_window_text(text)
    assert [f for f, _ in caught.value.field_errors] == fields


def test_the_constants():
    assert WEEKDAYS[0] == "Monday" and WEEKDAYS[6] == "Sunday" and len(WEEKDAYS) == 7
    assert is_known_timezone(FALLBACK_TIMEZONE)
    assert [part_of_day(h) for h in (5, 6, 11, 12, 16, 17, 21, 22, 23)] == [
        "night",
        "morning",
        "morning",
        "afternoon",
        "afternoon",
        "evening",
        "evening",
        "night",
        "night",
    ]
    assert {part_of_day(h) for h in range(24)} == set(PARTS_OF_DAY)


def test_times_must_be_whole_minutes():
    with pytest.raises(ValueError, match="whole minutes"):
        WeeklyWindow(weekday=0, start=time(9, 0, 30), end=time(10))
    assert w(0, "9:00", "10:00:00") == w(0, "09:00", "10:00")
