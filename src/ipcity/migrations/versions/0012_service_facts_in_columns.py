"""service facts in typed columns: change requests of data-IP and pledge, data-IP review facts

Older releases kept these in the free JSON of the case (wf_case.data): the change, renewal and cancellation
requests (kind, changes, reason, cancellation ground, proof), and on a data-IP application the duplicates found
at filing, the expert review and the day of a voluntary withdrawal. They move to the services' own tables:
every request becomes a row of dataip_amendment or pledge_amendment, which is the subject of its case (the
case's subject_id then names the row, no longer the product or pledge), and the product gets its columns.

The rows are read and written in Python, so the move is the same on SQLite and PostgreSQL. `backfill` is also
what tests run on an installation's old data; it skips a request that already has its row.

Revision ID: 0012
Revises: 0011
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The subject types of the cases, before (the product or pledge) and after (the request's own row).
DATAIP_PRODUCT, DATAIP_AMENDMENT = 'dataip.product', 'dataip.amendment'
PLEDGE_REGISTRATION, PLEDGE_AMENDMENT = 'pledge.registration', 'pledge.amendment'
# What the services wrote into the case data themselves (the engine's copies of posted values stay there).
PRODUCT_KEYS = ('duplicates', 'withdrawn_on')
DATAIP_REQUEST_KEYS = ('kind', 'changes', 'reason')
PLEDGE_REQUEST_KEYS = ('kind', 'changes', 'reason', 'cancellation_reason', 'proof')
EXPERT_KEYS = ('experts', 'expert_opinion', 'expert_conclusion')

_case = sa.table('wf_case', sa.column('id', sa.Integer), sa.column('type_key', sa.String), sa.column('state', sa.String),
                 sa.column('subject_type', sa.String), sa.column('subject_id', sa.String), sa.column('data', sa.JSON),
                 sa.column('created_at', sa.DateTime(timezone=True)),
                 sa.column('updated_at', sa.DateTime(timezone=True)))
_product = sa.table('dataip_product', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                    sa.column('duplicates', sa.JSON), sa.column('experts', sa.Text),
                    sa.column('expert_opinion', sa.Text), sa.column('expert_conclusion', sa.String),
                    sa.column('withdrawn_on', sa.Date))
_pledge = sa.table('pledge_registration', sa.column('id', sa.Integer))
_attachment = sa.table('attachment', sa.column('id', sa.Integer))
_dataip_amendment = sa.table('dataip_amendment', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                             sa.column('product_id', sa.Integer), sa.column('kind', sa.String),
                             sa.column('changes', sa.JSON), sa.column('reason', sa.Text), sa.column('state', sa.String),
                             sa.column('created_at', sa.DateTime(timezone=True)),
                             sa.column('updated_at', sa.DateTime(timezone=True)))
_pledge_amendment = sa.table('pledge_amendment', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                             sa.column('pledge_id', sa.Integer), sa.column('kind', sa.String),
                             sa.column('changes', sa.JSON), sa.column('reason', sa.Text),
                             sa.column('cancellation_reason', sa.String), sa.column('proof_id', sa.Integer),
                             sa.column('state', sa.String), sa.column('created_at', sa.DateTime(timezone=True)),
                             sa.column('updated_at', sa.DateTime(timezone=True)))


def _text(value) -> str:
    """A posted value as text (the API could post a list of names where the form posts text)."""
    if value is None:
        return ''
    if isinstance(value, (list, tuple)):
        return '、'.join(str(v).strip() for v in value if str(v).strip())
    return str(value).strip()


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _id_in(conn, table, value) -> int | None:
    """`value` as the id of an existing row of `table`, else None."""
    text = str(value if value is not None else '').strip()
    if not text.isdigit():
        return None
    return conn.scalar(sa.select(table.c.id).where(table.c.id == int(text)))


def _without(data: dict, keys) -> dict:
    return {k: v for k, v in data.items() if k not in keys}


def _backfill_products(conn) -> int:
    done = 0
    rows = conn.execute(sa.select(_product.c.id, _case.c.id.label('case_id'), _case.c.data)
                        .join(_case, _case.c.id == _product.c.case_id).order_by(_product.c.id)).all()
    for product_id, case_id, data in rows:
        data = dict(data or {})
        values: dict = {}
        if isinstance(data.get('duplicates'), list):
            values['duplicates'] = [str(n) for n in data['duplicates']]
        for key in EXPERT_KEYS:
            if data.get(key):
                values[key] = _text(data[key])[:16] if key == 'expert_conclusion' else _text(data[key])
        if _day(data.get('withdrawn_on')):
            values['withdrawn_on'] = _day(data['withdrawn_on'])
        if values:
            conn.execute(_product.update().where(_product.c.id == product_id).values(**values))
            done += 1
        if any(k in data for k in PRODUCT_KEYS):
            conn.execute(_case.update().where(_case.c.id == case_id).values(data=_without(data, PRODUCT_KEYS)))
    return done


def _old_requests(conn, type_key: str, table):
    """The request cases of `type_key` that have no row of `table` yet."""
    have = sa.select(table.c.case_id)
    return conn.execute(sa.select(_case).where(_case.c.type_key == type_key, _case.c.id.not_in(have))
                        .order_by(_case.c.id)).all()


def _backfill_dataip_requests(conn) -> int:
    done = 0
    for case in _old_requests(conn, 'dataip.amendment', _dataip_amendment):
        product_id = _id_in(conn, _product, case.subject_id)
        if product_id is None:  # no product to put the request on: left as it was
            continue
        data = dict(case.data or {})
        changes = data.get('changes') if isinstance(data.get('changes'), dict) else {}
        row_id = conn.execute(_dataip_amendment.insert().values(
            case_id=case.id, product_id=product_id, kind=_text(data.get('kind'))[:16], changes=changes,
            reason=_text(data.get('reason')), state=case.state, created_at=case.created_at,
            updated_at=case.updated_at).returning(_dataip_amendment.c.id)).scalar_one()
        conn.execute(_case.update().where(_case.c.id == case.id).values(
            subject_type=DATAIP_AMENDMENT, subject_id=str(row_id), data=_without(data, DATAIP_REQUEST_KEYS)))
        done += 1
    return done


def _backfill_pledge_requests(conn) -> int:
    done = 0
    for case in _old_requests(conn, 'pledge.amendment', _pledge_amendment):
        pledge_id = _id_in(conn, _pledge, case.subject_id)
        if pledge_id is None:
            continue
        data = dict(case.data or {})
        changes = data.get('changes') if isinstance(data.get('changes'), dict) else {}
        row_id = conn.execute(_pledge_amendment.insert().values(
            case_id=case.id, pledge_id=pledge_id, kind=_text(data.get('kind'))[:16], changes=changes,
            reason=_text(data.get('reason')), cancellation_reason=_text(data.get('cancellation_reason'))[:32],
            proof_id=_id_in(conn, _attachment, data.get('proof')), state=case.state, created_at=case.created_at,
            updated_at=case.updated_at).returning(_pledge_amendment.c.id)).scalar_one()
        conn.execute(_case.update().where(_case.c.id == case.id).values(
            subject_type=PLEDGE_AMENDMENT, subject_id=str(row_id), data=_without(data, PLEDGE_REQUEST_KEYS)))
        done += 1
    return done


def backfill(conn) -> dict[str, int]:
    """Move the facts older releases kept in wf_case.data into the typed columns and rows; how many moved."""
    return {'dataip_products': _backfill_products(conn), 'dataip_amendments': _backfill_dataip_requests(conn),
            'pledge_amendments': _backfill_pledge_requests(conn)}


def restore(conn) -> None:
    """The reverse of `backfill`, for a downgrade: the facts back into the case data, the cases back on their
    product or pledge."""
    for row in conn.execute(sa.select(_dataip_amendment)).all():
        data = dict(conn.scalar(sa.select(_case.c.data).where(_case.c.id == row.case_id)) or {})
        data |= {'kind': row.kind, 'changes': dict(row.changes or {}), 'reason': row.reason}
        conn.execute(_case.update().where(_case.c.id == row.case_id).values(
            subject_type=DATAIP_PRODUCT, subject_id=str(row.product_id), data=data))
    for row in conn.execute(sa.select(_pledge_amendment)).all():
        data = dict(conn.scalar(sa.select(_case.c.data).where(_case.c.id == row.case_id)) or {})
        data |= {'kind': row.kind, 'changes': dict(row.changes or {}), 'reason': row.reason}
        if row.kind == 'cancellation':
            data['cancellation_reason'] = row.cancellation_reason
        if row.proof_id is not None:
            data['proof'] = row.proof_id
        conn.execute(_case.update().where(_case.c.id == row.case_id).values(
            subject_type=PLEDGE_REGISTRATION, subject_id=str(row.pledge_id), data=data))
    rows = conn.execute(sa.select(_product.c.duplicates, _product.c.withdrawn_on, _case.c.id, _case.c.data)
                        .join(_case, _case.c.id == _product.c.case_id)).all()
    for duplicates, withdrawn_on, case_id, data in rows:
        data = dict(data or {}) | {'duplicates': list(duplicates or [])}
        if withdrawn_on is not None:
            data['withdrawn_on'] = withdrawn_on.isoformat()
        conn.execute(_case.update().where(_case.c.id == case_id).values(data=data))


def upgrade() -> None:
    op.create_table('dataip_amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['wf_case.id'], name=op.f('fk_dataip_amendment_case_id_wf_case')),
    sa.ForeignKeyConstraint(['product_id'], ['dataip_product.id'],
                            name=op.f('fk_dataip_amendment_product_id_dataip_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataip_amendment')),
    sa.UniqueConstraint('case_id', name=op.f('uq_dataip_amendment_case_id'))
    )
    with op.batch_alter_table('dataip_amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataip_amendment_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dataip_amendment_state'), ['state'], unique=False)
    op.create_table('pledge_amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('cancellation_reason', sa.String(length=32), nullable=False),
    sa.Column('proof_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['wf_case.id'], name=op.f('fk_pledge_amendment_case_id_wf_case')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledge_registration.id'],
                            name=op.f('fk_pledge_amendment_pledge_id_pledge_registration')),
    sa.ForeignKeyConstraint(['proof_id'], ['attachment.id'], name=op.f('fk_pledge_amendment_proof_id_attachment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_amendment')),
    sa.UniqueConstraint('case_id', name=op.f('uq_pledge_amendment_case_id'))
    )
    with op.batch_alter_table('pledge_amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_amendment_pledge_id'), ['pledge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledge_amendment_state'), ['state'], unique=False)
    with op.batch_alter_table('dataip_product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicates', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('experts', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('expert_opinion', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('expert_conclusion', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
    backfill(op.get_bind())


def downgrade() -> None:
    restore(op.get_bind())
    # Dropped in place, never by rebuilding the table: rebuilding dataip_product on SQLite would drop the table
    # its evidence and objections refer to (SQLite 3.35+ drops a column in place).
    with op.batch_alter_table('dataip_product', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('withdrawn_on')
        batch_op.drop_column('expert_conclusion')
        batch_op.drop_column('expert_opinion')
        batch_op.drop_column('experts')
        batch_op.drop_column('duplicates')
    with op.batch_alter_table('pledge_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledge_amendment_state'))
        batch_op.drop_index(batch_op.f('ix_pledge_amendment_pledge_id'))
    op.drop_table('pledge_amendment')
    with op.batch_alter_table('dataip_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataip_amendment_state'))
        batch_op.drop_index(batch_op.f('ix_dataip_amendment_product_id'))
    op.drop_table('dataip_amendment')
