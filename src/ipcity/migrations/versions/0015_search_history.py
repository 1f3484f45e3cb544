"""patent search: a person's search history, saved searches with alerts

`patent_search_history` keeps the newest searches each signed-in person ran (patents/history.py);
`patent_saved_search` the searches they keep under a name, with the alert state the `patents.search_alerts` job
works from (patents/alerts.py): the register time checked so far, and the claim of the run working on it. The
alert job reads the patents added since a time: `patent.created_at` gets an index.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patent_search_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('q', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_patent_search_history_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patent_search_history'))
    )
    with op.batch_alter_table('patent_search_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patent_search_history_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_patent_search_history_user_id'), ['user_id'], unique=False)

    op.create_table('patent_saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('q', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('alert', sa.Boolean(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_alert_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_alert_count', sa.Integer(), nullable=False),
    sa.Column('alerts_sent', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_patent_saved_search_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patent_saved_search'))
    )
    with op.batch_alter_table('patent_saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patent_saved_search_alert'), ['alert'], unique=False)
        batch_op.create_index(batch_op.f('ix_patent_saved_search_user_id'), ['user_id'], unique=False)

    # CREATE INDEX only: no rebuild of the register's table on SQLite.
    op.create_index('ix_patent_created_at', 'patent', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_patent_created_at', table_name='patent')
    with op.batch_alter_table('patent_saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patent_saved_search_user_id'))
        batch_op.drop_index(batch_op.f('ix_patent_saved_search_alert'))
    op.drop_table('patent_saved_search')
    with op.batch_alter_table('patent_search_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patent_search_history_user_id'))
        batch_op.drop_index(batch_op.f('ix_patent_search_history_created_at'))
    op.drop_table('patent_search_history')
