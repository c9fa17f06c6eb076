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
    # A coordinator or administrator the service named its safeguarding lead: sees the whole
    # concerns queue and approves two-person safeguarding access.
    safeguarding_lead: bool = False
    # Whether this session proved the second factor. A coordinator's or administrator's
    # powers need it: without it they are a peer until they set it up and sign in with it.
    second_factor: bool = False

    @property
    def is_staff(self) -> bool:
        """Holds a staff role, whether or not this session proved the second factor."""
        return self.role in (Role.coordinator, Role.admin)

    @property
    def is_coordinator(self) -> bool:
        return self.is_staff and self.second_factor

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin and self.second_factor

    @property
    def is_safeguarding_lead(self) -> bool:
        return self.safeguarding_lead and self.is_coordinator
