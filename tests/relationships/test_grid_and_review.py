"""The builder's weekly grid and the review point: pure functions, no database."""

from datetime import date

import pytest

from api.relationships import grid
from api.relationships.models import Relationship, State
from api.relationships.review import review_due, review_point
from api.relationships.terms import default_terms, parse_windows
from api.relationships.windows import ContactWindow, TermsError


def test_ticked_cells_that_touch_become_one_window():
    keys = ["1-19:00", "1-19:30", "1-20:00", "3-07:00", "6-23:30"]
    windows = parse_windows(grid.windows_from_cells(keys))
    assert windows == [
        ContactWindow(weekday=1, start="19:00", end="20:30"),
        ContactWindow(weekday=3, start="07:00", end="07:30"),
        ContactWindow(weekday=6, start="23:30", end="24:00"),
    ]


def test_windows_round_trip_through_the_grid_and_odd_ones_are_kept():
    windows = [
        ContactWindow(weekday=1, start="19:00", end="20:30"),
        ContactWindow(weekday=2, start="19:15", end="20:00"),  # not on the half hour
        ContactWindow(weekday=4, start="05:00", end="06:30"),  # starts before the grid
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


def test_the_grid_has_a_row_per_half_hour_and_spoken_labels():
    rows = grid.rows()
    assert rows[0] == (360, "06:00") and rows[-1] == (1410, "23:30") and len(rows) == 36
    assert grid.cell_label(1, 1410) == "Tuesday 23:30 to 24:00"


def _relationship(state=State.active, review_at=3, held=0) -> Relationship:
    return Relationship(state=state, review_at_session=review_at, sessions_held=held)


def test_review_is_due_from_the_agreed_session_while_active_or_paused():
    assert not review_due(_relationship(held=2))
    assert review_due(_relationship(held=3))
    assert review_due(_relationship(held=2), sessions_held=4)  # a count computed elsewhere
    assert review_due(_relationship(State.paused, held=3))
    assert not review_due(_relationship(State.agreeing, held=3))
    assert not review_due(_relationship(State.ended, held=5))
    assert not review_due(_relationship(review_at=None, held=9))


def test_the_review_point_of_newly_agreed_terms():
    terms = default_terms(date(2026, 3, 9), "Europe/London")  # review after session 3
    assert review_point(terms, 0) == 3
    assert review_point(terms, 3) is None  # agreeing new terms there is the review
    no_review = terms.model_copy(update={"review_after_session": None})
    assert review_point(no_review, 0) is None
