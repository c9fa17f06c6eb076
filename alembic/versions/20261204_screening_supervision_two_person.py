"""Supporters' screening records, supervision sessions and debrief notes; safeguarding access
as a request a second coordinator approves (the two-person rule). Accesses granted before this
were approved as they were granted.

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = '0025'
down_revision: str | Sequence[str] | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('screening_record',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('item_key', sa.String(length=40), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('note_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_at', api.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('screening_record', schema=None) as batch_op:
        batch_op.create_index('ix_screening_record_person_item', ['user_id', 'item_key', 'done_on'], unique=False)

    op.create_table('supervision_session',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('with_whom', sa.String(length=80), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=False),
    sa.Column('note_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_at', api.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_session_person', ['user_id', 'held_on'], unique=False)

    op.create_table('debrief_note',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('relationship_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('body_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', api.common.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['contact_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id')
    )
    with op.batch_alter_table('debrief_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debrief_note_author_id'), ['author_id'], unique=False)

    with op.batch_alter_table('safeguarding_access', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', api.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('request_expires_at', api.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refused_at', api.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refused_by', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key('fk_safeguarding_access_refused_by', 'user_account', ['refused_by'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_safeguarding_access_approved_by', 'user_account', ['approved_by'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE safeguarding_access SET approved_at = granted_at")



def downgrade() -> None:
    with op.batch_alter_table('safeguarding_access', schema=None) as batch_op:
        batch_op.drop_constraint('fk_safeguarding_access_approved_by', type_='foreignkey')
        batch_op.drop_constraint('fk_safeguarding_access_refused_by', type_='foreignkey')
        batch_op.drop_column('refused_by')
        batch_op.drop_column('refused_at')
        batch_op.drop_column('request_expires_at')
        batch_op.drop_column('approved_by')
        batch_op.drop_column('approved_at')

    with op.batch_alter_table('debrief_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debrief_note_author_id'))

    op.drop_table('debrief_note')
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_session_person')

    op.drop_table('supervision_session')
    with op.batch_alter_table('screening_record', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_record_person_item')

    op.drop_table('screening_record')
