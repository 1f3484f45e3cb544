"""self-registration: e-mail confirmation, password-reset links, identity-verification requests

Accounts of companies and individuals may now be opened by their owners (core/registration.py). An account so
opened starts with `email_confirmed` false until its owner opens the link mailed to them; accounts that exist
already were created by an administrator and stay confirmed. A company that registers itself gets a unit
carrying its unified social credit code. Mailed links are kept as hashes in `account_token`; an applicant's
request to have their identity verified, and the official's decision, in `identity_request`.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only ADD COLUMN and CREATE INDEX on the existing tables: SQLite would otherwise rebuild `unit` and
    # `user_account`, which other tables' rows refer to.
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_code', sa.String(length=18), nullable=True))
        batch_op.create_index(batch_op.f('ix_unit_credit_code'), ['credit_code'], unique=True)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), server_default='', nullable=False))
        # Every account that exists was created by an administrator: confirmed.
        batch_op.add_column(sa.Column('email_confirmed', sa.Boolean(), server_default='1', nullable=False))
    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_token_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_token_token_hash'))
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_token_user_id'), ['user_id'], unique=False)
    op.create_table('identity_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decision_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'],
                            name=op.f('fk_identity_request_decided_by_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_identity_request_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_request'))
    )
    with op.batch_alter_table('identity_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_request_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identity_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_identity_request_status'))
    op.drop_table('identity_request')
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_token_user_id'))
    op.drop_table('account_token')
    # DROP COLUMN in place (SQLite 3.35 and later, PostgreSQL): no rebuild of the tables others refer to.
    op.drop_column('user_account', 'email_confirmed')
    op.drop_column('user_account', 'phone')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_credit_code'))
    op.drop_column('unit', 'credit_code')
