"""One of the two people's view of their agreement: every version and consent, the version in
force and the one waiting, the review, and the service's settings that bound the terms (the
template new terms start from, the dependency limits)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from api.config import Settings
from api.errors import NotFound
from api.policies.service import DefaultAgreement, DependencyLimits
from api.relationships.limits import LimitLevel
from api.relationships.models import (
    AgreementConsent,
    AgreementVersion,
    ConsentKind,
    Relationship,
    VersionStatus,
)
from api.relationships.review import review_due
from api.relationships.revision import etag
from api.relationships.sealed_topics import full_terms
from api.relationships.service import Pair
from api.relationships.terms import AgreementTerms, Person


@dataclass
class Agreement:
    """A relationship's agreement as one of the two people sees it."""

    relationship: Relationship
    pair: Pair
    versions: list[AgreementVersion]  # oldest first
    settings: Settings  # to open each person's sealed topics
    consents: dict[UUID, list[AgreementConsent]] = field(default_factory=dict)
    # The service's settings: where new terms start, and the most they may agree to.
    template: DefaultAgreement = field(default_factory=DefaultAgreement)
    limits: DependencyLimits = field(default_factory=DependencyLimits)
    # Where each person's own limits start when there is nothing to start from here yet: what
    # they last agreed to in another relationship (own_terms.carried_limits).
    carried_limits: dict[Person, dict[str, LimitLevel]] = field(default_factory=dict)

    @property
    def revision(self) -> int:
        return self.relationship.agreement_revision

    @property
    def etag(self) -> str:
        return etag(self.revision)

    def _with(self, status: VersionStatus) -> AgreementVersion | None:
        return next((v for v in reversed(self.versions) if v.status == status), None)

    @property
    def in_force(self) -> AgreementVersion | None:
        return self._with(VersionStatus.agreed)

    @property
    def pending(self) -> AgreementVersion | None:
        return self._with(VersionStatus.pending)

    @property
    def latest(self) -> AgreementVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def review(self) -> bool:
        """Whether both people are being asked to check the terms in force still fit."""
        return review_due(self.relationship)

    def version(self, number: int) -> AgreementVersion:
        for version in self.versions:
            if version.number == number:
                return version
        raise NotFound(f"There is no version {number} of this agreement.")

    def previous(self, version: AgreementVersion) -> AgreementVersion | None:
        return next((v for v in self.versions if v.number == version.number - 1), None)

    def base_for(self, version: AgreementVersion) -> AgreementVersion | None:
        """What a version is best compared with: the one in force, else the one before it."""
        in_force = self.in_force
        if in_force is not None and in_force.number < version.number:
            return in_force
        return self.previous(version)

    def terms_of(self, version: AgreementVersion) -> AgreementTerms:
        return AgreementTerms.model_validate(full_terms(self.settings, version))

    def proposer(self, version: AgreementVersion) -> Person | None:
        return self.pair.role_of(version.proposed_by)

    def consents_to(self, version: AgreementVersion) -> list[AgreementConsent]:
        return self.consents.get(version.id, [])

    def reviewed_by(self) -> list[Person]:
        """Who has said, at the review point, that the terms in force still fit."""
        in_force = self.in_force
        if in_force is None or not self.review:
            return []
        roles = (
            self.pair.role_of(c.user_id)
            for c in self.consents_to(in_force)
            if c.kind == ConsentKind.review
        )
        return [r for r in roles if r is not None]

    @property
    def most_a_week(self) -> int:
        return self.limits.max_sessions_a_week

    def today(self, terms: AgreementTerms) -> date:
        """Today where the agreement's contact times are: the date end dates are checked on."""
        return datetime.now(ZoneInfo(terms.timezone)).date()
