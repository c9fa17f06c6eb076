"""Boundary agreements: versions of the terms that either person proposes and both consent to.

- Proposing a version counts as the proposer's consent to it; the other person's consent to
  that exact version makes it *agreed*, the version in force. The first agreed version makes
  the relationship active. Later changes are new proposals; the version in force stays in
  force until a newer one is agreed (it is then *superseded*).
- One proposal waits at a time, and it is always the latest version. A counter-proposal from
  the other person *declines* the one waiting; a newer proposal from the same person (or taking
  it back) *withdraws* it. Every version and every consent is kept.
- Concurrency: each change names the revision it was based on (the agreement's ETag). Its first
  write is ``UPDATE relationship SET agreement_revision = expected + 1 WHERE id = … AND
  agreement_revision = expected``, so of two changes based on one revision exactly one wins and
  the other is refused (412) before it has written anything: PostgreSQL holds the row lock until
  the winner commits, then finds the revision moved on; SQLite lets one writer in at a time.
  Never a silent merge.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.common import utcnow
from api.db import settings_of
from api.errors import Conflict, Forbidden, Invalid
from api.relationships import lifecycle, own_terms, service
from api.relationships.agreement_view import Agreement
from api.relationships.limits import LimitLevel, default_limits
from api.relationships.models import (
    AgreementConsent,
    AgreementVersion,
    ConsentKind,
    Relationship,
    State,
    VersionStatus,
)
from api.relationships.review import review_point
from api.relationships.revision import bump_revision, expect_revision
from api.relationships.sealed_topics import new_version
from api.relationships.terms import (
    CHANNELS,
    PEOPLE,
    AgreementTerms,
    Person,
    default_terms,
    validate_terms,
)
from api.weekly.windows import FALLBACK_TIMEZONE

# Terms can change while the relationship holds a place (agreeing, active or paused).
EDITABLE_STATES = (State.agreeing, State.active, State.paused)


# Every version of one agreement with its consents, oldest first: one round trip, built once.
_VERSIONS_AND_CONSENTS = (
    select(AgreementVersion, AgreementConsent)
    .outerjoin(AgreementConsent, col(AgreementConsent.version_id) == AgreementVersion.id)
    .where(col(AgreementVersion.relationship_id) == bindparam("relationship_id"))
    .order_by(col(AgreementVersion.number), col(AgreementConsent.at))
)


async def _load(db: AsyncSession, mine: service.Mine) -> Agreement:
    relationship = mine.relationship
    rows = await db.execute(_VERSIONS_AND_CONSENTS, {"relationship_id": relationship.id})
    versions: list[AgreementVersion] = []
    consents: dict[UUID, list[AgreementConsent]] = {}
    for version, consent in rows.all():
        if not versions or versions[-1].id != version.id:
            versions.append(version)
        if consent is not None:
            consents.setdefault(version.id, []).append(consent)
    open_ = (VersionStatus.pending, VersionStatus.agreed)
    carried: dict[Person, dict[str, LimitLevel]] = {}
    if not any(v.status in open_ for v in versions):  # a first proposal starts from the template
        carried = await own_terms.carried_limits(db, relationship=relationship)
    return Agreement(
        relationship,
        mine.pair,
        versions,
        settings_of(db),
        consents,
        mine.template,
        mine.limits,
        carried,
    )


async def load(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> Agreement:
    """The agreement of a relationship I am in: every version and consent; 404 for others."""
    return await _load(db, await service.mine_with_pair(db, me, relationship_id=relationship_id))


_PENDING = select(AgreementVersion).where(
    col(AgreementVersion.relationship_id).in_(bindparam("ids", expanding=True)),
    col(AgreementVersion.status) == VersionStatus.pending,
)


async def pending_versions(
    db: AsyncSession, *, relationship_ids: list[UUID]
) -> dict[UUID, AgreementVersion]:
    """The proposal waiting for an answer in each of these relationships (read by their people)."""
    rows = await db.scalars(_PENDING, {"ids": relationship_ids})
    return {v.relationship_id: v for v in rows.all()}


def template_terms(agreement: Agreement) -> AgreementTerms:
    """The service's starting template, with the ways of contact both people have chosen, the
    topics each would rather not talk about (from their profiles) and each person's own limits
    as they last agreed to them elsewhere."""
    supporter, seeker = agreement.pair.side("supporter"), agreement.pair.side("seeker")
    tz = supporter.timezone or seeker.timezone or FALLBACK_TIMEZONE
    plan = agreement.template.model_dump()  # never more a week than the service's limit
    plan["max_sessions_per_week"] = min(plan["max_sessions_per_week"], agreement.most_a_week)
    terms = default_terms(datetime.now(ZoneInfo(tz)).date(), tz, **plan)
    changes: dict[str, Any] = {
        "topics_to_avoid": {p: list(agreement.pair.side(p).topics_to_avoid) for p in PEOPLE},
        "personal_limits": {p: agreement.carried_limits.get(p, {}) for p in PEOPLE},
    }
    shared = [c for c in CHANNELS if c in supporter.channels and c in seeker.channels]
    if shared:
        changes["channels"] = shared
    return AgreementTerms.model_validate({**terms.model_dump(), **changes})


async def template(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> AgreementTerms:
    """Where a first proposal starts: the service's template for this pair."""
    return template_terms(await load(db, me, relationship_id=relationship_id))


