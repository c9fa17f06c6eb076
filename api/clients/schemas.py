"""What the client administration API and the token endpoint take and send."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.clients.service import ClientView

Scope = Literal[
    "referrals:write", "referrals:read", "relationships:read", "stats:read", "webhooks:manage"
]


class ClientIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Riverside social prescribing",
                    "scopes": ["referrals:write", "referrals:read"],
                }
            ]
        },
    )
    name: str = Field(max_length=80, description="Who this client is, as administrators see it.")
    scopes: list[Scope] = Field(min_length=1, max_length=5)


class ClientChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Northside Wellbeing Hub"},
                {"scopes": ["referrals:read", "referrals:write"]},
            ]
        },
    )
    name: str | None = Field(default=None, max_length=80)
    scopes: list[Scope] | None = Field(default=None, min_length=1, max_length=5)


class SecretRotation(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"overlap_hours": 24}]}
    )
    overlap_hours: int = Field(
        default=24,
        ge=0,
        le=720,
        description="How long the current secret (and tokens made with it) keep working "
        "alongside the new one; 0 stops it now.",
    )


class SecretOut(BaseModel):
    id: UUID
    hint: str = Field(description="The secret's last four characters.")
    created_at: datetime
    expires_at: datetime | None = Field(
        description="When it stops working (after a rotation); null for the current one."
    )


class ClientOut(BaseModel):
    client_id: UUID
    name: str
    scopes: list[str]
    created_at: datetime
    last_token_at: datetime | None
    revoked_at: datetime | None
    secrets: list[SecretOut] = Field(description="The secrets that work now (hints only).")

    @classmethod
    def of(cls, view: ClientView) -> "ClientOut":
        c = view.client
        return cls(
            client_id=c.id,
            name=c.name,
            scopes=list(c.scopes),
            created_at=c.created_at,
            last_token_at=c.last_token_at,
            revoked_at=c.revoked_at,
            secrets=[
                SecretOut(id=s.id, hint=s.hint, created_at=s.created_at, expires_at=s.expires_at)
                for s in view.secrets
            ],
        )


class ClientIssued(ClientOut):
    client_secret: str = Field(
        description="Shown this once: store it safely. Kindred keeps only a hash of it."
    )


class TokenOut(BaseModel):
    """RFC 6749 §5.1. People's tokens come with a refresh token; clients' never do (§4.4.3)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str | None = Field(default=None, description="Password grant only.")
    scope: str | None = Field(
        default=None, description="Client-credentials grant only: the scopes granted."
    )
