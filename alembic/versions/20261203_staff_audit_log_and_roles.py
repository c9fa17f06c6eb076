"""The staff audit log (appended only; PostgreSQL refuses changes to it), and the
safeguarding lead as a role an administrator grants.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from api.common import UTCDateTime

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Entries are never changed. Two operators' tools may touch them, each saying so first in its
# own transaction: retention's purge deletes entries past the period
# (SET LOCAL kindred.audit_purge = 'on'), and re-sealing after a key rotation rewrites the
# sealed reason and nothing else (SET LOCAL kindred.audit_rekey = 'on').
_GUARD = """
CREATE FUNCTION audit_entry_is_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('kindred.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('kindred.audit_rekey', true) = 'on'
        AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.actor_roles, NEW.action,
             NEW.subject_type, NEW.subject_id, NEW.details::text)
        IS NOT DISTINCT FROM
            (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.actor_roles, OLD.action,
             OLD.subject_type, OLD.subject_id, OLD.details::text) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql
"""
# On SQLite (one process, development) any change but re-sealing the reason is refused.
_SQLITE_GUARD = (
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OF id, at, actor_id, actor_name, "
    "actor_roles, action, subject_type, subject_id, details ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END"
)


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=60), nullable=False),
        sa.Column("actor_roles", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_subject_id"), ["subject_id"], unique=False
        )
    # Not batch: on SQLite that would copy user_account, and dropping the old copy would
    # cascade to every row that refers to an account. SQLite adds and drops a column in place.
    op.add_column(
        "user_account",
        sa.Column("safeguarding_lead", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_GUARD)
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_is_append_only()"
        )
    else:
        op.execute(_SQLITE_GUARD)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only" + (
        " ON audit_entry" if op.get_bind().dialect.name == "postgresql" else ""
    ))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_entry_is_append_only()")
    op.drop_column("user_account", "safeguarding_lead")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_subject_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))
    op.drop_table("audit_entry")
