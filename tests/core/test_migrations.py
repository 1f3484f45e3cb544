"""The migrations build exactly the schema the table classes declare, on SQLite and PostgreSQL; and 0012 moves
what older releases kept in the cases' free data into the services' typed rows and columns (and back)."""

from __future__ import annotations

import importlib.util
import io
from datetime import date, datetime
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

import ipcity.core.db
from ipcity.bootstrap import import_all_tables
from ipcity.core.db import Base, alembic_config, make_engine
from ipcity.core.files import Upload
from ipcity.services.dataip import casetypes as dataip_casetypes
from ipcity.services.dataip import queries as dataip_queries
from ipcity.services.dataip import service as dataip
from ipcity.services.dataip.tables import DataAmendment, DataProduct
from ipcity.services.pledge import queries as pledge_queries
from ipcity.services.pledge import service as pledge
from ipcity.services.pledge.tables import PledgeAmendment
from ipcity.workflow import engine
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.dataip import file, verify_identity
from tests.support.register import add_patent

VERSIONS = Path(ipcity.core.db.__file__).resolve().parent.parent / "migrations" / "versions"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_names = count(1)


def _migration(revision: str):
    (path,) = VERSIONS.glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_models_and_migrations_agree(db):
    import_all_tables()
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"a table changed without a migration: {diff}"


# --- 0012: service facts out of wf_case.data -----------------------------------------------------------------

OLD_CHANGE = {"kind": "change", "changes": {"name": "旧版记下的新名称"}, "reason": "旧版的变更理由"}
OLD_REVIEW = {"duplicates": ["DIP2025000001"], "withdrawn_on": "2025-03-04", "experts": ["张三", "李四"],
              "expert_opinion": "具有实质性加工", "expert_conclusion": "supports", "correction": "已补充"}


def _old_request(session, ct, actor, subject_type: str, subject_id: int, data: dict) -> Case:
    """A request case as releases before 0012 opened it: on the product or pledge, its facts in the case data."""
    return engine.open_case(session, ct, actor, title="旧版申请", applicant_unit_id=actor.unit_id,
                            assigned_unit_id=actor.unit_id, subject_type=subject_type, subject_id=str(subject_id),
                            data=data)


def test_the_backfill_moves_old_case_data_into_the_typed_rows(session, people, monkeypatch):
    pin_today(monkeypatch, "2026-11-24")
    company, bank = people["company"], people["bank"]
    verify_identity(session, company)
    product = file(session, company)
    session.execute(update(Case).where(Case.id == product.case_id).values(data=OLD_REVIEW))
    old_change = _old_request(session, dataip.AMENDMENT, company, dataip.SUBJECT, product.id, OLD_CHANGE)
    record = add_patent(session, 4001)
    p = pledge.file_application(session, company, {
        "pledgor_address": "上海市浦东新区张江路1号", "pledgee_address": "上海市黄浦区中山东一路1号",
        "claim_type": "loan", "amount": "5000000", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
        "guarantee_scope": "主债权本金", "pledgee_unit": str(bank.unit_id), "patents": "ZL" + record.app_number[2:]},
        {"contract": [Upload("合同.pdf", io.BytesIO(PDF))], "commitment": [Upload("承诺书.pdf", io.BytesIO(PDF))]})
    proof = pledge.documents_of(session, p)["contract"][0]
    old_cancel = _old_request(session, pledge.AMENDMENT, bank, pledge.SUBJECT, p.id, {
        "kind": "cancellation", "cancellation_reason": "repaid", "reason": "贷款已结清", "proof": proof.id})
    old_orphan = _old_request(session, dataip.AMENDMENT, company, dataip.SUBJECT, 999999, OLD_CHANGE)
    session.commit()

    moved = _migration("0012").backfill(session.connection())
    session.commit()
    session.expire_all()
    assert moved == {"dataip_products": 1, "dataip_amendments": 1, "pledge_amendments": 1}
    product = session.get(DataProduct, product.id)
    assert (product.duplicates, product.withdrawn_on, product.experts, product.expert_opinion,
            product.expert_conclusion) == (["DIP2025000001"], date(2025, 3, 4), "张三、李四", "具有实质性加工",
                                           "supports")
    # what the service wrote moves; the engine's copies of posted values stay, as new cases have them
    assert session.get(Case, product.case_id).data == {k: v for k, v in OLD_REVIEW.items()
                                                       if k not in ("duplicates", "withdrawn_on")}
    change = session.scalar(select(DataAmendment).where(DataAmendment.case_id == old_change.id))
    assert (change.product_id, change.kind, change.changes, change.reason, change.state) == (
        product.id, "change", {"name": "旧版记下的新名称"}, "旧版的变更理由", "submitted")
    case = session.get(Case, old_change.id)
    assert (case.subject_type, case.subject_id, case.data) == ("dataip.amendment", str(change.id), {})
    assert dataip.AMENDMENTS.of_case(session, case) is change and change.product is product
    cancel = session.scalar(select(PledgeAmendment).where(PledgeAmendment.case_id == old_cancel.id))
    assert (cancel.pledge_id, cancel.kind, cancel.changes, cancel.reason, cancel.cancellation_reason,
            cancel.proof_id, cancel.state) == (p.id, "cancellation", {}, "贷款已结清", "repaid", proof.id,
                                               "awaiting_pledgee")
    assert session.get(Case, old_orphan.id).subject_id == "999999"  # no product to put it on: left as it was
    # the read models show the moved requests with the keys the pages read
    shown = dataip_queries.product_context(session, people["admin"], product)
    assert [(a["kind"], a["changes"], a["reason"]) for a in shown["amendments"]] == [
        ("change", {"name": "旧版记下的新名称"}, "旧版的变更理由")]
    assert shown["duplicates"] == ["DIP2025000001"] and shown["expert"]["conclusion"] == "supports"
    [request] = pledge_queries.amendments_of(session, people["admin"], p)
    assert (request["kind"], request["cancellation_reason"], request["proof"].id) == ("cancellation", "repaid",
                                                                                     proof.id)
    assert _migration("0012").backfill(session.connection()) == {
        "dataip_products": 1, "dataip_amendments": 0, "pledge_amendments": 0}  # requests are moved once


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database(f"old{next(_names)}")


