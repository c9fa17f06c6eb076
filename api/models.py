"""Every table, imported in one place for Alembic and the test database."""

from sqlmodel import SQLModel

from api.audit.models import AuditEntry
from api.auth.email_models import EmailToken
from api.auth.models import AuthSession, LoginAttempt, RecoveryCode, SecondFactor, User
from api.clients.models import ClientSecret, IntegratorClient
from api.concerns.models import Concern, ConcernEvent
from api.contact.models import CalendarFeed, ContactSession, Message, PushSubscription
from api.idempotency.models import IdempotencyRecord
from api.mail.models import MailOut
from api.matching.models import (
    BatchDraft,
    BatchDraftItem,
    Block,
    IntroductionNote,
    MatchAgain,
    SupportRequest,
)
from api.moderation.models import Appeal, ModerationDecision
from api.monthly.models import MonthFigures
from api.notices.models import Notice, NoticeDelivery, NoticePreference
from api.outbox.models import OutboxEvent
from api.policies.models import ServiceSetting, SettingChange
from api.profiles.models import (
    ExperienceCategory,
    ExperienceTag,
    OwnWordsVector,
    PersonExperience,
    Profile,
)
from api.referrals.models import Referral, ReferralSummary
from api.relationships.models import (
    AgreementConsent,
    AgreementVersion,
    Relationship,
    RelationshipEvent,
)
from api.safety.models import (
    Ending,
    Feedback,
    Pause,
    SafeguardingAccess,
    SafeguardingAuditEntry,
    SafetyPlan,
)
from api.screening.models import DebriefNote, ScreeningRecord, SupervisionSession
from api.supporters.models import SupporterOffer
from api.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSecret

metadata = SQLModel.metadata

__all__ = [
    "AgreementConsent",
    "AgreementVersion",
    "Appeal",
    "AuditEntry",
    "AuthSession",
    "BatchDraft",
    "BatchDraftItem",
    "Block",
    "CalendarFeed",
    "ClientSecret",
    "Concern",
    "ConcernEvent",
    "ContactSession",
    "DebriefNote",
    "EmailToken",
    "Ending",
    "ExperienceCategory",
    "ExperienceTag",
    "Feedback",
    "IdempotencyRecord",
    "IntegratorClient",
    "IntroductionNote",
    "LoginAttempt",
    "MailOut",
    "MatchAgain",
    "Message",
    "ModerationDecision",
    "MonthFigures",
    "Notice",
    "NoticeDelivery",
    "NoticePreference",
    "OutboxEvent",
    "OwnWordsVector",
    "Pause",
    "PersonExperience",
    "Profile",
    "PushSubscription",
    "RecoveryCode",
    "Referral",
    "ReferralSummary",
    "Relationship",
    "RelationshipEvent",
    "SafeguardingAccess",
    "SafeguardingAuditEntry",
    "SafetyPlan",
    "ScreeningRecord",
    "SecondFactor",
    "ServiceSetting",
    "SettingChange",
    "SupervisionSession",
    "SupportRequest",
    "SupporterOffer",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSecret",
    "metadata",
]
