"""Moderation with records: coordinators' decisions and the one appeal each; a message can be
hidden by a decision; an account can be suspended until a date.

Revision ID: 0026
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = '0026'
down_revision: str | Sequence[str] | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('moderation_decision',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('decided_at', api.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('concern_id', sa.Uuid(), nullable=True),
    sa.Column('relationship_id', sa.Uuid(), nullable=True),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('person_role', sa.String(length=10), nullable=True),
    sa.Column('message_id', sa.Uuid(), nullable=True),
    sa.Column('suspended_until', api.common.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=60), nullable=False),
    sa.Column('reason_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('to_person_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('reversed_at', api.common.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('moderation_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_decision_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_decision_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_decision_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_decision_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_decision_person_id'), ['person_id'], unique=False)

    op.create_table('moderation_appeal',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('decision_id', sa.Uuid(), nullable=False),
    sa.Column('made_at', api.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appellant_id', sa.Uuid(), nullable=True),
    sa.Column('text_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('decided_at', api.common.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=60), nullable=True),
    sa.Column('answer_sealed', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['appellant_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decision_id'], ['moderation_decision.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('decision_id')
    )
    with op.batch_alter_table('moderation_appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_appeal_made_at'), ['made_at'], unique=False)

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', api.common.UTCDateTime(timezone=True), nullable=True))

    # Not batch (see 0022): user_account is never copied on SQLite.
    op.add_column('user_account', sa.Column('suspended_until', api.common.UTCDateTime(timezone=True), nullable=True))
    op.add_column('user_account', sa.Column('suspension_note_sealed', sa.LargeBinary(), nullable=True))



def downgrade() -> None:
    op.drop_column('user_account', 'suspension_note_sealed')
    op.drop_column('user_account', 'suspended_until')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')

    with op.batch_alter_table('moderation_appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_appeal_made_at'))

    op.drop_table('moderation_appeal')
    with op.batch_alter_table('moderation_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_decision_person_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_decision_outcome'))
        batch_op.drop_index(batch_op.f('ix_moderation_decision_kind'))
        batch_op.drop_index(batch_op.f('ix_moderation_decision_decided_at'))
        batch_op.drop_index(batch_op.f('ix_moderation_decision_concern_id'))

    op.drop_table('moderation_decision')
