"""webhooks (endpoints, secrets, deliveries) and, on PostgreSQL, the job queue's schema

The job queue is procrastinate's: on PostgreSQL its tables, types and functions are created
here by procrastinate's own migration scripts, read from the installed (pinned) package and
applied in order, one transaction each, as procrastinate's Django integration applies them
(an enum value added by one script must be committed before the next uses it). When
procrastinate is upgraded, a new migration applies the new version's scripts by name
(`procrastinate schema --migrations-path` lists them; the release notes say which). SQLite
keeps its queue in memory, so there is nothing to create there.

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-30 06:00:00.000000+00:00
"""

from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.util import await_only

from alembic import op
from api.common import UTCDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# procrastinate 3.10.0's schema, as the chain of its migration scripts.
QUEUE_SCRIPTS = (
    "00.00.00_01_initial.sql",
    "00.05.00_01_drop_started_at_column.sql",
    "00.05.00_02_drop_started_at_column.sql",
    "00.05.00_03_drop_procrastinate_version_table.sql",
    "00.06.00_01_fix_procrastinate_fetch_job.sql",
    "00.07.01_01_fix_trigger_status_events_insert.sql",
    "00.08.01_01_add_queueing_lock_column.sql",
    "00.10.00_01_close_fetch_job_race_condition.sql",
    "00.10.00_02_add_defer_job_function.sql",
    "00.11.00_03_add_procrastinate_periodic_defers.sql",
    "00.12.00_01_add_foreign_key_index.sql",
    "00.14.00_01_add_locks_to_periodic_defer.sql",
    "00.15.02_01_fix_procrastinate_defer_periodic_job.sql",
    "00.16.00_01_add_finish_job_and_retry_job_functions.sql",
    "00.17.00_01_add_trigger_on_job_deletion.sql",
    "00.17.00_02_delete_finished_jobs.sql",
    "00.17.00_03_add_checks_to_finish_job.sql",
    "00.17.00_04_add_checks_to_retry_job.sql",
    "00.18.01_01_fix_finish_job_compat_issue.sql",
    "00.19.00_01_add_index_on_procrastinate_jobs.sql",
    "00.22.00_01_add_kwargs_to_defer_periodic_job.sql",
    "00.23.00_01_null_locks_excluded.sql",
    "01.00.00_01_remove_old_finish_job_function.sql",
    "01.01.01_01_job_id_bigint.sql",
    "02.00.03_01_add_job_priority.sql",
    "02.05.00_01_add_periodic_job_priority.sql",
    "02.06.00_01_add_cancel_states.sql",
    "02.08.00_01_add_additional_params_to_retry_job.sql",
    "02.14.01_01_add_indexes_for_fetch_job.sql",
    "03.00.00_01_pre_cancel_notification.sql",
    "03.00.00_50_post_cancel_notification.sql",
    "03.01.00_01_pre_add_heartbeat.sql",
    "03.01.00_50_post_add_heartbeat.sql",
    "03.02.00_01_pre_batch_defer_jobs.sql",
    "03.02.00_50_post_batch_defer_jobs.sql",
    "03.03.00_01_pre_priority_lock_fetch_job.sql",
    "03.04.00_01_pre_add_retry_failed_job_procedure.sql",
    "03.04.00_50_post_add_retry_failed_job_procedure.sql",
)

DROP_QUEUE = """
DO $$
DECLARE found record;
BEGIN
    FOR found IN SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', found.tablename);
    END LOOP;
    FOR found IN SELECT CAST(p.oid AS regprocedure) AS routine FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', found.routine);
    END LOOP;
    FOR found IN SELECT t.typname FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
        AND t.typtype IN ('e', 'c') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', found.typname);
    END LOOP;
END $$;
"""


def _create_queue() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    scripts = resources.files("procrastinate.sql.migrations")
    with op.get_context().autocommit_block():
        # The scripts hold several statements (and $$-quoted functions): they go through the
        # driver's simple query protocol, each its own implicit transaction.
        driver = bind.connection.driver_connection
        for name in QUEUE_SCRIPTS:
            await_only(driver.execute(scripts.joinpath(name).read_text(encoding="utf-8")))


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(300), nullable=True),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.Column("client_told_at", UTCDateTime(), nullable=True),
        sa.Column("failing_since", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_webhook_endpoint_client_id", "webhook_endpoint", ["client_id"])
    op.create_table(
        "webhook_secret",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "endpoint_id",
            sa.Uuid(),
            sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_webhook_secret_endpoint_id", "webhook_secret", ["endpoint_id"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "event_id",
            sa.String(40),
            sa.ForeignKey("outbox_event.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "endpoint_id",
            sa.Uuid(),
            sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_delivery_event_endpoint"),
    )
    op.create_index("ix_webhook_delivery_log", "webhook_delivery", ["endpoint_id", "created_at"])
    op.create_index(
        "ix_webhook_delivery_next_attempt_at", "webhook_delivery", ["next_attempt_at"]
    )
    _create_queue()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP_QUEUE)
    op.drop_index("ix_webhook_delivery_next_attempt_at", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_log", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_secret_endpoint_id", table_name="webhook_secret")
    op.drop_table("webhook_secret")
    op.drop_index("ix_webhook_endpoint_client_id", table_name="webhook_endpoint")
    op.drop_table("webhook_endpoint")
