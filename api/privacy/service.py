"""Privacy rights: download everything about me, and delete my account.

Deleting an account ends its open relationships (the other person is told kindly), withdraws
its introductions, erases the text it wrote that others might otherwise keep (closing
messages, concern details), and deletes the account row; the database does the rest:
profile, experiences and their own-words vector, requests, offer, sessions, feedback, blocks and
notices go with it (ON DELETE CASCADE), and the other person's history keeps the relationship
with this side anonymised (ON DELETE SET NULL: shown as "A former member").
"""

import asyncio
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.auth import passwords, second_factor, throttle, tokens
from api.auth import service as auth
from api.auth.models import AuthSession, User
from api.auth.principal import Principal
from api.common import utcnow
from api.concerns import service as concerns
from api.concerns.models import Concern, ConcernEvent
from api.config import Settings
from api.contact import inbox
from api.contact import privacy as contact_privacy
from api.crypto import unseal
from api.errors import Forbidden
from api.matching import introductions, notes
from api.matching.models import Block, MatchAgain, SupportRequest
from api.moderation import privacy as moderation_privacy
from api.notices import preferences
from api.notices.schemas import NotificationSettings
from api.outbox import service as outbox
from api.profiles.models import Profile
from api.profiles.service import display_names, my_experiences
from api.profiles.topics import topics_of
from api.referrals import privacy as referral_privacy
from api.relationships import privacy as relationship_privacy
from api.relationships.models import (
    HOLDS_A_PLACE,
    AgreementVersion,
    EndKind,
    Relationship,
    RelationshipEvent,
    State,
)
from api.relationships.sealed_topics import full_terms
from api.relationships.service import VISIBLE_STATES, other_of
from api.safety import endings, plan, safeguarding, status
from api.safety.models import Feedback
from api.screening import privacy as screening_privacy
from api.supporters import service as supporters
from api.supporters.models import SupporterOffer


class WrongPassword(Forbidden):
    type = "wrong-password"
    title = "That password isn't right"
    keeps_changes = True  # the failed attempt counts towards the login throttle


def _row(model: Any, *exclude: str) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=set(exclude))


async def _relationships(
    db: AsyncSession, settings: Settings, me: Principal
) -> list[dict[str, Any]]:
    found = list(
        await db.scalars(
            select(Relationship)
            .where(
                or_(Relationship.seeker_id == me.user_id, Relationship.supporter_id == me.user_id)
            )
            .order_by(col(Relationship.created_at))
        )
    )
    ids = [r.id for r in found]
    events: dict[UUID, list] = {}
    for e in await db.scalars(
        select(RelationshipEvent)
        .where(col(RelationshipEvent.relationship_id).in_(ids))
        .order_by(col(RelationshipEvent.at))
    ):
        events.setdefault(e.relationship_id, []).append(e)
    versions: dict[UUID, list] = {}
    for v in await db.scalars(
        select(AgreementVersion)
        .where(col(AgreementVersion.relationship_id).in_(ids))
        .order_by(col(AgreementVersion.number))
    ):
        versions.setdefault(v.relationship_id, []).append(v)
    names = await display_names(
        db, user_ids=[u for r in found for u in (r.seeker_id, r.supporter_id) if u]
    )
    said = {
        **await notes.for_reader(
            db, relationship_ids=[r.id for r in found if r.seeker_id == me.user_id], reader="seeker"
        ),
        **await notes.for_reader(
            db,
            relationship_ids=[r.id for r in found if r.supporter_id == me.user_id],
            reader="supporter",
        ),
    }
    out = []
    for r in found:

        def who(user_id: UUID | None, r: Relationship = r) -> str | None:
            return status.who(r, me, user_id)

        other = other_of(r, me.user_id)
        seeker = r.seeker_id == me.user_id
        # The seeker's copy says what they were told: "not available right now", never declined.
        seen = introductions.state_for_seeker if seeker else str
        item: dict[str, Any] = {
            **_row(r, "seeker_id", "supporter_id", "ended_by", "request_id"),
            "state": seen(r.state),
            "my_role": "seeker" if seeker else "supporter",
            "other_person": names.get(other, "A former member") if other else "A former member",
            "coordinator_note": said.get(r.id),
            "events": [
                {
                    "at": e.at.isoformat(),
                    "by": who(e.actor_id),
                    "from": seen(e.from_state) if e.from_state else None,
                    "to": seen(e.to_state),
                }
                for e in events.get(r.id, [])
            ],
            "agreement_versions": [
                {
                    **_row(v, "id", "relationship_id", "proposed_by", "closed_by", "topics_sealed"),
                    "terms": full_terms(settings, v),
                    "proposed_by": who(v.proposed_by),
                }
                for v in versions.get(r.id, [])
            ],
        }
        if r.state in VISIBLE_STATES:
            now = await status.status(db, me, settings=settings, relationship_id=r.id)
            item["pause"] = now.pause.__dict__ if now.pause else None
            item["ending"] = now.ending.__dict__ if now.ending else None
            item["safeguarding_log"] = [
                e.__dict__ for e in await safeguarding.log_for_people(db, me, relationship_id=r.id)
            ]
        out.append(item)
    return out


