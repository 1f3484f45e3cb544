"""Administrative adjudication under CNIPA Order No. 81, through the service and the engine (SQLite and
PostgreSQL): one correction notice, filing with a panel, service and answer clocks, stops and extensions of the
decision clock, the decision document, repeat infringement, the period to sue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ipcity.core import calendar as cal
from ipcity.core import fonts
from ipcity.core.context import files_of
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.files import attachments_of
from ipcity.services.rights import adjudication, domain, notices, service
from ipcity.workflow import engine
from tests.support import rights as net
from tests.support.clock import pin_today

START = date(2026, 3, 2)  # a Monday
PANEL = ["张审理", "李审理", "王审理"]


@pytest.fixture
def officials(session, monkeypatch):
    pin_today(monkeypatch, START)
    found = net.network(session)
    session.commit()
    return found


def _open(session, people, officials, **changes):
    req = service.submit(session, people["company"], net.request_values(**changes), net.pdf())
    adj = service.refer(session, officials["pd_handler"], req)
    session.commit()
    return req, adj


def _due(session, adj, key):
    case = adjudication.ADJUDICATIONS.case_of(session, adj)
    running = [v for v in engine.deadlines(session, adjudication.ADJUDICATION, case) if v.key == key
               and not v.stopped_on]
    return running[-1].due_on if running else None


def test_acceptance_runs_from_receipt_and_one_correction_notice_only(session, people, officials, monkeypatch):
    req = service.submit(session, people["company"], net.request_values(), [])
    session.commit()
    pin_today(monkeypatch, START + timedelta(days=2))  # the office answers two days later
    adj = service.refer(session, officials["pd_handler"], req)
    session.commit()
    assert req.state == "referred" and req.first_response_on == START + timedelta(days=2)
    calendar = cal.load(session)
    assert _due(session, adj, "acceptance") == domain.acceptance_due(START, calendar)  # from receipt, Art 20
    handler = officials["pd_handler"]
    adjudication.ADJUDICATIONS.act(session, handler, adj, "request_correction", reason="请补充专利登记簿副本")
    session.commit()
    assert adj.corrections_sent == 1 and adj.correction_due == domain.correction_due(
        START + timedelta(days=2), calendar, 15)
    assert sorted(notices.kind_of(a) for a in attachments_of(session, notices.NOTICE_OWNER, adj.id)) == [
        "correction", "request"]
    # not filed before the correction period ends
    with pytest.raises(PermissionDenied):
        adjudication.ADJUDICATIONS.act(session, handler, adj, "refuse", reason="未补正")
    session.rollback()
    case = adjudication.ADJUDICATIONS.case_of(session, adj)
    engine.fire(session, adjudication.ADJUDICATION, case, "correct", people["company"], reason="已补充",
                via_use_case=True)
    session.commit()
    assert adj.state == "received" and adj.received_on == START + timedelta(days=2)
    with pytest.raises(PermissionDenied):  # Art 16: one notice listing every defect
        adjudication.ADJUDICATIONS.act(session, handler, adj, "request_correction", reason="再补正")
    session.rollback()
    assert adj.corrections_sent == 1


def test_late_correction_lets_the_office_refuse(session, people, officials, monkeypatch):
    req, adj = _open(session, people, officials)
    handler = officials["pd_handler"]
    adjudication.ADJUDICATIONS.act(session, handler, adj, "request_correction", reason="请补充证据")
    session.commit()
    pin_today(monkeypatch, adj.correction_due + timedelta(days=1))
    adjudication.ADJUDICATIONS.act(session, handler, adj, "refuse", reason="期满未补正")
    session.commit()
    assert adj.state == "not_filed" and req.state == "closed" and req.outcome == "not_filed"
    kinds = sorted(notices.kind_of(a) for a in attachments_of(session, notices.NOTICE_OWNER, adj.id))
    assert kinds == ["correction", "not_filed", "request"]


def test_panel_must_be_odd_and_three_or_more(session, people, officials):
    req, adj = _open(session, people, officials)
    for panel in (PANEL[:2], PANEL + ["赵审理"], ["张审理", "张审理", "李审理"]):
        with pytest.raises(DomainError) as err:
            adjudication.file_case(session, officials["pd_handler"], adj, panel)
        assert err.value.field == "panel"
        session.rollback()
    assert adj.state == "received" and adj.filed_on is None


def test_the_whole_case_within_the_clock_with_one_extension(session, people, officials, monkeypatch):
    req, adj = _open(session, people, officials)
    handler, head = officials["pd_handler"], officials["pd_head"]
    adjudication.file_case(session, handler, adj, PANEL, presiding="李审理")
    session.commit()
    calendar = cal.load(session)
    assert adj.filed_on == START and adj.decision_due == calendar.next_working_day(date(2026, 6, 2))
    assert _due(session, adj, "decision") == adj.decision_due
    assert _due(session, adj, "service") == calendar.add_working_days(START, 5)
    filed_pdf = next(a for a in attachments_of(session, notices.NOTICE_OWNER, adj.id)
                     if notices.kind_of(a) == "filed")
    assert fonts.pdf_glyph_problems(files_of(session).open(filed_pdf.sha256).read()) == []
    pin_today(monkeypatch, START + timedelta(days=1))
    with pytest.raises(DomainError) as err:  # not received in the future
        adjudication.record_service(session, handler, adj, START.isoformat(), "2026-03-04")
    assert err.value.field == "received_on"
    adjudication.record_service(session, handler, adj, START.isoformat(), (START + timedelta(days=1)).isoformat())
    session.commit()
    assert _due(session, adj, "answer") == domain.answer_due(START + timedelta(days=1), calendar)
    # an inspection stops the clock for 10 days (Art 37)
    pin_today(monkeypatch, date(2026, 4, 1))
    adjudication.ADJUDICATIONS.act(session, handler, adj, "stop_clock", {"stop": domain.INSPECTION},
                                   reason="现场勘验")
    session.commit()
    assert adj.state == "stopped" and adj.decision_due is None
    pin_today(monkeypatch, date(2026, 4, 11))
    adjudication.ADJUDICATIONS.act(session, handler, adj, "resume_clock", reason="勘验完毕")
    session.commit()
    expected = domain.decision_due(START, [], [domain.Stop(date(2026, 4, 1), date(2026, 4, 11))], calendar)
    assert adj.decision_due == expected == _due(session, adj, "decision")
    # the next level cannot extend first; the head can, once
    with pytest.raises(DomainError) as err:
        adjudication.ADJUDICATIONS.act(session, head, adj, "extend", {"level": domain.NEXT_LEVEL,
                                                                      "approver": "市局"}, reason="复杂")
    assert err.value.field == "level"
    session.rollback()
    adjudication.ADJUDICATIONS.act(session, head, adj, "extend", {"level": domain.HEAD, "approver": "部门负责人"},
                                   reason="案情复杂")
    session.commit()
    extended = domain.decision_due(START, adjudication.extensions_of(adj), adjudication.stops_of(adj), calendar)
    assert adj.decision_due == extended == _due(session, adj, "decision") and extended > expected
    pin_today(monkeypatch, date(2026, 6, 20))
    adjudication.record_hearing(session, handler, adj, "2026-06-15", "第一审理庭", "双方到庭，质证。")
    with pytest.raises(PermissionDenied):  # a handler does not sign the decision
        adjudication.decide(session, handler, adj, "infringes", ["sell"], "经审理，被请求人销售的产品构成侵权。")
    session.rollback()
    adjudication.decide(session, head, adj, "infringes", ["sell", "offer"],
                        "经审理，被请求人销售、许诺销售的产品落入涉案专利权利要求1的保护范围，构成侵权。",
                        amount="50,000")
    session.commit()
    assert adj.state == "decided" and adj.decided_on <= adj.decision_due  # decided within the clock
    assert adj.suit_deadline == domain.suit_deadline(date(2026, 6, 20), calendar)
    decision = [a for a in attachments_of(session, notices.NOTICE_OWNER, adj.id) if notices.kind_of(a) == "decision"][0]
    assert fonts.pdf_glyph_problems(files_of(session).open(decision.sha256).read()) == []
    with pytest.raises(PermissionDenied):  # not before the period to sue has passed
        adjudication.ADJUDICATIONS.act(session, handler, adj, "close")
    session.rollback()
    pin_today(monkeypatch, adj.suit_deadline + timedelta(days=1))
    adjudication.ADJUDICATIONS.act(session, handler, adj, "close")
    session.commit()
    assert adj.state == "closed" and req.state == "closed" and req.outcome == "infringes"
    assert float(req.amount_recovered) == 50000.0


def test_a_repeat_infringer_is_flagged_and_listed_as_dishonest(session, people, officials, monkeypatch):
    req, adj = _open(session, people, officials)
    head = officials["pd_head"]
    adjudication.file_case(session, officials["pd_handler"], adj, PANEL)
    adjudication.decide(session, head, adj, "infringes", ["sell"], "经审理，被请求人销售的产品构成侵权，责令停止。")
    session.commit()
    assert not adj.repeat_infringement
    pin_today(monkeypatch, adj.suit_deadline + timedelta(days=1))
    adjudication.ADJUDICATIONS.act(session, head, adj, "close")
    session.commit()
    pin_today(monkeypatch, adj.suit_deadline + timedelta(days=20))
    again, second = _open(session, people, officials)
    adjudication.file_case(session, officials["pd_handler"], second, PANEL)
    adjudication.decide(session, head, second, "infringes", ["sell"], "被请求人在生效裁决后再次销售侵权产品。")
    session.commit()
    assert second.repeat_infringement and second.dishonest


def test_only_the_office_acts_and_the_generic_door_obeys_the_same_rules(session, people, officials):
    req, adj = _open(session, people, officials)
    case = adjudication.ADJUDICATIONS.case_of(session, adj)
    with pytest.raises(PermissionDenied):  # another unit's official
        adjudication.file_case(session, officials["aid_handler"], adj, PANEL)
    session.rollback()
    with pytest.raises(DomainError):  # filing is only via its form (with the panel)
        engine.fire(session, adjudication.ADJUDICATION, case, "file", officials["pd_handler"])
    session.rollback()
    assert adjudication.ADJUDICATIONS.may_view(session, people["company"], adj)
    assert not adjudication.ADJUDICATIONS.may_view(session, people["licensee"], adj)
    with pytest.raises(Conflict):
        adjudication.ADJUDICATIONS.act(session, officials["pd_handler"], adj, "resume_clock", reason="x")


def test_the_daily_sweep_closes_after_the_period_to_sue_and_reminds_late_first_responses(session, people,
                                                                                         officials, monkeypatch):
    from ipcity.core.tables import InboxItem
    from ipcity.services.rights import jobs

    req, adj = _open(session, people, officials)
    waiting = service.submit(session, people["company"], net.request_values("consultation", right="trademark",
                                                                            where="online", division_code=""), [])
    adjudication.file_case(session, officials["pd_handler"], adj, PANEL)
    adjudication.decide(session, officials["pd_head"], adj, "no_infringement", [], "经审理，被诉产品未落入保护范围。")
    session.commit()
    assert jobs.sweep(session) == {"closed": 0, "reminded": 0}
    pin_today(monkeypatch, adj.suit_deadline + timedelta(days=1))
    assert jobs.sweep(session) == {"closed": 1, "reminded": 1}
    session.commit()
    assert adj.state == "closed" and req.state == "closed"
    assert jobs.sweep(session) == {"closed": 0, "reminded": 0}  # one reminder per request and unit
    tasks = session.query(InboxItem).filter(InboxItem.title == jobs.LATE_TITLE,
                                            InboxItem.params["number"].as_string() == waiting.number).count()
    assert tasks == 1
