"""The navigation pages and API as a person uses them: form, errors, list, run, dashboard, downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader

from ipcity.core import jobs
from tests.support.people import csrf_of, login


@pytest.fixture
def signed_in(app, client, people, register):
    login(client, "lead_handler")
    return client


def create(client, **form):
    data = {"csrf_token": csrf_of(client), "name": "锂电池产业导航", "nav_type": "industry", "kind": "query",
            "query": "锂电池", "focus_region": "31", "shared": "1"} | form
    return client.post("/navigation/topics", data=data, follow_redirects=False)


def run_jobs(app):
    services = app.state.services
    return jobs.run_pending(services.db, services.registry, services)


def test_a_topic_is_created_run_and_read(app, signed_in):
    client = signed_in
    response = create(client)
    assert response.status_code == 303
    topic_url = response.headers["location"]
    page = client.get(topic_url).text
    assert "锂电池产业导航" in page and "锂电池" in page and "上海市" in page
    response = client.post(topic_url + "/run", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    run_url = response.headers["location"]
    assert 'id="run-status"' in client.get(run_url).text  # queued: the progress fragment, polling itself
    assert run_jobs(app) == 1
    dashboard = client.get(run_url).text
    options = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', dashboard, re.S).group(1)
    assert '"trend"' in options and '"applicants"' in options
    assert "上海甲新能源有限公司" in dashboard
    rows = list(csv.reader(io.StringIO(client.get(run_url + "/charts/applicants.csv").content.decode("utf-8-sig"))))
    assert rows[1] == ["上海甲新能源有限公司", "2"]
    assert client.get(run_url + "/charts/no-such-chart.csv").status_code == 404
    html = client.get(run_url + "/report.html?lang=zh").text
    assert "目录" in html and "锂电池产业导航" in html
    pdf = client.get(run_url + "/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages[:3])
    assert "锂电池产业导航" in text
    english = PdfReader(io.BytesIO(client.get(run_url + "/report.pdf?lang=en").content))
    assert "Contents" in "".join(p.extract_text() for p in english.pages[:3])


def test_every_form_carries_the_csrf_token(signed_in):
    # the forms are posted as rendered: an empty token field would make every submission fail
    client = signed_in
    topic_url = create(client).headers["location"]
    for url in ("/navigation/topics/new", topic_url, topic_url + "/edit"):
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', client.get(url).text)
        assert tokens and all(tokens), url


def test_a_wrong_form_is_shown_again_with_every_problem_and_nothing_saved(signed_in):
    client = signed_in
    response = create(client, name="", kind="ipc", ipc_codes="H01M XYZ", focus_region="999999")
    assert response.status_code == 400
    fields = set(re.findall(r'class="field-error" data-field="(\w+)"', response.text))
    assert fields == {"name", "ipc_codes", "focus_region"}
    assert "H01M XYZ" in response.text  # what was typed is kept
    assert "Nothing found" in client.get("/navigation?lang=en").text or "未找到" in client.get("/navigation").text


def test_an_uploaded_number_list_is_read_and_checked(signed_in):
    client = signed_in
    ok = client.post("/navigation/topics", data={"csrf_token": csrf_of(client), "name": "清单", "kind": "numbers"},
                     files={"numbers_file": ("list.txt", "CN115100001\nCN115100003A\n".encode("gb18030"),
                                             "text/plain")}, follow_redirects=False)
    assert ok.status_code == 303
    assert "2 numbers" in client.get(ok.headers["location"] + "?lang=en").text
    refused = client.post("/navigation/topics", data={"csrf_token": csrf_of(client), "name": "清单", "kind": "numbers"},
                          files={"numbers_file": ("list.pdf", b"%PDF-1.4", "application/pdf")})
    assert refused.status_code == 400 and ".pdf" in refused.text


def test_list_filters_and_csv_export(signed_in):
    client = signed_in
    create(client, name="甲专题")
    create(client, name="乙专题", kind="ipc", ipc_codes="H01M", nav_type="regional")
    assert "乙专题" in client.get("/navigation?q=乙").text and "甲专题" not in client.get("/navigation?q=乙").text
    assert "甲专题" not in client.get("/navigation?nav_type=regional").text
    rows = list(csv.reader(io.StringIO(client.get("/navigation?format=csv").content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "name", "nav_type", "kind"] and {r[1] for r in rows[1:]} == {"甲专题", "乙专题"}


def test_other_units_and_other_roles_are_refused(app, client, people, register):
    login(client, "lead_handler")
    topic_url = create(client, shared="").headers["location"]
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "pudong")  # a handler of another unit
    assert client.get(topic_url).status_code == 403
    assert client.get("/api/navigation/topics").json() == []
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "company")  # companies are not navigation users
    assert client.get("/navigation").status_code == 403


def test_json_api_creates_runs_and_reads(app, signed_in):
    client = signed_in
    token = csrf_of(client)
    bad = client.post("/api/navigation/topics", json={"name": "x", "kind": "ipc", "ipc_codes": "nonsense"},
                      headers={"x-csrf-token": token})
    assert bad.status_code == 400 and bad.json()["problems"][0]["field"] == "ipc_codes"
    topic = client.post("/api/navigation/topics", json={"name": "API 专题", "kind": "ipc", "ipc_codes": ["H01M"]},
                        headers={"x-csrf-token": token}).json()
    run = client.post(f"/api/navigation/topics/{topic['id']}/runs", headers={"x-csrf-token": token}).json()
    assert run["status"] == "queued"
    run_jobs(app)
    done = client.get(f"/api/navigation/runs/{run['id']}?results=true").json()
    assert done["status"] == "done" and done["records"] == 4 and done["results"]["records"] == 4
    charts = client.get(f"/api/navigation/runs/{run['id']}/charts").json()
    assert {c["key"] for c in charts} >= {"trend", "ipc_subclasses"}
