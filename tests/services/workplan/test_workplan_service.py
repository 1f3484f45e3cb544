"""Plan supervision end to end on both databases: plan loaded, reports filed and reviewed, flags, exports."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.files import Upload
from ipcity.core.tables import AuditEntry, InboxItem, Unit
from ipcity.services.workplan import service
from ipcity.services.workplan.domain import PointStatus
from ipcity.services.workplan.tables import PlanPoint
from ipcity.web.export import workbook_bytes
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login

TODAY = date(2026, 11, 24)
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, TODAY.isoformat())


def _form(completion=60, summary="已完成阶段性工作，形成工作方案。", period="2026年第四季度", indicators=()):
    return service.ReportForm(period, summary, completion, list(indicators))


def test_the_plan_is_loaded_with_its_units(session):
    points = session.scalars(select(PlanPoint).order_by(PlanPoint.number)).all()
    assert [p.number for p in points] == list(range(1, 26))
    p2 = points[1]
    assert p2.due_on == date(2024, 12, 31)
    municipal = [r.unit_name for r in p2.responsibilities if r.level == "municipal"]
    # The plan's "浦东新区政府" is the unit 浦东新区人民政府.
    assert municipal == ["上海市知识产权局", "市经济信息化委", "市贸促会", "浦东新区人民政府"]
    assert session.scalar(select(Unit.kind).where(Unit.name_zh == "浦东新区人民政府")) == "district_gov"
    assert session.scalar(select(Unit.level).where(Unit.name_zh == "国家知识产权局战略规划司")) == "national"
    # Loading again changes nothing but refreshes.
    from ipcity.core.roles import Actor
    from ipcity.services.workplan.domain import load_shipped_plan

    units_before = session.scalar(select(func.count()).select_from(Unit))
    result = service.import_plan(session, Actor.system(), load_shipped_plan())
    assert result == {"points": 25, "created": 0, "updated": 25}
    assert session.scalar(select(func.count()).select_from(Unit)) == units_before


def test_statuses_today_are_honest(session):
    views = {v.point.number: v for v in service.list_points(session, on=TODAY)}
    dated = [n for n, v in views.items() if v.point.due_on]
    assert all(views[n].status == PointStatus.OVERDUE for n in dated)  # every dated deadline has passed
    assert views[2].days_overdue == (TODAY - date(2024, 12, 31)).days
    assert {v.status for n, v in views.items() if not v.point.due_on} == {PointStatus.STALE}
    earlier = {v.point.number: v.status for v in service.list_points(session, on=date(2025, 12, 10))}
    assert earlier[3] == PointStatus.DUE_SOON and earlier[2] == PointStatus.OVERDUE


def test_report_flow_accept_and_return(session, services, people):
    files = services.files
    case = service.file_report(session, files, people["pudong"], 5, _form(100),
                               [Upload("进展.pdf", io.BytesIO(PDF))], submit=True)
    session.commit()
    assert case.state == "submitted" and case.assigned_unit_id == people["reviewer"].unit_id
    # The submitter's own unit is not the reviewer; the lead unit's reviewer decides.
    with pytest.raises(PermissionDenied):
        service.review(session, people["pudong"], case.id, "accept", "")
    session.rollback()
    with pytest.raises(DomainError) as err:
        service.review(session, people["reviewer"], case.id, "return", "")
    assert err.value.field == "reason"
    session.rollback()
    service.review(session, people["reviewer"], case.id, "return", "请补充附件")
    session.commit()
    assert case.state == "returned"
    assert service.view(session, session.get(PlanPoint, int(case.subject_id)), TODAY).status == PointStatus.OVERDUE
    service.revise_report(session, files, people["pudong"], case.id, _form(100, summary="补充了附件和数据说明。"),
                          [], submit=True)
    service.review(session, people["reviewer"], case.id, "accept", "")
    session.commit()
    point = session.get(PlanPoint, int(case.subject_id))
    assert (point.completion, point.last_accepted_on) == (100, TODAY)
    assert service.view(session, point, TODAY).status == PointStatus.COMPLETED
    transitions = [e.transition for e in case.events]
    assert transitions == ["create", "submit", "return", "submit", "accept"]
    audited = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "case",
                                                              AuditEntry.object_id == str(case.id))).all()
    assert audited.count("case.transition") == 4 and "case.document_add" in audited


def test_who_may_report(session, services, people):
    with pytest.raises(PermissionDenied):              # 市商务委 is not responsible for point 2
        service.file_report(session, services.files, people["commerce"], 2, _form(), [], submit=True)
    with pytest.raises(PermissionDenied):              # a company is not an official
        service.file_report(session, services.files, people["company"], 2, _form(), [], submit=True)
    session.rollback()
    # 市商务委 is responsible for point 8; a district through 各区政府 for point 5.
    assert service.file_report(session, services.files, people["commerce"], 8, _form(), [], submit=False).state \
        == "draft"
    assert service.file_report(session, services.files, people["pudong"], 5, _form(), [], submit=True).state \
        == "submitted"


def test_four_eyes_and_bad_input_changes_nothing(session, services, people):
    case = service.file_report(session, services.files, people["lead_handler"], 12, _form(), [], submit=True)
    session.commit()
    with pytest.raises(PermissionDenied):              # a handler may not review
        service.review(session, people["lead_handler"], case.id, "accept", "")
    session.rollback()
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    bad = [(_form(completion=120), "completion"), (_form(summary="太短"), "summary"), (_form(period=" "), "period"),
           (_form(indicators=[{"name": "", "value": "3", "unit": "件"}]), "indicators[0].name")]
    for form, field in bad:
        with pytest.raises(DomainError) as err:
            service.file_report(session, services.files, people["sheitc"], 2, form, [], submit=True)
        assert err.value.field == field
        session.rollback()
    with pytest.raises(DomainError):                  # a bad attachment stops the whole filing
        service.file_report(session, services.files, people["sheitc"], 2, _form(),
                            [Upload("x.pdf", io.BytesIO(b"not a pdf"))], submit=True)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert len(service.reports_of(session, service.get_point(session, 2))) == 0


def test_dashboard_sweep_and_export(session, services, people):
    case = service.file_report(session, services.files, people["sheitc"], 2, _form(100), [], submit=True)
    service.review(session, people["head"], case.id, "accept", "")
    service.file_report(session, services.files, people["pudong"], 16, _form(40), [], submit=True)
    session.commit()
    data = service.dashboard(session, TODAY)
    assert data["total"] == 25 and data["awaiting_review"] == 1
    assert data["by_status"] == {"overdue": 14, "completed": 1, "stale": 10}
    sec1 = data["sections"][0]
    assert (sec1["points"], sec1["completed"], sec1["overdue"], sec1["completion"]) == (4, 1, 1, 25.0)
    sheitc = next(u for u in data["units"] if u["unit"] == "市经济信息化委")
    assert sheitc["points"] == 5 and sheitc["reported"] == 1       # points 2, 9, 11, 18, 21
    assert "上海市知识产权局" not in {u["unit"] for u in data["units"]}

    sent = service.sweep(session, TODAY)
    session.commit()
    assert sent["overdue"] > 0 and sent["stale"] > 0
    assert service.sweep(session, TODAY) == {}         # the same notice is never sent twice in a month
    assert session.scalar(select(func.count()).select_from(InboxItem)
                          .where(InboxItem.unit_id == people["commerce"].unit_id)) > 0

    wb = load_workbook(io.BytesIO(workbook_bytes(service.export_sheets(session, TODAY))))
    points = list(wb["工作要点 Points"].iter_rows(values_only=True))
    assert len(points) == 26 and points[2][0] == 2
    assert points[2][6] == service.STATUS_LABELS[PointStatus.COMPLETED].render("zh_Hans")
    assert points[2][7] == 100
    assert wb["说明 About"]["B2"].value == TODAY.isoformat()


def test_through_the_web(client, services, people):
    assert login(client, "pudong").status_code == 303
    token = csrf_of(client)
    resp = client.post("/workplan/points/5/reports", data={
        "csrf_token": token, "period": "2026年第四季度", "summary": "浦东新区保护示范区建设评估已完成。",
        "completion": "80", "indicator_name": ["示范区评估得分", ""], "indicator_value": ["92", ""],
        "indicator_unit": ["分", ""], "action": "submit"},
        files=[("files", ("评估报告.pdf", PDF, "application/pdf"))], follow_redirects=False)
    assert resp.status_code == 303, resp.text
    report_url = resp.headers["location"]
    page = client.get(report_url).text
    assert "status-submitted" in page and "评估报告.pdf" in page
    file_url = re.search(r'href="(/files/\d+)"', page).group(1)
    assert client.get(file_url).content == PDF
    bad = client.post("/workplan/points/5/reports", data={"csrf_token": token, "period": "Q4", "summary": "短",
                                                          "completion": "abc", "action": "submit"})
    assert bad.status_code == 400 and 'data-field="summary"' in bad.text and 'data-field="completion"' in bad.text

    client.cookies.clear()
    login(client, "commerce")                          # not responsible for point 5, not of the lead unit
    assert client.get(file_url).status_code == 403
    assert client.get(report_url).status_code == 403

    client.cookies.clear()
    login(client, "reviewer")
    token = csrf_of(client)
    case_id = int(report_url.rsplit("/", 1)[1])
    assert client.post(f"/workplan/reports/{case_id}/review", data={"csrf_token": token,
                                                                   "decision": "return"}).status_code == 400
    resp = client.post(f"/workplan/reports/{case_id}/review",
                       data={"csrf_token": token, "decision": "return", "reason": "请补充评估细则"},
                       follow_redirects=False)
    assert resp.status_code == 303
    api = client.get(f"/api/cases/{case_id}").json()
    assert api["state"] == "returned" and api["history"][-1]["reason"] == "请补充评估细则"
    assert [d["label"] for d in api["deadlines"]][-1]
    queue = client.get("/api/queue").json()
    assert case_id not in [c["id"] for c in queue]
    dash = client.get("/api/workplan/dashboard").json()
    assert dash["awaiting_review"] == 0
    xlsx = client.get("/workplan/dashboard/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = client.get("/workplan?format=csv")
    assert csv.text.startswith("\ufeff") and csv.text.count("\n") == 26
