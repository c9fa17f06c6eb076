"""Referring a person, and the person's answer: join through the invite link (the profile
pre-filled with the suggested experiences, all of it theirs to change) or say no thanks.

What the integrator sends for the person (their e-mail, the referrer's contact, a note) is
sealed at rest and cleared as soon as the person answers; the integrator never reads any of
it back."""

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from api.auth.principal import Principal
from api.auth.service import EMAIL, normalise_email
from api.auth.tokens import hash_secret, new_secret
from api.clients.models import IntegratorClient
from api.clients.principal import ClientPrincipal
from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.errors import Conflict, DomainError, FieldError, Forbidden, Invalid, NotFound
from api.outbox.service import emit
from api.profiles import service as profiles
from api.profiles.models import ExperienceTag, Stage
from api.profiles.schemas import ExperienceIn
from api.referrals.models import Referral

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,99}$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")
MAX_SUGGESTIONS = 20
MAX_NOTE = 1000


class InvitationClosed(DomainError):
    status = 410
    type = "invitation-closed"
    title = "This invitation has closed"


@dataclass(frozen=True)
class ReferrerContact:
    """The referrer's own work details (a link worker's), so the person knows who sent them."""

    name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Invitation:
    """What the invite page shows the person it was meant for (whoever holds the link)."""

    referral_id: UUID
    organisation: str
    referrer: ReferrerContact
    note: str | None
    email: str | None
    suggested: list[ExperienceTag]


def _context(referral_id: UUID, what: bytes) -> bytes:
    return referral_id.bytes + what


async def _suggested_tags(db: AsyncSession, wanted: list[int | str]) -> list[int]:
    """Tag ids for the experiences suggested by id, slug or name (current ones only)."""
    if len(wanted) > MAX_SUGGESTIONS:
        raise Invalid.field("experiences", f"Suggest at most {MAX_SUGGESTIONS} experiences.")
    tags = list(
        await db.scalars(select(ExperienceTag).where(col(ExperienceTag.retired).is_(False)))
    )
    by_id = {t.id: t.id for t in tags}
    by_name = {k.casefold(): t.id for t in tags for k in (t.slug, t.label)}
    found: list[int] = []
    errors = []
    for n, item in enumerate(wanted):
        tag_id = by_id.get(item) if isinstance(item, int) else by_name.get(item.strip().casefold())
        if tag_id is None:
            errors.append(
                FieldError(
                    field=f"experiences[{n}]",
                    message="Unknown experience: use an id, slug or name from "
                    "GET /api/v1/integrations/taxonomy.",
                )
            )
        elif tag_id not in found:
            found.append(tag_id)
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    return found


def _check_contact(referrer: ReferrerContact | None) -> ReferrerContact | None:
    if referrer is None:
        return None
    email = normalise_email(referrer.email) if referrer.email else None
    if email and not EMAIL.match(email):
        raise Invalid.field("referrer.email", "Enter an e-mail address, like name@example.org.")
    phone = (referrer.phone or "").strip() or None
    if phone and not PHONE.match(phone):
        raise Invalid.field("referrer.phone", "Enter a phone number: digits, spaces and +.")
    clean = ReferrerContact(
        name=(referrer.name or "").strip() or None,
        role=(referrer.role or "").strip() or None,
        email=email,
        phone=phone,
    )
    return clean if any(clean.__dict__.values()) else None


async def refer(
    db: AsyncSession,
    client: ClientPrincipal,
    *,
    settings: Settings,
    email: str | None = None,
    reference: str | None = None,
    experiences: list[int | str] | None = None,
    referrer: ReferrerContact | None = None,
    note: str | None = None,
) -> tuple[Referral, str]:
    """Refer a person: the referral and its invite token (returned this once; only its hash
    is kept). The link works once, for `referral_invite_days`."""
    if not client.has("referrals:write"):
        raise Forbidden("This needs the referrals:write scope.")
    email = normalise_email(email) if email else None
    if email and not EMAIL.match(email):
        raise Invalid.field("email", "Enter the person's e-mail address, like name@example.org.")
    reference = reference.strip() if reference else None
    if reference and not REFERENCE.match(reference):
        raise Invalid.field(
            "reference",
            "Use your own case reference: letters, digits and . _ : / # - (no spaces, no "
            "e-mail addresses), up to 100 characters.",
        )
    if not email and not reference:
        raise Invalid.field("email", "Give the person's e-mail, your own reference, or both.")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise Invalid.field("note", f"Keep the note under {MAX_NOTE} characters.")
    contact = _check_contact(referrer)
    tag_ids = await _suggested_tags(db, experiences or [])
    if reference and await db.scalar(
        select(func.count())
        .select_from(Referral)
        .where(Referral.client_id == client.client_id, Referral.reference == reference)
    ):
        raise Conflict(f"You have already referred someone with the reference {reference!r}.")
    token = new_secret()
    now = utcnow()
    referral = Referral(
        client_id=client.client_id,
        reference=reference,
        suggested_tag_ids=tag_ids,
        token_hash=hash_secret(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.referral_invite_days),
    )
    referral.email_sealed = seal(settings, email, _context(referral.id, b"email"))
    referral.note_sealed = seal(settings, note, _context(referral.id, b"note"))
    if contact:
        referral.referrer_sealed = seal(
            settings, json.dumps(contact.__dict__), _context(referral.id, b"referrer")
        )
    db.add(referral)
    try:
        await db.flush()
    except IntegrityError:  # the same reference sent twice at once
        raise Conflict(
            f"You have already referred someone with the reference {reference!r}."
        ) from None
    return referral, token


