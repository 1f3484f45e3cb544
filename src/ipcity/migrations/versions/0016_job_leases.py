"""background jobs: attempts, retry time, the claiming worker and its heartbeat

Any number of worker processes and machines take jobs from the `job` table (core/jobs.py). A claim records the
worker (`worker_id`, host:pid:random) and counts the attempt; the worker refreshes `heartbeat_at` while the job
runs, and a running job whose heartbeat is older than the lease is taken over by another worker. A failed run is
retried after `run_after`. Jobs left running by older releases have no heartbeat: their start time stands in
for it, so they are taken over once the lease has passed.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('run_after', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('worker_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker_id')
        batch_op.drop_column('run_after')
        batch_op.drop_column('attempts')
