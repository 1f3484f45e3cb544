"""A registration certificate issued again (issue 15, item 2): the registration body's officials issue a new
edition from the application's page, which is served from then on and verifies; the earlier edition stays
listed and downloadable; the re-issue is audited. A certificate whose facts the platform's font cannot draw is
refused with nothing kept."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ipcity.core import documents, fonts
from ipcity.core.tables import AuditEntry
from ipcity.services.dataip import reissue, service
from ipcity.services.dataip.tables import DataProduct
from ipcity.services.dataip.verify import verify_certificate
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.dataip import file, to_publicity, verify_identity
from tests.support.people import csrf_of, login


def register(session, people, monkeypatch, **changes) -> int:
    verify_identity(session, people["company"])
    product = file(session, people["company"], **changes)
    to_publicity(session, people, product)
    ends = service.publicity_ends(session, session.get(Case, product.case_id))
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    service.PRODUCTS.act(session, people["reviewer"], product, "register", {}, "")
    session.commit()
    return product.id


def as_(client, name: str):
    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def test_the_office_issues_the_certificate_again(services, people, client, session, monkeypatch):
    product_id = register(session, people, monkeypatch)
    page = f"/dataip/{product_id}"
    as_(client, "company")
    first = client.get(page + "/certificate.pdf")
    assert first.status_code == 200 and fonts.pdf_glyph_problems(first.content) == []
    shown = client.get(page).text
    assert 'id="reissue-certificate"' not in shown and shown.count("data-edition=") == 1
    refused = client.post(page + "/certificate/reissue", data={"csrf_token": csrf_of(client), "reason": "x"},
                          follow_redirects=False)
    assert refused.status_code == 403

    as_(client, "reviewer")
    assert 'id="reissue-certificate"' in client.get(page).text
    no_reason = client.post(page + "/certificate/reissue", data={"csrf_token": csrf_of(client), "reason": ""})
    assert 'data-field="reason"' in no_reason.text
    assert len(reissue.attachments(session, product_id)) == 1  # nothing written
    done = client.post(page + "/certificate/reissue", data={"csrf_token": csrf_of(client), "reason": "字体缺失"},
                       follow_redirects=False)
    assert done.status_code == 303

    session.rollback()  # a fresh transaction: what the requests committed
    product = session.get(DataProduct, product_id)
    new, old = reissue.attachments(session, product_id)  # newest first
    assert product.certificate_sha256 == new.sha256 != old.sha256
    as_(client, "company")
    served = client.get(page + "/certificate.pdf").content
    assert served == services.files.path_for(new.sha256).read_bytes() and served != first.content
    assert client.get(f"/files/{old.id}").content == first.content  # the earlier edition stays downloadable
    english = client.get(page + "?lang=en").text
    editions = dict(re.findall(r'<li data-edition="(\d+)">(.*?)</li>', english, re.S))
    assert list(editions) == [str(new.id), str(old.id)]
    assert "in force" in editions[str(new.id)] and "issued again" in editions[str(new.id)]
    assert "earlier edition" in editions[str(old.id)]
    report = verify_certificate(served, public_key=service.signer_of(session).public_raw)
    assert report.ok and report.facts["certificate_number"] == product.certificate_number
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == documents.ACTION)).all()
    assert (entry.object_type, entry.object_id, entry.reason, entry.actor_name) == (
        "dataip.certificate", str(product_id), "字体缺失", "reviewer")


def test_a_certificate_the_font_cannot_draw_is_refused_with_nothing_kept(people, client, session, monkeypatch):
    product_id = register(session, people, monkeypatch, scenario="充电桩选址规划\ue000与电网负荷预测")
    as_(client, "company")
    response = client.get(f"/dataip/{product_id}/certificate.pdf")
    assert response.status_code == 400 and "U+E000" in client.get(
        f"/dataip/{product_id}/certificate.pdf?lang=en").text
    session.rollback()  # a fresh transaction: what the requests committed
    assert session.get(DataProduct, product_id).certificate_sha256 is None
    assert reissue.attachments(session, product_id) == []


@pytest.mark.parametrize("role", ["bank", "pudong"])
def test_others_may_not_issue_it_again(people, session, monkeypatch, role):
    product_id = register(session, people, monkeypatch)
    assert not reissue.may_reissue(session, people[role], product_id)
    assert reissue.may_reissue(session, people["reviewer"], product_id)
