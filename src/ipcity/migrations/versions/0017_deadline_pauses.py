"""clocks that pause and resume: a deadline's own length and its paused mark

A transition may stop a case's clock for a time that does not count (a correction requested in a
pre-examination; the periods CNIPA Order No. 81 does not count in an adjudication) and another may start it
again with only what was left (`workflow.definition.DeadlineRule.pauses_on` / `resumes_on`). The resumed clock is
a new `wf_deadline` row whose `days` is what was left; the paused row keeps `paused` true.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wf_deadline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('wf_deadline', schema=None) as batch_op:
        batch_op.drop_column('paused')
        batch_op.drop_column('days')
