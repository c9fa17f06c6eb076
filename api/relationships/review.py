"""The review point: after the agreed session, both people check that the terms still fit.

`Relationship.sessions_held` is a plain count that api/contact/sessions.py keeps (one more for
each session marked held); everything here reads it.

- When a version is agreed, `review_point` sets `Relationship.review_at_session` from its terms:
  the review falls after session `review_after_session`, unless that many sessions have been
  held already (agreeing a new version is itself a review of the terms).
- `review_due` is true from that session on, while the relationship is active or paused.
- It stops being due when both people say the terms still fit (``review_at_session`` is then
  cleared) or when they agree a new version (which sets it again from the new terms).
"""

from api.relationships.models import Relationship, State
from api.relationships.terms import AgreementTerms

REVIEW_STATES = (State.active, State.paused)


def review_point(terms: AgreementTerms, sessions_held: int) -> int | None:
    """The session after which newly agreed `terms` are reviewed; None if none is still ahead."""
    point = terms.review_after_session
    return point if point is not None and point > sessions_held else None


def review_due(relationship: Relationship, sessions_held: int | None = None) -> bool:
    """Whether both people should now be asked to check the agreed terms still fit.

    `sessions_held` defaults to the count stored on the relationship.
    """
    held = relationship.sessions_held if sessions_held is None else sessions_held
    point = relationship.review_at_session
    return relationship.state in REVIEW_STATES and point is not None and held >= point
