"""Who is asking. Services take a Principal and only ever show what it may see."""

from dataclasses import dataclass
from uuid import UUID

from api.auth.models import Role


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    role: Role
    session_id: UUID
    display_name: str

    @property
    def is_coordinator(self) -> bool:
        return self.role in (Role.coordinator, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin
