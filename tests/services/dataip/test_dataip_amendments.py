"""A change or renewal request is a typed row of the service (dataip_amendment), the subject of its case: approving
it applies exactly what the row says, whatever a door posts or the case's free data holds; on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ipcity.services.dataip import casetypes, service
from ipcity.services.dataip.tables import DataAmendment, DataProduct
from ipcity.workflow import engine
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.dataip import FORM, file, to_publicity, verify_identity
from tests.support.people import csrf_of, login

NEW_NAME = "长三角充电行为数据集（2026版）"
# Register facts a change does not name: approving it must leave them as they are.
UNTOUCHED = ("holder_name", "scenario", "scale", "update_frequency", "summary", "valid_until", "registration_number")


def _registered(session, people, monkeypatch) -> DataProduct:
    verify_identity(session, people["company"])
    product = file(session, people["company"])
    to_publicity(session, people, product)
    ends = service.publicity_ends(session, session.get(Case, product.case_id))
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    service.PRODUCTS.act(session, people["reviewer"], product, "register", {}, "公示期满无异议")
    session.commit()
    return product


def test_a_change_is_its_own_row_and_approval_applies_exactly_its_changes(session, people, monkeypatch):
    product = _registered(session, people, monkeypatch)
    before = {name: getattr(product, name) for name in UNTOUCHED}
    case = service.request_amendment(session, people["company"], product, casetypes.CHANGE,
                                     {"name": NEW_NAME, "scale": FORM["scale"], "summary": "不可变更的项"},
                                     " 产品更名 ")
    session.commit()
    request = service.AMENDMENTS.of_case(session, case)
    assert (request.product_id, request.kind, request.changes, request.reason, request.state) == (
        product.id, "change", {"name": NEW_NAME}, "产品更名", "submitted")  # unchanged and unchangeable dropped
    assert (case.subject_type, case.subject_id) == (service.AMENDMENT_SUBJECT, str(request.id))
    assert not {"kind", "changes", "reason"} & set(case.data)  # the row holds them, not the case's free data
    assert service.amendments_of(session, product) == [request]
    assert service.AMENDMENTS.of_case(session, case).product is product  # the product page takes its steps
    assert service.AMENDMENT.link(case) == f"/dataip/{product.id}"

    engine.fire(session, service.AMENDMENT, case, "approve", people["reviewer"])
    session.commit()
    assert request.state == "approved" and product.state == "registered"  # each mirrors its own case
    assert product.name == NEW_NAME and product.revision == 1
    assert {name: getattr(product, name) for name in UNTOUCHED} == before


def test_approval_reads_the_row_not_the_case_data(session, people, monkeypatch):
    """Whatever the case's free data says (an old release, an engine copy, a tampered row), the request's row
    decides what changes."""
    product = _registered(session, people, monkeypatch)
    case = service.request_amendment(session, people["company"], product, casetypes.CHANGE, {"name": NEW_NAME},
                                     "产品更名")
    session.execute(update(Case).where(Case.id == case.id).values(
        data={"kind": "change", "changes": {"holder_name": "冒名公司", "state": "revoked"}, "reason": "x"}))
    session.commit()
    session.expire_all()
    engine.fire(session, service.AMENDMENT, session.get(Case, case.id), "approve", people["reviewer"])
    session.commit()
    product = session.get(DataProduct, product.id)
    assert (product.name, product.holder_name, product.state) == (NEW_NAME, "测试公司", "registered")


def test_a_renewal_row_carries_no_changes(session, people, monkeypatch):
    product = _registered(session, people, monkeypatch)
    pin_today(monkeypatch, (product.valid_until - timedelta(days=10)).isoformat())
    case = service.request_amendment(session, people["company"], product, casetypes.RENEWAL,
                                     {"name": "续展时夹带的更名"}, "续展")
    request = service.AMENDMENTS.of_case(session, case)
    assert (request.kind, request.changes) == ("renewal", {})
    old_end = product.valid_until
    engine.fire(session, service.AMENDMENT, case, "approve", people["head"])
    assert product.valid_until > old_end and product.name == FORM["name"]


def test_values_slipped_into_the_generic_door_change_nothing(client, services, people, monkeypatch):
    with services.db.session() as s:
        product = _registered(s, people, monkeypatch)
        case = service.request_amendment(s, people["company"], product, casetypes.CHANGE, {"name": NEW_NAME},
                                         "产品更名")
        s.commit()
        product_id, case_id = product.id, case.id
    client.cookies.clear()
    assert login(client, "reviewer").status_code == 303
    headers = {"x-csrf-token": csrf_of(client)}
    url = f"/api/cases/{case_id}/act/approve"
    for values in ({"changes": {"holder_name": "冒名公司"}}, {"kind": "renewal"}, {"reason": "x", "name": "别名"}):
        slipped = client.post(url, json={"values": values, "reason": ""}, headers=headers)
        assert slipped.status_code == 400, slipped.text
    with services.db.session() as s:
        request = s.scalar(select(DataAmendment).where(DataAmendment.case_id == case_id))
        assert (request.kind, request.changes, request.state) == ("change", {"name": NEW_NAME}, "submitted")
        assert s.get(DataProduct, product_id).name == FORM["name"]
    done = client.post(url, json={"reason": "同意变更"}, headers=headers)
    assert done.status_code == 200, done.text
    assert client.get(f"/api/cases/{case_id}").json()["state"] == "approved"
    with services.db.session() as s:
        product = s.get(DataProduct, product_id)
        assert (product.name, product.holder_name, product.revision) == (NEW_NAME, "测试公司", 1)
        assert s.scalar(select(DataAmendment.state).where(DataAmendment.case_id == case_id)) == "approved"
    facts = client.get(f"/api/dataip/applications/{product_id}").json()["amendments"]
    assert [(a["kind"], a["changes"], a["reason"], a["state"]) for a in facts] == [
        ("change", {"name": NEW_NAME}, "产品更名", "approved")]


@pytest.mark.parametrize("conclusion", ["supports", "mixed"])
def test_the_expert_review_is_kept_on_the_product(session, people, conclusion):
    verify_identity(session, people["company"])
    product = file(session, people["company"])
    act = service.PRODUCTS.act
    act(session, people["lead_handler"], product, "pass_formal", {}, "")
    act(session, people["lead_handler"], product, "request_expert", {"experts": ["张三", "李四"]}, "请评估")
    assert product.experts == "张三、李四"
    act(session, people["lead_handler"], product, "record_expert_opinion",
        {"expert_opinion": "具有实质性加工", "expert_conclusion": conclusion}, "")
    assert (product.expert_opinion, product.expert_conclusion) == ("具有实质性加工", conclusion)
    act(session, people["lead_handler"], product, "request_expert", {"experts": "第二组"}, "再评估")
    assert (product.experts, product.expert_opinion, product.expert_conclusion) == ("第二组", "", "")
