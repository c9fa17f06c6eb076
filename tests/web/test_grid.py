"""The PWA's weekly grid for the profile's parts of the day."""

from api.weekly.windows import WeeklyWindow
from web import grid
from web.grid import PROFILE_GRID


def w(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday=weekday, start=start, end=end)


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