async def export(db: AsyncSession, me: Principal, *, settings: Settings) -> dict[str, Any]:
    """Everything Kindred holds about me, my own words decrypted (only ever for me)."""
    user = await db.get(User, me.user_id)
    assert user is not None
    profile = await db.get(Profile, me.user_id)
    offer = await db.scalar(select(SupporterOffer).where(SupporterOffer.user_id == me.user_id))
    requests = await db.scalars(
        select(SupportRequest).where(SupportRequest.seeker_id == me.user_id)
    )
    raised = list(await db.scalars(select(Concern).where(Concern.raised_by == me.user_id)))
    trail: dict[UUID, list] = {}
    for e in await db.scalars(
        select(ConcernEvent)
        .where(col(ConcernEvent.concern_id).in_([c.id for c in raised]))
        .order_by(col(ConcernEvent.at))
    ):
        trail.setdefault(e.concern_id, []).append(
            {"at": e.at.isoformat(), "action": e.action, "status": e.to_status}
        )
    feedback = await db.scalars(select(Feedback).where(Feedback.author_id == me.user_id))
    blocks = list(await db.scalars(select(Block).where(Block.blocker_id == me.user_id)))
    names = await display_names(db, user_ids=[b.blocked_id for b in blocks])
    glad = await db.scalars(select(MatchAgain).where(MatchAgain.user_id == me.user_id))
    sessions = await db.scalars(select(AuthSession).where(AuthSession.user_id == me.user_id))
    return {
        "exported_at": utcnow().isoformat(),
        "account": _row(user, "password_hash", "suspension_note_sealed"),
        "profile": (
            {**_row(profile, "topics_sealed"), "topics_to_avoid": topics_of(db, profile)}
            if profile
            else None
        ),
        # My own words are here; their own-words vector (api/profiles/own_words.py) is not: it
        # is derived from them, means nothing to a person, and is rebuilt from them at any time.
        "experiences": [
            e.model_dump(mode="json") for e in await my_experiences(db, me, settings=settings)
        ],
        "supporter_offer": (
            {
                **_row(offer, "decision_note_sealed"),
                "decision_note": supporters.decision_note(settings, offer),
            }
            if offer
            else None
        ),
        "support_requests": [_row(r) for r in requests.all()],
        "relationships": await _relationships(db, settings, me),
        "concerns_raised": [
            {
                **_row(c, "details_sealed", "raised_by"),
                "details": unseal(settings, c.details_sealed, c.id.bytes),
                "history": trail.get(c.id, []),
            }
            for c in raised
        ],
        "feedback_given": [
            {
                **_row(f, "text_sealed", "author_id"),
                "text": unseal(settings, f.text_sealed, f.id.bytes),
            }
            for f in feedback.all()
        ],
        "blocked": [
            {"person": names.get(b.blocked_id, "A former member"), "at": b.created_at.isoformat()}
            for b in blocks
        ],
        "glad_to_match_again": [str(g.relationship_id) for g in glad.all()],
        "safety_plan": await _safety_plan(db, me, settings),
        "notices": [n.__dict__ for n in await inbox.my_notices(db, me, limit=10_000)],
        # How I asked to hear of them (the defaults if I never changed them).
        "notification_settings": NotificationSettings.of(
            await preferences.of(db, me.user_id)
        ).model_dump(),
        # Whether I sign in with a second factor; never its secret or recovery codes.
        "second_factor": await _second_factor(db, me),
        "contact": await contact_privacy.export(db, me, settings=settings),
        "referrals": await referral_privacy.export(db, me),
        "moderation_decisions_about_me": await moderation_privacy.export(db, me, settings=settings),
        "supporting": await screening_privacy.export(db, me),
        "sessions": [_row(s, "secret_hash", "previous_secret_hash") for s in sessions.all()],
    }


