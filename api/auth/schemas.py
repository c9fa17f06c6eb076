from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.auth.models import Role


class SignUp(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "sam@example.org",
                    "password": "a long walk by the sea",
                    "display_name": "Sam",
                }
            ]
        }
    )
    email: str = Field(max_length=320)
    password: str = Field(max_length=128)
    display_name: str = Field(
        max_length=60, description="The name others see; a pseudonym is fine."
    )


class UserPublic(BaseModel):
    id: UUID
    email: str
    display_name: str
    role: Role
    is_supporter: bool = False
    created_at: datetime


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class RefreshRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"refresh_token": "Jq3m0b3n9i6cYvX8f2kT1wQe5rA7sD4uH0pL6zN2xC8"}]
        }
    )

    refresh_token: str = Field(max_length=200)


class AccountUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "role": "coordinator",
                    "is_active": True,
                    "safeguarding_lead": False,
                    "reason": "Joined the team as a coordinator.",
                }
            ]
        },
        extra="forbid",
    )
    role: Role | None = None
    is_active: StrictBool | None = None
    safeguarding_lead: StrictBool | None = Field(
        default=None, description="The service's safeguarding lead (a coordinator or admin)."
    )
    reason: str | None = Field(
        default=None, max_length=500, description="Why: kept in the audit log."
    )


class AccountPublic(BaseModel):
    id: UUID
    display_name: str
    role: Role
    is_active: bool
    safeguarding_lead: bool = False
