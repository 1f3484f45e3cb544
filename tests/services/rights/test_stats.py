"""The network's figures (services/rights/stats.py), on SQLite and PostgreSQL: requests by kind, unit, district,
right, channel and month; the first-response clock (a transfer starts a new run, a withdrawal before any response
is no response); the follow-up cases' clocks (a paused decision clock counted once); adjudication (decided within
the Art 37 due day with extensions and stops), mediation, fairs (24 hours), overseas guidance; outcomes, transfers and
the amounts (the requests' only); the filters; the plan figures of items 7, 8, 21 and 25; the exports; the
dashboard, the public report and the JSON API.

The requests and cases are written straight into the tables (case, subject row, clocks, history) so that every
figure can be computed by hand; one test goes through the intake itself. Dates are in 2026 (the shipped calendar:
Qingming 4–6 April, Labour Day 1–5 May, Dragon Boat 19–21 June off); today is 2026-06-01."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ipcity.core import calendar as cal
from ipcity.core.errors import DomainError
from ipcity.core.i18n import current_locale
from ipcity.services.rights import casetypes, service, stats
from ipcity.services.rights.tables import (
    Adjudication,
    Fair,
    FairComplaint,
    LibraryEntry,
    Mediation,
    OverseasCase,
    RightsRequest,
    RiskAlert,
    Transfer,
    Undertaking,
)
from ipcity.workflow.tables import Case, CaseDeadline, CaseEvent
from tests.support import rights as net
from tests.support.clock import pin_today
from tests.support.people import login

ON = date(2026, 6, 1)
RESPONDENT = "上海某某贸易有限公司"  # no public figure may carry a party's name
REQUESTER = "上海甲乙丙科技有限公司"
TEMPLATES = Path(stats.__file__).resolve().parent / "templates"
_serial = count(1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- writing the rows -------------------------------------------------------------------------------------------

def add_case(session, type_key: str, state: str, unit_id: int | None) -> Case:
    n = next(_serial)
    case = Case(type_key=type_key, number=f"T{type_key[-3:]}{n:05d}", title=f"case {n}", state=state,
                assigned_unit_id=unit_id, subject_type=type_key, subject_id="")
    session.add(case)
    session.flush()
    return case


def add_request(session, unit: str, received_on: str, kind: str, right: str, where: str, state: str, *,
                clocks=(), history=(), amount=None, outcome="", followup="", closed_on=None, country="",
                by_hand=False, received_at=None, channel="web") -> RightsRequest:
    """A request with its case; `clocks`: (started_on, stopped_on or None, paused) first-response runs, due 2
    working days after their start; `history`: (transition, from_state, to_state)."""
    unit_id = net.unit_id(session, unit)
    case = add_case(session, casetypes.REQUEST_KEY, state, unit_id)
    serial = next(_serial)
    division = where if where.isdigit() else ""
    req = RightsRequest(
        case_id=case.id, number=case.number, tracking=f"WQ-TEST-{serial}", year=2026, serial=serial, state=state,
        channel=channel, role="right_holder", right=right, kind=kind, where="district" if division else where,
        division_code=division, country=country, description="被请求人销售侵权产品，请求处理。", respondent=RESPONDENT,
        requester_name=REQUESTER, contact_name="王专员", phone="13800000000", received_on=d(received_on),
        received_at=received_at or datetime.combine(d(received_on), datetime.min.time(), UTC),
        followup_type=followup, outcome=outcome, amount_recovered=Decimal(amount) if amount else None,
        closed_on=d(closed_on) if closed_on else None, routed_by_hand=by_hand)
    session.add(req)
    session.flush()
    case.subject_id = str(req.id)
    calendar = cal.load(session)
    for started, stopped, paused in clocks:
        session.add(CaseDeadline(case_id=case.id, rule_key="first_response", started_on=d(started),
                                 due_on=calendar.add_working_days(d(started), 2),
                                 stopped_on=d(stopped) if stopped else None, paused=paused))
    for seq, (transition, before, after) in enumerate((("create", "", "received"), *history), start=1):
        session.add(CaseEvent(case_id=case.id, seq=seq, transition=transition, from_state=before, to_state=after,
                              actor_name="tests"))
    session.flush()
    return req


def add_followup(session, model, type_key: str, req: RightsRequest, unit: str, clocks=(), **values):
    """A follow-up case of `req` and its record; `clocks`: (rule_key, started_on, due_on, stopped_on, paused)."""
    case = add_case(session, type_key, values["state"], net.unit_id(session, unit))
    row = model(case_id=case.id, number=case.number, request_id=req.id, **values)
    session.add(row)
    session.flush()
    case.subject_id = str(row.id)
    for rule_key, started, due, stopped, paused in clocks:
        session.add(CaseDeadline(case_id=case.id, rule_key=rule_key, started_on=d(started), due_on=d(due),
                                 stopped_on=d(stopped) if stopped else None, paused=paused))
    session.flush()
    return row


@pytest.fixture
def officials(session, monkeypatch):
    pin_today(monkeypatch, ON)
    found = net.network(session)
    session.commit()
    return found


@pytest.fixture
def figures(session, officials):
    """Thirteen requests (one in 2025) and their cases; every figure the tests assert is worked out in the comments.
    """
    dist, aid, med, ovs = net.DISTRICT, net.ASSISTANCE, net.MEDIATION, net.OVERSEAS
    fair = Fair(key="ciie-2026-test", series="ciie", edition=9, name="第九届进博会（测试）", first_day=d("2026-04-06"),
                last_day=d("2026-04-10"), unit_id=net.unit_id(session, aid))
    session.add(fair)
    session.flush()
    closed = (("close", "handling", "closed"),)
    rq = {}
    # R1: adjudication decided on time (a paused decision clock), closed with 50,000 yuan
    rq[1] = add_request(session, dist, "2026-03-02", "adjudication", "patent", "310115", "closed",
                        clocks=[("2026-03-02", "2026-03-03", False)], amount="50000", outcome="infringes",
                        followup="adjudication", closed_on="2026-05-25", history=closed)
    # R2: mediation with an agreement (20,000 yuan, judicially confirmed); the first response late
    rq[2] = add_request(session, med, "2026-03-02", "mediation", "patent", "310115", "closed",
                        clocks=[("2026-03-02", "2026-03-06", False)], amount="20000", outcome="mediated",
                        followup="mediation", closed_on="2026-04-01")
    rq[3] = add_request(session, aid, "2026-03-10", "consultation", "trademark", "online", "closed",
                        clocks=[("2026-03-10", "2026-03-10", False)], outcome="answered", closed_on="2026-03-10",
                        history=closed)
    # R4, R12: complaints at the fair (measures within 24 hours; the other after 50 hours, found infringing)
    rq[4] = add_request(session, aid, "2026-04-07", "complaint", "patent", "fair", "referred",
                        clocks=[("2026-04-07", "2026-04-08", False)], followup="fair_complaint",
                        received_at=utc(2026, 4, 7, 2), channel="fair_desk")
    # R5: overseas guidance, transferred from the centre to the sub-centre (a second run, late), 100,000 yuan
    rq[5] = add_request(session, ovs, "2026-04-08", "overseas_guidance", "patent", "online", "closed",
                        clocks=[("2026-04-08", "2026-04-09", False), ("2026-04-09", "2026-04-14", False)],
                        amount="100000", outcome="assisted", followup="overseas_guidance", closed_on="2026-04-20",
                        country="US")
    # R6: withdrawn while it awaited the first response: no response
    rq[6] = add_request(session, aid, "2026-05-11", "assistance", "copyright", "310104", "withdrawn",
                        clocks=[("2026-05-11", "2026-05-12", False)], outcome="withdrawn", closed_on="2026-05-12",
                        history=(("withdraw", "received", "withdrawn"),))
    # R7: still awaiting its first response, overdue on 2026-06-01
    rq[7] = add_request(session, aid, "2026-05-12", "complaint", "trademark", "310104", "received",
                        clocks=[("2026-05-12", None, False)])
    # R8: last year, declined, routed by hand
    rq[8] = add_request(session, dist, "2025-12-15", "consultation", "patent", "310115", "declined",
                        clocks=[("2025-12-15", "2025-12-16", False)], outcome="declined", closed_on="2025-12-16",
                        by_hand=True)
    rq[9] = add_request(session, dist, "2026-01-05", "adjudication", "patent", "310115", "referred",
                        clocks=[("2026-01-05", "2026-01-06", False)], followup="adjudication")
    rq[10] = add_request(session, dist, "2026-02-02", "adjudication", "patent", "310115", "referred",
                         clocks=[("2026-02-02", "2026-02-03", False)], followup="adjudication")
    rq[11] = add_request(session, med, "2026-03-16", "mediation", "patent", "310115", "closed",
                         clocks=[("2026-03-16", "2026-03-17", False)], outcome="other", followup="mediation",
                         closed_on="2026-04-20")
    rq[12] = add_request(session, aid, "2026-04-07", "complaint", "patent", "fair", "referred",
                         clocks=[("2026-04-07", "2026-04-07", False)], followup="fair_complaint",
                         received_at=utc(2026, 4, 7, 3), channel="fair_desk")
    rq[13] = add_request(session, ovs, "2026-05-06", "overseas_guidance", "trademark", "online", "referred",
                         clocks=[("2026-05-06", "2026-05-08", False)], followup="overseas_guidance", country="DE")
    session.add(Transfer(request_id=rq[5].id, from_unit_id=net.unit_id(session, aid),
                         to_unit_id=net.unit_id(session, ovs), reason="海外纠纷由分中心办理", at=utc(2026, 4, 9, 2)))
    names = {"requester": REQUESTER, "respondent": RESPONDENT, "patent_number": "ZL201910123456.X"}
    key, dist_id = casetypes.ADJUDICATION_KEY, net.unit_id(session, dist)
    # A1: filed 9 March, stopped 1–11 April (inspection): due 9 June + 10 days = 19 June, a holiday -> 22 June;
    # decided 20 May, on time, 72 days; its decision clock paused and resumed: 23 + 39 = 62 calendar days.
    add_followup(session, Adjudication, key, rq[1], dist, unit_id=dist_id, state="closed", **names,
                 received_on=d("2026-03-02"), filed_on=d("2026-03-09"), decided_on=d("2026-05-20"),
                 decision_due=d("2026-06-22"), outcome="infringes", amount=Decimal("50000"),
                 stops=[{"kind": "inspection", "start": "2026-04-01", "end": "2026-04-11"}],
                 clocks=[("decision", "2026-03-09", "2026-06-09", "2026-04-01", True),
                         ("decision", "2026-04-11", "2026-06-22", "2026-05-20", False)])
    # A2: filed 12 January, extended a month by the head: due 12 May; decided 20 May, late, 128 days.
    add_followup(session, Adjudication, key, rq[9], dist, unit_id=dist_id, state="decided", **names,
                 received_on=d("2026-01-05"), filed_on=d("2026-01-12"), decided_on=d("2026-05-20"),
                 decision_due=d("2026-05-12"), outcome="partly",
                 extensions=[{"level": "head", "approver": "局长", "approved_on": "2026-04-01", "months": 1}],
                 clocks=[("decision", "2026-01-12", "2026-05-12", "2026-05-20", False)])
    # A3: filed, stopped 2–12 March, not decided, past its due day (21 May) on 1 June.
    add_followup(session, Adjudication, key, rq[10], dist, unit_id=dist_id, state="filed", **names,
                 received_on=d("2026-02-02"), filed_on=d("2026-02-09"), decision_due=d("2026-05-21"),
                 stops=[{"kind": "suspension", "start": "2026-03-02", "end": "2026-03-12"}],
                 clocks=[("decision", "2026-02-09", "2026-05-11", "2026-03-02", True),
                         ("decision", "2026-03-12", "2026-05-21", None, False)])
    both = {"requester": REQUESTER, "respondent": RESPONDENT}
    add_followup(session, Mediation, casetypes.MEDIATION_KEY, rq[2], med, state="closed", mediator_kind="body",
                 received_on=d("2026-03-02"), agreed_on=d("2026-03-20"), amount=Decimal("20000"),
                 confirmation={"on": "2026-03-25", "court": "浦东新区人民法院", "result": "confirmed"}, **both)
    add_followup(session, Mediation, casetypes.MEDIATION_KEY, rq[11], med, state="failed", mediator_kind="wipo_amc",
                 received_on=d("2026-03-16"), closed_on=d("2026-04-20"), **both)
    fc = {"fair_id": fair.id, "complainant": REQUESTER, "respondent": RESPONDENT, "respondent_key": RESPONDENT,
          "right": "patent"}
    add_followup(session, FairComplaint, casetypes.FAIR_KEY, rq[4], aid, state="measures", **fc,
                 notified_at=utc(2026, 4, 7, 2, 30), measures_at=utc(2026, 4, 8, 1), measures=["cover"])
    add_followup(session, FairComplaint, casetypes.FAIR_KEY, rq[12], aid, state="closed", **fc,
                 notified_at=utc(2026, 4, 8, 4), statement_at=utc(2026, 4, 8, 10), measures_at=utc(2026, 4, 9, 5),
                 measures=["withdraw"], infringing=True, closed_at=utc(2026, 4, 9, 6), outcome="enforced")
    add_followup(session, OverseasCase, casetypes.OVERSEAS_KEY, rq[5], ovs, state="closed", country="US",
                 right="patent", opponent=RESPONDENT, closed_on=d("2026-04-20"), outcome="assisted")
    add_followup(session, OverseasCase, casetypes.OVERSEAS_KEY, rq[13], ovs, state="guiding", country="DE",
                 right="trademark")
    ovs_id = net.unit_id(session, ovs)
    session.add_all([
        RiskAlert(title="美国337调查风险提示", body="……", country="US", unit_id=ovs_id,
                  published_at=utc(2026, 4, 15, 2)),
        RiskAlert(title="旧提示", body="……", unit_id=ovs_id, published_at=utc(2025, 11, 1, 2)),
        LibraryEntry(title="某公司应对美国专利诉讼", country="US", right="patent", summary="……",
                     added_at=utc(2026, 5, 1, 2)),
        LibraryEntry(title="未公开案例", country="US", right="patent", summary="……", published=False,
                     added_at=utc(2026, 5, 1, 2)),
        Undertaking(fair_id=fair.id, exhibitor="上海参展有限公司", exhibitor_key="91310000TEST",
                    signed_at=utc(2026, 4, 6))])
    session.commit()
    return rq


def by_key(table) -> dict:
    return {r.key: r for r in table.rows}


# --- requests ------------------------------------------------------------------------------------------------------

def test_counts_by_kind_with_states_and_amounts(session, figures):
    t = stats.by_kind(session)
    rows = by_key(t)
    assert list(rows) == ["consultation", "assistance", "complaint", "adjudication", "mediation", "overseas_guidance"]
    assert [rows[k].received for k in rows] == [2, 1, 3, 3, 2, 2]
    total = t.total
    assert (total.received, total.pending, total.closed, total.declined, total.withdrawn, total.referred) == (
        13, 6, 5, 1, 1, 9)
    # The requests' amounts only: the adjudication's and the mediation's own amounts are the same money.
    assert total.amount == Decimal("170000.00") == stats.amount_recovered(session)
    assert rows["overseas_guidance"].amount == Decimal("100000.00")
    # First responses: 12 runs finished (R6's ended by its withdrawal is left out), 10 by their due day.
    assert (total.responses, total.responses_on_time, total.on_time_share) == (12, 10, 83.3)


def test_counts_by_unit_district_right_channel_and_month(session, figures):
    units = stats.by_unit(session)
    assert [(r.label, r.received) for r in units.rows] == [  # most requests first, then by name
        (net.ASSISTANCE, 5), (net.DISTRICT, 4), (net.OVERSEAS, 2), (net.MEDIATION, 2)]
    # First responses by the unit that gave them: R5's first run was the centre's (it transferred the request).
    per_unit = {r.label: (r.responses_on_time, r.responses) for r in units.rows}
    assert per_unit == {net.ASSISTANCE: (4, 4), net.DISTRICT: (4, 4), net.MEDIATION: (1, 2), net.OVERSEAS: (1, 2)}
    assert (units.total.responses, units.total.responses_on_time) == (12, 10)
    districts = stats.by_district(session)
    assert [(r.key, r.label, r.received) for r in districts.rows] == [
        ("310104", "上海市徐汇区", 2), ("310115", "上海市浦东新区", 6), ("online", stats.domain.WHERE["online"], 3),
        ("fair", stats.domain.WHERE["fair"], 2)]
    rights = by_key(stats.by_right(session))
    assert {k: r.received for k, r in rights.items()} == {"patent": 9, "trademark": 3, "gi": 0, "copyright": 1,
                                                          "data_ip": 0}
    channels = by_key(stats.by_channel(session))
    assert (channels["web"].received, channels["fair_desk"].received, channels["phone"].received) == (11, 2, 0)
    months = stats.by_month(session)
    assert [(r.key, r.received) for r in months.rows] == [
        ("2025-12", 1), ("2026-01", 1), ("2026-02", 1), ("2026-03", 4), ("2026-04", 3), ("2026-05", 3)]
    assert months.largest == 4 and months.width(months.rows[3]) == 100.0 and months.width(months.rows[0]) == 25.0


def test_filters_select_the_requests_and_their_cases(session, figures):
    def board(**f):
        return stats.dashboard(session, stats.Filters(**f), on=ON)

    year = board(date_from="2026-01-01")
    assert year.total.received == 12 and year.amount == Decimal("170000.00")
    assert year.first_response.finished == 11  # R8's response was in 2025
    aid = board(unit=str(net.unit_id(session, net.ASSISTANCE)))
    assert aid.total.received == 5 and (aid.total.responses, aid.total.responses_on_time) == (3, 3)
    assert aid.first_response.finished == 3  # R3, R4 and R12: the requests with the centre now
    assert board(district="310115").total.received == 6
    assert board(district="online").total.received == 3
    assert board(right="trademark").total.received == 3
    complaints = board(kind="complaint")
    assert complaints.total.received == 3 and complaints.fairs.complaints == 2 and complaints.adjudication.cases == 0
    adj = board(kind="adjudication", date_to="2026-02-28")
    assert adj.adjudication.cases == 2 and adj.mediation.cases == 0 and adj.adjudication.decided == 1


@pytest.mark.parametrize(("values", "field"), [({"date_from": "2026-13-01"}, "date_from"),
                                               ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
                                               ({"unit": "abc"}, "unit"), ({"district": "999999"}, "district"),
                                               ({"right": "sword"}, "right"), ({"kind": "duel"}, "kind")])
def test_a_refused_filter_is_carried_not_raised(session, officials, values, field):
    board = stats.dashboard(session, stats.Filters(**values), on=ON)
    assert board.error is not None and board.error.field == field and board.tables == []
    with pytest.raises(DomainError):
        stats.sheets(board)


# --- clocks ----------------------------------------------------------------------------------------------------

def test_first_response_against_the_units_commitment(session, figures):
    fr = stats.first_response(session, on=ON)
    assert (fr.finished, fr.on_time, fr.on_time_share) == (12, 10, 83.3)
    assert (fr.running, fr.overdue) == (1, 1)  # R7, due 14 May
    # working days 0,0,1×7,2,3,4: median 1, mean 16/12
    assert (fr.median_working_days, fr.mean_working_days) == (1.0, 1.3)
    assert fr.limit == 2 and fr.unit == "working_days"


def test_a_paused_decision_clock_counts_once(session, figures):
    groups = {g.key: g for g in stats.stage_groups(session, on=ON)}
    decision = next(s for s in groups[casetypes.ADJUDICATION_KEY].stages if s.key == "decision")
    # A1: 23 + 39 = 62 days, on time; A2: 128 days, late; A3 still running, past its due day.
    assert (decision.finished, decision.on_time, decision.running, decision.overdue) == (2, 1, 1, 1)
    assert decision.median_calendar_days == 95.0 and decision.limit is None
    answer = next(s for s in groups[casetypes.ADJUDICATION_KEY].stages if s.key == "answer")
    assert answer.period and answer.on_time_share is None
    assert [s.finished for s in groups[casetypes.MEDIATION_KEY].stages] == [0, 0]


# --- the cases --------------------------------------------------------------------------------------------------

def test_adjudication_decided_within_the_art_37_clock(session, figures):
    a = stats.adjudication(session, on=ON)
    assert (a.cases, a.pending, a.filed, a.not_filed, a.decided, a.decided_on_time) == (3, 1, 3, 0, 2, 1)
    assert a.on_time_share == 50.0 and a.median_days_to_decision == 100.0  # 72 and 128 days
    assert (a.with_extensions, a.extensions_head, a.extensions_next_level) == (1, 1, 0)
    assert (a.with_stops, a.stops, a.stopped_days, a.overdue) == (2, 2, 20, 1)
    assert {t.key: t.count for t in a.stop_kinds} == {"inspection": 1, "suspension": 1}
    assert {t.key: t.count for t in a.outcomes} == {"infringes": 1, "partly": 1}
    assert a.amount == Decimal("50000.00")


def test_the_decision_due_day_comes_from_the_rule_not_only_the_stored_one(session):
    calendar = cal.load(session)
    stops = [{"kind": "inspection", "start": "2026-04-01", "end": "2026-04-11"}]
    assert stats.decided_due(d("2026-03-09"), [], stops, None, calendar) == d("2026-06-22")
    extension = [{"level": "head", "approver": "局长", "approved_on": "2026-04-01"}]
    assert stats.decided_due(d("2026-01-12"), extension, [], None, calendar) == d("2026-05-12")
    # unreadable records (a stop before the filing): the stored day
    assert stats.decided_due(d("2026-03-09"), [], [{"start": "2026-01-01", "end": "2026-01-05"}], d("2026-06-09"),
                             calendar) == d("2026-06-09")


def test_mediation_agreements_and_their_share(session, figures):
    m = stats.mediation(session)
    assert (m.cases, m.filed, m.agreements, m.failed, m.concluded, m.agreement_share) == (2, 2, 1, 1, 2, 50.0)
    assert (m.confirmation_requested, m.confirmed, m.performed, m.amount) == (1, 1, 1, Decimal("20000.00"))
    assert {t.key: (t.count, t.extra) for t in m.by_mediator} == {
        "office": (0, 0), "body": (1, 1), "wipo_amc": (1, 0), "arbitration": (0, 0)}


def test_fair_complaints_against_24_hours(session, figures):
    f = stats.fairs(session)
    assert (f.complaints, f.notified, f.notified_within_24h, f.statements, f.statements_in_time) == (2, 2, 1, 1, 1)
    assert (f.measures, f.measures_within_24h, f.measures_share) == (2, 1, 50.0)
    assert f.median_hours_to_measures == 36.5  # 23 and 50 hours
    assert (f.infringing, f.closed) == (1, 1)
    assert [(t.label, t.count, t.extra) for t in f.by_fair] == [("第九届进博会（测试）", 2, 2)]


def test_overseas_outcomes_and_transfers(session, figures):
    o = stats.overseas(session)
    assert (o.cases, o.pending, o.closed) == (2, 1, 1)
    assert {t.key for t in o.by_country} == {"US", "DE"} and "美国" in stats.country_name("US")
    assert {t.key: t.count for t in stats.outcomes(session)} == {
        "infringes": 1, "mediated": 1, "answered": 1, "assisted": 1, "declined": 1, "withdrawn": 1, "other": 1}
    tr = stats.transfers(session)
    assert (tr.transfers, tr.requests_transferred, tr.routed_by_hand, tr.share) == (1, 1, 1, 7.7)
    assert [(t.label, t.count) for t in tr.to_units] == [(net.OVERSEAS, 1)]


# --- plan supervision ------------------------------------------------------------------------------------------------

def values(figures_list) -> list:
    return [f.value for f in figures_list]


def test_plan_figures_item_7(session, figures):
    got = stats.plan_figures_7(session, d("2026-03-01"), d("2026-05-31"))
    # received 10; first responses 7 of 9 on time; 1 transfer; A1 filed; A1 on time, A2 late; 1 agreement of 2
    # concluded; 5 requests closed with 170,000 yuan.
    assert values(got) == [10, Decimal("77.78"), 1, 1, Decimal("50.00"), 1, Decimal("50.00"), 5,
                           Decimal("170000.00")]
    assert all(f.source == stats.SOURCE for f in got)
    assert got[1].label.render("en") == "First responses within the unit's commitment (7 of 9)"


def test_plan_figures_items_8_21_and_25(session, figures):
    assert values(stats.plan_figures_8(session, d("2026-03-01"), d("2026-05-31"))) == [
        2, 2, 1, 1, 1, Decimal("100000.00")]
    assert values(stats.plan_figures_21(session, d("2026-04-01"), d("2026-04-30"))) == [
        1, 1, 2, 2, Decimal("50.00"), 1]
    assert values(stats.plan_figures_25(session, d("2026-03-01"), d("2026-05-31"))) == [1, 0]
    assert values(stats.plan_figures_7(session, d("2024-01-01"), d("2024-12-31")))[:2] == [0, Decimal("0.00")]


def test_plan_figures_are_the_plugins_for_its_items():
    assert set(stats.PLAN_FIGURES) == {7, 8, 21, 25}


# --- through the intake ----------------------------------------------------------------------------------------------

def test_the_intake_and_a_transfer_feed_the_first_response(session, people, officials):
    req = service.submit(session, people["company"], net.request_values("consultation"), [])
    service.transfer(session, officials["pd_handler"], req, net.unit_id(session, net.ASSISTANCE), "不属本局管辖")
    session.commit()
    board = stats.dashboard(session, on=ON)
    assert board.total.received == 1 and board.transfers.transfers == 1
    fr = board.first_response
    assert (fr.finished, fr.on_time, fr.running) == (1, 1, 1)
    units = by_key(board.table("unit"))
    assert units[str(net.unit_id(session, net.ASSISTANCE))].received == 1
    district = units[str(net.unit_id(session, net.DISTRICT))]  # it passed the request on: its response shows
    assert (district.received, district.responses, district.responses_on_time) == (0, 1, 1)


# --- exports and pages ----------------------------------------------------------------------------------------------

def test_workbook_has_a_sheet_per_table(session, figures):
    wb = load_workbook(io.BytesIO(stats.workbook(session, stats.Filters(), on=ON)))
    assert "按事项 By kind" in wb.sheetnames and "各环节用时 Time per stage" in wb.sheetnames
    kind = wb["按事项 By kind"]
    assert kind.cell(1, 3).value == "收件 Received"
    assert kind.cell(kind.max_row, 2).value == "合计 Total" and kind.cell(kind.max_row, 3).value == 13


def test_the_public_report_has_no_names(session, figures):
    rep = stats.public_report(session, 2026, on=ON)
    assert rep.total.received == 12 and rep.years == [2026, 2025]
    assert [t.key for t in rep.tables] == ["kind", "right", "district", "month"]
    text = repr(stats.report_csv_rows(rep)) + repr(stats.report_sheets(rep))
    assert RESPONDENT not in text and REQUESTER not in text and net.DISTRICT not in text
    with pytest.raises(DomainError):
        stats.report_year("1999", rep.years)
    assert stats.report_year("", rep.years) == 2026


def render_content(name: str, locale: str = "en", **ctx) -> str:
    from ipcity.web.templating import make_environment

    env = make_environment([TEMPLATES])
    token = current_locale.set(locale)
    try:
        return env.get_template(name).render(**ctx)
    finally:
        current_locale.reset(token)


def test_the_templates_render_in_both_languages(session, figures):
    board = stats.dashboard(session, stats.Filters(right="patent"), on=ON)
    html = render_content("rights/dashboard_body.html", board=board)
    assert 'id="by-kind"' in html and 'id="adjudication"' in html and 'href="?right=patent&amp;format=xlsx"' in html
    assert '<option value="patent" selected>' in html
    assert render_content("rights/dashboard_body.html", "zh_Hans", board=board)
    refused = render_content("rights/dashboard_body.html", board=stats.dashboard(session, stats.Filters(date_to="x")))
    assert "error-box" in refused and 'id="by-kind"' not in refused
    rep = stats.public_report(session, 2026, on=ON)
    page = render_content("rights/report.html", "zh_Hans", rep=rep, years=rep.years, error=None)
    assert 'id="by-district"' in page and RESPONDENT not in page and REQUESTER not in page


@pytest.fixture
def web(client):
    return client


def test_dashboard_page_for_officials_only(web, figures, people):
    assert web.get("/rights/dashboard", follow_redirects=False).status_code in (303, 401)
    login(web, "company")
    assert web.get("/rights/dashboard").status_code == 403
    assert web.get("/api/rights/dashboard").status_code == 403
    web.cookies.clear()
    login(web, "pd_handler")
    page = web.get("/rights/dashboard?date_from=2026-01-01")
    assert page.status_code == 200 and 'id="by-unit"' in page.text
    assert web.get("/rights/dashboard?unit=abc").status_code == 200  # the form with the error, no figures
    xlsx = web.get("/rights/dashboard?date_from=2026-01-01&format=xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb["按事项 By kind"].cell(wb["按事项 By kind"].max_row, 3).value == 12
    api = web.get("/api/rights/dashboard?kind=adjudication")
    assert api.status_code == 200 and api.json()["adjudication"]["cases"] == 3
    assert api.json()["amount"] == "50000.00"
    assert web.get("/api/rights/dashboard?right=sword").status_code == 400


def test_public_report_page_anonymous_without_names(web, figures):
    page = web.get("/rights/report?year=2026")
    assert page.status_code == 200 and 'id="by-month"' in page.text
    for text in (page.text, web.get("/rights/report?year=2026&format=csv").text):
        assert RESPONDENT not in text and REQUESTER not in text
    csv_text = web.get("/rights/report?year=2026&format=csv").content.decode("utf-8-sig")
    assert csv_text.startswith("表 Table,")
    xlsx = web.get("/rights/report?year=2026&format=xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb["按区 By district"].cell(2, 2).value == "上海市徐汇区"
    assert web.get("/rights/report?year=1999").status_code == 400
    api = web.get("/api/rights/report?year=2026")
    assert api.status_code == 200 and api.json()["total"]["received"] == 12
    assert RESPONDENT not in api.text and REQUESTER not in api.text


def test_the_board_is_computed_once_per_data_version(session, figures, people):
    first = stats.board_of(session, stats.Filters())
    assert stats.board_of(session, stats.Filters()) is first and first.total.received == 13
    service.submit(session, people["company"], net.request_values("consultation"), [])  # audited: a new version
    session.commit()
    again = stats.board_of(session, stats.Filters())
    assert again is not first and again.total.received == 14
