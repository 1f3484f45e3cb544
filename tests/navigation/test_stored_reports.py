"""A navigation run's report, rendered once (issue 15, items 15 and 2): the run's job keeps both languages as
HTML and PDF, the report pages serve what was kept (no rendering on a visit), a run finished before reports
were kept gets each file rendered on its first visit and kept, and the office issues the report again as a new
edition through a job, the earlier editions listed and downloadable."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import delete, select

from ipcity.core import documents as kept
from ipcity.core import fonts, jobs
from ipcity.core.tables import Attachment, AuditEntry
from ipcity.navigation import documents, report
from ipcity.navigation.tables import NavRun
from tests.support.people import csrf_of, login

NAMES = ["navigation-{id}-zh.pdf", "navigation-{id}-zh.html.gz", "navigation-{id}-en.pdf", "navigation-{id}-en.html.gz"]


def run_jobs(app) -> int:
    services = app.state.services
    return jobs.run_pending(services.db, services.registry, services)


def kept_files(services, run_id: int) -> list[Attachment]:
    with services.db.session() as s:
        rows = list(s.scalars(select(Attachment).where(Attachment.owner_type == documents.OWNER,
                                                       Attachment.owner_id == str(run_id)).order_by(Attachment.id)))
        s.expunge_all()
        return rows


@pytest.fixture
def finished(app, client, people, register) -> int:
    login(client, "lead_handler")
    form = {"csrf_token": csrf_of(client), "name": "锂电池产业导航", "nav_type": "industry", "kind": "query",
            "query": "锂电池", "focus_region": "31", "shared": "1"}
    topic_url = client.post("/navigation/topics", data=form, follow_redirects=False).headers["location"]
    run_url = client.post(topic_url + "/run", data={"csrf_token": csrf_of(client)},
                          follow_redirects=False).headers["location"]
    assert run_jobs(app) == 1
    return int(run_url.rsplit("/", 1)[1])


def test_the_run_keeps_both_languages_and_the_pages_serve_them(app, client, finished, monkeypatch):
    services = app.state.services
    files = kept_files(services, finished)
    assert [a.filename for a in files] == [n.format(id=finished) for n in NAMES]
    with services.db.session() as s:
        assert s.get(NavRun, finished).report_pdf == files[0].sha256

    def no_rendering(*args, **kwargs):
        raise AssertionError("a visit rendered the report")

    monkeypatch.setattr(report, "render_pdf", no_rendering)
    monkeypatch.setattr(report, "render_html", no_rendering)
    by_name = {a.filename: services.files.path_for(a.sha256).read_bytes() for a in files}
    for lang, contents in (("zh", "目录"), ("en", "Contents")):
        page = client.get(f"/navigation/runs/{finished}/report.html?lang={lang}")
        assert page.status_code == 200 and contents in page.text
        assert page.text.encode() == gzip.decompress(by_name[f"navigation-{finished}-{lang}.html.gz"])
        assert "Content-Security-Policy" in page.headers
        pdf = client.get(f"/navigation/runs/{finished}/report.pdf?lang={lang}")
        assert pdf.content == by_name[f"navigation-{finished}-{lang}.pdf"]
        assert fonts.pdf_glyph_problems(pdf.content) == []


def test_a_run_finished_before_reports_were_kept_keeps_them_on_first_visit(app, client, finished):
    services = app.state.services
    with services.db.session(write=True) as s:
        s.execute(delete(Attachment).where(Attachment.owner_type == documents.OWNER))
        s.commit()
    first = client.get(f"/navigation/runs/{finished}/report.pdf?lang=en")
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    assert [a.filename for a in kept_files(services, finished)] == [f"navigation-{finished}-en.pdf"]
    assert client.get(f"/navigation/runs/{finished}/report.pdf?lang=en").content == first.content


def test_the_office_issues_the_report_again(app, client, finished, people):
    services = app.state.services
    before = kept_files(services, finished)
    run_url = f"/navigation/runs/{finished}"
    assert 'id="reissue-report"' in client.get(run_url).text  # lead_handler: an official who sees the run
    no_reason = client.post(run_url + "/reissue", data={"csrf_token": csrf_of(client), "reason": ""})
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.text
    done = client.post(run_url + "/reissue", data={"csrf_token": csrf_of(client), "reason": "字体缺失重新出具"},
                       follow_redirects=False)
    assert done.status_code == 303
    assert 'id="reissuing"' in client.get(run_url).text
    assert run_jobs(app) == 1
    after = kept_files(services, finished)
    assert len(after) == 8 and [a.filename for a in after[4:]] == [a.filename for a in before]
    new_zh = client.get(run_url + "/report.pdf?lang=zh").content
    assert new_zh == services.files.path_for(after[4].sha256).read_bytes()
    old_zh = client.get(f"/files/{before[0].id}")  # the earlier edition stays downloadable
    assert old_zh.status_code == 200 and old_zh.content == services.files.path_for(before[0].sha256).read_bytes()
    page = client.get(run_url + "?lang=en").text
    assert 'id="reissuing"' not in page
    editions = dict(re.findall(r'<li data-edition="(\d+)">(.*?)</li>', page, re.S))
    assert list(editions) == [str(after[6].id), str(after[4].id), str(before[2].id), str(before[0].id)]  # PDFs
    assert all("issued again" in editions[str(a.id)] for a in after[4::2])
    assert all("earlier edition" in editions[str(a.id)] for a in before[::2])
    with services.db.session() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == kept.ACTION)).all()
        assert (entry.object_type, entry.object_id, entry.reason, entry.actor_name) == (
            "navigation.report", str(finished), "字体缺失重新出具", "lead_handler")
        assert [a.id for a in documents.current(s, finished)] == [a.id for a in after[4:]]

    client.cookies.clear()
    login(client, "bank")  # not a navigator at all
    assert client.post(run_url + "/reissue", data={"csrf_token": csrf_of(client), "reason": "x"},
                       follow_redirects=False).status_code == 403
