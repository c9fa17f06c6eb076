"""What Kindred sends or shows outside a relationship's pages names no health information."""

from api.notices.wording import WORDING, Wording
from api.profiles.models import ExperienceTag

HEALTH_WORDS = ("experience", "support", "concern", "message", "mental", "crisis", "grief")


def test_the_inactivity_warning_names_no_health_information():
    text = WORDING["inactive_warning"](
        Wording(
            other_name="A former member",
            other_role="supporter",
            i_am_seeker=True,
            params={"delete_on": "2027-01-31"},
        )
    )
    assert "31 January 2027" in text
    lowered = text.lower()
    assert [w for w in HEALTH_WORDS if w in lowered] == []
    assert ExperienceTag.__tablename__ not in lowered