async def _by_token(db: AsyncSession, token: str, *, for_update: bool = False) -> Referral:
    query = select(Referral).where(Referral.token_hash == hash_secret(token))
    referral = await db.scalar(query.with_for_update() if for_update else query)
    if referral is None:
        raise NotFound(
            "This invitation link has already been used, or isn't quite right. You can still "
            "create an account yourself."
        )
    if referral.expires_at <= utcnow():
        raise InvitationClosed(
            "This invitation has expired. You're still welcome: you can create an account "
            "yourself, or ask whoever referred you for a new link."
        )
    return referral


async def invitation(db: AsyncSession, *, settings: Settings, token: str) -> Invitation:
    """The invitation behind a link, for the person it was meant for."""
    referral = await _by_token(db, token)
    client = await db.get(IntegratorClient, referral.client_id)
    assert client is not None
    contact = unseal(settings, referral.referrer_sealed, _context(referral.id, b"referrer"))
    tags = list(
        await db.scalars(
            select(ExperienceTag)
            .where(col(ExperienceTag.id).in_(referral.suggested_tag_ids))
            .order_by(col(ExperienceTag.id))
        )
    )
    return Invitation(
        referral_id=referral.id,
        organisation=client.name,
        referrer=ReferrerContact(**json.loads(contact)) if contact else ReferrerContact(),
        note=unseal(settings, referral.note_sealed, _context(referral.id, b"note")),
        email=unseal(settings, referral.email_sealed, _context(referral.id, b"email")),
        suggested=tags,
    )


def _answered(referral: Referral) -> None:
    """The person has answered: the link stops working and what was kept for them goes."""
    referral.token_hash = None
    referral.email_sealed = referral.referrer_sealed = referral.note_sealed = None


def _event_data(referral: Referral, status: str) -> dict[str, str | int | None]:
    return {
        "referral_id": str(referral.id),
        "client_id": str(referral.client_id),
        "reference": referral.reference,
        "status": status,
    }


async def accept(
    db: AsyncSession, me: Principal, *, settings: Settings, token: str, tag_ids: list[int]
) -> Referral:
    """I join through the invite link. The suggested experiences I kept (`tag_ids`) are added
    to my profile as things I'm going through now; I can change any of it afterwards."""
    referral = await _by_token(db, token, for_update=True)
    if await db.scalar(
        select(func.count())
        .select_from(Referral)
        .where(Referral.client_id == referral.client_id, Referral.user_id == me.user_id)
    ):
        raise Conflict("You have already joined through an invitation from them.")
    kept = [t for t in dict.fromkeys(tag_ids) if t in referral.suggested_tag_ids]
    if kept:
        mine = await profiles.my_experiences(db, me, settings=settings)
        have = {e.tag_id for e in mine}
        items = [
            ExperienceIn(
                tag_id=e.tag_id,
                stage=e.stage,
                willing_to_talk=e.willing_to_talk,
                description=e.description,
            )
            for e in mine
        ] + [ExperienceIn(tag_id=t, stage=Stage.going_through) for t in kept if t not in have]
        await profiles.save_experiences(db, me, settings=settings, items=items)
    referral.user_id, referral.joined_at = me.user_id, utcnow()
    _answered(referral)
    emit(db, type="referral.joined", data=_event_data(referral, "joined"), about_users=[me.user_id])
    await db.flush()
    return referral


async def refuse(db: AsyncSession, *, token: str) -> str:
    """The person says no thanks: the link stops working and the referrer is told only that.
    Returns the organisation's name, to thank them by."""
    referral = await _by_token(db, token, for_update=True)
    referral.refused_at = utcnow()
    _answered(referral)
    emit(db, type="referral.refused", data=_event_data(referral, "refused"))
    client = await db.get(IntegratorClient, referral.client_id)
    await db.flush()
    return client.name if client else "They"


async def note_waiting(db: AsyncSession, *, user_id: UUID) -> None:
    """A referred person asked for support: tell each referrer still in use (the matching
    domain calls this when a request is opened, in the same transaction)."""
    rows = await db.scalars(
        select(Referral)
        .join(IntegratorClient, col(IntegratorClient.id) == Referral.client_id)
        .where(Referral.user_id == user_id, col(IntegratorClient.revoked_at).is_(None))
    )
    for referral in rows:
        emit(
            db,
            type="referral.waiting",
            data=_event_data(referral, "waiting"),
            about_users=[user_id],
        )