async def _second_factor(db: AsyncSession, me: Principal) -> dict[str, Any]:
    found = await second_factor.status(db, me)
    confirmed = found.confirmed_at.isoformat() if found.confirmed_at else None
    return {
        "enabled": found.enabled,
        "since": confirmed,
        "recovery_codes_left": found.recovery_codes_left,
    }


async def _safety_plan(db: AsyncSession, me: Principal, settings: Settings) -> dict[str, Any]:
    mine = await plan.my_plan(db, me, settings=settings)
    updated = mine.updated_at.isoformat() if mine.updated_at else None
    return {**mine.sections, "updated_at": updated}


async def delete_account(
    db: AsyncSession, me: Principal, *, settings: Settings, password: str, address: str
) -> None:
    """Delete my account for good, after checking my password again (throttled like a login)."""
    user = await db.get(User, me.user_id)
    assert user is not None
    account_key = tokens.keyed_hash(settings, "login-account", user.email)
    address_key = tokens.keyed_hash(settings, "login-address", address)
    await throttle.check_allowed(db, settings, account_key, address_key)
    if not await asyncio.to_thread(
        passwords.verify_password, settings, password, user.password_hash
    ):
        limits = await throttle.record_failure(db, settings, account_key, address_key)
        raise WrongPassword(
            "Your account is still here: that password isn't right.", headers=limits
        )
    await erase_account(db, user_id=me.user_id, account_key=account_key)


async def erase_account(db: AsyncSession, *, user_id: UUID, account_key: str) -> None:
    """Delete an account and everything in it: its support ended, its words erased (the person
    asked, or the retention job found it unused past its period; api/privacy/retention.py)."""
    await relationship_privacy.forget_counted_months(db, user_id=user_id)
    await contact_privacy.forget_counted_months(db, user_id=user_id)
    await _end_everything(db, user_id)
    await contact_privacy.erase(db, user_id=user_id)
    await endings.erase_closing_messages_by(db, user_id=user_id)
    await concerns.erase_details_by(db, user_id=user_id)
    await relationship_privacy.erase_words_of(db, user_id=user_id)
    referrers = await referral_privacy.referrers_of(db, user_id=user_id)
    await outbox.forget_user(db, user_id=user_id, kept_for=referrers)
    await referral_privacy.erase(db, user_id=user_id)
    await notes.erase_for(db, user_id=user_id)
    await moderation_privacy.erase(db, user_id=user_id)
    await auth.delete_account(db, user_id=user_id, account_key=account_key)
    db.expunge_all()  # rows deleted or anonymised by the database's ON DELETE rules


async def _end_everything(db: AsyncSession, user_id: UUID) -> None:
    """End my open relationships (account_deleted) and withdraw my open introductions."""
    open_ones = await db.scalars(
        select(Relationship).where(
            or_(Relationship.seeker_id == user_id, Relationship.supporter_id == user_id),
            col(Relationship.state).in_((State.introduced, *HOLDS_A_PLACE)),
        )
    )
    for relationship in open_ones.all():
        if relationship.state == State.introduced:
            await introductions.close_for(db, relationship=relationship, actor=user_id)
        else:
            await endings.end(
                db, relationship=relationship, actor_id=user_id, kind=EndKind.account_deleted
            )
