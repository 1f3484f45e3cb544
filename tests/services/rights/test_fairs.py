"""The exhibition fast track: fairs kept by the municipal office and the assistance centre, exhibitors' undertakings
(once per exhibitor, refused to one barred from the edition), a complaint at a fair opened from its request, the
24-hour clock on the respondent's statement that the guard applies whichever door a step comes through, the facts
that allow the measures early, repeat infringers flagged for the next edition, the sweep's task, and the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ipcity.core import clock
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.tables import InboxItem
from ipcity.services.rights import fairs, service
from ipcity.services.rights.tables import Fair, FairComplaint, Undertaking
from ipcity.workflow import engine
from tests.support import rights as net
from tests.support.people import csrf_of, login

REAL_NOW = clock.now


@pytest.fixture
def officials(session):
    found = net.network(session)
    session.commit()
    return found


@pytest.fixture
def later(monkeypatch):
    """Move the platform's clock (core.clock.now) some hours on."""
    def move(hours: float) -> None:
        monkeypatch.setattr(clock, "now", lambda: REAL_NOW() + timedelta(hours=hours))
    return move


def the_fair(session) -> Fair:
    return session.scalar(select(Fair).where(Fair.key == net.FAIR_KEY))


def complaint_values(**changes) -> dict:
    return net.request_values("complaint", where="fair", division_code="", fair=net.FAIR_KEY, booth="1.1A01",
                              respondent="测试制造公司") | changes


def open_complaint(session, people, officials, **changes) -> FairComplaint:
    req = service.submit(session, people["company"], complaint_values(**changes), [])
    complaint = service.refer(session, officials["aid_handler"], req, {})
    session.commit()
    return complaint


def fair_values(**changes) -> dict:
    return {"key": "ciie-next", "series": "ciie", "edition": "10", "name": "第十届中国国际进口博览会（测试）",
            "venue": "国家会展中心（上海）", "first_day": "2027-11-05", "last_day": "2027-11-10", "unit_id": "",
            "desks": "知识产权服务站|1.1馆|021-12345678\n咨询台|2.1馆"} | changes


def notify(session, officials, complaint) -> None:
    fairs.COMPLAINTS.act(session, officials["aid_handler"], complaint, "notify")
    session.commit()


def take_measures(session, officials, complaint, measures=("cover",)):
    return fairs.COMPLAINTS.act(session, officials["aid_handler"], complaint, "take_measures",
                                {"measures": list(measures)}, reason="现场核查")


# --- fairs and undertakings ---------------------------------------------------------------------------------------

def test_a_fair_is_checked_whole_and_kept_by_the_municipal_office_or_the_centre(session, people, officials):
    aid = str(net.unit_id(session, net.ASSISTANCE))
    with pytest.raises(DomainError) as refused:
        fairs.save_fair(session, officials["sipa_handler"], fair_values(
            key="CIIE 2027!", edition="0", first_day="2027-11-10", last_day="2027-11-05", unit_id="",
            desks="|1.1馆\n服务站|2.1馆|12345", name=""))
    fields = {f for f, _ in refused.value.problems}
    assert {"key", "edition", "name", "last_day", "unit_id", "desks"} <= fields
    with pytest.raises(DomainError) as taken:
        fairs.save_fair(session, officials["sipa_handler"], fair_values(key=net.FAIR_KEY, unit_id=aid))
    assert taken.value.field == "key"
    with pytest.raises(DomainError) as twice:
        fairs.save_fair(session, officials["sipa_handler"], fair_values(edition="9", unit_id=aid))
    assert twice.value.field == "edition"  # the series already has edition 9 (the network's test fair)
    for who in (officials["pd_handler"], people["company"]):
        with pytest.raises(PermissionDenied):
            fairs.save_fair(session, who, fair_values(unit_id=aid))

    fair = fairs.save_fair(session, officials["sipa_handler"], fair_values(unit_id=aid))
    session.commit()
    assert fair.active and fair.edition == 10 and fair.desks[0] == {
        "name": "知识产权服务站", "place": "1.1馆", "phone": "02112345678"}
    assert fair.desks[1]["phone"] == ""
    with pytest.raises(DomainError) as rekeyed:
        fairs.save_fair(session, officials["aid_handler"], fair_values(key="other-key", unit_id=aid), fair)
    assert rekeyed.value.field == "key"
    fairs.save_fair(session, officials["aid_handler"], fair_values(unit_id=aid, venue="新馆", active=""), fair)
    session.commit()
    assert fair.venue == "新馆" and not fair.active


