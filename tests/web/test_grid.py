"""The PWA's weekly grids: the builder's half hours, the profile's parts of the day."""

import pytest

from api.relationships.terms import TermsError
from api.weekly.windows import WeeklyWindow, parse_windows
from web import grid
from web.grid import PROFILE_GRID


def w(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday=weekday, start=start, end=end)


# ---- the agreement builder's grid ----------------------------------------------------------


def test_ticked_cells_that_touch_become_one_window():
    keys = ["1-19:00", "1-19:30", "1-20:00", "3-07:00", "6-23:30"]
    windows = parse_windows(grid.windows_from_cells(keys))
    assert windows == [w(1, "19:00", "20:30"), w(3, "07:00", "07:30"), w(6, "23:30", "24:00")]


def test_windows_round_trip_through_the_grid_and_odd_ones_are_kept():
    windows = [
        w(1, "19:00", "20:30"),
        w(2, "19:15", "20:00"),  # not on the half hour
        w(4, "05:00", "06:30"),  # starts before the grid
    ]
    cells, others = grid.cells_from_windows(windows)
    assert cells == {"1-19:00", "1-19:30", "1-20:00"}
    assert others == windows[1:]
    assert parse_windows(grid.windows_from_cells(cells, others)) == windows


@pytest.mark.parametrize("key", ["7-19:00", "1-19:10", "1-05:30", "1-24:00", "x", "1-19"])
def test_cells_off_the_grid_are_refused(key):
    with pytest.raises(TermsError) as caught:
        grid.windows_from_cells([key])
    assert caught.value.field_errors == [("windows", "Choose contact times from the grid.")]


def test_a_cell_key_with_an_unpadded_hour_is_still_that_cell():
    assert grid.windows_from_cells(["1-9:00"]) == [{"weekday": 1, "start": "09:00", "end": "09:30"}]


def test_the_grid_has_a_row_per_half_hour_and_spoken_labels():
    rows = grid.rows()
    assert rows[0] == (360, "06:00") and rows[-1] == (1410, "23:30") and len(rows) == 36
    assert grid.cell_label(1, 1410) == "Tuesday 23:30 to 24:00"
    assert grid.cell_key(1, 1410) == "1-23:30"


# ---- the profile's grid --------------------------------------------------------------------


def test_profile_cells_become_windows_and_touching_parts_join():
    cells = ["0-morning", "0-afternoon", "0-evening", "0-late", "5-late", "7-morning", "1-noon"]
    assert grid.profile_windows(cells) == [
        {"weekday": 0, "start": "09:00", "end": "17:00"},  # afternoon and evening don't touch
        {"weekday": 0, "start": "18:00", "end": "23:00"},
        {"weekday": 5, "start": "21:00", "end": "23:00"},
    ]


def test_profile_grid_shows_every_part_a_window_overlaps():
    availability = [w(2, "10:00", "12:30"), w(6, "22:30", "24:00")]
    assert grid.profile_cells(availability) == {"2-morning", "2-afternoon", "6-late"}
    assert not PROFILE_GRID.fits(availability)  # finer than the grid
    assert PROFILE_GRID.fits([w(2, "09:00", "17:00")])
    # Touching windows stored apart are shown, but saving on the grid would join them.
    assert not PROFILE_GRID.fits([w(2, "09:00", "12:00"), w(2, "12:00", "17:00")])
    assert PROFILE_GRID.fits([])


def test_profile_columns_name_their_hours():
    assert [c.key for c in PROFILE_GRID.columns] == ["morning", "afternoon", "evening", "late"]
    assert PROFILE_GRID.columns[1].heading == "After\u00adnoon"
