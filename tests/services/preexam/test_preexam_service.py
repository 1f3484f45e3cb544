"""Fast pre-examination end to end on SQLite and PostgreSQL: registration and admission (refusals on their fields,
one live registration, the abnormal-filing bar, yearly renewal); submitting with the platform's checks; the centre's
clocks (acceptance, the examination clock stopped by a correction and resumed with what was left, the company's
reply period and deemed withdrawal); passing with its notice and filing period; the CNIPA filing and the grant from
the register; steps refused at every door."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ipcity.core import documents
from ipcity.core.context import files_of
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.tables import AuditEntry, InboxItem
from ipcity.services.preexam import notices, service
from ipcity.services.preexam.tables import Registration, Submission
from ipcity.workflow import engine
from tests.support import preexam as support
from tests.support.clock import pin_today
from tests.support.register import add_patent


@pytest.fixture
def centre(session):
    officials = support.centre(session)
    session.commit()
    return officials


@pytest.fixture
def registered(session, people, centre, monkeypatch):
    pin_today(monkeypatch, "2026-11-02")
    reg = support.admitted(session, people["company"], centre["centre_handler"])
    session.commit()
    return reg


def _deadline(session, sub, key):
    case = service.SUBMISSIONS.case_of(session, sub)
    return [d for d in engine.deadlines(session, service.SUBMISSION, case) if d.key == key]


# --- registration --------------------------------------------------------------------------------------------

def test_registration_is_checked_admitted_for_a_year_and_renewed(session, people, centre, monkeypatch):
    pin_today(monkeypatch, "2026-11-02")
    company, handler = people["company"], centre["centre_handler"]
    with pytest.raises(DomainError) as err:
        service.register_company(session, company, support.registration_values(
            credit_code="91310115MA1FL00010", division_code="320102", entity_kind="branch"), {})
    fields = {f for f, _ in err.value.problems}
    assert {"credit_code", "division_code", "entity_kind", "rd_evidence", "ip_management"} <= fields
    assert session.scalar(select(func.count()).select_from(Registration)) == 0  # nothing half-applied

    reg = service.register_company(session, company, support.registration_values(), support.evidence())
    assert reg.state == "filed" and reg.fields == ["new_materials"] and reg.number.startswith("PRB2026")
    with pytest.raises(Conflict):
        service.register_company(session, company, support.registration_values(), support.evidence())
    with pytest.raises(PermissionDenied):  # another unit's officials do not decide the centre's cases
        service.REGISTRATIONS.act(session, people["lead_handler"], reg, "admit")
    service.REGISTRATIONS.act(session, handler, reg, "admit")
    assert (reg.state, reg.admitted_on, reg.admitted_until) == ("admitted", date(2026, 11, 2), date(2027, 11, 1))
    assert service.standing_refusal(reg, date(2027, 11, 1)) is None
    assert "expired" in service.standing_refusal(reg, date(2027, 11, 2)).render("en")

    pin_today(monkeypatch, "2027-10-20")
    service.request_renewal(session, company, reg)
    service.REGISTRATIONS.act(session, handler, reg, "renew")
    assert (reg.state, reg.admitted_until) == ("admitted", date(2028, 10, 31))
    notes = session.scalars(select(InboxItem.title).where(InboxItem.unit_id == company.unit_id)).all()
    assert len(notes) >= 2


def test_an_abnormal_filing_finding_suspends_and_bars(session, people, centre, registered, monkeypatch):
    handler = centre["centre_handler"]
    with pytest.raises(PermissionDenied):
        service.flag_abnormal(session, people["company"], registered, "自查")
    service.flag_abnormal(session, handler, registered, "2026年非正常专利申请通知书第12号")
    assert registered.state == "suspended" and registered.abnormal
    with pytest.raises(DomainError) as err:
        service.submit(session, people["company"], support.case_values(), {})
    assert err.value.field == "registration"
    with pytest.raises(PermissionDenied) as err:  # the guard holds at every door, here the engine's own
        service.REGISTRATIONS.act(session, handler, registered, "reinstate", reason="已纠正")
    assert "abnormal" in err.value.message.render("en")
    service.clear_abnormal(session, handler, registered, "已撤回相关申请")
    service.REGISTRATIONS.act(session, handler, registered, "reinstate", reason="已纠正")
    assert registered.state == "admitted" and not registered.abnormal
    session.commit()  # audit entries are numbered and chained at commit
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(registered.id),
                                                              AuditEntry.action == "preexam.abnormal")).all()
    assert len(actions) == 2


# --- a case through the centre -------------------------------------------------------------------------------

def test_a_case_is_checked_accepted_corrected_and_passed_on_the_clock(session, people, centre, registered,
                                                                      monkeypatch):
    company, handler, examiner = people["company"], centre["centre_handler"], centre["centre_examiner"]
    pin_today(monkeypatch, "2026-11-02")  # Monday
    sub = service.submit(session, company, support.case_values(ipc="A01B 1/00"), {})
    assert sub.flagged and not sub.checks["field"]["inside"] and sub.field_key == ""
    assert [c["key"] for c in sub.checks["checklist"] if not c["ok"]] == []
    assert sub.number.startswith("PRE2026") and sub.district_code == "310115"
    assert _deadline(session, sub, "acceptance")[0].due_on == date(2026, 11, 4)

    pin_today(monkeypatch, "2026-11-03")
    service.SUBMISSIONS.act(session, handler, sub, "accept")
    exam = _deadline(session, sub, "examination")[0]
    assert exam.due_on == date(2026, 11, 24)  # 15 working days for an invention (the centre's setting)
    with pytest.raises(PermissionDenied):  # a handler accepts; only examiners decide
        service.SUBMISSIONS.act(session, handler, sub, "pass")

    pin_today(monkeypatch, "2026-11-06")  # Friday: 3 working days spent, 12 left
    service.SUBMISSIONS.act(session, handler, sub, "request_correction", reason="IPC分类号不属于本中心预审领域")
    paused = _deadline(session, sub, "examination")[0]
    assert paused.paused and paused.working_days_left == 12
    assert _deadline(session, sub, "correction")[0].due_on == date(2026, 11, 13)
    with pytest.raises(DomainError) as err:  # the reply goes through its own form only
        service.SUBMISSIONS.act(session, company, sub, "reply")
    assert err.value.field == "transition"

    pin_today(monkeypatch, "2026-11-11")
    service.reply(session, company, sub, support.case_values(), {}, "已更正IPC分类号")
    assert not sub.flagged and sub.field_key == "new_materials" and sub.corrections == 1
    resumed = _deadline(session, sub, "examination")[-1]
    assert resumed.resumed and resumed.due_on == date(2026, 11, 27)  # 11-11 + 12 working days

    pin_today(monkeypatch, "2026-11-20")
    service.SUBMISSIONS.act(session, examiner, sub, "pass", reason="符合预审要求")
    assert (sub.state, sub.passed_on, sub.filing_deadline) == ("passed", date(2026, 11, 20), date(2026, 12, 21))
    issued = [a.filename for a in service.notices_of(session, sub)]
    assert issued == [f"{notices.TITLES[k][0]}-{sub.number}.pdf"
                      for k in (notices.ACCEPTED, notices.CORRECTION, notices.PASSED)]
    files = files_of(session)
    for attachment in service.notices_of(session, sub):
        assert documents.glyph_problems(files, attachment) == []  # every glyph of the notice is in the PDF
    assert not service.late_filing(sub, date(2026, 12, 21)) and service.late_filing(sub, date(2026, 12, 22))


def test_filing_and_grant_are_followed_from_the_register(session, people, centre, registered, monkeypatch):
    company, handler, examiner = people["company"], centre["centre_handler"], centre["centre_examiner"]
    sub = service.submit(session, company, support.case_values(), {})
    service.SUBMISSIONS.act(session, handler, sub, "accept")
    service.SUBMISSIONS.act(session, examiner, sub, "pass")
    with pytest.raises(DomainError) as err:
        service.record_filing(session, company, sub, "CN202620123456.0", "2026-11-03")
    assert err.value.field == "app_number"  # not an invention number / wrong check digit
    rec = add_patent(session, 77, patent_type="invention", app_date=date(2026, 11, 3), grant_date=None)
    with pytest.raises(DomainError) as err:
        service.record_filing(session, company, sub, rec.app_number, "2026-10-01")
    assert err.value.field == "filed_on"
    pin_today(monkeypatch, "2026-11-05")
    service.record_filing(session, company, sub, rec.app_number, "2026-11-03")
    assert sub.state == "filed" and sub.cnipa_app_number == rec.app_number
    assert service.follow_register(session) == {"withdrawn": 0, "filed": 0, "granted": 0}
    add_patent(session, 77, patent_type="invention", app_date=date(2026, 11, 3), grant_date=date(2027, 2, 10))
    assert service.follow_register(session) == {"withdrawn": 0, "filed": 0, "granted": 1}
    assert (sub.state, sub.granted_on) == ("granted", date(2027, 2, 10))


def test_a_late_correction_is_deemed_withdrawn_only_when_late(session, people, centre, registered, monkeypatch):
    company, handler = people["company"], centre["centre_handler"]
    pin_today(monkeypatch, "2026-11-02")
    sub = service.submit(session, company, support.case_values(), {})
    service.SUBMISSIONS.act(session, handler, sub, "accept")
    service.SUBMISSIONS.act(session, handler, sub, "request_correction", reason="摘要超长")
    with pytest.raises(PermissionDenied):
        service.SUBMISSIONS.act(session, handler, sub, "deem_withdrawn")
    pin_today(monkeypatch, "2026-11-09")  # due 11-09: not late yet
    assert service.follow_register(session)["withdrawn"] == 0
    pin_today(monkeypatch, "2026-11-10")
    assert service.follow_register(session)["withdrawn"] == 1
    assert sub.state == "withdrawn"


def test_not_passing_records_its_reasons_and_the_notice(session, people, centre, registered):
    company, handler, examiner = people["company"], centre["centre_handler"], centre["centre_examiner"]
    sub = service.submit(session, company, support.case_values(), {})
    service.SUBMISSIONS.act(session, handler, sub, "accept")
    with pytest.raises(DomainError) as err:
        service.SUBMISSIONS.act(session, examiner, sub, "fail", {"reasons": ["nonsense"]}, "不合格")
    assert err.value.field == "reasons"
    service.SUBMISSIONS.act(session, examiner, sub, "fail", {"reasons": ["novelty", "unclear"]}, "对比文件1公开")
    assert sub.state == "not_passed" and sub.reasons == ["novelty", "unclear"]
    assert service.notices_of(session, sub)[-1].filename.startswith(notices.TITLES[notices.NOT_PASSED][0])


def test_exclusions_and_same_day_siblings_are_flagged(session, people, centre, registered):
    company = people["company"]
    first = service.submit(session, company, support.case_values(), {})
    assert not first.flagged
    twin = service.submit(session, company, support.case_values(patent_type="utility"), support.case_drawings())
    assert twin.flagged and [x["field"] for x in twin.checks["exclusions"]] == ["same_day"]
    pct = service.submit(session, company, support.case_values(is_pct="1", title="一种完全不同的涂料组合物"), {})
    assert [x["field"] for x in pct.checks["exclusions"]] == ["is_pct"]


def test_only_the_company_and_the_centre_see_a_case(session, people, centre, registered):
    sub = service.submit(session, people["company"], support.case_values(), {})
    assert service.SUBMISSIONS.may_view(session, people["company"], sub)
    assert service.SUBMISSIONS.may_view(session, centre["centre_examiner"], sub)
    assert not service.SUBMISSIONS.may_view(session, people["licensee"], sub)
    assert not service.SUBMISSIONS.may_view(session, people["reviewer"], sub)
    with pytest.raises(PermissionDenied):
        service.submit(session, people["reviewer"], support.case_values(), {})
    assert session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_passed_case_is_found_in_the_register_by_applicant_and_title(session, people, centre, registered,
                                                                       monkeypatch):
    company, handler, examiner = people["company"], centre["centre_handler"], centre["centre_examiner"]
    sub = service.submit(session, company, support.case_values(), {})
    service.SUBMISSIONS.act(session, handler, sub, "accept")
    service.SUBMISSIONS.act(session, examiner, sub, "pass")
    add_patent(session, 81, patent_type="invention", app_date=date(2026, 11, 4), grant_date=None,
               title="一种液压挖掘机回转装置")  # another subject of the same applicant: not this case
    pin_today(monkeypatch, "2026-11-06")
    assert service.follow_register(session)["filed"] == 0 and sub.state == "passed"
    rec = add_patent(session, 82, patent_type="invention", app_date=date(2026, 11, 5), grant_date=None,
                     title="一种固态电解质膜")
    assert service.follow_register(session)["filed"] == 1
    assert (sub.state, sub.cnipa_app_number, sub.filed_on) == ("filed", rec.app_number, date(2026, 11, 5))


def test_the_centre_configures_its_own_fields_and_area(session, people, centre, tmp_path, monkeypatch):
    import dataclasses
    import json

    document = tmp_path / "fields.json"
    document.write_text(json.dumps({"name": "测试中心", "area_codes": ["310115"], "fields": [
        {"key": "batteries", "zh": "新能源电池", "en": "Batteries", "ipc": ["H01M"], "scope_words": ["电池"]}]},
        ensure_ascii=False), encoding="utf-8")
    session.info["settings"] = dataclasses.replace(session.info["settings"], preexam_fields_file=str(document))
    pin_today(monkeypatch, "2026-11-02")
    reg = support.admitted(session, people["company"], centre["centre_handler"])
    assert reg.fields == ["batteries"]
    sub = service.submit(session, people["company"], support.case_values(ipc="H01M 10/0565"), {})
    assert sub.field_key == "batteries" and sub.checks["field"]["inside"]
    other = service.submit(session, people["company"], support.case_values(title="一种涂料", ipc="C08J 5/22"), {})
    assert not other.checks["field"]["inside"]  # the built-in new-materials field is not this centre's
    with pytest.raises(DomainError) as err:  # an address outside the configured area
        service.register_company(session, people["licensee"], support.registration_values(
            "测试制造公司", support.OTHER_CODE, division_code="310104", address="上海市徐汇区漕宝路1号"),
            support.evidence())
    assert err.value.field == "division_code"

    document.write_text('{"fields": [{"key": "Bad Key", "zh": "x", "en": "x", "ipc": ["H01M"]}]}', encoding="utf-8")
    with pytest.raises(DomainError) as err:  # a changed file is read again, and a wrong one refused, saying why
        service.rules(session)
    assert "Bad Key" in err.value.message.render("en")


def test_an_oversized_case_is_refused_and_nothing_is_stored(session, people, centre, registered):
    with pytest.raises(DomainError) as err:
        service.submit(session, people["company"], support.case_values(claims="1. " + "权" * 200_001), {})
    assert err.value.field == "claims"
    assert session.scalar(select(func.count()).select_from(Submission)) == 0