def test_an_exhibitor_signs_its_undertaking_once_per_fair(session, people, officials):
    fair = the_fair(session)
    first = fairs.sign_undertaking(session, people["company"], fair, {"booth": "1.1A01"})
    session.commit()
    assert first.exhibitor == "测试公司" and first.exhibitor_key == fairs.fold_name("测试公司")
    with pytest.raises(Conflict) as again:
        fairs.sign_undertaking(session, people["company"], fair, {"exhibitor": " 测试 公司 ", "booth": "2"})
    assert again.value.field == "exhibitor"
    session.rollback()
    with pytest.raises(DomainError) as bad_code:
        fairs.sign_undertaking(session, people["licensee"], fair, {"credit_code": "91310000MA1"})
    assert bad_code.value.field == "credit_code"
    fairs.sign_undertaking(session, people["licensee"], fair, {})
    with pytest.raises(PermissionDenied):
        fairs.sign_undertaking(session, officials["aid_handler"], fair, {})
    session.commit()
    assert session.query(Undertaking).count() == 2


# --- complaints ---------------------------------------------------------------------------------------------------

def test_a_complaint_at_a_fair_is_opened_from_its_request_with_the_desk(session, people, officials):
    complaint = open_complaint(session, people, officials)
    case = fairs.COMPLAINTS.case_of(session, complaint)
    req = fairs.request_of(session, complaint)
    assert complaint.state == "received" and complaint.number.startswith("ZH")
    assert case.assigned_unit_id == the_fair(session).unit_id
    assert case.applicant_user_id == people["company"].user_id and complaint.requester_user_id == req.user_id
    assert (complaint.complainant, complaint.respondent, complaint.booth) == ("测试公司", "测试制造公司", "1.1A01")
    assert complaint.respondent_key == fairs.fold_name("测试制造公司")
    assert req.state == "referred" and req.followup_type == "fair_complaint" and req.followup_id == complaint.id
    assert fairs.COMPLAINTS.may_view(session, people["company"], complaint)
    assert not fairs.COMPLAINTS.may_view(session, people["licensee"], complaint)
    assert fairs.COMPLAINTS.may_view(session, officials["sipa_handler"], complaint)  # keeps the fairs
    assert not fairs.COMPLAINTS.may_view(session, officials["pd_handler"], complaint)

    fairs.COMPLAINTS.act(session, people["company"], complaint, "withdraw", reason="双方已和解")
    session.commit()
    assert complaint.state == "withdrawn" and complaint.outcome == "withdrawn" and complaint.closed_at is not None
    assert req.state == "closed" and req.outcome == "withdrawn"


def test_measures_wait_for_the_24_hours_then_close_the_request_with_the_complaint(session, people, officials, later):
    complaint = open_complaint(session, people, officials)
    notify(session, officials, complaint)
    assert complaint.notified_at is not None
    reading = fairs.statement_clock(complaint)
    assert reading.deadline - reading.notified_at == timedelta(hours=24) and not reading.ended

    with pytest.raises(DomainError) as early:
        take_measures(session, officials, complaint)
    session.rollback()
    assert "24 hours" in early.value.message.render("en") or "Beijing time" in early.value.message.render("en")
    assert complaint.state == "notified"

    later(24.5)
    take_measures(session, officials, complaint, ("cover", "take_down"))
    session.commit()
    assert complaint.state == "measures" and complaint.infringing and complaint.measures == ["cover", "take_down"]
    assert complaint.measures_at is not None and "24" in complaint.measures_reason

    fairs.COMPLAINTS.act(session, officials["aid_handler"], complaint, "close", {"outcome": "enforced"}, "已撤展")
    session.commit()
    req = fairs.request_of(session, complaint)
    assert complaint.state == "closed" and complaint.closed_at is not None and complaint.outcome == "enforced"
    assert req.state == "closed" and req.outcome == "enforced"


