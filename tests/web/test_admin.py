"""Administration: accounts, units and the holiday calendar, through the web pages."""

from __future__ import annotations

import json

from sqlalchemy import select

from ipcity.core.tables import AuditEntry, Holiday, User
from tests.support.people import csrf_of, login


def test_accounts_and_units(client, services, people):
    login(client, "admin")
    token = csrf_of(client)
    bad = client.post("/admin/users", data={"csrf_token": token, "username": "new.user", "display_name": "新人",
                                            "role": "handler", "unit_id": "", "password": "short"})
    assert bad.status_code == 400 and 'data-field="password"' in bad.text
    ok = client.post("/admin/users", data={"csrf_token": token, "username": "new.user", "display_name": "新人",
                                           "role": "handler", "unit_id": str(people["pudong"].unit_id),
                                           "password": "Good-Pass-2026"}, follow_redirects=False)
    assert ok.status_code == 303
    assert "new.user" in client.get("/admin/users?q=new").text
    assert "new.user" not in client.get("/admin/users?role=reviewer").text
    with services.db.session() as s:
        user = s.scalar(select(User).where(User.username == "new.user"))
        assert user.unit_id == people["pudong"].unit_id
    client.post(f"/admin/users/{user.id}/status", data={"csrf_token": token, "active": "0"})
    client.cookies.clear()
    assert login(client, "new.user", "Good-Pass-2026").status_code == 400   # deactivated accounts cannot sign in

    client.cookies.clear()
    login(client, "admin")
    token = csrf_of(client)
    dup = client.post("/admin/units", data={"csrf_token": token, "code": "test-company", "name_zh": "重复",
                                            "kind": "company"})
    assert dup.status_code == 400 and 'data-field="code"' in dup.text
    made = client.post("/admin/units", data={"csrf_token": token, "code": "bank-1", "name_zh": "演示银行上海分行",
                                             "kind": "bank"}, follow_redirects=False)
    assert made.status_code == 303 and "演示银行上海分行" in client.get("/admin/units?kind=bank").text


def test_holiday_schedule_upload(client, services, people):
    login(client, "admin")
    token = csrf_of(client)
    page = client.get("/admin/calendar?year=2027").text
    assert "error-box" in page                       # 2027 not published yet: provisional
    schedule = {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": True}]}
    resp = client.post("/admin/calendar", data={"csrf_token": token},
                       files={"schedule": ("2027.json", json.dumps(schedule, ensure_ascii=False).encode(),
                                           "application/json")}, follow_redirects=False)
    assert resp.status_code == 303
    assert client.get("/api/calendar/2027-01-01").json()["working_day"] is False
    broken = client.post("/admin/calendar", data={"csrf_token": token},
                         files={"schedule": ("x.json", b'{"days": [{"date": "2027-02-30"}]}', "application/json")})
    assert broken.status_code == 400
    with services.db.session() as s:
        assert s.get(Holiday, __import__("datetime").date(2027, 1, 1)).is_off_day
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.action == "calendar.import")) is not None


def test_the_audit_trail_reads_in_words_and_beijing_time(client, services, people):
    """Codes stay in the trail; people read labels, and times in Beijing time (UTC+8), as on every other page."""
    from datetime import datetime, timedelta

    from ipcity.core.audit_labels import ACTION_LABELS

    login(client, "admin")  # the sign-in itself is an entry
    with services.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "login")
                          .order_by(AuditEntry.seq.desc())).first()
        stored = datetime.fromisoformat(entry.at)
    beijing = (stored + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    page = client.get("/admin/audit", params={"action": "login"}).text
    assert "登录" in page and beijing in page and "UTC" not in page
    assert ">login<" not in page and ">case.transition<" not in page  # codes only as option values
    assert "login" in ACTION_LABELS
    export = client.get("/admin/audit", params={"action": "login", "format": "csv"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert beijing in export.text and "登录" in export.text
