"""The review point: pure functions, no database."""

from datetime import date

from api.relationships.models import Relationship, State
from api.relationships.review import review_due, review_point
from api.relationships.terms import default_terms


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
