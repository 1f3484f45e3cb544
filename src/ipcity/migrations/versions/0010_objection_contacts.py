"""data-IP objections: verified contacts, limits

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dataip_objection', schema=None) as batch_op:
        # Objections filed before this revision were filed at once: they stay "filed".
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='filed', nullable=False))
        batch_op.add_column(sa.Column('client_address', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_dataip_objection_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_dataip_objection_client_address'), ['client_address'], unique=False)
    op.create_table('dataip_contact_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('ticket_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['objection_id'], ['dataip_objection.id'],
                            name=op.f('fk_dataip_contact_code_objection_id_dataip_objection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataip_contact_code')),
    sa.UniqueConstraint('objection_id', name=op.f('uq_dataip_contact_code_objection_id')),
    sa.UniqueConstraint('ticket_hash', name=op.f('uq_dataip_contact_code_ticket_hash'))
    )
    with op.batch_alter_table('dataip_contact_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataip_contact_code_contact'), ['contact'], unique=False)
    op.create_table('notify_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_outbox'))
    )
    with op.batch_alter_table('notify_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_outbox_purpose'), ['purpose'], unique=False)
        batch_op.create_index(batch_op.f('ix_notify_outbox_sent_at'), ['sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notify_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notify_outbox_sent_at'))
        batch_op.drop_index(batch_op.f('ix_notify_outbox_purpose'))
    op.drop_table('notify_outbox')
    with op.batch_alter_table('dataip_contact_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataip_contact_code_contact'))
    op.drop_table('dataip_contact_code')
    with op.batch_alter_table('dataip_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataip_objection_client_address'))
        batch_op.drop_index(batch_op.f('ix_dataip_objection_status'))
        batch_op.drop_column('client_address')
        batch_op.drop_column('status')