def starting_terms(agreement: Agreement) -> tuple[AgreementTerms, AgreementVersion | None]:
    """Where a new proposal starts: the one waiting, else the one in force, else the template."""
    start = agreement.pending or agreement.in_force
    if start is None:
        return template_terms(agreement), None
    return agreement.terms_of(start), start


async def where_my_limits_start(
    db: AsyncSession, agreement: Agreement, terms: AgreementTerms
) -> Literal["last", "usual"] | None:
    """Where my limits in these terms come from, if I have never proposed any here: the ones I
    last agreed to in another relationship ("last") or Kindred's usual answers ("usual")."""
    me = agreement.pair.me.role
    if any(agreement.proposer(v) == me for v in agreement.versions):
        return None
    mine = terms.personal_limits[me]
    carried = (await own_terms.carried_limits(db, relationship=agreement.relationship)).get(me)
    if carried and mine == {**default_limits(), **carried}:
        return "last"
    return "usual" if mine == default_limits() else None


def with_their_own(agreement: Agreement, data: dict[str, Any]) -> AgreementTerms:
    """Proposed terms, with the other person's own limits and topics as they set them
    (`own_terms.keep_theirs`, from where this proposal starts)."""
    start, _ = starting_terms(agreement)
    other = agreement.pair.other
    return own_terms.keep_theirs(start, data, other=other.role, other_name=other.display_name)


def check_terms(agreement: Agreement, terms: AgreementTerms) -> None:
    """422 listing every reason these terms can't be agreed between these two people now."""
    validate_terms(
        terms,
        today=agreement.today(terms),
        seeker_channels=agreement.pair.side("seeker").channels,
        supporter_channels=agreement.pair.side("supporter").channels,
        most_a_week=agreement.most_a_week,
    )


def check_editable(relationship: Relationship) -> None:
    """409 unless the terms can change now (agreeing, active or paused)."""
    if relationship.state not in EDITABLE_STATES:
        words = lifecycle.describe_state(relationship.state)
        raise Conflict(f"This relationship is {words}, so its terms can't change.")


def _close(version: AgreementVersion, status: VersionStatus, me: Principal, at: datetime) -> None:
    version.status, version.closed_at, version.closed_by = status, at, me.user_id


