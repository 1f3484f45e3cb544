"""Pledge notices issued again (issue 15, item 2): a notice made without fonts is found, issued again as a new
edition by the registering body's officials (page) or the operator (`ipcity documents`), the old edition kept,
the re-issue audited; and a notice whose text the platform's font cannot draw is refused with nothing stored."""

from __future__ import annotations

import io
import re

import pytest
import weasyprint
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from ipcity.cli import app as cli
from ipcity.core import documents, fonts
from ipcity.core.files import Upload
from ipcity.core.tables import Attachment, AuditEntry, User
from ipcity.services.pledge import notices, reissue, service
from ipcity.services.pledge.tables import GazetteLine, Pledge
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login
from tests.support.register import add_patent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FORM = {"pledgor_address": "上海市浦东新区张江路1号", "pledgee_address": "上海市黄浦区中山东一路1号",
        "claim_type": "loan", "amount": "5000000", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
        "guarantee_scope": "主债权本金、利息、违约金及实现质权的费用", "annual_fee_payer": "pledgor"}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("IPCITY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("IPCITY_DATABASE_URL", settings.database_url)


def filed(session, people, **changes) -> Pledge:
    session.execute(update(User).where(User.id == people["company"].user_id).values(identity_verified=True))
    record = add_patent(session, 3001)
    values = FORM | {"pledgee_unit": str(people["bank"].unit_id), "patents": "ZL" + record.app_number[2:]} | changes
    pledge = service.file_application(session, people["company"], values, {
        "contract": [Upload("质押合同.pdf", io.BytesIO(PDF))], "commitment": [Upload("承诺书.pdf", io.BytesIO(PDF))]})
    service.PLEDGES.act(session, people["bank"], pledge, "confirm", {}, "")
    session.commit()
    return pledge


def notice_files(session, pledge_id: int) -> list[Attachment]:
    return reissue.attachments(session, pledge_id)


def as_(client, name: str):
    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def test_a_notice_the_font_cannot_draw_is_refused_with_nothing_stored(services, people):
    with services.db.session() as s:
        pledge = filed(s, people, pledgor_address="上海市浦东新区张江路1号\ue000")
        with pytest.raises(fonts.MissingGlyphs) as refused:
            service.PLEDGES.act(s, people["reviewer"], pledge, "register", {}, "材料齐全")
        s.rollback()
        assert refused.value.chars == ["\ue000"] and "U+E000" in refused.value.message.render("en")
        pledge = s.get(Pledge, pledge.id)
        assert pledge.state == "submitted" and pledge.registration_number is None
        assert notice_files(s, pledge.id) == []
        assert s.scalar(select(func.count()).select_from(GazetteLine)) == 0


def test_the_office_issues_a_notice_made_without_fonts_again(services, people, client, cli_env):
    with services.db.session() as s:
        pledge = filed(s, people)
        service.PLEDGES.act(s, people["reviewer"], pledge, "register", {}, "材料齐全")
        s.commit()
        pledge_id, number = pledge.id, pledge.registration_number
        [first] = notice_files(s, pledge_id)
        issued = services.files.path_for(first.sha256).read_bytes()
        expected = notices.source_of(issued)
        assert expected is not None and fonts.pdf_glyph_problems(issued) == []
        # The notice as an installation without a CJK font made it: boxes for glyphs, no content attached.
        broken = weasyprint.HTML(string=f"<h1>专利权质押登记通知书 {number}\ue000</h1>").write_pdf()
        stored = services.files.put(s, Upload(first.filename, io.BytesIO(broken)), allowed=service.PDF)
        s.execute(update(Attachment).where(Attachment.id == first.id).values(sha256=stored.sha256))
        s.commit()

    checked = CliRunner().invoke(cli, ["documents", "check", "pledge.notice"])
    assert checked.exit_code == 1 and f"pledge.notice {pledge_id} {first.filename}" in checked.output
    assert CliRunner().invoke(cli, ["documents", "reissue", "pledge.notice", "--broken"]).exit_code == 2  # no reason
    done = CliRunner().invoke(cli, ["documents", "reissue", "pledge.notice", "--broken",
                                    "--reason", "重新出具：原通知书缺字"])
    assert done.exit_code == 0 and "1 issued again, 0 refused" in done.output, done.output
    assert CliRunner().invoke(cli, ["documents", "check", "pledge.notice"]).exit_code == 0

    with services.db.session() as s:
        first_again, second = notice_files(s, pledge_id)
        assert first_again.sha256 == stored.sha256  # the old edition is kept as it was
        pdf = services.files.path_for(second.sha256).read_bytes()
        assert fonts.pdf_glyph_problems(pdf) == []
        again = notices.source_of(pdf)  # written again from the record: what the first notice said
        assert again.reissued_on == "2026-11-24"
        assert (again.kind, again.number, again.rows, again.patents, again.text, again.body, again.issued_on) == (
            expected.kind, expected.number, expected.rows, expected.patents, expected.text, expected.body,
            expected.issued_on)
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == documents.ACTION)).all()
        assert (entry.object_type, entry.object_id, entry.reason) == ("pledge.notice", str(pledge_id),
                                                                      "重新出具：原通知书缺字")
        assert entry.actor_name == "documents" and str(second.id) in entry.detail and str(first.id) in entry.detail

    page = f"/pledge/{pledge_id}"
    as_(client, "bank")  # a party sees every edition, may not issue them again
    shown = client.get(page).text
    assert 'id="reissue-notices"' not in shown and shown.count('class="notice-link"') == 2
    assert client.get(f"/files/{first.id}").content == broken  # the earlier edition stays downloadable
    refused = client.post(page + "/notices/reissue", data={"csrf_token": csrf_of(client), "reason": "x"},
                          follow_redirects=False)
    assert refused.status_code == 403

    as_(client, "reviewer")
    assert 'id="reissue-notices"' in client.get(page).text
    no_reason = client.post(page + "/notices/reissue", data={"csrf_token": csrf_of(client), "reason": " "})
    assert "reissue-notices" in no_reason.text and 'data-field="reason"' in no_reason.text
    with services.db.session() as s:
        assert len(notice_files(s, pledge_id)) == 2  # nothing written
    response = client.post(page + "/notices/reissue", data={"csrf_token": csrf_of(client), "reason": "再次出具"},
                           follow_redirects=False)
    assert response.status_code == 303
    shown = client.get(page).text
    assert shown.count('class="notice-link"') == 3
    english = client.get(page + "?lang=en").text
    editions = dict(re.findall(r'<li data-edition="(\d+)">(.*?)</li>', english, re.S))
    assert len(editions) == 3
    assert ["earlier edition" in body for body in editions.values()] == [True, True, False]
    assert ["issued again" in body for body in editions.values()] == [False, True, True]
    with services.db.session() as s:
        third = notice_files(s, pledge_id)[-1]
        marked = documents.editions_marked(s, reissue.KIND_KEY, pledge_id, notice_files(s, pledge_id))
        assert [(e.reissued, e.replaced) for e in marked] == [(False, True), (True, True), (True, False)]
        assert [a.id for a in reissue.current(s, pledge_id)] == [third.id]
    latest = client.get(f"/pledge/{pledge_id}/notice.pdf").content
    assert latest == services.files.path_for(third.sha256).read_bytes()
    assert notices.source_of(latest).rows == expected.rows  # word for word again, from the content it carried