def test_an_admission_or_a_legal_document_allows_the_measures_at_once(session, people, officials):
    complaint = open_complaint(session, people, officials)
    notify(session, officials, complaint)
    with pytest.raises(PermissionDenied):
        fairs.record_facts(session, people["company"], complaint, admitted=True)
    fairs.record_facts(session, officials["aid_handler"], complaint, admitted=True, note="现场承认")
    session.commit()
    assert "admits" in fairs.measures_due(complaint).render("en")
    take_measures(session, officials, complaint, ("withdraw",))
    session.commit()
    assert complaint.state == "measures" and "承认" in complaint.measures_reason

    other = open_complaint(session, people, officials, respondent="另一参展商")
    notify(session, officials, other)
    fairs.record_facts(session, officials["aid_handler"], other, confirmed_by="（2025）沪73民初1号判决书")
    session.commit()
    take_measures(session, officials, other)
    session.commit()
    assert other.infringing


def test_a_statement_in_time_prevents_the_measures(session, people, officials, later):
    complaint = open_complaint(session, people, officials)
    with pytest.raises(DomainError):  # not notified yet: there is no clock
        fairs.record_statement(session, officials["aid_handler"], complaint, "有许可合同", None)
    notify(session, officials, complaint)
    with pytest.raises(DomainError) as empty:
        fairs.record_statement(session, officials["aid_handler"], complaint, "  ", None)
    assert empty.value.field == "statement"
    with pytest.raises(DomainError) as future:
        fairs.record_statement(session, officials["aid_handler"], complaint, "有许可合同",
                               (clock.now() + timedelta(hours=3)).astimezone(fairs.domain.BEIJING)
                               .strftime("%Y-%m-%dT%H:%M"))
    assert future.value.field == "at"
    later(2)
    fairs.record_statement(session, officials["aid_handler"], complaint, "我方持有专利权人的实施许可合同", None)
    session.commit()
    assert fairs.statement_clock(complaint).statement_in_time
    with pytest.raises(Conflict):
        fairs.record_statement(session, officials["aid_handler"], complaint, "补充", None)

    later(30)
    assert fairs.measures_due(complaint) is None
    with pytest.raises(DomainError) as refused:
        take_measures(session, officials, complaint)
    session.rollback()
    assert "in time" in refused.value.message.render("en")
    fairs.COMPLAINTS.act(session, officials["aid_handler"], complaint, "close", {"outcome": "no_infringement"},
                         "被投诉人提供了许可合同")
    session.commit()
    assert not complaint.infringing and fairs.request_of(session, complaint).outcome == "no_infringement"


def test_a_late_statement_with_a_good_reason_keeps_the_measures_off(session, people, officials, later):
    complaint = open_complaint(session, people, officials)
    notify(session, officials, complaint)
    later(25)
    fairs.record_facts(session, officials["aid_handler"], complaint, good_reason="展位负责人因航班延误未能到场")
    session.commit()
    assert fairs.measures_due(complaint) is None
    assert "good reason" in fairs.measures_refusal(complaint).render("en")


def test_a_step_through_the_generic_door_obeys_the_guard(session, people, officials, later, services):
    complaint = open_complaint(session, people, officials)
    notify(session, officials, complaint)
    case = fairs.COMPLAINTS.case_of(session, complaint)
    registered = services.registry.case_type(fairs.COMPLAINT.key)
    assert registered.guard is not None
    with pytest.raises(DomainError):  # the generic case page and the case API fire the registered type
        engine.fire(session, registered, case, "take_measures", officials["aid_handler"],
                    values={"measures": ["cover"]}, reason="现场")
    session.rollback()
    later(25)
    engine.fire(session, registered, case, "take_measures", officials["aid_handler"], values={"measures": ["cover"]},
                reason="现场")
    session.commit()
    session.refresh(complaint)
    assert complaint.infringing and complaint.measures_reason


