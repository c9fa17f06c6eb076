"""What integrators may hear of sessions (api/outbox): the session's id, time and state only."""

from sqlalchemy.ext.asyncio import AsyncSession

from api.contact.models import ContactSession
from api.outbox.service import emit
from api.relationships.models import Relationship


def session_event(
    db: AsyncSession, relationship: Relationship, session: ContactSession, kind: str
) -> None:
    """Record `kind` (session.scheduled, session.held) in the caller's transaction."""
    emit(
        db,
        type=kind,
        data={
            "session_id": str(session.id),
            "relationship_id": str(relationship.id),
            "start_at": session.start_at.isoformat(),
            "state": str(session.status),
        },
        about_users=(relationship.seeker_id, relationship.supporter_id),
    )
