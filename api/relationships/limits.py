"""Personal limits: the seeds' never / maybe / always-ok table, as agreement terms.

Each person in a relationship says, for each item, whether it is never OK, maybe OK (ask first)
or always OK for them. Where the two differ, the stricter answer is the one both keep to.

The catalogue follows the boundaries exercise in the seeds (hugs, phone numbers, social media,
gifts, money, social events, drinks, homes, …). Things the service never allows whatever anyone
chooses (a romantic or sexual relationship, breaking confidentiality except when a life is at
risk) are rules of the service, not personal limits, so they are not offered as choices here.
"""

from dataclasses import dataclass
from typing import Literal, get_args

LimitLevel = Literal["never", "maybe", "always_ok"]

LEVELS: dict[LimitLevel, str] = {
    "never": "Never OK",
    "maybe": "Maybe OK (ask first)",
    "always_ok": "Always OK",
}
# Strictest first: when two people differ, the earlier level applies to both.
LEVEL_ORDER: tuple[LimitLevel, ...] = get_args(LimitLevel)


@dataclass(frozen=True, slots=True)
class PersonalLimit:
    """One item people set a limit on, with the level a new agreement starts from."""

    key: str
    label: str
    explanation: str
    default: LimitLevel


# Defaults lean to "never" where the seeds name the boundary as protecting both people
# ("keeping your social media accounts and phone number private, rejecting gifts and offers to
# meet in a different setting"); people loosen them together if they want to.
CATALOGUE: tuple[PersonalLimit, ...] = (
    PersonalLimit(
        "hugs",
        "Hugs and other physical contact",
        "Giving or receiving a hug when you meet in person.",
        "maybe",
    ),
    PersonalLimit(
        "phone_numbers",
        "Sharing phone numbers",
        "Kindred never shows anyone's number; this is about choosing to give yours.",
        "never",
    ),
    PersonalLimit(
        "social_media",
        "Connecting on social media",
        "Following or adding each other on social media while the support lasts.",
        "never",
    ),
    PersonalLimit(
        "gifts",
        "Giving or receiving gifts",
        "Presents in either direction, however small.",
        "never",
    ),
    PersonalLimit(
        "money",
        "Lending, giving or borrowing money",
        "Money in either direction, including paying for the other person.",
        "never",
    ),
    PersonalLimit(
        "meeting_socially",
        "Meeting socially outside sessions",
        "Going to a social event together, away from your agreed sessions.",
        "never",
    ),
    PersonalLimit(
        "drinks",
        "Having an alcoholic drink together",
        "Including during a session held in a public place.",
        "never",
    ),
    PersonalLimit(
        "homes",
        "Visiting each other's homes",
        "Inviting the other person to your home, or going to theirs.",
        "never",
    ),
    PersonalLimit(
        "support_group_together",
        "Going to a support group meeting together",
        "Attending a peer support group or similar meeting side by side.",
        "maybe",
    ),
    PersonalLimit(
        "contact_outside_times",
        "Contact outside the agreed times",
        "Messages sent outside the agreed times always wait for the next window; this is how "
        "you feel about, say, a short note to move a session.",
        "never",
    ),
    PersonalLimit(
        "treatment_opinions",
        "Opinions about medication or treatment",
        "Sharing what helped you is peer support; advice on prescribed medication is not.",
        "maybe",
    ),
)

LIMITS: dict[str, PersonalLimit] = {item.key: item for item in CATALOGUE}


def default_limits() -> dict[str, LimitLevel]:
    """The levels one person starts from in a new agreement, in catalogue order."""
    return {item.key: item.default for item in CATALOGUE}


def level_label(level: LimitLevel) -> str:
    """The words shown for a level, e.g. "Never OK"."""
    return LEVELS[level]


def strictest(*levels: LimitLevel) -> LimitLevel:
    """The level both people keep to when their answers differ."""
    if not levels:
        raise ValueError("strictest() needs at least one level")
    return min(levels, key=LEVEL_ORDER.index)
