"""Overseas dispute guidance: a request becomes a guidance case (country, right, opponent, stage, industry); the
guidance records (the first starts the case, the enterprise is told); closing needs guidance and closes the
request; risk alerts to the companies of a field; the case library, its search and a closed case published
anonymised; the pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.tables import AuditEntry, InboxItem, Unit
from ipcity.services.rights import overseas, service
from ipcity.services.rights.overseas_queries import (
    CaseFilters,
    LibraryFilters,
    cases_query,
    library_query,
)
from ipcity.services.rights.tables import LibraryEntry, OverseasCase, RightsRequest
from ipcity.workflow import engine
from tests.support import rights as net
from tests.support.clock import pin_today
from tests.support.rights import as_
from tests.support.rights import post as _post

INDUSTRY = "新能源汽车"


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    pin_today(monkeypatch, "2026-03-02")


@pytest.fixture
def officials(session):
    found = net.network(session)
    session.commit()
    return found


def _values(**changes) -> dict:
    return net.request_values("overseas_guidance", role="enterprise_abroad", respondent="", industry=INDUSTRY,
                              stage="warning_letter", opponent="ACME Corporation",
                              description="美国竞争对手向我司发出专利侵权警告函，要求停止在美销售。") | changes


def _guidance_case(session, people, officials, who="company", values=None, **refer) -> tuple[RightsRequest,
                                                                                           OverseasCase]:
    req = service.submit(session, people[who], values or _values(), [])
    oc = service.refer(session, officials["aid_handler"], req, refer)
    session.commit()
    return req, oc


def _fire(session, oc, key, actor, reason="", **values):
    return engine.fire(session, overseas.OVERSEAS, overseas.OVERSEAS_CASES.case_of(session, oc), key, actor,
                       values=values, reason=reason)


def _count(session, stmt) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def test_a_request_becomes_a_guidance_case(session, people, officials):
    req, oc = _guidance_case(session, people, officials)
    case = overseas.OVERSEAS_CASES.case_of(session, oc)
    assert (oc.country, oc.right, oc.industry, oc.stage, oc.opponent) == ("US", "patent", INDUSTRY, "warning_letter",
                                                                          "ACME Corporation")
    assert case.assigned_unit_id == net.unit_id(session, net.ASSISTANCE)  # the unit the request is with
    assert case.applicant_user_id == people["company"].user_id and oc.state == "received"
    assert req.state == "referred" and req.followup_type == "overseas_guidance" and req.followup_id == oc.id
    assert [d.rule_key for d in case.deadlines] == ["first_guidance"]
    kind = overseas.OVERSEAS_CASES
    assert kind.may_view(session, people["company"], oc) and kind.may_view(session, officials["aid_handler"], oc)
    assert not kind.may_view(session, people["licensee"], oc) and not kind.may_view(session,
                                                                                    officials["pd_handler"], oc)
    assert _count(session, cases_query(people["company"], CaseFilters())) == 1
    assert _count(session, cases_query(people["licensee"], CaseFilters())) == 0
    handler = officials["aid_handler"]
    assert _count(session, cases_query(handler, CaseFilters(country="us", stage="warning_letter"))) == 1
    assert _count(session, cases_query(officials["aid_handler"], CaseFilters(country="DE"))) == 0
    assert _count(session, cases_query(officials["pd_handler"], CaseFilters())) == 0


def test_the_official_may_give_what_the_request_lacks(session, people, officials):
    values = _values(industry="", stage="", opponent="")
    req, oc = _guidance_case(session, people, officials, values=values, industry="医疗器械", stage="us_337",
                             opponent="Beta GmbH")
    assert (oc.industry, oc.stage, oc.opponent) == ("医疗器械", "us_337", "Beta GmbH")


@pytest.mark.parametrize("words, stage", [("收到美国律师函", "warning_letter"), ("ITC 337 investigation", "us_337"),
                                         ("在德国被诉侵权", "litigation"), ("亚马逊店铺被投诉下架", "platform"),
                                         ("unfair competition lawsuit", "litigation"), ("尚不清楚", "other")])
def test_the_stage_the_requester_writes_is_read(session, people, officials, words, stage):
    req, oc = _guidance_case(session, people, officials, values=_values(stage=words))
    assert oc.stage == stage and req.details["stage"] == words


def test_guidance_starts_the_case_and_tells_the_enterprise(session, people, officials):
    req, oc = _guidance_case(session, people, officials)
    handler = officials["aid_handler"]
    with pytest.raises(PermissionDenied):
        overseas.add_guidance(session, people["company"], oc, "自我指导")
    with pytest.raises(PermissionDenied):
        overseas.add_guidance(session, officials["pd_handler"], oc, "越权指导")
    with pytest.raises(DomainError) as refused:
        overseas.add_guidance(session, handler, oc, "  ")
    assert refused.value.field == "note"
    overseas.add_guidance(session, handler, oc, "建议委托美国律师评估警告函，30日内书面回复。")
    session.commit()
    assert oc.state == "guiding" and len(oc.guidance) == 1 and oc.guidance[0]["by"] == handler.user_id
    case = overseas.OVERSEAS_CASES.case_of(session, oc)
    assert [d.stopped_on for d in case.deadlines if d.rule_key == "first_guidance"] == [date(2026, 3, 2)]
    told = session.scalars(select(InboxItem).where(InboxItem.user_id == people["company"].user_id,
                                                   InboxItem.title.like("New guidance%"))).all()
    assert len(told) == 1 and told[0].link == f"/rights/overseas/{oc.id}"
    assert session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "rights.overseas.guidance"))
    overseas.add_guidance(session, handler, oc, "已协助准备不侵权抗辩材料。")
    session.commit()
    assert len(oc.guidance) == 2


def test_closing_needs_guidance_and_closes_the_request(session, people, officials):
    req, oc = _guidance_case(session, people, officials)
    handler = officials["aid_handler"]
    _fire(session, oc, "begin_guidance", handler)  # through the generic door
    with pytest.raises(DomainError) as refused:
        _fire(session, oc, "close", handler, reason="办结", outcome="assisted")
    assert "guidance" in refused.value.message.render("en")
    session.rollback()
    overseas.add_guidance(session, handler, oc, "指导企业与对方达成和解。")
    _fire(session, oc, "close", handler, reason="和解结案", outcome="settled")
    session.commit()
    session.refresh(req)
    assert oc.state == "closed" and oc.outcome == "settled" and oc.closed_on == date(2026, 3, 2)
    assert req.state == "closed" and req.outcome == "settled"
    with pytest.raises(Conflict):
        overseas.add_guidance(session, handler, oc, "补充")


def test_withdrawal_closes_the_request(session, people, officials):
    req, oc = _guidance_case(session, people, officials)
    _fire(session, oc, "withdraw", people["company"], reason="已自行和解")
    session.commit()
    session.refresh(req)
    assert oc.state == "withdrawn" and req.state == "closed" and req.outcome == "withdrawn"


# --- risk alerts ----------------------------------------------------------------------------------------------

def test_alerts_go_to_the_companies_of_the_field(session, people, officials):
    _guidance_case(session, people, officials)  # the company asked in the industry
    handler = officials["aid_handler"]
    company, licensee = people["company"].unit_id, people["licensee"].unit_id
    alert = overseas.publish_alert(session, handler, "美国337调查风险提示",
                                   "近期美国ITC针对新能源汽车零部件发起多起337调查。", "us", f" {INDUSTRY} ", "patent")
    session.commit()
    assert alert.recipients == 1 and alert.country == "US" and alert.industry == INDUSTRY
    inboxes = set(session.scalars(select(InboxItem.unit_id).where(InboxItem.title.like("Overseas IP risk alert%"))))
    assert inboxes == {company} and licensee not in inboxes

    everyone = overseas.publish_alert(session, handler, "欧盟展会风险提示", "参加欧盟展会前请做好专利检索。")
    session.commit()
    companies = session.scalar(select(func.count(Unit.id)).where(Unit.kind == "company"))
    assert everyone.recipients == companies >= 2
    assert session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "rights.alert.publish"))


@pytest.mark.parametrize("title, body, country, right, field", [
    ("", "正文", "", "", "title"), ("标题", "", "", "", "body"), ("标题", "正文", "CN", "", "country"),
    ("标题", "正文", "XX", "", "country"), ("标题", "正文", "", "nothing", "right")])
def test_alert_refusals(session, people, officials, title, body, country, right, field):
    with pytest.raises(DomainError) as refused:
        overseas.publish_alert(session, officials["aid_handler"], title, body, country, "", right)
    assert refused.value.field == field


def test_only_officials_publish_alerts(session, people, officials):
    with pytest.raises(PermissionDenied):
        overseas.publish_alert(session, people["company"], "标题", "正文")
    with pytest.raises(PermissionDenied):
        overseas.publish_alert(session, officials["mediator"], "标题", "正文")


# --- the case library ---------------------------------------------------------------------------------------------

def _entry(**changes) -> dict:
    return {"title": "某企业应对德国专利诉讼案", "country": "DE", "industry": "光伏", "right": "patent", "year": "2025",
            "summary": "企业在德国被诉侵犯光伏组件专利，经指导提出无效抗辩后和解。", "outcome": "和解",
            "source": "上海市知识产权维权援助中心"} | changes


def test_library_entries_and_search(session, people, officials):
    handler = officials["aid_handler"]
    overseas.add_library_entry(session, handler, _entry())
    overseas.add_library_entry(session, handler, _entry(
        title="某企业应对美国商标异议案", country="US", right="trademark", industry="服装", year="2024",
        summary="美国商标异议，企业胜诉。", outcome="异议不成立"))
    session.commit()
    company = people["company"]

    def found(**filters) -> list[str]:
        return [e.title for e in session.scalars(library_query(company, LibraryFilters(**filters)))]

    assert len(found()) == 2
    assert found(country="de") == ["某企业应对德国专利诉讼案"]
    assert found(industry="服装") == ["某企业应对美国商标异议案"]
    assert found(right="patent") == ["某企业应对德国专利诉讼案"]
    assert found(q="无效抗辩") == ["某企业应对德国专利诉讼案"]
    assert found(year="2024") == ["某企业应对美国商标异议案"]
    assert found(country="US", right="patent") == []
    assert len(list(session.scalars(library_query(None, LibraryFilters())))) == 2  # the published library is public
    with pytest.raises(PermissionDenied):
        overseas.add_library_entry(session, company, _entry())


@pytest.mark.parametrize("changes, field", [({"title": ""}, "title"), ({"country": "CN"}, "country"),
                                            ({"country": ""}, "country"), ({"right": "x"}, "right"),
                                            ({"year": "1800"}, "year"), ({"year": "2099"}, "year"),
                                            ({"summary": ""}, "summary")])
def test_library_refusals(session, people, officials, changes, field):
    with pytest.raises(DomainError) as refused:
        overseas.add_library_entry(session, officials["aid_handler"], _entry(**changes))
    assert refused.value.field == field


def test_a_closed_case_is_published_anonymised(session, people, officials):
    req, oc = _guidance_case(session, people, officials)
    handler = officials["aid_handler"]
    text = {"title": "某新能源汽车企业应对美国专利警告函",
            "summary": "企业收到美国竞争对手的专利警告函，经指导书面回复并达成许可。", "outcome": "达成许可"}
    with pytest.raises(Conflict):  # not closed yet
        overseas.library_from_case(session, handler, oc, text)
    overseas.add_guidance(session, handler, oc, "指导企业谈判许可。")
    _fire(session, oc, "close", handler, reason="办结", outcome="assisted")
    session.commit()
    named = text | {"summary": f"{req.requester_name}收到警告函。"}
    with pytest.raises(DomainError) as refused:
        overseas.library_from_case(session, handler, oc, named)
    assert refused.value.field == "summary"
    with pytest.raises(DomainError) as refused:
        overseas.library_from_case(session, handler, oc, text | {"outcome": "联系王专员 13800000000"})
    assert refused.value.field == "outcome"
    with pytest.raises(PermissionDenied):
        overseas.library_from_case(session, people["company"], oc, text)
    entry = overseas.library_from_case(session, handler, oc, text)
    session.commit()
    assert (entry.country, entry.industry, entry.right, entry.year, entry.overseas_id) == ("US", INDUSTRY, "patent",
                                                                                           2026, oc.id)
    assert overseas.library_entry_of(session, oc) == entry
    with pytest.raises(Conflict):
        overseas.library_from_case(session, handler, oc, text)
    assert session.scalar(select(func.count(LibraryEntry.id))) == 1


# --- pages ----------------------------------------------------------------------------------------------------

@pytest.fixture
def web(client):
    return client


def field_errors(page: str) -> set[str]:
    return set(re.findall(r'class="field-error" data-field="(\w+)"', page))


def test_pages_of_a_guidance_case(web, session, people, officials):
    req, oc = _guidance_case(session, people, officials)
    url = f"/rights/overseas/{oc.id}"
    as_(web, "aid_handler")
    listed = web.get("/rights/overseas?country=US")
    assert listed.status_code == 200 and oc.number in listed.text
    assert oc.number in web.get("/rights/overseas?format=csv").text
    assert web.get(url).status_code == 200
    bad = _post(web, f"{url}/guidance", {"note": ""})
    assert bad.status_code == 400 and "note" in field_errors(bad.text)
    assert _post(web, f"{url}/guidance", {"note": "建议尽快委托当地律师。"}).status_code == 303
    page = web.get(url)
    assert 'data-state="guiding"' in page.text and "建议尽快委托当地律师。" in page.text
    assert _post(web, f"{url}/act", {"transition": "close", "outcome": "assisted", "reason": "办结"}).status_code == 303
    assert 'id="library-form"' in web.get(url).text
    assert _post(web, f"{url}/library", {"title": "某企业应对美国警告函", "summary": "经指导书面回复，对方撤回警告。",
                                         "outcome": "对方撤回"}).status_code == 303
    assert 'id="library-entry"' in web.get(url).text

    as_(web, "company")
    assert web.get(url).status_code == 200
    assert _post(web, f"{url}/guidance", {"note": "自己写"}).status_code == 403
    as_(web, "licensee")
    assert web.get(url).status_code == 403
    assert oc.number not in web.get("/rights/overseas").text


def test_alert_and_library_pages(web, session, people, officials):
    _guidance_case(session, people, officials)
    as_(web, "aid_handler")
    bad = _post(web, "/rights/alerts", {"title": "", "body": "", "country": "CN", "industry": "", "right": ""})
    assert bad.status_code == 400 and {"title", "body", "country"} <= field_errors(bad.text)
    assert _post(web, "/rights/alerts", {"title": "美国337调查风险提示", "body": "请关注ITC新立案件。", "country": "US",
                                         "industry": INDUSTRY, "right": "patent"}).status_code == 303
    assert _post(web, "/rights/library", {"title": "某企业德国诉讼案", "country": "DE", "industry": "光伏",
                                           "right": "patent", "year": "2025", "summary": "经指导和解。",
                                           "outcome": "和解", "source": ""}).status_code == 303
    bad = _post(web, "/rights/library", {"title": "", "country": "", "right": "", "summary": ""})
    assert bad.status_code == 400 and {"title", "country", "right", "summary"} <= field_errors(bad.text)

    as_(web, "company")
    alerts = web.get("/rights/alerts")
    assert alerts.status_code == 200 and "美国337调查风险提示" in alerts.text and 'id="publish-form"' not in alerts.text
    assert "美国337调查风险提示" in web.get("/rights/alerts?country=US").text
    assert "美国337调查风险提示" not in web.get("/rights/alerts?country=DE").text
    library = web.get("/rights/library?country=DE&right=patent")
    assert library.status_code == 200 and "某企业德国诉讼案" in library.text and 'id="library-form"' not in library.text
    assert "某企业德国诉讼案" not in web.get("/rights/library?country=US").text
    assert "某企业德国诉讼案" in web.get("/rights/library?format=csv").text
    assert _post(web, "/rights/alerts", {"title": "t", "body": "b"}).status_code == 403
    assert _post(web, "/rights/library", {"title": "t"}).status_code == 403
    web.cookies.clear()  # the published library and the alerts are public
    assert "某企业德国诉讼案" in web.get("/rights/library", follow_redirects=False).text
