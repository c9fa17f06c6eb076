"""One entry of the staff audit log.

Entries are only ever added. The application has no way to change or delete one, and on
PostgreSQL a trigger refuses UPDATE and DELETE outright (retention's purge, once a period is
set, is the one deleter, and says so with ``SET LOCAL kindred.audit_purge = 'on'``). The
actor is copied (id, name, roles) rather than referenced, so that deleting an account never
rewrites the record of what its holder did. The reason is staff-written text that may speak
of someone's health: sealed at rest, bound to the entry.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy import LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, json_dict_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: UUID = id_field()
    at: datetime = created_field(index=True)
    actor_id: UUID | None = Field(default=None, index=True)
    actor_name: str = Field(sa_type=String(60))
    actor_roles: str = Field(sa_type=String(60))  # e.g. "coordinator safeguarding_lead"
    action: str = Field(sa_type=String(60), index=True)
    subject_type: str = Field(sa_type=String(40))
    subject_id: str | None = Field(default=None, sa_type=String(64), index=True)
    reason_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    # Ids, states and counts only; never free text.
    details: dict = json_dict_field()
