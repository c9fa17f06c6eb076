"""Demo rows written in the shapes the services write: requests, relationships with their
history, agreed terms, held sessions, concerns with their trail (api/demo_console.py)."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.auth.models import User
from api.common import utcnow
from api.concerns.models import Concern, ConcernEvent, ConcernStatus
from api.config import Settings
from api.contact.models import ContactSession, SessionStatus
from api.crypto import seal
from api.matching.models import RequestStatus, SupportRequest
from api.relationships.models import (
    AgreementConsent,
    Relationship,
    RelationshipEvent,
    Source,
    State,
    VersionStatus,
)
from api.relationships.sealed_topics import new_version
from api.relationships.terms import default_terms
from api.supporters.models import SupporterOffer

WHY = ["You have some experience in common", "Your evenings overlap"]


def tuesday(at: datetime, weeks: int = 0) -> datetime:
    """19:00 UTC on the Tuesday of `at`'s week, `weeks` weeks on (inside London evenings)."""
    day = at.replace(hour=19, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1 - day.weekday() + 7 * weeks)


class DemoRows:
    """Rows for the demo's named people, as of now."""

    def __init__(self, db: AsyncSession, people: dict[str, User], tags: dict[str, int]) -> None:
        self.db, self.people, self.tags, self.now = db, people, tags, utcnow()

    def user(self, name: str) -> User:
        return self.people[name]

    async def request(
        self, seeker: str, slug: str, *, since: datetime, status: RequestStatus, **values: Any
    ) -> SupportRequest:
        request = SupportRequest(
            seeker_id=self.user(seeker).id,
            tag_ids=[self.tags[slug]],
            status=status,
            created_at=since,
            updated_at=since,
            **values,
        )
        self.db.add(request)
        await self.db.flush()
        return request

    async def relationship(
        self,
        seeker: str,
        supporter: str,
        request: SupportRequest,
        *,
        state: State,
        at: datetime,
        path: tuple[State, ...],
        **values: Any,
    ) -> Relationship:
        relationship = Relationship(
            seeker_id=self.user(seeker).id,
            supporter_id=self.user(supporter).id,
            request_id=request.id,
            state=state,
            source=Source.seeker_choice,
            score=0.74,
            reasons=WHY,
            created_at=at,
            **values,
        )
        self.db.add(relationship)
        await self.db.flush()
        before: State | None = None
        for i, step in enumerate(path):
            actor = (
                relationship.seeker_id if step == State.introduced else relationship.supporter_id
            )
            self.db.add(
                RelationshipEvent(
                    relationship_id=relationship.id,
                    actor_id=actor,
                    from_state=before,
                    to_state=step,
                    at=at + timedelta(days=i),
                )
            )
            before = step
        return relationship

    async def agree(self, relationship: Relationship, at: datetime, sessions: int) -> None:
        terms = default_terms(at.date(), "Europe/London", sessions_total=sessions)
        data = terms.model_dump(mode="json")
        data["acknowledgements"] = {
            "confidentiality_and_exception": True,
            "not_a_crisis_service": True,
        }
        version = new_version(
            self.db,
            relationship_id=relationship.id,
            number=1,
            proposed_by=relationship.supporter_id,
            terms=data,
            status=VersionStatus.agreed,
            created_at=at,
            agreed_at=at,
        )
        self.db.add(version)
        await self.db.flush()
        for person in (relationship.seeker_id, relationship.supporter_id):
            self.db.add(AgreementConsent(version_id=version.id, user_id=person, at=at))
        relationship.agreed_version, relationship.agreement_revision = 1, 2

    def held(self, relationship: Relationship, first: datetime, count: int) -> datetime:
        """`count` sessions held weekly from `first`; returns when the last one was."""
        at = first
        for week in range(count):
            at = tuesday(first, week)
            self.db.add(
                ContactSession(
                    relationship_id=relationship.id,
                    supporter_id=relationship.supporter_id,
                    proposed_by=relationship.supporter_id,
                    start_at=at,
                    minutes=45,
                    channel="video",
                    status=SessionStatus.held,
                    agreement_version=1,
                    created_at=at - timedelta(days=4),
                    confirmed_at=at - timedelta(days=3),
                )
            )
        relationship.sessions_held = count
        return at

    async def take_places(self, supporter: str, places: int) -> None:
        await self.db.execute(
            update(SupporterOffer)
            .where(col(SupporterOffer.user_id) == self.user(supporter).id)
            .values(active_count=SupporterOffer.active_count + places)
        )

    async def concern(
        self,
        relationship: Relationship,
        *,
        settings: Settings,
        raised_by: str,
        kind: str,
        details: str,
        at: datetime,
        steps: list[tuple[ConcernStatus, str]],
        coordinator: User,
    ) -> None:
        seeker = relationship.seeker_id == self.user(raised_by).id
        concern = Concern(
            relationship_id=relationship.id,
            raised_by=self.user(raised_by).id,
            raised_by_role="seeker" if seeker else "supporter",
            kind=kind,
            created_at=at,
            updated_at=at,
            assigned_to=coordinator.id if steps else None,
        )
        concern.details_sealed = seal(settings, details, concern.id.bytes)
        self.db.add(concern)
        self.db.add(
            ConcernEvent(concern_id=concern.id, actor_id=concern.raised_by, action="raised", at=at)
        )
        status = ConcernStatus.new
        for hours, (to, note) in enumerate(steps, start=1):
            event = ConcernEvent(
                concern_id=concern.id,
                actor_id=coordinator.id,
                action="status",
                from_status=status,
                to_status=to,
                at=at + timedelta(hours=3 * hours),
            )
            event.note_sealed = seal(settings, note, event.id.bytes)
            self.db.add(event)
            status = concern.status = to
            concern.updated_at = event.at
