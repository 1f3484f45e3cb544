"""A change or cancellation request is a typed row of the service (pledge_amendment), the subject of its case:
approving it applies exactly what the row says, whatever a door posts or the case's free data holds; on SQLite
and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select, update

from ipcity.core.files import Upload
from ipcity.core.tables import Attachment, User
from ipcity.services.pledge import service
from ipcity.services.pledge.tables import Pledge, PledgeAmendment
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login
from tests.support.register import add_patent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FORM = {"pledgor_address": "上海市浦东新区张江路1号", "pledgee_address": "上海市黄浦区中山东一路1号",
        "claim_type": "loan", "amount": "5000000", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
        "guarantee_scope": "主债权本金、利息、违约金及实现质权的费用", "annual_fee_payer": "pledgor"}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


def pdf(name: str) -> Upload:
    return Upload(name, io.BytesIO(PDF))


def registered(session, people) -> Pledge:
    session.execute(update(User).where(User.id == people["company"].user_id).values(identity_verified=True))
    record = add_patent(session, 3001)
    values = FORM | {"pledgee_unit": str(people["bank"].unit_id), "patents": "ZL" + record.app_number[2:]}
    pledge = service.file_application(session, people["company"], values,
                                      {"contract": [pdf("质押合同.pdf")], "commitment": [pdf("承诺书.pdf")]})
    service.PLEDGES.act(session, people["bank"], pledge, "confirm", {}, "")
    service.PLEDGES.act(session, people["reviewer"], pledge, "register", {}, "")
    session.commit()
    return pledge


def test_a_change_is_its_own_row_and_approval_applies_exactly_its_changes(session, people):
    pledge = registered(session, people)
    untouched = {k: getattr(pledge, k) for k in ("pledgor_name", "pledgee_name", "guarantee_scope", "debt_start",
                                                 "pledgee_address", "claim_type")}
    case = service.request_amendment(session, people["company"], pledge, "change",
                                     {"amount": "6,000,000", "debt_end": "2030-06-30", "claim_type": "bond",
                                      "guarantee_scope": FORM["guarantee_scope"]}, "追加贷款", pdf("变更协议.pdf"))
    session.commit()
    request = service.AMENDMENTS.of_case(session, case)
    assert (request.pledge_id, request.kind, request.changes, request.reason, request.state) == (
        pledge.id, "change", {"amount": "6000000", "debt_end": "2030-06-30"}, "追加贷款", "awaiting_pledgee")
    assert session.get(Attachment, request.proof_id).filename == "变更协议.pdf"
    assert (case.subject_type, case.subject_id) == (service.AMENDMENT_SUBJECT, str(request.id))
    assert not {"kind", "changes", "reason", "proof", "cancellation_reason"} & set(case.data)
    assert service.AMENDMENTS.of_case(session, case).pledge is pledge
    assert service.AMENDMENT.link(case) == f"/pledge/{pledge.id}"

    service.act_on_amendment(session, people["bank"], case, "confirm", "")
    service.act_on_amendment(session, people["reviewer"], case, "approve", "")
    session.commit()
    assert request.state == "approved" and pledge.state == "registered"
    assert (pledge.amount_fen, pledge.debt_end) == (600000000, date(2030, 6, 30))
    assert {k: getattr(pledge, k) for k in untouched} == untouched


def test_a_cancellation_keeps_its_ground_and_proof_in_the_row(session, people):
    pledge = registered(session, people)
    case = service.request_amendment(session, people["bank"], pledge, "cancellation",
                                     {"cancellation_reason": "repaid", "amount": "1"}, "贷款已结清",
                                     pdf("结清证明.pdf"))
    request = service.AMENDMENTS.of_case(session, case)
    assert (request.kind, request.changes, request.cancellation_reason, request.state) == (
        "cancellation", {}, "repaid", "submitted")  # filed by the pledgee: its own confirmation
    service.act_on_amendment(session, people["reviewer"], case, "approve", "")
    assert pledge.state == "cancelled" and pledge.amount_fen == 500000000
    assert session.get(Case, pledge.case_id).events[-1].reason == f"{case.number}: 贷款已结清"


def test_values_slipped_into_the_generic_door_change_nothing(client, services, people):
    with services.db.session() as s:
        pledge = registered(s, people)
        case = service.request_amendment(s, people["bank"], pledge, "cancellation",
                                         {"cancellation_reason": "repaid"}, "贷款已结清", pdf("结清证明.pdf"))
        s.commit()
        pledge_id, case_id = pledge.id, case.id
    client.cookies.clear()
    assert login(client, "reviewer").status_code == 303
    headers = {"x-csrf-token": csrf_of(client)}
    url = f"/api/cases/{case_id}/act/approve"
    for values in ({"kind": "change", "changes": {"amount": "1"}}, {"cancellation_reason": "realised"},
                   {"proof": 1}):
        slipped = client.post(url, json={"values": values, "reason": ""}, headers=headers)
        assert slipped.status_code == 400, slipped.text
    with services.db.session() as s:
        request = s.scalar(select(PledgeAmendment).where(PledgeAmendment.case_id == case_id))
        assert (request.kind, request.changes, request.cancellation_reason, request.state) == (
            "cancellation", {}, "repaid", "submitted")
        assert s.get(Pledge, pledge_id).state == "registered"
    done = client.post(url, json={"reason": "准予注销"}, headers=headers)
    assert done.status_code == 200, done.text
    with services.db.session() as s:
        assert s.get(Pledge, pledge_id).state == "cancelled"
        assert s.scalar(select(PledgeAmendment.state).where(PledgeAmendment.case_id == case_id)) == "approved"
