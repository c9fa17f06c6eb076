"""Contact details stay inside the agreement: finding phone numbers, e-mail addresses and
social-media handles in a message, and whether both people's agreed limits allow sharing them.

Phone numbers are found with Google's libphonenumber (`phonenumbers`), which knows every
country's numbering plan, so times ("19:00"), dates ("3/5/2026") and counts ("session 3 of 6")
are not taken for numbers. Pure functions: no database, nothing logged.
"""

import re
from typing import Literal

import phonenumbers

from api.relationships.limits import strictest
from api.relationships.terms import AgreementTerms

Detail = Literal["phone", "email", "social"]
# Which agreed personal limit allows sharing each kind of detail. An e-mail address is a
# private way to reach someone, like a phone number, so it follows the phone-number limit.
LIMIT_FOR: dict[Detail, str] = {
    "phone": "phone_numbers",
    "email": "phone_numbers",
    "social": "social_media",
}
WORDS: dict[Detail, str] = {
    "phone": "a phone number",
    "email": "an e-mail address",
    "social": "a social media name or link",
}
# Numbers written without a country code are read as the service's own country's.
DEFAULT_REGION = "GB"

_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# "sam dot jones at gmail dot com", "sam(at)example(dot)org"
_EMAIL_SPELT = re.compile(
    r"\b[\w.+-]+\s*(?:\(at\)|\[at\]|\s+at\s+)\s*[A-Za-z0-9-]+\s*"
    r"(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*(?:com|org|net|co|uk|ie|io|me|info|edu|gov)\b",
    re.IGNORECASE,
)
_SOCIAL_SITES = (
    "instagram.com",
    "facebook.com",
    "fb.com",
    "fb.me",
    "tiktok.com",
    "twitter.com",
    "x.com",
    "snapchat.com",
    "linkedin.com",
    "threads.net",
    "bsky.app",
    "wa.me",
    "t.me",
    "discord.gg",
    "discord.com",
    "reddit.com/u",
    "youtube.com/@",
)
_SOCIAL_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:" + "|".join(re.escape(s) for s in _SOCIAL_SITES) + r")\S*",
    re.IGNORECASE,
)
# "@sam_jones" (not an e-mail address, not "@ 7pm" or "@7pm")
_HANDLE = re.compile(r"(?<![\w.@])@(?!\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)?\b)([A-Za-z0-9_.]{2,30})")
# "my insta is sam_jones99", "snapchat: samj", "add me on discord - sam#1234"
_PLATFORM_NAME = re.compile(
    r"\b(?:instagram|insta|ig|snapchat|snap|tiktok|facebook|fb|twitter|discord|telegram|"
    r"whatsapp|signal|threads|bluesky|linkedin)\b\s*(?:name|handle|username|id)?\s*"
    r"(?:is|:|=|-|@)\s*@?([A-Za-z0-9_.#]{3,32})",
    re.IGNORECASE,
)


def _has_phone(text: str) -> bool:
    for region in (DEFAULT_REGION, None):
        matcher = phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        )
        if matcher.has_next():
            return True
    # Digits split up to slip past ("0 7 7 0 0 9 0 0 1 2 3", "07700-900-123"): read the
    # digits alone, only when there are enough of them to be a whole number.
    for run in re.findall(r"\+?\d[\d\s().-]{8,}\d", text):
        digits = re.sub(r"[^\d+]", "", run)
        if len(digits.lstrip("+")) < 10:
            continue
        try:
            number = phonenumbers.parse(digits, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) or (
            digits[0] in "0+" and phonenumbers.is_possible_number(number)
        ):
            return True
    return False


def _has_social(text: str) -> bool:
    if _SOCIAL_LINK.search(text):
        return True
    for match in _HANDLE.finditer(text):
        if re.search(r"[A-Za-z]", match.group(1)):
            return True
    # A handle has something that isn't an everyday word: a digit, _ . or #.
    return any(re.search(r"[\d_.#]", m.group(1)) for m in _PLATFORM_NAME.finditer(text))


def found_in(text: str) -> list[Detail]:
    """The kinds of contact details in a message, in a fixed order (empty when none)."""
    without_email = _EMAIL.sub(" ", text)
    found: list[Detail] = []
    if _has_phone(without_email):
        found.append("phone")
    if _EMAIL.search(text) or _EMAIL_SPELT.search(text):
        found.append("email")
    if _has_social(without_email):
        found.append("social")
    return found


def allowed(terms: AgreementTerms, detail: Detail) -> bool:
    """Both people's agreed limits say sharing this kind of detail is always OK."""
    key = LIMIT_FOR[detail]
    people = terms.personal_limits
    return strictest(people["seeker"][key], people["supporter"][key]) == "always_ok"


def kept_back(terms: AgreementTerms, text: str) -> list[Detail]:
    """The details in `text` that the agreement in force doesn't allow sharing."""
    return [d for d in found_in(text) if not allowed(terms, d)]


def parse_kinds(stored: str | None) -> list[Detail]:
    """The kinds stored on a message (``Message.withheld``: "phone,email")."""
    return [d for d in (stored or "").split(",") if d in LIMIT_FOR]


def why_kept_back(details: list[Detail], other_name: str) -> str:
    """What the sender is told, kindly, about a message kept back."""
    listed = " and ".join(WORDS[d] for d in details)
    without = "those details" if len(details) > 1 else "the " + WORDS[details[0]].split(" ", 1)[1]
    return (
        f"Kept back: it looks like it has {listed} in it, and what you both agreed doesn't "
        f"include sharing that for now. {other_name} hasn't seen it. You can send it again "
        f"without {without}, or you can both agree a change to your personal limits; then it "
        "goes through."
    )
