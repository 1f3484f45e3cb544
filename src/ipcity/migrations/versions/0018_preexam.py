"""fast pre-examination: companies' registrations with the protection centre and their pre-examination cases

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('preexam_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('centre_unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('entity_kind', sa.String(length=32), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('business_scope', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('admitted_on', sa.Date(), nullable=True),
    sa.Column('admitted_until', sa.Date(), nullable=True),
    sa.Column('abnormal', sa.Boolean(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['wf_case.id'], name=op.f('fk_preexam_registration_case_id_wf_case')),
    sa.ForeignKeyConstraint(['centre_unit_id'], ['unit.id'], name=op.f('fk_preexam_registration_centre_unit_id_unit')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_preexam_registration_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_preexam_registration_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preexam_registration')),
    sa.UniqueConstraint('case_id', name=op.f('uq_preexam_registration_case_id')),
    sa.UniqueConstraint('number', name=op.f('uq_preexam_registration_number'))
    )
    op.create_index(op.f('ix_preexam_registration_admitted_until'), 'preexam_registration', ['admitted_until'], unique=False)
    op.create_index(op.f('ix_preexam_registration_centre_unit_id'), 'preexam_registration', ['centre_unit_id'], unique=False)
    op.create_index(op.f('ix_preexam_registration_credit_code'), 'preexam_registration', ['credit_code'], unique=False)
    op.create_index(op.f('ix_preexam_registration_division_code'), 'preexam_registration', ['division_code'], unique=False)
    op.create_index(op.f('ix_preexam_registration_name'), 'preexam_registration', ['name'], unique=False)
    op.create_index(op.f('ix_preexam_registration_state'), 'preexam_registration', ['state'], unique=False)
    op.create_index(op.f('ix_preexam_registration_unit_id'), 'preexam_registration', ['unit_id'], unique=False)
    op.create_table('preexam_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('centre_unit_id', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('patent_type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('claims', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('brief_description', sa.Text(), nullable=False),
    sa.Column('ipc', sa.JSON(), nullable=False),
    sa.Column('locarno', sa.JSON(), nullable=False),
    sa.Column('field_key', sa.String(length=40), nullable=False),
    sa.Column('applicants', sa.JSON(), nullable=False),
    sa.Column('inventors', sa.JSON(), nullable=False),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('declarations', sa.JSON(), nullable=False),
    sa.Column('is_pct', sa.Boolean(), nullable=False),
    sa.Column('is_divisional', sa.Boolean(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('passed_on', sa.Date(), nullable=True),
    sa.Column('filing_deadline', sa.Date(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('cnipa_app_number', sa.String(length=40), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('granted_on', sa.Date(), nullable=True),
    sa.Column('corrections', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['wf_case.id'], name=op.f('fk_preexam_submission_case_id_wf_case')),
    sa.ForeignKeyConstraint(['centre_unit_id'], ['unit.id'], name=op.f('fk_preexam_submission_centre_unit_id_unit')),
    sa.ForeignKeyConstraint(['registration_id'], ['preexam_registration.id'], name=op.f('fk_preexam_submission_registration_id_preexam_registration')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_preexam_submission_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_preexam_submission_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preexam_submission')),
    sa.UniqueConstraint('case_id', name=op.f('uq_preexam_submission_case_id')),
    sa.UniqueConstraint('number', name=op.f('uq_preexam_submission_number'))
    )
    op.create_index(op.f('ix_preexam_submission_centre_unit_id'), 'preexam_submission', ['centre_unit_id'], unique=False)
    op.create_index(op.f('ix_preexam_submission_cnipa_app_number'), 'preexam_submission', ['cnipa_app_number'], unique=False)
    op.create_index(op.f('ix_preexam_submission_decided_on'), 'preexam_submission', ['decided_on'], unique=False)
    op.create_index(op.f('ix_preexam_submission_district_code'), 'preexam_submission', ['district_code'], unique=False)
    op.create_index(op.f('ix_preexam_submission_field_key'), 'preexam_submission', ['field_key'], unique=False)
    op.create_index(op.f('ix_preexam_submission_filing_deadline'), 'preexam_submission', ['filing_deadline'], unique=False)
    op.create_index(op.f('ix_preexam_submission_flagged'), 'preexam_submission', ['flagged'], unique=False)
    op.create_index(op.f('ix_preexam_submission_passed_on'), 'preexam_submission', ['passed_on'], unique=False)
    op.create_index(op.f('ix_preexam_submission_patent_type'), 'preexam_submission', ['patent_type'], unique=False)
    op.create_index(op.f('ix_preexam_submission_registration_id'), 'preexam_submission', ['registration_id'], unique=False)
    op.create_index(op.f('ix_preexam_submission_state'), 'preexam_submission', ['state'], unique=False)
    op.create_index(op.f('ix_preexam_submission_unit_id'), 'preexam_submission', ['unit_id'], unique=False)
    op.create_index(op.f('ix_preexam_submission_submitted_on'), 'preexam_submission', ['submitted_on'], unique=False)


def downgrade() -> None:
    op.drop_table('preexam_submission')
    op.drop_table('preexam_registration')
