"""Every table, imported in one place for Alembic and the test database."""

from sqlmodel import SQLModel

from api.auth.models import AuthSession, LoginAttempt, User
from api.matching.models import BatchDraft, BatchDraftItem, SupportRequest
from api.profiles.models import ExperienceCategory, ExperienceTag, PersonExperience, Profile
from api.relationships.models import (
    AgreementConsent,
    AgreementVersion,
    Relationship,
    RelationshipEvent,
)
from api.supporters.models import SupporterOffer

metadata = SQLModel.metadata

__all__ = [
    "AgreementConsent",
    "AgreementVersion",
    "AuthSession",
    "BatchDraft",
    "BatchDraftItem",
    "ExperienceCategory",
    "ExperienceTag",
    "LoginAttempt",
    "PersonExperience",
    "Profile",
    "Relationship",
    "RelationshipEvent",
    "SupportRequest",
    "SupporterOffer",
    "User",
    "metadata",
]
