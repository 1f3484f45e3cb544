"""patent ingest runs count warnings: fields left out of records that were kept

Readers and the normaliser now leave out a field they cannot read (a bad date, an application number that does
not parse) and keep the record; each run counts these warnings. The first of them are kept in the run's
`errors` list beside the rejections, marked `"warning": true`, so only the count needs a column. Runs made
before have none.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('patent_ingest_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warnings', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('patent_ingest_run', schema=None) as batch_op:
        batch_op.drop_column('warnings')
