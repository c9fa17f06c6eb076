"""Webhook endpoints belong to integrator clients (a foreign key, deleted with the client);
outbox events keep the referrers of a person who deleted their account.

Revision ID: 0021
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_for", sa.JSON(), nullable=False, server_default="[]"))
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Endpoints had no route of their own before this, so any row naming no client is a
    # leftover from tests by hand: it goes (with its secrets and deliveries).
    if sqlite:  # the client's id is stored as 32 hex digits there
        op.execute("UPDATE webhook_endpoint SET client_id = replace(client_id, '-', '')")
        op.execute(
            "DELETE FROM webhook_endpoint WHERE client_id NOT IN (SELECT id FROM integrator_client)"
        )
    else:
        op.execute(
            "DELETE FROM webhook_endpoint WHERE client_id NOT IN "
            "(SELECT id::text FROM integrator_client)"
        )
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.alter_column(
            "client_id",
            existing_type=sa.String(length=64),
            type_=sa.Uuid(),
            existing_nullable=False,
            postgresql_using="client_id::uuid",
        )
        batch_op.create_foreign_key(
            "fk_webhook_endpoint_client_id_integrator_client",
            "integrator_client",
            ["client_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_webhook_endpoint_client_id_integrator_client", type_="foreignkey"
        )
        batch_op.alter_column(
            "client_id",
            existing_type=sa.Uuid(),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_column("kept_for")
