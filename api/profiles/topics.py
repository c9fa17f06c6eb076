"""The topics a person would rather not talk about: their own words, sealed like the rest.

Stored as one AES-GCM blob (a JSON list) bound to its place: the profile's row, or an
agreement version's row (see api/relationships/own_topics.py). No topics, no blob.
"""

import json
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.config import Settings
from api.crypto import seal, unseal
from api.db import settings_of
from api.profiles.models import Profile


def _context(user_id: UUID) -> bytes:
    return b"profile.topics_to_avoid:" + user_id.bytes


def seal_topics(settings: Settings, user_id: UUID, topics: list[str]) -> bytes | None:
    return seal(settings, json.dumps(list(topics)), _context(user_id)) if topics else None


def open_topics(settings: Settings, user_id: UUID, blob: bytes | None) -> list[str]:
    text = unseal(settings, blob, _context(user_id))
    return list(json.loads(text)) if text else []


def topics_of(db: AsyncSession, profile: Profile) -> list[str]:
    """A profile's topics to avoid, as its person wrote them."""
    return open_topics(settings_of(db), profile.user_id, profile.topics_sealed)


def set_topics(db: AsyncSession, profile: Profile, topics: list[str]) -> None:
    profile.topics_sealed = seal_topics(settings_of(db), profile.user_id, topics)
