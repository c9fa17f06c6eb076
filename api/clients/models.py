"""Integrator clients and their secrets (only ever stored as keyed hashes)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, json_list_field, when_field


class IntegratorClient(SQLModel, table=True):
    """Another system using the API with its own credentials: a referral service, a
    surgery's social-prescribing team, a charity's CRM. Revoked, never deleted: its
    referrals keep naming it."""

    __tablename__ = "integrator_client"

    id: UUID = id_field()  # the OAuth client_id
    name: str = Field(sa_type=String(80))
    scopes: list[str] = json_list_field()
    created_at: datetime = created_field(index=True)
    created_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    last_token_at: datetime | None = when_field()
    revoked_at: datetime | None = when_field()
    revoked_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class ClientSecret(SQLModel, table=True):
    """One secret of a client. The current one has no end; after a rotation the previous one
    keeps working until ``expires_at`` (the overlap), and so do tokens made with it."""

    __tablename__ = "client_secret"

    id: UUID = id_field()
    client_id: UUID = Field(foreign_key="integrator_client.id", index=True, ondelete="CASCADE")
    # HMAC-SHA256 of the secret under a key derived from SECRET_KEY (api/clients/secrets.py).
    secret_hash: str = Field(sa_type=String(64), unique=True)
    # The secret's last four characters, so an administrator can tell two secrets apart.
    hint: str = Field(sa_type=String(8))
    created_at: datetime = created_field()
    created_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    expires_at: datetime | None = when_field()
