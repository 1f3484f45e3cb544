"""Pledge registration use cases on SQLite and PostgreSQL: joint confirmation, the register entry written with
the decision (and gone with a rollback), refusal, ground 9 after a registration, change and cancellation, the
working-day limit, and refused steps that write nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select, update

from ipcity.core import calendar as cal
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.files import Upload
from ipcity.core.roles import BANK, Actor
from ipcity.core.tables import User
from ipcity.patents import register
from ipcity.patents.position import PLEDGE
from ipcity.services.pledge import domain, service
from ipcity.services.pledge.tables import GazetteLine, Pledge
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.register import add_patent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FORM = {"pledgor_address": "上海市浦东新区张江路1号", "pledgee_address": "上海市黄浦区中山东一路1号",
        "claim_type": "loan", "amount": "5000000", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
        "guarantee_scope": "主债权本金、利息、违约金及实现质权的费用", "annual_fee_payer": "pledgor"}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


def pdf(name: str = "contract.pdf") -> Upload:
    return Upload(name, io.BytesIO(PDF))


def materials() -> dict[str, list[Upload]]:
    return {"contract": [pdf("质押合同.pdf")], "commitment": [pdf("承诺书.pdf")]}


def verify(session, actor: Actor) -> None:
    session.execute(update(User).where(User.id == actor.user_id).values(identity_verified=True))
    session.flush()


def file(session, people, numbers: list[str], **changes) -> Pledge:
    values = FORM | {"pledgee_unit": str(people["bank"].unit_id), "patents": "\n".join(numbers)} | changes
    return service.file_application(session, people["company"], values, materials())


def patent_number(record) -> str:
    return "ZL" + record.app_number[2:]


@pytest.fixture
def ready(session, people):
    verify(session, people["company"])
    records = [add_patent(session, 1001), add_patent(session, 1002, title="一种电池管理系统")]
    session.commit()
    return records


def filed_and_confirmed(session, people, records) -> Pledge:
    pledge = file(session, people, [patent_number(r) for r in records])
    service.PLEDGES.act(session, people["bank"], pledge, "confirm", {}, "")
    session.commit()
    return pledge


def other_bank(session) -> Actor:
    system = Actor.system("tests")
    unit = create_unit(session, system, code="other-bank", name_zh="另一银行", kind="bank")
    user = create_user(session, system, username="otherbank", password="Other-Pass-2026", display_name="otherbank",
                       role=BANK, unit_id=unit.id)
    session.commit()
    return Actor.of(user)


def test_joint_confirmation_is_required_before_the_examiner_decides(session, people, ready):
    pledge = file(session, people, [patent_number(ready[0])])
    session.commit()
    assert pledge.state == "awaiting_pledgee" and pledge.pledgor_confirmed_by == "company"
    assert [p.title for p in pledge.patents] == ["一种锂电池极片涂布装置"]
    assert pledge.patents[0].grant_date == date(2022, 6, 7)  # filled from the register
    with pytest.raises(Conflict):
        service.PLEDGES.act(session, people["reviewer"], pledge, "register", {}, "")
    with pytest.raises(PermissionDenied):  # a bank not named in the application
        service.PLEDGES.act(session, other_bank(session), pledge, "confirm", {}, "")
    with pytest.raises(PermissionDenied):  # the pledgor cannot confirm for the bank
        service.PLEDGES.act(session, people["company"], pledge, "confirm", {}, "")
    service.PLEDGES.act(session, people["bank"], pledge, "confirm", {}, "")
    assert pledge.state == "submitted" and pledge.pledgee_confirmed_by == "bank"


def test_registration_writes_the_register_in_the_decision_transaction(session, people, ready):
    pledge = filed_and_confirmed(session, people, ready)
    service.PLEDGES.act(session, people["reviewer"], pledge, "register", {}, "")
    session.flush()
    assert pledge.registration_number and pledge.registered_on == date(2026, 11, 24)
    for r in ready:
        pos = register.position(session, r.app_number)
        assert [e.reference for e in pos.pledges] == [pledge.registration_number]
        entry = pos.pledges[0]
        assert entry.detail["pledgee"] == "测试银行" and entry.detail["pledgor"] == "测试公司"
        assert entry.detail["amount"] == "5000000.00" and entry.end == date(2029, 11, 30)
        assert entry.start == date(2026, 11, 24)
    assert session.scalar(select(func.count()).select_from(GazetteLine)) == 2
    assert [a.filename for a in service.notices_of(session, pledge)] == [
        f"质押登记通知书-{pledge.registration_number}.pdf"]
    session.rollback()
    assert register.entries(session, ready[0].app_number, (PLEDGE,)) == []
    assert session.scalar(select(func.count()).select_from(GazetteLine)) == 0
    assert session.get(Pledge, pledge.id).state == "submitted"


def test_refusal_writes_no_register_entry_and_issues_the_refusal_notice(session, people, ready):
    pledge = filed_and_confirmed(session, people, ready)
    with pytest.raises(DomainError) as err:
        service.PLEDGES.act(session, people["reviewer"], pledge, "refuse", {"grounds": []}, "")
    assert {f for f, _m in err.value.problems} == {"grounds", "reason"}
    service.PLEDGES.act(session, people["reviewer"], pledge, "refuse", {"grounds": [domain.OTHER]}, "合同签章不清")
    session.commit()
    assert pledge.state == "refused" and pledge.registration_number is None
    assert register.entries(session, ready[0].app_number, (PLEDGE,)) == []
    assert service.notices_of(session, pledge)[0].filename.startswith("不予登记通知书-")


def test_ground_9_blocks_a_second_pledge_after_one_is_registered(session, people, ready):
    first = filed_and_confirmed(session, people, ready[:1])
    second = filed_and_confirmed(session, people, ready[:1])
    assert service.check(session, second).standing == []
    service.PLEDGES.act(session, people["reviewer"], first, "register", {}, "")
    session.commit()
    found = service.check(session, second).standing
    assert [f.ground for f in found] == [domain.ALREADY_PLEDGED]
    assert first.registration_number in found[0].message.render("en")
    with pytest.raises(PermissionDenied) as err:
        service.PLEDGES.act(session, people["reviewer"], second, "register", {}, "")
    assert "Ground 9" in err.value.message.render("en")
    session.rollback()
    assert session.get(Pledge, second.id).state == "submitted"
    # the registered pledge's own entry is not "another pledge"
    assert service.check(session, first).standing == []


def test_change_and_cancellation_update_the_register(session, people, ready):
    pledge = filed_and_confirmed(session, people, ready[:1])
    service.PLEDGES.act(session, people["reviewer"], pledge, "register", {}, "")
    session.commit()
    with pytest.raises(PermissionDenied):  # a change is filed by the pledgor
        service.request_amendment(session, people["bank"], pledge, "change", {"amount": "1"}, "x", pdf())
    with pytest.raises(DomainError) as err:
        service.request_amendment(session, people["company"], pledge, "change", {"debt_end": "2045-01-01"}, "",
                                  None)
    assert {f for f, _m in err.value.problems} == {"debt_end", "reason", "proof"}
    session.rollback()
    change = service.request_amendment(session, people["company"], pledge, "change",
                                       {"amount": "6,000,000", "debt_end": "2030-06-30"}, "追加贷款",
                                       pdf("变更协议.pdf"))
    assert change.state == "awaiting_pledgee"
    service.act_on_amendment(session, people["bank"], change, "confirm", "")
    service.act_on_amendment(session, people["reviewer"], change, "approve", "")
    session.commit()
    entry = register.position(session, ready[0].app_number).pledges[0]
    assert entry.end == date(2030, 6, 30) and entry.detail["amount"] == "6000000.00"
    assert pledge.amount_fen == 600000000
    cancel = service.request_amendment(session, people["bank"], pledge, "cancellation",
                                       {"cancellation_reason": "repaid"}, "贷款已结清", pdf("结清证明.pdf"))
    assert cancel.state == "submitted"  # filed by the pledgee alone
    service.act_on_amendment(session, people["reviewer"], cancel, "approve", "")
    session.commit()
    assert pledge.state == "cancelled" and pledge.cancelled_on == date(2026, 11, 24)
    assert register.position(session, ready[0].app_number).pledges == ()
    kinds = session.scalars(select(GazetteLine.kind).order_by(GazetteLine.id)).all()
    assert kinds == ["registration", "change", "cancellation"]
    assert len(service.notices_of(session, pledge)) == 3


def test_the_decision_limit_runs_in_working_days_and_restarts_after_a_correction(session, settings, people, ready,
                                                                                 monkeypatch):
    pledge = filed_and_confirmed(session, people, ready[:1])
    case = session.get(Case, pledge.case_id)
    calendar = cal.load(session)
    [running] = [d for d in case.deadlines if d.rule_key == "decision"]
    assert running.started_on == date(2026, 11, 24)
    assert running.due_on == calendar.add_working_days(date(2026, 11, 24), settings.pledge_decision_days)
    assert running.due_on == date(2026, 12, 1)  # Tue + 5 working days skips the weekend
    service.PLEDGES.act(session, people["lead_handler"], pledge, "request_correction", {}, "合同缺少担保范围签章")
    assert running.stopped_on == date(2026, 11, 24)
    pin_today(monkeypatch, "2026-11-27")
    service.PLEDGES.act(session, people["company"], pledge, "submit_correction", {"correction": "补交签章页"}, "")
    restarted = [d for d in case.deadlines if d.rule_key == "decision" and d.stopped_on is None]
    assert [d.started_on for d in restarted] == [date(2026, 11, 27)]
    assert restarted[0].due_on == date(2026, 12, 4)


def test_a_refused_filing_writes_nothing_and_names_every_field(session, people, ready):
    before = session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(DomainError) as err:
        service.file_application(session, people["company"], {"pledgee_unit": "", "patents": "ZL000"}, {})
    fields = {f for f, _m in err.value.problems}
    assert {"pledgee_unit", "pledgor_address", "pledgee_address", "claim_type", "amount", "debt_start", "debt_end",
            "guarantee_scope", "patents", "contract", "identity"} <= fields
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Case)) == before
    assert session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_an_unverified_account_may_not_file(session, people):
    add_patent(session, 1003)
    with pytest.raises(PermissionDenied):
        file(session, people, ["ZL" + add_patent(session, 1004).app_number[2:]])


def test_the_pledgor_must_be_the_recorded_patentee(session, people, ready):
    record = add_patent(session, 1005, owners=("别人公司",))
    pledge = file(session, people, [patent_number(record)])
    service.PLEDGES.act(session, people["bank"], pledge, "confirm", {}, "")
    assert [f.ground for f in service.check(session, pledge).standing] == [domain.NOT_PATENTEE]
    with pytest.raises(PermissionDenied):
        service.PLEDGES.act(session, people["reviewer"], pledge, "register", {}, "")


def test_co_owners_consent_and_insistence_on_a_pending_invalidation(session, people, ready):
    record = add_patent(session, 1006, owners=("测试公司", "某大学"))
    register.record_entry(session, Actor.system("t"), record.app_number, "invalidation_request",
                          start=date(2026, 10, 1), reference="4W123456")
    pledge = file(session, people, [patent_number(record)])
    service.PLEDGES.act(session, people["bank"], pledge, "confirm", {}, "")
    grounds = sorted(f.ground for f in service.check(session, pledge).standing)
    assert grounds == [domain.INVALIDATION_PENDING, domain.NO_CO_OWNER_CONSENT]
    with pytest.raises(DomainError):
        service.add_consent(session, people["company"], pledge, pledge.patents[0].id, "别的人", pdf("同意书.pdf"))
    service.add_consent(session, people["company"], pledge, pledge.patents[0].id, "某大学", pdf("同意书.pdf"))
    service.set_insistence(session, people["company"], pledge, same_day=False, invalidation=True,
                           reason="双方知悉无效请求，坚持登记")
    assert service.check(session, pledge).standing == []
    assert [a.action for a in service.activity_of(session, pledge)] == ["pledge.consent", "pledge.insist"]
    service.PLEDGES.act(session, people["reviewer"], pledge, "register", {}, "")
    assert pledge.state == "registered"
