"""The pre-examination pages and JSON API as people use them: a company registers through the form (its errors on
their fields), the centre admits it through the step form; the case form's check-first (nothing stored) and its
submission; the case page with the checks, the clocks and the notices; the correction and the filing forms; the
lists with filters and exports; the dashboard and its Excel; who is refused."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from ipcity.services.preexam.tables import Registration, Submission
from tests.support import preexam as support
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    pin_today(monkeypatch, "2026-11-02")


@pytest.fixture
def centre(services):
    with services.db.session() as s:
        officials = support.centre(s)
        s.commit()
    return officials


def as_(client, name: str):
    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def field_errors(page: str) -> set[str]:
    return set(re.findall(r'class="field-error" data-field="(\w+)"', page))


def _post(client, url: str, data: dict, files=None):
    return client.post(url, data={**data, "csrf_token": csrf_of(client)}, files=files or {}, follow_redirects=False)


def _evidence():
    return [("rd_evidence", ("rd.pdf", support.PDF, "application/pdf")),
            ("ip_management", ("ip.pdf", support.PDF, "application/pdf"))]


def _register_and_admit(client, services):
    as_(client, "company")
    bad = _post(client, "/preexam/registrations/new", support.registration_values(credit_code="123", address=""))
    assert bad.status_code == 400 and {"credit_code", "address"} <= field_errors(bad.text)
    done = _post(client, "/preexam/registrations/new", support.registration_values(), _evidence())
    assert done.status_code == 303
    reg_url = done.headers["location"]
    as_(client, "centre_handler")
    admitted = _post(client, f"{reg_url}/act", {"transition": "admit", "reason": ""})
    assert admitted.status_code == 303
    with services.db.session() as s:
        return s.query(Registration).one()


def test_register_submit_correct_pass_and_file(client, services, people, centre):
    reg = _register_and_admit(client, services)
    assert reg.state == "admitted"

    as_(client, "company")
    form = support.case_values(ipc="A01B 1/00")
    checked = _post(client, "/preexam/cases/new", form | {"check_only": "1"})
    assert checked.status_code == 200 and 'id="field-outside"' in checked.text
    with services.db.session() as s:
        assert s.query(Submission).count() == 0  # checking stores nothing
    done = _post(client, "/preexam/cases/new", form)
    assert done.status_code == 303
    case_url = done.headers["location"]
    page = client.get(case_url)
    assert 'id="field-outside"' in page.text and 'data-state="submitted"' in page.text

    as_(client, "centre_handler")
    assert _post(client, f"{case_url}/act", {"transition": "accept", "reason": ""}).status_code == 303
    assert _post(client, f"{case_url}/act", {"transition": "request_correction",
                                             "reason": "IPC分类号不属于本中心领域"}).status_code == 303
    page = client.get(case_url)
    assert "paused on" in page.text or "暂停" in page.text

    as_(client, "company")
    replied = _post(client, f"{case_url}/reply", support.case_values() | {"reason": "已更正分类号"})
    assert replied.status_code == 303
    page = client.get(case_url)
    assert 'id="field-ok"' in page.text and 'data-state="examining"' in page.text

    as_(client, "centre_examiner")
    assert _post(client, f"{case_url}/act", {"transition": "pass", "reason": "合格"}).status_code == 303
    page = client.get(case_url)
    assert 'data-state="passed"' in page.text
    notice_links = re.findall(r'<a href="(/files/\d+)">专利预审合格通知书', page.text)
    assert notice_links
    pdf = client.get(notice_links[0])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    as_(client, "company")
    bad = _post(client, f"{case_url}/filing", {"app_number": "CN2026", "filed_on": "2026-11-02"})
    assert bad.status_code in (303, 400)
    api = client.get(case_url.replace("/preexam/", "/api/preexam/"))
    assert api.status_code == 200 and api.json()["state"] == "passed" and api.json()["filing_deadline"]


def test_lists_filters_exports_and_dashboard(client, services, people, centre, monkeypatch):
    _register_and_admit(client, services)
    as_(client, "company")
    _post(client, "/preexam/cases/new", support.case_values())
    _post(client, "/preexam/cases/new", support.case_values(title="一种涂料组合物", ipc="A01B 1/00"))
    flagged = client.get("/preexam/cases?flagged=1")
    assert flagged.text.count('data-flagged="1"') == 1
    queue = client.get("/preexam/cases").text
    assert queue.count("2026-11-04") == 2 and 'data-overdue="1"' not in queue  # acceptance due in 2 working days
    pin_today(monkeypatch, "2026-11-05")
    assert client.get("/preexam/cases").text.count('data-overdue="1"') == 2
    csv_text = client.get("/preexam/cases?format=csv").text
    assert csv_text.count("PRE2026") == 2

    as_(client, "centre_examiner")
    assert client.get("/preexam/registrations").status_code == 200
    board = client.get("/preexam/dashboard")
    assert board.status_code == 200
    xlsx = client.get("/preexam/dashboard?format=xlsx")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).sheetnames
    assert client.get("/api/preexam/dashboard").status_code == 200


def test_strangers_are_refused(client, services, people, centre):
    _register_and_admit(client, services)
    as_(client, "company")
    case_url = _post(client, "/preexam/cases/new", support.case_values()).headers["location"]
    as_(client, "licensee")  # another company
    assert client.get(case_url).status_code == 403
    assert client.get("/preexam/cases").text.count("PRE2026") == 0
    as_(client, "reviewer")  # an official of another unit
    assert client.get(case_url).status_code == 403
    assert client.get("/preexam/dashboard").status_code == 403
    client.cookies.clear()
    assert client.get(case_url, follow_redirects=False).status_code in (302, 303, 401)
