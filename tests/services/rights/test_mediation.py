"""Mediation (Order 81 Arts 63–69): referred to a body or kept by the office; the opinion notice and the statement
clocks; a late statement refuses the filing; the agreement PDF (every glyph drawn, in the file store, audited);
judicial confirmation; performance before closing; the request closing with the mediation; a mediator of another
body neither sees nor acts; the pages."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ipcity.core import calendar as cal
from ipcity.core import documents, fonts, notice_pdf
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.context import files_of
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.roles import MEDIATOR, Actor
from ipcity.core.tables import AuditEntry
from ipcity.services.rights import domain, mediation, service
from ipcity.services.rights.mediation_queries import MediationFilters, mediations_query
from ipcity.services.rights.tables import Mediation, RightsRequest
from ipcity.workflow import engine
from tests.support import rights as net
from tests.support.clock import pin_today
from tests.support.rights import as_
from tests.support.rights import post as _post

MONDAY = "2026-03-02"  # a working week with no holiday: the notice is due on Monday 9 March
OTHER_BODY = "测试另一调解组织"


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    pin_today(monkeypatch, MONDAY)


@pytest.fixture
def officials(session):
    found = net.network(session)
    system = Actor.system("tests")
    other = create_unit(session, system, code="test-mediation-2", name_zh=OTHER_BODY, kind="mediation_body")
    user = create_user(session, system, username="mediator2", password="Test-Pass-2026", display_name="mediator2",
                       role=MEDIATOR, unit_id=other.id)
    session.commit()
    return found | {"mediator2": Actor.of(user)}


def _refer(session, people, officials, evidence=(), **values) -> tuple[RightsRequest, Mediation]:
    req = service.submit(session, people["company"], net.request_values("mediation"), list(evidence))
    values = {"mediator_kind": "body", "body_unit_id": str(net.unit_id(session, net.MEDIATION))} | values
    med = service.refer(session, officials["pd_handler"], req, values)
    session.commit()
    return req, med


def _fire(session, med, key, actor, reason="", **values):
    return engine.fire(session, mediation.MEDIATION, mediation.MEDIATIONS.case_of(session, med), key, actor,
                       values=values, reason=reason)


def _mediating(session, people, officials) -> tuple[RightsRequest, Mediation]:
    req, med = _refer(session, people, officials)
    mediator = officials["mediator"]
    _fire(session, med, "notify", mediator)
    _fire(session, med, "agree", mediator, reason="被申请人书面同意调解")
    session.commit()
    return req, med


def _count(session, actor) -> int:
    stmt = mediations_query(actor, MediationFilters())
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def test_referred_to_a_body_only_its_mediators_see_and_act(session, people, officials):
    req, med = _refer(session, people, officials)
    case = mediation.MEDIATIONS.case_of(session, med)
    body = net.unit_id(session, net.MEDIATION)
    assert case.assigned_unit_id == body and med.body_unit_id == body and med.mediator_kind == domain.BODY
    assert case.applicant_user_id == people["company"].user_id and case.applicant_unit_id == req.unit_id
    assert med.requester == req.requester_name and med.respondent == req.respondent and med.matter == "damages"
    assert req.state == "referred" and req.followup_type == "mediation" and req.followup_id == med.id
    assert [d.rule_key for d in case.deadlines] == ["notice"]

    kind = mediation.MEDIATIONS
    assert kind.may_view(session, officials["mediator"], med)
    assert kind.may_view(session, people["company"], med)  # the requester
    assert kind.may_view(session, officials["pd_handler"], med)  # the office that referred it follows it
    assert not kind.may_view(session, officials["mediator2"], med)
    assert not kind.may_view(session, officials["aid_handler"], med)
    assert not kind.may_view(session, people["licensee"], med)
    assert _count(session, officials["mediator"]) == 1 and _count(session, officials["mediator2"]) == 0
    assert _count(session, people["company"]) == 1 and _count(session, people["licensee"]) == 0
    assert _count(session, officials["pd_handler"]) == 1 and _count(session, people["admin"]) == 1

    with pytest.raises(PermissionDenied):
        _fire(session, med, "notify", officials["mediator2"])
    session.rollback()
    with pytest.raises(PermissionDenied):  # the referring office follows it but does not mediate
        _fire(session, med, "notify", officials["pd_handler"])
    session.rollback()
    assert med.state == "received" and med.notice_sent_on is None


def test_the_office_mediates_itself(session, people, officials):
    req, med = _refer(session, people, officials, mediator_kind="office", body_unit_id="")
    case = mediation.MEDIATIONS.case_of(session, med)
    assert case.assigned_unit_id == net.unit_id(session, net.DISTRICT) and med.body_unit_id is None
    _fire(session, med, "notify", officials["pd_handler"])
    assert med.notice_sent_on == date.fromisoformat(MONDAY)
    assert not mediation.MEDIATIONS.may_view(session, officials["mediator"], med)


@pytest.mark.parametrize("values, field", [({"mediator_kind": ""}, "mediator_kind"),
                                          ({"mediator_kind": "wipo_amc", "body_unit_id": "999999"}, "body_unit_id")])
def test_referral_needs_who_mediates(session, people, officials, values, field):
    req = service.submit(session, people["company"], net.request_values("mediation"), [])
    session.commit()
    if "body_unit_id" not in values:
        values = values | {"body_unit_id": str(net.unit_id(session, net.MEDIATION))}
    with pytest.raises(DomainError) as refused:
        service.refer(session, officials["pd_handler"], req, values)
    assert refused.value.field == field
    session.rollback()
    assert session.scalar(select(func.count(Mediation.id))) == 0
    assert session.get(RightsRequest, req.id).state == "received"


def test_a_body_must_be_a_mediation_body(session, people, officials):
    req = service.submit(session, people["company"], net.request_values("mediation"), [])
    session.commit()
    with pytest.raises(DomainError) as refused:
        service.refer(session, officials["pd_handler"], req, {"mediator_kind": "arbitration",
                                                              "body_unit_id": net.unit_id(session, net.ASSISTANCE)})
    assert refused.value.field == "body_unit_id"


def test_notice_and_statement_clocks(session, people, officials):
    req, med = _refer(session, people, officials)
    calendar = cal.load(session)
    case = mediation.MEDIATIONS.case_of(session, med)
    notice = [d for d in engine.deadlines(session, mediation.MEDIATION, case) if d.key == "notice"][0]
    assert notice.due_on == domain.mediation_notice_due(date.fromisoformat(MONDAY), calendar) == date(2026, 3, 9)
    _fire(session, med, "notify", officials["mediator"])
    session.commit()
    views = {d.key: d for d in engine.deadlines(session, mediation.MEDIATION, case)}
    assert views["notice"].stopped_on == date(2026, 3, 2)
    assert views["statement"].due_on == mediation.statement_due(session, med) == date(2026, 3, 17)


def test_a_late_statement_refuses_the_filing(session, people, officials, monkeypatch):
    req, med = _refer(session, people, officials)
    _fire(session, med, "notify", officials["mediator"])
    session.commit()
    pin_today(monkeypatch, "2026-03-18")  # the day after the 15 days
    with pytest.raises(DomainError) as refused:
        _fire(session, med, "agree", officials["mediator"], reason="被申请人同意调解")
    assert "2026-03-17" in refused.value.message.render("en")
    session.rollback()
    assert med.state == "notified" and med.agrees is None

    _fire(session, med, "not_file", officials["mediator"], reason="被申请人逾期未答复")
    session.commit()
    assert med.state == "not_filed" and med.agrees is False and med.statement_on is None
    assert med.outcome == "not_filed" and med.closed_on == date(2026, 3, 18)
    session.refresh(req)
    assert req.state == "closed" and req.outcome == "not_filed"


def test_a_refusal_in_time_is_a_statement(session, people, officials, monkeypatch):
    req, med = _refer(session, people, officials)
    _fire(session, med, "notify", officials["mediator"])
    pin_today(monkeypatch, "2026-03-10")
    _fire(session, med, "not_file", officials["mediator"], reason="被申请人书面拒绝调解")
    session.commit()
    assert med.statement_on == date(2026, 3, 10) and med.agrees is False


def test_the_agreement_pdf_draws_every_glyph_and_is_audited(session, people, officials, monkeypatch):
    req, med = _refer(session, people, officials)
    _fire(session, med, "notify", officials["mediator"])
    pin_today(monkeypatch, "2026-03-17")  # the statement's last day: in time
    _fire(session, med, "agree", officials["mediator"], reason="被申请人同意调解")
    session.commit()
    assert med.state == "mediating" and med.statement_on == date(2026, 3, 17) and med.agrees is True

    mediator = officials["mediator"]
    for text, amount, day, field in (("", "1", "", "text"), ("双方同意赔偿", "abc", "", "amount"),
                                     ("双方同意赔偿", "-5", "", "amount"),
                                     ("双方同意赔偿", "", "2026-03-20", "agreed_on"),
                                     ("双方同意赔偿", "", "2026-03-16", "agreed_on"),
                                     ("双方同意赔偿", "", "17/03/2026", "agreed_on")):
        with pytest.raises(DomainError) as refused:
            mediation.record_agreement(session, mediator, med, text, amount, day)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        mediation.record_agreement(session, people["company"], med, "双方同意赔偿", "1", "")
    with pytest.raises(PermissionDenied):
        mediation.record_agreement(session, officials["mediator2"], med, "双方同意赔偿", "1", "")
    with pytest.raises(DomainError) as refused:  # only through its form: the generic door refuses it
        _fire(session, med, "record_agreement", mediator)
    assert refused.value.field == "transition"
    session.rollback()

    terms = ("一、被申请人于2026年4月30日前向申请人支付赔偿金人民币壹拾贰万元整（¥120,000.00）。\n"
             "二、被申请人立即停止销售涉案产品。")
    attachment = mediation.record_agreement(session, mediator, med, terms, "120,000", "")
    session.commit()
    assert med.state == "agreed" and med.agreed_on == date(2026, 3, 17) and med.amount == Decimal("120000.00")
    assert med.agreement_text == terms and attachment.owner_type == mediation.AGREEMENT_OWNER
    with files_of(session).open(attachment.sha256) as fh:
        pdf = fh.read()
    assert pdf.startswith(b"%PDF") and fonts.pdf_glyph_problems(pdf) == []
    carried = notice_pdf.source_of(pdf)
    assert carried.title == mediation.AGREEMENT_TITLE and carried.number == med.number
    assert any("壹拾贰万元" in p for p in carried.text)
    assert ("给付金额（元）", "Amount (yuan)", "120,000.00") in carried.rows
    assert session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "rights.mediation.agreement",
                                                      AuditEntry.object_id == str(med.id)))
    assert mediation.agreements_of(session, med) == [attachment]
    with pytest.raises(Conflict):  # recorded once
        mediation.record_agreement(session, mediator, med, terms, "1", "")

    # issued again (core/documents.py): a new edition word for word, the old one kept
    files = files_of(session)
    with pytest.raises(PermissionDenied):
        documents.reissue(session, files, mediation.AGREEMENTS, officials["mediator2"], med.id, "字体更新")
    done = documents.reissue(session, files, mediation.AGREEMENTS, mediator, med.id, "字体更新")
    session.commit()
    assert [d["attachment"] for d in done.replaced] == [attachment.id]
    again = mediation.current_agreements(session, med.id)
    assert len(again) == 1 and again[0].id != attachment.id and len(mediation.agreements_of(session, med)) == 2
    with files.open(again[0].sha256) as fh:
        second = fh.read()
    assert fonts.pdf_glyph_problems(second) == []
    reissued = notice_pdf.source_of(second)
    assert reissued.reissued_on == "2026-03-17" and reissued.text == carried.text


def test_a_glyph_the_font_lacks_stores_nothing(session, people, officials):
    req, med = _mediating(session, people, officials)
    with pytest.raises(fonts.MissingGlyphs):
        mediation.record_agreement(session, officials["mediator"], med, "双方同意 \U0001F91D 和解", "", "")
    session.rollback()
    assert med.state == "mediating" and mediation.agreements_of(session, med) == []


def test_confirmation_performance_and_closing(session, people, officials, monkeypatch):
    req, med = _mediating(session, people, officials)
    mediator, company = officials["mediator"], people["company"]
    with pytest.raises(DomainError):  # no agreement yet
        mediation.request_confirmation(session, company, med, "上海知识产权法院")
    mediation.record_agreement(session, mediator, med, "被申请人支付赔偿金五万元。", "50000", "")
    session.commit()

    with pytest.raises(PermissionDenied):
        mediation.request_confirmation(session, people["licensee"], med, "上海知识产权法院")
    with pytest.raises(DomainError) as refused:
        mediation.request_confirmation(session, company, med, " ")
    assert refused.value.field == "court"
    mediation.request_confirmation(session, company, med, "上海知识产权法院")  # a party asks
    session.commit()
    assert med.confirmation["court"] == "上海知识产权法院" and med.confirmation["by"] == company.user_id
    assert mediation.confirmation_pending(med)
    with pytest.raises(DomainError):
        mediation.request_confirmation(session, mediator, med, "上海市浦东新区人民法院")
    with pytest.raises(PermissionDenied):
        mediation.record_confirmation_result(session, company, med, mediation.CONFIRMED)
    with pytest.raises(DomainError) as refused:
        mediation.record_confirmation_result(session, mediator, med, "maybe")
    assert refused.value.field == "result"
    pin_today(monkeypatch, "2026-03-20")
    mediation.record_confirmation_result(session, mediator, med, mediation.CONFIRMED, "（2026）沪73协外认1号")
    session.commit()
    assert med.confirmation["result"] == mediation.CONFIRMED and med.confirmation["result_on"] == "2026-03-20"
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(med.id),
                                                                 AuditEntry.object_type == mediation.SUBJECT)))
    assert {"rights.mediation.confirmation", "rights.mediation.confirmation_result"} <= actions

    with pytest.raises(DomainError) as refused:  # performance first (guard, whatever door)
        _fire(session, med, "close", mediator, reason="履行完毕")
    assert "performance" in refused.value.message.render("en")
    session.rollback()
    with pytest.raises(PermissionDenied):
        mediation.record_performance(session, officials["mediator2"], med, "已支付", True)
    with pytest.raises(DomainError) as refused:
        mediation.record_performance(session, mediator, med, "", True)
    assert refused.value.field == "note"
    mediation.record_performance(session, mediator, med, "已支付首期二万元", False)
    session.commit()
    with pytest.raises(DomainError):
        _fire(session, med, "close", mediator, reason="履行完毕")
    session.rollback()
    mediation.record_performance(session, mediator, med, "余款三万元已支付", True)
    _fire(session, med, "close", mediator, reason="协议履行完毕")
    session.commit()
    assert med.state == "closed" and med.outcome == "mediated" and len(med.performance) == 2
    session.refresh(req)
    assert req.state == "closed" and req.outcome == "mediated" and req.amount_recovered == Decimal("50000.00")
    with pytest.raises(DomainError):  # performance is recorded on an agreement awaiting it
        mediation.record_performance(session, mediator, med, "补充", True)


@pytest.mark.parametrize("step, actor, state, outcome", [("fail", "mediator", "failed", "no_agreement"),
                                                         ("withdraw", "company", "withdrawn", "withdrawn")])
def test_ending_without_agreement_closes_the_request(session, people, officials, step, actor, state, outcome):
    req, med = _mediating(session, people, officials)
    who = officials.get(actor) or people[actor]
    _fire(session, med, step, who, reason="双方分歧较大")
    session.commit()
    session.refresh(req)
    assert med.state == state and med.outcome == outcome and req.state == "closed" and req.outcome == outcome
    assert req.amount_recovered is None


# --- pages ----------------------------------------------------------------------------------------------------

@pytest.fixture
def web(client):
    return client


def test_pages_of_a_mediation(web, session, people, officials):
    req, med = _refer(session, people, officials, evidence=net.pdf())
    url = f"/rights/mediations/{med.id}"

    as_(web, "mediator")
    listed = web.get("/rights/mediations")
    assert listed.status_code == 200 and med.number in listed.text
    evidence = re.search(r'id="evidence"><a href="(/files/\d+)"', web.get(url).text)
    assert evidence and web.get(evidence.group(1)).status_code == 200  # the request's evidence, on the case
    assert med.number in web.get("/rights/mediations?format=csv").text
    assert _post(web, f"{url}/act", {"transition": "notify", "reason": ""}).status_code == 303
    assert _post(web, f"{url}/act", {"transition": "agree", "reason": "同意调解"}).status_code == 303
    page = web.get(url)
    assert page.status_code == 200 and 'data-state="mediating"' in page.text and 'id="agreement-form"' in page.text
    bad = _post(web, f"{url}/agreement", {"text": "", "amount": "x", "agreed_on": ""})
    assert bad.status_code == 400
    assert {"text", "amount"} <= set(re.findall(r'class="field-error" data-field="(\w+)"', bad.text))
    done = _post(web, f"{url}/agreement", {"text": "被申请人支付赔偿金三万元并停止销售。", "amount": "30000",
                                           "agreed_on": MONDAY})
    assert done.status_code == 303
    page = web.get(url)
    links = re.findall(r'<a href="(/files/\d+)">调解协议书', page.text)
    assert 'data-state="agreed"' in page.text and links
    pdf = web.get(links[0])
    assert pdf.status_code == 200 and fonts.pdf_glyph_problems(pdf.content) == []
    assert _post(web, f"{url}/agreement/reissue", {"reason": ""}).status_code == 400
    assert _post(web, f"{url}/agreement/reissue", {"reason": "字体更新后重新出具"}).status_code == 303
    assert web.get(url).text.count("data-edition=") == 2

    # the generic case page obeys the same rule: no closing before performance
    case_id = mediation.MEDIATIONS.case_of(session, med).id
    refused = _post(web, f"/cases/{case_id}/act/close", {"reason": "结案"})
    assert refused.status_code in (303, 400, 403)
    session.rollback()  # a fresh read of what the pages committed
    assert session.get(Mediation, med.id).state == "agreed"
    assert _post(web, f"{url}/performance", {"note": "已全部履行", "done": "1"}).status_code == 303
    assert _post(web, f"{url}/act", {"transition": "close", "reason": "履行完毕"}).status_code == 303
    session.rollback()  # a fresh read of what the pages committed
    assert session.get(Mediation, med.id).state == "closed"

    as_(web, "company")
    assert web.get(url).status_code == 200
    assert _post(web, f"{url}/confirmation", {"court": "上海知识产权法院"}).status_code == 303
    assert "上海知识产权法院" in web.get(url).text
    as_(web, "mediator2")
    assert web.get(url).status_code == 403
    assert med.number not in web.get("/rights/mediations").text
    assert web.get(links[0]).status_code == 403
    as_(web, "licensee")
    assert web.get(url).status_code == 403


def test_the_page_says_when_the_statement_came_late(web, session, people, officials, monkeypatch):
    req, med = _refer(session, people, officials)
    _fire(session, med, "notify", officials["mediator"])
    session.commit()
    url = f"/rights/mediations/{med.id}"
    as_(web, "mediator")
    page = web.get(url).text
    assert 'id="statement-due">2026-03-17' in page and 'id="late-statement"' not in page
    pin_today(monkeypatch, "2026-03-18")
    assert 'id="late-statement"' in web.get(url).text
    refused = _post(web, f"{url}/act", {"transition": "agree", "reason": "同意调解"})
    assert refused.status_code == 403
    session.rollback()
    assert session.get(Mediation, med.id).state == "notified"
    as_(web, "company")  # the requester sees the facts, not the unit's warning
    page = web.get(url)
    assert page.status_code == 200 and 'id="late-statement"' not in page.text
