"""pledge registration: applications and registrations, their patents, the gazette lines

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pledge_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('application_number', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('pledgor_unit_id', sa.Integer(), nullable=True),
    sa.Column('pledgor_user_id', sa.Integer(), nullable=True),
    sa.Column('pledgor_name', sa.String(length=200), nullable=False),
    sa.Column('pledgor_address', sa.String(length=300), nullable=False),
    sa.Column('pledgee_unit_id', sa.Integer(), nullable=False),
    sa.Column('pledgee_name', sa.String(length=200), nullable=False),
    sa.Column('pledgee_address', sa.String(length=300), nullable=False),
    sa.Column('debtor_name', sa.String(length=200), nullable=False),
    sa.Column('claim_type', sa.String(length=32), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('debt_start', sa.Date(), nullable=False),
    sa.Column('debt_end', sa.Date(), nullable=False),
    sa.Column('guarantee_scope', sa.Text(), nullable=False),
    sa.Column('annual_fee_payer', sa.String(length=16), nullable=False),
    sa.Column('transfer_allowed', sa.String(length=8), nullable=False),
    sa.Column('licensing_allowed', sa.String(length=8), nullable=False),
    sa.Column('agent_name', sa.String(length=200), nullable=False),
    sa.Column('insist_same_day', sa.Boolean(), nullable=False),
    sa.Column('insist_invalidation', sa.Boolean(), nullable=False),
    sa.Column('pledgor_confirmed_by', sa.String(length=100), nullable=False),
    sa.Column('pledgor_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pledgee_confirmed_by', sa.String(length=100), nullable=False),
    sa.Column('pledgee_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_number', sa.String(length=32), nullable=True),
    sa.Column('registration_year', sa.Integer(), nullable=True),
    sa.Column('registration_serial', sa.Integer(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['wf_case.id'], name=op.f('fk_pledge_registration_case_id_wf_case')),
    sa.ForeignKeyConstraint(['pledgee_unit_id'], ['unit.id'], name=op.f('fk_pledge_registration_pledgee_unit_id_unit')),
    sa.ForeignKeyConstraint(['pledgor_unit_id'], ['unit.id'], name=op.f('fk_pledge_registration_pledgor_unit_id_unit')),
    sa.ForeignKeyConstraint(['pledgor_user_id'], ['user_account.id'], name=op.f('fk_pledge_registration_pledgor_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_registration')),
    sa.UniqueConstraint('application_number', name=op.f('uq_pledge_registration_application_number')),
    sa.UniqueConstraint('case_id', name=op.f('uq_pledge_registration_case_id')),
    sa.UniqueConstraint('registration_number', name=op.f('uq_pledge_registration_registration_number'))
    )
    op.create_index(op.f('ix_pledge_registration_pledgee_name'), 'pledge_registration', ['pledgee_name'], unique=False)
    op.create_index(op.f('ix_pledge_registration_pledgee_unit_id'), 'pledge_registration', ['pledgee_unit_id'], unique=False)
    op.create_index(op.f('ix_pledge_registration_pledgor_name'), 'pledge_registration', ['pledgor_name'], unique=False)
    op.create_index(op.f('ix_pledge_registration_pledgor_unit_id'), 'pledge_registration', ['pledgor_unit_id'], unique=False)
    op.create_index(op.f('ix_pledge_registration_registered_on'), 'pledge_registration', ['registered_on'], unique=False)
    op.create_index(op.f('ix_pledge_registration_state'), 'pledge_registration', ['state'], unique=False)
    op.create_table('pledge_patent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('patent_number', sa.String(length=40), nullable=False),
    sa.Column('app_number', sa.String(length=40), nullable=False),
    sa.Column('pub_number', sa.String(length=40), nullable=False),
    sa.Column('patent_type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('app_date', sa.Date(), nullable=True),
    sa.Column('grant_date', sa.Date(), nullable=True),
    sa.Column('ipc_main', sa.String(length=32), nullable=False),
    sa.Column('owners', sa.JSON(), nullable=False),
    sa.Column('consents', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledge_registration.id'], name=op.f('fk_pledge_patent_pledge_id_pledge_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_patent'))
    )
    op.create_index(op.f('ix_pledge_patent_app_number'), 'pledge_patent', ['app_number'], unique=False)
    op.create_index(op.f('ix_pledge_patent_patent_number'), 'pledge_patent', ['patent_number'], unique=False)
    op.create_index(op.f('ix_pledge_patent_pledge_id'), 'pledge_patent', ['pledge_id'], unique=False)
    op.create_table('pledge_gazette',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('registration_number', sa.String(length=32), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('patent_number', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('ipc_main', sa.String(length=32), nullable=False),
    sa.Column('grant_date', sa.Date(), nullable=True),
    sa.Column('pledgor', sa.String(length=200), nullable=False),
    sa.Column('pledgee', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledge_registration.id'], name=op.f('fk_pledge_gazette_pledge_id_pledge_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_gazette'))
    )
    op.create_index(op.f('ix_pledge_gazette_ipc_main'), 'pledge_gazette', ['ipc_main'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_kind'), 'pledge_gazette', ['kind'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_patent_number'), 'pledge_gazette', ['patent_number'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_pledge_id'), 'pledge_gazette', ['pledge_id'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_pledgee'), 'pledge_gazette', ['pledgee'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_pledgor'), 'pledge_gazette', ['pledgor'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_published_on'), 'pledge_gazette', ['published_on'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_registered_on'), 'pledge_gazette', ['registered_on'], unique=False)
    op.create_index(op.f('ix_pledge_gazette_registration_number'), 'pledge_gazette', ['registration_number'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pledge_gazette_registration_number'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_registered_on'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_published_on'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_pledgor'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_pledgee'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_pledge_id'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_patent_number'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_kind'), table_name='pledge_gazette')
    op.drop_index(op.f('ix_pledge_gazette_ipc_main'), table_name='pledge_gazette')
    op.drop_table('pledge_gazette')
    op.drop_index(op.f('ix_pledge_patent_pledge_id'), table_name='pledge_patent')
    op.drop_index(op.f('ix_pledge_patent_patent_number'), table_name='pledge_patent')
    op.drop_index(op.f('ix_pledge_patent_app_number'), table_name='pledge_patent')
    op.drop_table('pledge_patent')
    op.drop_index(op.f('ix_pledge_registration_state'), table_name='pledge_registration')
    op.drop_index(op.f('ix_pledge_registration_registered_on'), table_name='pledge_registration')
    op.drop_index(op.f('ix_pledge_registration_pledgor_unit_id'), table_name='pledge_registration')
    op.drop_index(op.f('ix_pledge_registration_pledgor_name'), table_name='pledge_registration')
    op.drop_index(op.f('ix_pledge_registration_pledgee_unit_id'), table_name='pledge_registration')
    op.drop_index(op.f('ix_pledge_registration_pledgee_name'), table_name='pledge_registration')
    op.drop_table('pledge_registration')
