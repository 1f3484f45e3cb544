"""Registration of a data product through every state, deadline and refusal ground, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from ipcity.core.clock import today
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.tables import AuditEntry
from ipcity.services.dataip import casetypes, domain, evidence, numbering, service, tlog
from ipcity.services.dataip.tables import LogLeaf
from ipcity.workflow import engine
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.dataip import DATA, FORM, file, object_confirmed, to_publicity, upload, verify_identity

pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def company(session, people):
    verify_identity(session, people["company"])
    return people["company"]


def _entries(session, product):
    return [json.loads(r.entry) for r in session.scalars(
        select(LogLeaf).where(LogLeaf.subject == product.application_number).order_by(LogLeaf.idx))]


def _case(session, product):
    return session.get(Case, product.case_id)


def test_filing_records_the_data_hash_in_the_log_at_once(session, company):
    product = file(session, company, declared=f"{'ab' * 32}  big.parquet\n")
    session.commit()
    assert product.state == "submitted" and product.application_number.startswith("DIP")
    assert product.holder_name == "测试公司" and product.industry_code == "I6450"
    assert [(e.mode, e.sha256) for e in product.data_files] == [
        ("uploaded", hashlib.sha256(DATA).hexdigest()), ("declared", "ab" * 32)]
    (filing,) = _entries(session, product)
    assert filing["kind"] == "filing"
    assert [d["sha256"] for d in filing["data"]] == [e.sha256 for e in product.data_files]
    assert "name" not in json.dumps(filing["data"])  # filenames and facts stay private until publicity
    assert tlog.latest_head(session).size == 1
    assert any(a.action == "dataip.file" for a in session.scalars(select(AuditEntry)))


def test_an_unverified_account_may_not_file(session, people):
    with pytest.raises(PermissionDenied, match="identity"):
        file(session, people["company"])


def test_officials_may_not_file(session, people):
    with pytest.raises(PermissionDenied):
        file(session, people["lead_handler"])


def test_every_missing_or_wrong_field_is_named_and_nothing_is_written(session, company):
    bad = {k: "" for k in FORM} | {"industry_code": "Z9999", "category": "x"}
    with pytest.raises(DomainError) as err:
        service.file_application(session, company, bad, [], "not-a-hash  x.csv", None)
    fields = {f for f, _ in err.value.problems}
    assert {"name", "summary", "scenario", "source_description", "lawful_statement", "processing_rules",
            "structure", "data_format", "scale", "category", "source_kind", "update_frequency", "holder_type",
            "industry_code", "data_files", "sample", "accept_undertaking", "declared_hashes"} <= fields
    session.rollback()
    assert tlog.size(session) == 0
    assert session.scalar(select(Case.id)) is None


def test_the_whole_road_to_a_certificate(session, people, company, monkeypatch):
    product = file(session, company)
    case = _case(session, product)
    # formal review, with a correction round
    service.PRODUCTS.act(session, people["lead_handler"], product, "request_formal_correction", {},
                         "补充数据来源授权文件")
    assert product.state == "formal_correction"
    service.PRODUCTS.act(session, company, product, "submit_formal_correction", {"correction": "已补充授权书"}, "")
    service.PRODUCTS.act(session, people["lead_handler"], product, "pass_formal", {}, "")
    # substantive review with the expert committee
    service.PRODUCTS.act(session, people["lead_handler"], product, "request_expert", {"experts": "专家委员会第3组"},
                "请评估实质性加工与创新性")
    with pytest.raises(DomainError, match="conclusion"):
        service.PRODUCTS.act(session, people["lead_handler"], product, "record_expert_opinion",
                    {"expert_opinion": "具有实质性加工", "expert_conclusion": "maybe"}, "")
    assert (product.experts, product.expert_opinion, product.expert_conclusion) == ("专家委员会第3组", "", "")
    service.PRODUCTS.act(session, people["lead_handler"], product, "record_expert_opinion",
                {"expert_opinion": "具有实质性加工", "expert_conclusion": "supports"}, "")
    assert (product.experts, product.expert_opinion, product.expert_conclusion) == (
        "专家委员会第3组", "具有实质性加工", "supports")
    # a handler may not approve publicity; a reviewer may
    with pytest.raises(PermissionDenied):
        service.PRODUCTS.act(session, people["lead_handler"], product, "approve_publicity", {}, "")
    service.PRODUCTS.act(session, people["reviewer"], product, "approve_publicity", {}, "")
    assert product.state == "in_publicity" and product.public
    ends = service.publicity_ends(session, case)
    assert ends >= today() + timedelta(days=15)
    # registering inside the publicity period is refused with the date
    with pytest.raises(PermissionDenied, match=ends.isoformat()):
        service.PRODUCTS.act(session, people["reviewer"], product, "register", {}, "")
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    assert service.sweep(session) == {"registered": 1, "expired": 0}
    assert product.state == "registered"
    assert len(product.certificate_number) == 17 and product.certificate_number.startswith(
        f"{ends + timedelta(days=1):%Y%m}3100")
    assert numbering.is_valid_registration_number(product.registration_number)
    assert product.valid_until == domain.validity_end(product.registered_on, 3)
    kinds = [e["kind"] for e in _entries(session, product)]
    assert kinds == ["filing", "publicity", "registration"]
    registration = _entries(session, product)[-1]
    assert registration["facts"]["certificate_number"] == product.certificate_number
    assert product.log_index == session.scalar(select(LogLeaf.idx).where(LogLeaf.kind == "registration"))
    assert [e.transition for e in case.events] == [
        "create", "request_formal_correction", "submit_formal_correction", "pass_formal", "request_expert",
        "record_expert_opinion", "approve_publicity", "register"]
    assert evidence.record_problems(session, product) == []
    session.commit()
    assert evidence.integrity_problems(session) == []


def test_deadlines_come_from_the_working_day_calendar(session, people, company):
    product = file(session, company)
    case = _case(session, product)
    views = engine.deadlines(session, service.REGISTRATION, case)
    formal = next(v for v in views if v.label.msgid == "Formal review")
    assert formal.working_days_left == service.rules_of(session).formal_review_days
    service.PRODUCTS.act(session, people["lead_handler"], product, "pass_formal", {}, "")
    views = engine.deadlines(session, service.REGISTRATION, case)
    assert next(v for v in views if v.label.msgid == "Formal review").stopped_on is not None
    assert any(v.label.msgid == "Substantive review" and v.stopped_on is None for v in views)


def test_objection_upheld_refuses_with_the_ground(session, people, company):
    product = file(session, company)
    to_publicity(session, people, product)
    with pytest.raises(DomainError) as err:
        service.file_objection(session, None, product, name="", contact="", grounds=["nonsense"], statement="短",
                               evidence=[])
    assert {f for f, _ in err.value.problems} == {"objector_name", "objector_contact", "grounds", "statement",
                                                  "evidence"}
    objection = object_confirmed(session, product, name="某数据公司", contact="13812345678",
                                 grounds=["ownership"], statement="部分原始数据为我司所有，权属存在争议。",
                                 evidence=[upload("合同.pdf", b"%PDF-1.4\n%test\n")])
    assert product.state == "objection_review"
    assert _case(session, product).events[-1].actor_name == service.OBJECTOR  # no objector name in the history
    assert objection.objector_name == "某数据公司"
    with pytest.raises(DomainError, match="Grounds"):
        service.PRODUCTS.act(session, people["reviewer"], product, "uphold_objection", {}, "权属争议成立")
    service.PRODUCTS.act(session, people["reviewer"], product, "uphold_objection", {"grounds": ["ownership"]},
                         "权属争议成立")
    assert product.state == "refused" and not product.public
    assert objection.decision == "upheld" and objection.decided_by == "reviewer"
    kinds = [e["kind"] for e in _entries(session, product)]
    assert kinds == ["filing", "publicity", "objection", "refusal"]
    assert _entries(session, product)[-1]["grounds"] == ["ownership"]


def test_objection_dismissed_returns_to_publicity_and_blocks_registration_until_decided(session, people, company,
                                                                                        monkeypatch):
    product = file(session, company)
    to_publicity(session, people, product)
    case = _case(session, product)
    service.file_objection(session, people["sheitc"], product, name="市经信委", contact="021-1", grounds=["privacy"],
                           statement="样例中疑似包含个人手机号码字段。", evidence=[upload("截图.png", _png())])
    ends = service.publicity_ends(session, case)
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    assert service.sweep(session)["registered"] == 0  # still under objection review
    with pytest.raises(DomainError, match="publicity period ended"):
        service.file_objection(session, None, product, name="迟到者", contact="x", grounds=["other"],
                               statement="期限之后提出的异议应被拒绝。", evidence=[upload("a.txt", b"evidence text")])
    service.PRODUCTS.act(session, people["head"], product, "dismiss_objection", {}, "样例字段为站点电话，非个人信息")
    assert product.state == "in_publicity"
    assert service.sweep(session)["registered"] == 1
    assert product.state == "registered"


def test_the_object_transition_alone_is_refused_without_an_objection(session, people, company):
    product = file(session, company)
    to_publicity(session, people, product)
    with pytest.raises(DomainError, match="objection form") as err:  # declared only_via: the engine refuses it
        service.PRODUCTS.act(session, people["sheitc"], product, "object", {}, "no evidence")
    assert err.value.field == "transition"
    assert product.state == "in_publicity"


def test_objection_decision_limit_is_60_calendar_days(session, people, company):
    product = file(session, company)
    to_publicity(session, people, product)
    object_confirmed(session, product, name="甲", grounds=["other"], statement="这是一个足够长的异议理由说明。",
                     evidence=[upload("e.txt", b"evidence")])
    running = {d.rule_key: d for d in _case(session, product).deadlines if d.stopped_on is None}
    assert "objection_decision" in running
    due = running["objection_decision"].due_on
    assert (due - running["objection_decision"].started_on).days >= 60


@pytest.mark.parametrize("ground", sorted(domain.REFUSAL_GROUNDS))
def test_refusal_on_each_art7_ground(session, people, company, ground):
    product = file(session, company)
    service.PRODUCTS.act(session, people["lead_handler"], product, "pass_formal", {}, "")
    service.PRODUCTS.act(session, people["reviewer"], product, "refuse", {"grounds": [ground]}, "经审查不予登记")
    assert product.state == "refused"
    assert _entries(session, product)[-1] == {**_entries(session, product)[-1], "kind": "refusal",
                                              "grounds": [ground]}


def test_refusal_needs_a_known_ground_and_a_reason(session, people, company):
    product = file(session, company)
    with pytest.raises(DomainError) as err:
        service.PRODUCTS.act(session, people["reviewer"], product, "refuse", {"grounds": ["weather"]}, "")
    assert {f for f, _ in err.value.problems} == {"grounds", "reason"}
    assert product.state == "submitted"


def test_withdrawal_locks_reapplication_for_three_months(session, people, company, monkeypatch):
    product = file(session, company)
    service.PRODUCTS.act(session, company, product, "withdraw", {}, "资料准备不充分")
    assert product.state == "withdrawn" and product.withdrawn_on == today()
    assert "withdrawn_on" not in _case(session, product).data
    with pytest.raises(DomainError, match="Art 7\\(6\\)") as err:
        file(session, company)
    assert err.value.field == "name"
    # another product with other data is not locked
    file(session, company, name="另一个数据集", data=b"other,data\n1,2\n")
    lock_end = domain.relock_ends(today(), 3)
    pin_today(monkeypatch, lock_end.isoformat())
    assert file(session, company).state == "submitted"


def test_only_the_applicant_withdraws_and_only_the_assigned_unit_reviews(session, people, company):
    product = file(session, company)
    with pytest.raises(PermissionDenied):
        service.PRODUCTS.act(session, people["pudong"], product, "pass_formal", {}, "")  # another unit
    with pytest.raises(PermissionDenied):
        service.PRODUCTS.act(session, people["lead_handler"], product, "withdraw", {}, "x")
    with pytest.raises(Conflict):
        service.PRODUCTS.act(session, people["lead_handler"], product, "approve_publicity", {}, "")


def test_deemed_withdrawn_only_after_the_correction_time_and_without_lock(session, people, company, monkeypatch):
    product = file(session, company)
    service.PRODUCTS.act(session, people["lead_handler"], product, "request_formal_correction", {}, "缺少授权")
    with pytest.raises(PermissionDenied, match="has until"):
        service.PRODUCTS.act(session, people["lead_handler"], product, "deem_withdrawn", {}, "逾期未补正")
    due = next(d.due_on for d in _case(session, product).deadlines if d.rule_key == "formal_correction")
    pin_today(monkeypatch, (due + timedelta(days=1)).isoformat())
    service.PRODUCTS.act(session, people["lead_handler"], product, "deem_withdrawn", {}, "逾期未补正")
    assert product.state == "withdrawn" and product.withdrawn_on is None
    assert file(session, company).state == "submitted"  # no re-application lock


def test_duplicate_data_is_flagged_for_the_examiner(session, people, company):
    first = file(session, company)
    second = file(session, company, name="同一数据的第二次申请")
    assert second.duplicates == [first.application_number] and first.duplicates == []
    assert "duplicates" not in _case(session, second).data  # the product's column, not the case's free data


def _registered(session, people, company, monkeypatch):
    product = file(session, company)
    to_publicity(session, people, product)
    ends = service.publicity_ends(session, _case(session, product))
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    service.PRODUCTS.act(session, people["reviewer"], product, "register", {}, "")
    return product


def test_change_reissues_the_facts_in_the_log(session, people, company, monkeypatch):
    product = _registered(session, people, company, monkeypatch)
    old_index = product.log_index
    with pytest.raises(DomainError, match="at least one"):
        service.request_amendment(session, company, product, casetypes.CHANGE, {"name": product.name}, "改名")
    case = service.request_amendment(session, company, product, casetypes.CHANGE,
                                     {"name": "长三角充电行为数据集（2025版）", "scenario": ""}, "产品更名")
    with pytest.raises(DomainError, match="still being reviewed"):
        service.request_amendment(session, company, product, casetypes.CHANGE, {"scale": "13万站点"}, "扩容")
    engine.fire(session, service.AMENDMENT, case, "approve", people["reviewer"])
    assert product.name == "长三角充电行为数据集（2025版）" and product.revision == 1
    assert product.log_index > old_index
    facts = _entries(session, product)[-1]
    assert facts["kind"] == "change" and facts["facts"]["name"] == product.name and facts["facts"]["revision"] == 1
    assert evidence.record_problems(session, product) == []


def test_renewal_only_in_the_window_and_extends_three_years(session, people, company, monkeypatch):
    product = _registered(session, people, company, monkeypatch)
    with pytest.raises(DomainError, match="Renewal may be requested from"):
        service.request_amendment(session, company, product, casetypes.RENEWAL, {}, "续展")
    old_end = product.valid_until
    pin_today(monkeypatch, (old_end - timedelta(days=30)).isoformat())
    case = service.request_amendment(session, company, product, casetypes.RENEWAL, {}, "续展")
    engine.fire(session, service.AMENDMENT, case, "approve", people["head"])
    assert product.valid_until == domain.validity_end(old_end + timedelta(days=1), 3)
    assert _entries(session, product)[-1]["kind"] == "renewal"


def test_cancellation_revocation_and_expiry_are_logged(session, people, company, monkeypatch):
    a = _registered(session, people, company, monkeypatch)
    service.PRODUCTS.act(session, company, a, "cancel", {}, "产品停止运营")
    b = _registered(session, people, company, monkeypatch)
    with pytest.raises(PermissionDenied):
        service.PRODUCTS.act(session, people["lead_handler"], b, "revoke", {"grounds": ["deception"]}, "虚假材料")
    service.PRODUCTS.act(session, people["head"], b, "revoke", {"grounds": ["deception"]}, "发现申请人提交虚假材料")
    c = _registered(session, people, company, monkeypatch)
    pin_today(monkeypatch, (c.valid_until + timedelta(days=1)).isoformat())
    assert service.sweep(session)["expired"] == 1
    assert (a.state, b.state, c.state) == ("cancelled", "revoked", "expired")
    assert [_entries(session, p)[-1]["kind"] for p in (a, b, c)] == ["cancellation", "revocation", "expiry"]
    session.commit()
    assert evidence.integrity_problems(session) == []


def test_an_edited_registry_row_is_detected(session, people, company, monkeypatch):
    product = _registered(session, people, company, monkeypatch)
    session.commit()
    session.execute(text("UPDATE dataip_product SET holder_name = '冒名公司' WHERE id = :id"), {"id": product.id})
    session.execute(text("UPDATE dataip_evidence SET sha256 = :h WHERE product_id = :id"),
                    {"h": "0" * 64, "id": product.id})
    session.commit()
    session.expire_all()
    problems = [p.render("en") for p in evidence.integrity_problems(session)]
    assert any("'holder_name'" in p and "冒名公司" in p for p in problems), problems
    assert any("'data'" in p for p in problems), problems


def test_an_edited_state_is_detected(session, people, company, monkeypatch):
    product = _registered(session, people, company, monkeypatch)
    service.PRODUCTS.act(session, company, product, "cancel", {}, "停止运营")
    session.commit()
    session.execute(text("UPDATE dataip_product SET state = 'registered' WHERE id = :id"), {"id": product.id})
    session.commit()
    session.expire_all()
    assert any("the log says 'cancelled'" in p.render("en") for p in evidence.integrity_problems(session))


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))
