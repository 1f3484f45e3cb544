"""patent ingest runs: the file's size in 64 bits

A national register file passes 2 GiB, more than PostgreSQL's INTEGER holds: its ingest failed before the first
record with "integer out of range" (bench/ingest.py --n 1000000 --db postgresql, a 2.35 GB file). SQLite's
INTEGER was already 64-bit; the column is declared BIGINT on both.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('patent_ingest_run', schema=None) as batch_op:
        batch_op.alter_column('file_size', existing_type=sa.Integer(), type_=sa.BigInteger(),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('patent_ingest_run', schema=None) as batch_op:
        batch_op.alter_column('file_size', existing_type=sa.BigInteger(), type_=sa.Integer(),
                              existing_nullable=False)