def _insert(conn, name: str, **values) -> int:
    """A row with `values`, and a placeholder in every other column that needs one."""
    table = sa.Table(name, sa.MetaData(), autoload_with=conn)
    row = dict(values)
    for c in table.columns:
        if c.name in row or c.primary_key or c.nullable or c.server_default is not None:
            continue
        kind = c.type.python_type if not isinstance(c.type, sa.JSON) else dict
        row[c.name] = {str: "x", int: 0, bool: False, date: date(2025, 1, 2), dict: {},
                       datetime: datetime(2025, 1, 2, 3, 4, 5)}[kind]
    return conn.execute(table.insert().values(**row).returning(table.c.id)).scalar_one()


def test_upgrading_an_old_installation_moves_its_requests_and_downgrading_puts_them_back(empty_url):
    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "0011")
    eng = make_engine(empty_url)
    try:
        with eng.begin() as conn:
            unit = _insert(conn, "unit", code="bank", name_zh="银行", kind="bank")
            reg_case = _insert(conn, "wf_case", type_key=dataip_casetypes.REGISTRATION_KEY, number="DIP2025000001",
                               state="withdrawn", data=OLD_REVIEW)
            product = _insert(conn, "dataip_product", case_id=reg_case, application_number="DIP2025000001",
                              state="withdrawn")
            change = _insert(conn, "wf_case", type_key=dataip_casetypes.AMENDMENT_KEY, number="DIPA2025000001",
                             state="approved", subject_type="dataip.product", subject_id=str(product),
                             data=OLD_CHANGE)
            pledge_case = _insert(conn, "wf_case", type_key="pledge.registration", number="ZY2025000001",
                                  state="registered", data={"patents": ["CN1"]})
            pledge_id = _insert(conn, "pledge_registration", case_id=pledge_case, application_number="ZY2025000001",
                                pledgee_unit_id=unit)
            old = {"kind": "change", "changes": {"amount": "6000000"}, "reason": "追加", "proof": 404}
            request = _insert(conn, "wf_case", type_key="pledge.amendment", number="ZYB2025000001",
                              state="submitted", subject_type="pledge.registration", subject_id=str(pledge_id),
                              data=old)
        command.upgrade(cfg, "head")
        with eng.connect() as conn:
            meta = sa.MetaData()
            cases, products, dataip_requests, pledge_requests = (
                sa.Table(n, meta, autoload_with=conn)
                for n in ("wf_case", "dataip_product", "dataip_amendment", "pledge_amendment"))
            assert conn.execute(select(products.c.withdrawn_on, products.c.duplicates, products.c.experts)).one() \
                == (date(2025, 3, 4), ["DIP2025000001"], "张三、李四")
            row = conn.execute(select(dataip_requests)).one()
            assert (row.case_id, row.product_id, row.kind, row.changes, row.reason, row.state) == (
                change, product, "change", {"name": "旧版记下的新名称"}, "旧版的变更理由", "approved")
            assert conn.execute(select(cases.c.subject_type, cases.c.subject_id, cases.c.data)
                                .where(cases.c.id == change)).one() == ("dataip.amendment", str(row.id), {})
            row = conn.execute(select(pledge_requests)).one()
            assert (row.case_id, row.pledge_id, row.kind, row.changes, row.reason, row.proof_id) == (
                request, pledge_id, "change", {"amount": "6000000"}, "追加", None)  # no attachment 404 on file
        command.downgrade(cfg, "0011")
        with eng.connect() as conn:
            cases = sa.Table("wf_case", sa.MetaData(), autoload_with=conn)
            back = dict(conn.execute(select(cases.c.id, cases.c.data)).all())
            assert back[change] == OLD_CHANGE and back[reg_case] == OLD_REVIEW
            assert back[request] == {k: v for k, v in old.items() if k != "proof"}
            assert conn.execute(select(cases.c.subject_id).where(cases.c.id == request)).scalar() == str(pledge_id)
    finally:
        eng.dispose()
