"""Every sealed column and the context its blobs are bound to: re-sealing them all with the
current data-encryption key (``python -m api.tasks rekey``), in batches, after a rotation; and
checking that every one opens (the backup check, scripts/backup_restore_check.py).

An operator's tool, not a domain's: it rewrites sealed bytes in place (same text, new key)
and nothing else. tests/ops/test_key_rotation.py fails when a sealed column is missing here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col

from api.audit.models import AuditEntry
from api.auth.models import SecondFactor, User
from api.concerns.models import Concern, ConcernEvent
from api.config import Settings
from api.contact.models import ContactSession, Message
from api.crypto import reseal, unsealer
from api.idempotency.models import IdempotencyRecord
from api.mail.models import MailOut
from api.matching.models import IntroductionNote
from api.moderation.models import Appeal, ModerationDecision
from api.profiles.models import OwnWordsVector, PersonExperience, Profile
from api.referrals.models import Referral
from api.relationships.models import AgreementVersion
from api.safety.models import Ending, Feedback, Pause, SafeguardingAccess, SafetyPlan
from api.screening.models import DebriefNote, ScreeningRecord, SupervisionSession
from api.supporters.models import SupporterOffer
from api.webhooks.models import WebhookSecret


@dataclass(frozen=True)
class Sealed:
    """One sealed column: its table's model, the column, its key columns, and the context."""

    model: type[SQLModel]
    column: str
    keys: tuple[str, ...]
    context: Callable[[Any], bytes]

    @property
    def name(self) -> str:
        return f"{self.model.__tablename__}.{self.column}"


def _by_id(model: type[SQLModel], column: str, suffix: bytes = b"") -> Sealed:
    return Sealed(model, column, ("id",), lambda r: r.id.bytes + suffix)


SEALED: tuple[Sealed, ...] = (
    Sealed(AuditEntry, "reason_sealed", ("id",), lambda r: b"audit_entry:" + r.id.bytes),
    _by_id(ModerationDecision, "reason_sealed", b"reason"),
    _by_id(ModerationDecision, "to_person_sealed", b"to_person"),
    _by_id(Appeal, "text_sealed", b"appeal"),
    _by_id(Appeal, "answer_sealed", b"answer"),
    _by_id(User, "suspension_note_sealed", b"suspension"),
    _by_id(MailOut, "body_sealed"),
    _by_id(ScreeningRecord, "note_sealed"),
    _by_id(SupervisionSession, "note_sealed"),
    Sealed(DebriefNote, "body_sealed", ("id",), lambda r: b"debrief_note:" + r.id.bytes),
    Sealed(
        SecondFactor, "secret_sealed", ("user_id",), lambda r: b"second_factor:" + r.user_id.bytes
    ),
    Sealed(
        AgreementVersion,
        "topics_sealed",
        ("id",),
        lambda r: b"agreement_version.topics_to_avoid:" + r.id.bytes,
    ),
    _by_id(Concern, "details_sealed"),
    _by_id(ConcernEvent, "note_sealed"),
    _by_id(ContactSession, "note_sealed", b"note"),
    Sealed(
        IdempotencyRecord,
        "response_sealed",
        ("principal", "key"),
        lambda r: f"idempotency/{r.principal}/{r.key}".encode(),
    ),
    Sealed(
        IntroductionNote,
        "to_supporter_sealed",
        ("relationship_id",),
        lambda r: r.relationship_id.bytes + b"supporter",
    ),
    Sealed(
        IntroductionNote,
        "to_seeker_sealed",
        ("relationship_id",),
        lambda r: r.relationship_id.bytes + b"seeker",
    ),
    _by_id(Message, "body_sealed"),
    Sealed(OwnWordsVector, "vector_sealed", ("user_id",), lambda r: r.user_id.bytes),
    _by_id(PersonExperience, "description_sealed"),
    Sealed(
        Profile,
        "topics_sealed",
        ("user_id",),
        lambda r: b"profile.topics_to_avoid:" + r.user_id.bytes,
    ),
    _by_id(Referral, "email_sealed", b"email"),
    _by_id(Referral, "referrer_sealed", b"referrer"),
    _by_id(Referral, "note_sealed", b"note"),
    Sealed(
        Ending,
        "closing_message_sealed",
        ("relationship_id",),
        lambda r: r.relationship_id.bytes + b"closing",
    ),
    Sealed(
        Ending,
        "safety_reason_sealed",
        ("relationship_id",),
        lambda r: r.relationship_id.bytes + b"safety",
    ),
    _by_id(Feedback, "text_sealed"),
    _by_id(Pause, "safety_reason_sealed"),
    _by_id(SafeguardingAccess, "reason_sealed"),
    Sealed(SafetyPlan, "sections_sealed", ("user_id",), lambda r: r.user_id.bytes + b"safety-plan"),
    _by_id(SupporterOffer, "decision_note_sealed"),
    Sealed(
        WebhookSecret,
        "secret_sealed",
        ("id",),
        lambda r: b"webhook_secret:" + r.id.bytes,
    ),
)


def _columns(sealed: Sealed) -> list[Any]:
    return [getattr(sealed.model, k) for k in sealed.keys]


async def _batches(db: AsyncSession, sealed: Sealed, size: int) -> Any:
    """The rows with a blob in this column, `size` at a time, in key order (keyset paging)."""
    keys = _columns(sealed)
    blob = getattr(sealed.model, sealed.column)
    after: tuple[Any, ...] | None = None
    while True:
        # An emptied blob (a sent e-mail's body) holds nothing to re-seal.
        query = select(*keys, blob).where(col(blob).is_not(None), col(blob) != b"")
        if after is not None:
            query = query.where(tuple_(*keys) > tuple_(*after))
        rows = (await db.execute(query.order_by(*keys).limit(size))).all()
        if not rows:
            return
        yield rows
        after = tuple(rows[-1][: len(keys)])


async def rekey(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, batch: int = 500
) -> dict[str, int]:
    """Re-seal every blob the current key can't open, one committed batch at a time (safe to
    stop and run again). How many were re-sealed, by column."""
    done: dict[str, int] = {}
    for sealed in SEALED:
        done[sealed.name] = 0
        async with sessionmaker() as db:
            async for rows in _batches(db, sealed, batch):
                if sealed.model is AuditEntry and db.get_bind().dialect.name == "postgresql":
                    # The audit log's trigger lets a re-seal of the reason through, nothing else.
                    await db.execute(text("SET LOCAL kindred.audit_rekey = 'on'"))
                for row in rows:
                    fresh = reseal(settings, row[-1], sealed.context(row))
                    if fresh is None:
                        continue
                    where = [k == v for k, v in zip(_columns(sealed), row, strict=False)]
                    await db.execute(
                        update(sealed.model).where(*where).values({sealed.column: fresh})
                    )
                    done[sealed.name] += 1
                await db.commit()
    return done


async def check_sealed(db: AsyncSession, settings: Settings) -> tuple[dict[str, int], list[str]]:
    """Open every sealed blob with the configured keys: how many opened, by column, and which
    did not (table.column and key, never content)."""
    open_blob = unsealer(settings)
    opened: dict[str, int] = {}
    failed: list[str] = []
    for sealed in SEALED:
        opened[sealed.name] = 0
        async for rows in _batches(db, sealed, 1000):
            for row in rows:
                try:
                    open_blob(row[-1], sealed.context(row))
                    opened[sealed.name] += 1
                except (InvalidTag, ValueError):
                    failed.append(f"{sealed.name} {tuple(str(v) for v in row[:-1])}")
    return opened, failed
