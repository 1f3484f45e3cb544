"""patent search index: what the index has committed

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows start pending: nothing says the index holds them, so the next ingest (or
    # `ipcity patents check --repair`) re-indexes them once.
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('index_pending', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index(batch_op.f('ix_patent_index_pending'), ['index_pending'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patent_index_pending'))
        batch_op.drop_column('index_pending')