async def propose(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, expected: int, data: Any
) -> AgreementVersion:
    """Propose terms (a first version, a counter-proposal, or a change to the terms in force)."""
    agreement = await load(db, me, relationship_id=relationship_id)
    relationship = agreement.relationship
    check_editable(relationship)
    expect_revision(relationship, expected)
    if not isinstance(data, dict):
        raise Invalid("Send the terms as a JSON object.")
    terms = with_their_own(agreement, data)
    check_terms(agreement, terms)
    in_force = agreement.in_force
    if in_force is not None and agreement.terms_of(in_force) == terms:
        raise Invalid("These are the terms in force already; change something to propose.")
    now = utcnow()
    await bump_revision(db, relationship, expected)  # the first write: see the module's docstring
    pending = agreement.pending
    if pending is not None:
        mine = pending.proposed_by == me.user_id
        _close(pending, VersionStatus.withdrawn if mine else VersionStatus.declined, me, now)
    latest = agreement.latest
    version = new_version(
        db,
        relationship_id=relationship.id,
        number=(latest.number if latest else 0) + 1,
        proposed_by=me.user_id,
        terms=terms.model_dump(mode="json"),
        created_at=now,
    )
    db.add(version)
    await db.flush()
    db.add(AgreementConsent(version_id=version.id, user_id=me.user_id, at=now))
    await db.flush()
    return version


async def consent(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, number: int, expected: int
) -> AgreementVersion:
    """Agree to the other person's latest proposal: it comes into force at once."""
    agreement = await load(db, me, relationship_id=relationship_id)
    relationship = agreement.relationship
    check_editable(relationship)
    expect_revision(relationship, expected)
    version = agreement.version(number)
    latest = agreement.latest
    if latest is not None and version.number != latest.number:
        raise Invalid.field(
            "version",
            f"Version {number} isn't the latest proposal; version {latest.number} is. "
            "Please look at it before you agree.",
        )
    if version.status != VersionStatus.pending:
        raise Conflict(f"Version {number} is {version.status}, so there is nothing to agree.")
    if version.proposed_by == me.user_id:
        other = agreement.pair.other.display_name
        raise Conflict(f"You proposed version {number}; it is waiting for {other} to agree.")
    terms = agreement.terms_of(version)
    check_terms(agreement, terms)  # a profile or the date may have changed since it was proposed
    now = utcnow()
    await bump_revision(
        db,
        relationship,
        expected,
        agreed_version=number,
        review_at_session=review_point(terms, relationship.sessions_held),
    )
    in_force = agreement.in_force
    if in_force is not None:
        _close(in_force, VersionStatus.superseded, me, now)
    version.status, version.agreed_at = VersionStatus.agreed, now
    db.add(AgreementConsent(version_id=version.id, user_id=me.user_id, at=now))
    await db.flush()
    if relationship.state == State.agreeing:
        await lifecycle.move(
            db, relationship=relationship, target=State.active, actor_id=me.user_id
        )
    return version


async def withdraw(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, number: int, expected: int
) -> AgreementVersion:
    """Take back my own proposal while it waits; the version in force (if any) stays."""
    agreement = await load(db, me, relationship_id=relationship_id)
    relationship = agreement.relationship
    check_editable(relationship)
    expect_revision(relationship, expected)
    version = agreement.version(number)
    if version.status != VersionStatus.pending:
        raise Conflict(f"Version {number} is {version.status}; only a waiting proposal can be.")
    if version.proposed_by != me.user_id:
        raise Forbidden(
            "Only the person who proposed a version can withdraw it; you can agree to it or "
            "propose something else."
        )
    await bump_revision(db, relationship, expected)
    _close(version, VersionStatus.withdrawn, me, utcnow())
    await db.flush()
    return version


async def confirm_review(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, expected: int
) -> Agreement:
    """At the review point: the terms in force still fit me. When both say so, it's done."""
    mine = await service.mine_with_pair(db, me, relationship_id=relationship_id)
    agreement = await _load(db, mine)
    relationship = agreement.relationship
    check_editable(relationship)
    expect_revision(relationship, expected)
    in_force = agreement.in_force
    if in_force is None or not agreement.review:
        raise Conflict("No review of the terms is due now.")
    done = agreement.reviewed_by()
    if agreement.pair.me.role in done:
        other = agreement.pair.other.display_name
        raise Conflict(f"You have said these terms still fit; waiting for {other}.")
    both = len(done) + 1 == 2
    await bump_revision(db, relationship, expected, **({"review_at_session": None} if both else {}))
    review = AgreementConsent(version_id=in_force.id, user_id=me.user_id, kind=ConsentKind.review)
    db.add(review)
    await db.flush()
    return await _load(db, mine)  # the same pair and bounds; the versions and consents anew
