"""Each person's own terms: their personal limits and the topics they'd rather not discuss.

Only that person sets them. A proposal carries the other person's unchanged from where it
starts (the proposal waiting, the terms in force, or for a first version their profile's topics
and Kindred's usual limits, which they confirm by agreeing or change by suggesting other
terms). Leaving them out fills them in; sending different ones is refused, whoever asks.
"""

from typing import Any

from api.errors import FieldError, Forbidden
from api.relationships.terms import AgreementTerms, Person, parse_terms

# Terms each person sets for themselves alone, keyed by person.
OWN_TERMS = ("personal_limits", "topics_to_avoid")
WORDS = {"personal_limits": "personal limits", "topics_to_avoid": "topics to avoid"}


def keep_theirs(
    start: AgreementTerms, data: dict[str, Any], *, other: Person, other_name: str
) -> AgreementTerms:
    """Terms from `data` with `other`'s own terms as they are in `start`; 403 if changed."""
    data = dict(data)
    for name in OWN_TERMS:
        sent = data.get(name)
        if sent is None:
            sent = {}
        if isinstance(sent, dict) and other not in sent:
            data[name] = {**sent, other: getattr(start, name)[other]}
    terms = parse_terms(data)
    for name in OWN_TERMS:
        if getattr(terms, name)[other] != getattr(start, name)[other]:
            raise Forbidden(
                f"Only {other_name} can change their own {WORDS[name]}. Propose your own "
                "answers; theirs stay as they set them.",
                errors=[
                    FieldError(
                        field=f"{name}.{other}", message=f"Only {other_name} can change these."
                    )
                ],
            )
    return terms