def test_a_repeat_infringer_is_flagged_and_barred_from_the_next_edition(session, people, officials):
    fair = the_fair(session)
    first = open_complaint(session, people, officials)
    fairs.record_facts(session, officials["aid_handler"], first, admitted=True)
    notify(session, officials, first)
    take_measures(session, officials, first)
    session.commit()
    once = fairs.findings(session, "ciie", first.respondent_key, fair.edition)
    assert once.times_found == 1 and not once.flagged

    second = open_complaint(session, people, officials, respondent="测试 制造 公司", booth="1.1A02")
    assert second.respondent_key == first.respondent_key
    notify(session, officials, second)
    fairs.record_facts(session, officials["aid_handler"], second, admitted=True)
    take_measures(session, officials, second)
    session.commit()
    twice = fairs.findings(session, "ciie", first.respondent_key, fair.edition)
    assert twice.times_found == 2 and twice.flagged and twice.barred_edition == fair.edition + 1
    assert [key for key, _, _ in fairs.flagged_at(session, fair)] == [first.respondent_key]

    aid = str(net.unit_id(session, net.ASSISTANCE))
    following = fairs.save_fair(session, officials["sipa_handler"], fair_values(unit_id=aid, edition="10"))
    after_that = fairs.save_fair(session, officials["sipa_handler"], fair_values(key="ciie-later", edition="11",
                                                                              unit_id=aid))
    session.commit()
    assert [key for key, _, _ in fairs.barred_here(session, following)] == [first.respondent_key]
    with pytest.raises(DomainError) as barred:
        fairs.sign_undertaking(session, people["licensee"], following, {"booth": "5.1"})  # 测试制造公司
    assert barred.value.field == "exhibitor" and "barred" in barred.value.message.render("en")
    with pytest.raises(DomainError):  # its credit code given: the findings under its name still bar it
        fairs.sign_undertaking(session, people["licensee"], following, {"credit_code": "91310000MA1FL4TX2B"})
    fairs.sign_undertaking(session, people["company"], following, {})  # another exhibitor signs
    fairs.sign_undertaking(session, people["licensee"], after_that, {})  # the bar is for the next edition only
    session.commit()


def test_the_sweep_tells_the_desk_once_when_the_24_hours_ran_out(session, people, officials, later):
    silent = open_complaint(session, people, officials)
    answered = open_complaint(session, people, officials, respondent="另一参展商")
    notify(session, officials, silent)
    notify(session, officials, answered)
    fairs.record_statement(session, officials["aid_handler"], answered, "不构成侵权，附证据", None)
    session.commit()
    assert fairs.sweep(session) == {"tasks": 0}
    later(24.2)
    assert fairs.sweep(session) == {"tasks": 1}
    assert fairs.sweep(session) == {"tasks": 0}  # once
    session.commit()
    task = session.scalar(select(InboxItem).where(InboxItem.dedupe_key == f"rights.fair.no_statement:{silent.id}"))
    assert task.kind == "task" and task.unit_id == net.unit_id(session, net.ASSISTANCE)
    assert task.link == f"/rights/fair-complaints/{silent.id}" and task.params == {"number": silent.number}
    assert silent.state == "notified" and not silent.infringing  # nothing is taken automatically


