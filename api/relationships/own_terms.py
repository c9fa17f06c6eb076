"""Each person's own terms: their personal limits and the topics they'd rather not discuss.

Only that person sets them. A proposal carries the other person's unchanged from where it
starts (the proposal waiting, the terms in force, or for a first version their profile's topics
and the limits they last agreed to in another relationship, else Kindred's usual limits; they
confirm them by agreeing or change them by suggesting other terms). Leaving them out fills them
in (one's own too); sending different ones for the other person is refused.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.errors import FieldError, Forbidden
from api.relationships.limits import LIMITS, LimitLevel
from api.relationships.models import AgreementConsent, AgreementVersion, ConsentKind, Relationship
from api.relationships.terms import PEOPLE, AgreementTerms, Person, parse_terms

# Terms each person sets for themselves alone, keyed by person.
OWN_TERMS = ("personal_limits", "topics_to_avoid")
WORDS = {"personal_limits": "personal limits", "topics_to_avoid": "topics to avoid"}


def keep_theirs(
    start: AgreementTerms, data: dict[str, Any], *, other: Person, other_name: str
) -> AgreementTerms:
    """Terms from `data` with `other`'s own terms as they are in `start` (403 if changed); own
    terms anyone leaves out are as they are in `start`, never reset."""
    data = dict(data)
    for name in OWN_TERMS:
        sent = data.get(name)
        if sent is None:
            sent = {}
        if isinstance(sent, dict):
            left_out = {p: getattr(start, name)[p] for p in PEOPLE if p not in sent}
            data[name] = {**sent, **left_out}
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


async def carried_limits(
    db: AsyncSession, *, relationship: Relationship
) -> dict[Person, dict[str, LimitLevel]]:
    """Each person's own limits as they last agreed to them in another relationship (whatever
    their role there): where a new agreement starts for them. Nobody else's answers are used."""
    found: dict[Person, dict[str, LimitLevel]] = {}
    for role in PEOPLE:
        user_id = relationship.seeker_id if role == "seeker" else relationship.supporter_id
        if user_id is None:
            continue
        # From this person's relationships (indexed by person), newest consent first.
        row = (
            await db.execute(
                select(Relationship.seeker_id, AgreementVersion.terms)
                .join(AgreementVersion, col(AgreementVersion.relationship_id) == Relationship.id)
                .join(AgreementConsent, col(AgreementConsent.version_id) == AgreementVersion.id)
                .where(
                    or_(
                        col(Relationship.seeker_id) == user_id,
                        col(Relationship.supporter_id) == user_id,
                    ),
                    col(Relationship.id) != relationship.id,
                    col(AgreementConsent.user_id) == user_id,
                    col(AgreementConsent.kind) == ConsentKind.consent,
                )
                .order_by(col(AgreementConsent.at).desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            then: Person = "seeker" if row.seeker_id == user_id else "supporter"
            mine = (row.terms.get("personal_limits") or {}).get(then) or {}
            found[role] = {k: v for k, v in mine.items() if k in LIMITS}
    return found
