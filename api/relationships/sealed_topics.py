"""Each person's topics in an agreement version: their own words, sealed at rest.

A version's ``terms`` JSON keeps everything both people consented to except the topics; those
(``{"seeker": [...], "supporter": [...]}``) are one AES-GCM blob bound to the version's id,
opened whenever the terms are read and erased person by person with their account
(api/relationships/privacy.py).
"""

import json
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.config import Settings
from api.crypto import seal, unseal
from api.db import settings_of
from api.relationships.models import AgreementVersion

KEY = "topics_to_avoid"


def _context(version_id: UUID) -> bytes:
    return b"agreement_version.topics_to_avoid:" + version_id.bytes


def store_terms(settings: Settings, version: AgreementVersion, terms: dict[str, Any]) -> None:
    """Put terms on a version: the topics sealed, the rest as they are."""
    version.terms = {k: v for k, v in terms.items() if k != KEY}
    topics = terms.get(KEY)
    sealed = None if topics is None else json.dumps(topics)
    version.topics_sealed = seal(settings, sealed, _context(version.id))


def full_terms(settings: Settings, version: AgreementVersion) -> dict[str, Any]:
    """A version's terms as both people see them and consented to them, topics included."""
    if version.topics_sealed is None:
        return version.terms
    topics = unseal(settings, version.topics_sealed, _context(version.id))
    return {**version.terms, KEY: json.loads(topics or "null")}


def new_version(db: AsyncSession, *, terms: dict[str, Any], **fields: Any) -> AgreementVersion:
    """A new agreement version (not yet added to the session) with its topics sealed."""
    version = AgreementVersion(terms={}, **fields)
    store_terms(settings_of(db), version, terms)
    return version