def test_times_are_shown_in_beijing_time(session, people, officials):
    complaint = open_complaint(session, people, officials)
    notify(session, officials, complaint)
    complaint.notified_at = datetime(2026, 11, 5, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
    session.commit()
    session.expire_all()
    reading = fairs.statement_clock(session.get(FairComplaint, complaint.id))
    assert reading.deadline.strftime("%Y-%m-%d %H:%M") == "2026-11-06 10:30"


# --- pages --------------------------------------------------------------------------------------------------------

def as_(client, name: str):
    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def _post(client, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": csrf_of(client)}, follow_redirects=False)


def test_the_pages_of_fairs_and_complaints(client, services, people, later):
    with services.db.session() as s:
        officials = net.network(s)
        fair_id = the_fair(s).id
        complaint_id = open_complaint(s, people, officials).id
        s.commit()

    as_(client, "aid_handler")
    listed = client.get("/rights/fairs")
    assert listed.status_code == 200 and net.FAIR_KEY in listed.text
    assert client.get("/rights/fairs?format=csv").text.lstrip("\ufeff").startswith("key,series")
    assert client.get("/rights/fairs?status=nonsense").status_code == 200  # the refusal shown on the page
    page = client.get(f"/rights/fairs/{fair_id}")
    assert page.status_code == 200 and 'id="figures"' in page.text and 'id="fig-complaints">1<' in page.text
    shown = client.get(f"/rights/fair-complaints/{complaint_id}")
    assert shown.status_code == 200 and 'data-state="received"' in shown.text and 'id="act-notify"' in shown.text
    assert _post(client, f"/rights/fair-complaints/{complaint_id}/act", {"transition": "notify"}).status_code == 303
    shown = client.get(f"/rights/fair-complaints/{complaint_id}")
    assert "北京时间" in shown.text and 'id="statement-deadline"' in shown.text and 'id="time-left"' in shown.text
    deadline = re.search(r'id="statement-deadline"[^>]*>(\d{4}-\d\d-\d\d \d\d:\d\d)', shown.text)
    assert deadline is not None
    early = _post(client, f"/rights/fair-complaints/{complaint_id}/act",
                  {"transition": "take_measures", "measures": "cover", "reason": "现场"})
    assert early.status_code == 403 and early.text.count(deadline.group(1)) >= 2  # the page, with the refusal
    assert 'data-state="notified"' in client.get(f"/rights/fair-complaints/{complaint_id}").text
    listed = client.get(f"/rights/fair-complaints?fair={fair_id}")
    assert listed.status_code == 200 and 'id="fair-complaints"' in listed.text
    assert client.get("/rights/fair-complaints?format=xlsx").status_code == 200

    as_(client, "pd_handler")  # a district office: not the desk, not a keeper of the fairs
    assert client.get(f"/rights/fair-complaints/{complaint_id}").status_code == 403
    assert f'/rights/fair-complaints/{complaint_id}"' not in client.get("/rights/fair-complaints").text
    assert 'id="figures"' not in client.get(f"/rights/fairs/{fair_id}").text

    as_(client, "company")
    assert client.get(f"/rights/fair-complaints/{complaint_id}").status_code == 200  # the complainant
    fair_page = client.get(f"/rights/fairs/{fair_id}")
    assert fair_page.status_code == 200 and 'id="undertaking-form"' in fair_page.text
    assert 'id="figures"' not in fair_page.text
    assert _post(client, f"/rights/fairs/{fair_id}/undertakings", {"booth": "3.1"}).status_code == 303
    again = _post(client, f"/rights/fairs/{fair_id}/undertakings", {"booth": "3.1"})
    assert again.status_code == 409 and 'data-field="exhibitor"' in again.text
    assert client.get("/rights/fairs/new").status_code == 403

    as_(client, "licensee")
    assert client.get(f"/rights/fair-complaints/{complaint_id}").status_code == 403
    assert f'/rights/fair-complaints/{complaint_id}"' not in client.get("/rights/fair-complaints").text

    as_(client, "sipa_handler")  # the municipal office keeps the fairs and follows every fair's complaints
    assert f'/rights/fair-complaints/{complaint_id}"' in client.get("/rights/fair-complaints").text
    form = client.get("/rights/fairs/new")
    assert form.status_code == 200 and 'id="fair-form"' in form.text
    bad = _post(client, "/rights/fairs/new", fair_values(edition="x"))
    assert bad.status_code == 400 and 'data-field="edition"' in bad.text and 'data-field="unit_id"' in bad.text
    with services.db.session() as s:
        aid = str(net.unit_id(s, net.ASSISTANCE))
    made = _post(client, "/rights/fairs/new", fair_values(unit_id=aid))
    assert made.status_code == 303 and made.headers["location"].startswith("/rights/fairs/")
