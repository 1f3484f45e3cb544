"""Valuation pages, JSON API and PDF report: who may use them, per-field errors, the filed report."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from ipcity.core.accounts import create_unit, create_user
from ipcity.core.plugins import Panel
from ipcity.core.roles import AGENCY, Actor
from ipcity.core.tables import Attachment, AuditEntry
from ipcity.services.valuation import report, service
from tests.support.clock import pin_today
from tests.support.people import PASSWORD, csrf_of, login
from tests.support.register import add_patent

POPPLER = shutil.which("pdffonts") is not None
INCOME = {"revenue": "2,000,000", "royalty_rate": "4%", "discount_rate": "0.12", "economic_life": "5",
          "tax_rate": "0.25"}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


@pytest.fixture
def patents(services, people):
    with services.db.session() as s:
        own = add_patent(s, 11, cited_by=6, family_size=2,
                         claims="1. 一种锂电池极片涂布装置，包括涂布辊。\n"
                                "2、根据权利要求1所述的装置，其特征在于，涂布辊为陶瓷辊。")
        other = add_patent(s, 12, owners=("测试制造公司",), app_date=date(2021, 4, 1))
        s.commit()
    return own, other


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_of(client)}, follow_redirects=False)


@pytest.mark.parametrize("name", ["bank", "reviewer", "admin", "company"])
def test_the_valuation_users_see_the_form(client, people, name):
    login(client, name)
    page = client.get("/pledge/valuation?numbers=ZL1")
    assert page.status_code == 200 and 'id="valuation-form"' in page.text and "ZL1" in page.text


def test_other_roles_and_anonymous_are_refused(client, services, people, patents):
    assert client.get("/pledge/valuation", follow_redirects=False).status_code == 303
    assert client.get("/api/pledge/valuation?numbers=x").status_code == 401
    with services.db.session() as s:
        unit = create_unit(s, Actor.system("tests"), code="test-agency", name_zh="测试代理机构", kind="agency")
        create_user(s, Actor.system("tests"), username="agent", password=PASSWORD, display_name="agent",
                    role=AGENCY, unit_id=unit.id)
        s.commit()
    login(client, "agent")
    assert client.get("/pledge/valuation").status_code == 403
    assert client.get(f"/api/pledge/valuation?numbers={patents[0].app_number}").status_code == 403
    assert client.get(f"/pledge/valuation/report.pdf?numbers={patents[0].app_number}").status_code == 403


def test_results_show_the_breakdown_and_the_income_approach(client, people, patents):
    login(client, "bank")
    own, other = patents
    page = _post(client, "/pledge/valuation", {"numbers": f"{own.app_number}\n{other.app_number}",
                                               "scenario": "finance", **INCOME})
    assert page.status_code == 200, page.text[:500]
    assert page.text.count('class="card valuation"') == 2
    for key in ("remaining_term", "first_claim_length", "field_growth", "licences"):
        assert f'data-key="{key}"' in page.text
    pv = sum(80_000 * 0.75 / 1.12 ** t for t in range(1, 6))
    assert f"¥{pv:,.2f}" in page.text
    assert 'id="file-report"' in page.text


def test_every_bad_field_is_named(client, people, patents):
    login(client, "bank")
    page = _post(client, "/pledge/valuation", {"numbers": "ZL202010999999.9", "scenario": "gift",
                                               "revenue": "lots", "royalty_rate": "150%", "discount_rate": "",
                                               "economic_life": "0", "on": "24/11/2026"})
    assert page.status_code == 400
    fields = set(re.findall(r'class="field-error" data-field="([a-z_]+)"', page.text))
    assert fields == {"numbers", "scenario", "revenue", "royalty_rate", "discount_rate", "economic_life", "on"}
    assert 'value="lots"' in page.text  # the form keeps what was typed


def test_a_company_values_only_its_own_patents(client, people, patents):
    own, other = patents
    login(client, "company")
    assert _post(client, "/pledge/valuation", {"numbers": own.app_number}).status_code == 200
    page = _post(client, "/pledge/valuation", {"numbers": other.app_number})
    assert page.status_code == 400 and 'data-field="numbers"' in page.text
    assert client.get(f"/api/pledge/valuation?numbers={other.app_number}").status_code == 400


def test_json_api_get_and_post(client, people, patents):
    own, _ = patents
    login(client, "reviewer")
    got = client.get(f"/api/pledge/valuation?numbers={own.app_number}&scenario=licensing").json()
    [v] = got["valuations"]
    assert v["scenario"] == "licensing" and v["income"] is None and 0 < v["score"] <= 100
    assert {i["key"] for i in v["indicators"]} >= {"remaining_term", "claim_count", "field_activity"}
    assert abs(sum(lv["effective_weight"] for lv in v["levels"]) - 1) < 1e-6
    headers = {"X-CSRF-Token": csrf_of(client)}
    bad = client.post("/api/pledge/valuation", headers=headers,
                      json={"numbers": [own.app_number], "income": {"revenue": 1_000_000, "discount_rate": 2}})
    assert bad.status_code == 400
    assert {p["field"] for p in bad.json()["problems"]} == {"royalty_rate", "discount_rate", "economic_life"}
    good = client.post("/api/pledge/valuation", headers=headers,
                       json={"numbers": [own.app_number], "income": INCOME | {"revenue": [1_000_000, 1_500_000]},
                             "on": "2026-06-30"})
    body = good.json()["valuations"][0]
    assert good.status_code == 200 and body["on"] == "2026-06-30"
    assert [y["revenue"] for y in body["income"]["years"]][:3] == [1_000_000, 1_500_000, 1_500_000]
    assert good.json()["stored"] == []


def test_filed_report_pdf(client, services, people, patents, tmp_path):
    own, _ = patents
    login(client, "bank")
    resp = _post(client, "/pledge/valuation/report.pdf", {"numbers": own.app_number, "scenario": "finance", **INCOME})
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.content)).pages)
    with services.db.session() as s:
        entry = s.query(AuditEntry).filter_by(action=service.AUDIT_ACTION).one()
        [att] = s.query(Attachment).filter_by(owner_type=service.REPORT_OWNER).all()
        assert att.owner_id == own.app_number and entry.object_id == own.app_number
        stored = service.latest_stored(s, own.app_number, "finance")["score"]
        [v] = service.evaluate(s, own.app_number)
    assert stored == round(v.card.overall, 2)
    number = "ZL" + own.app_number[2:]
    assert number in text and report.score_text(v.card.overall) in text
    assert "Asset Appraisal Law" in "".join(text.split("\n"))
    assert "测试银行" in text  # who ran it
    # The summary of a proposed pledge now carries the filed report's income-approach value.
    with services.db.session() as s:
        [summary] = service.summaries(s, [own.app_number])
    assert summary.indicative_value == pytest.approx(sum(60_000 / 1.12 ** t for t in range(1, 6)), abs=0.01)
    again = client.get(summary.report_url)
    assert again.status_code == 200 and again.content.startswith(b"%PDF")
    if POPPLER:
        path = tmp_path / "report.pdf"
        path.write_bytes(resp.content)
        lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
        fonts = [line.split() for line in lines[2:] if line.strip()]
        assert fonts and all("IPCity-" in f[0] for f in fonts), lines  # the shipped font only (core/fonts.py)
        assert all(f[-5] == "yes" for f in fonts), lines  # every font embedded


def test_summary_fragment(services, people, patents):
    own, other = patents
    with services.db.session() as s:
        summaries = service.summaries(s, [own.app_number, other.app_number])
    panel = Panel("valuation/_pledge_panel.html", {"valuations": summaries, "link": "/pledge/valuation"})
    html = services.templates.get_template(panel.template).render(panel=panel)
    assert html.count('class="valuation-row"') == 2 and summaries[0].number in html
    assert f"{summaries[0].score:.1f}" in html and summaries[0].report_url.replace("&", "&amp;") in html


def test_an_unpaid_fee_gets_no_pledge_rate_and_inputs_not_given_are_shown_neutrally(client, services, people):
    """The results name the refusal ground and its legal basis (the pledge's register check), instead of a rate;
    an input the data do not give reads "not provided", not an error."""
    from ipcity.patents import position, register

    with services.db.session() as s:
        rec = add_patent(s, 13, app_date=date(2020, 6, 1))  # patent year 7 began 2026-06-01
        register.record_entry(s, people["admin"], rec.app_number, position.ANNUAL_FEE, start=date(2025, 5, 20),
                              reference="FEE-6", detail={"year": 6})
        clean = add_patent(s, 14)  # no citations or family data: some inputs are not provided
        s.commit()
    login(client, "bank")
    page = _post(client, "/pledge/valuation", {"numbers": f"{rec.app_number}\n{clean.app_number}",
                                               "scenario": "finance"}).text
    assert 'id="pledge-barred-1"' in page and 'id="pledge-barred-2"' not in page
    bars = re.findall(r'<li data-ground="(\d+)" data-key="(\w+)">(.*?)</li>', page, re.S)
    assert [(g, k) for g, k, _ in bars] == [("4", "fees_unpaid")]
    assert "Implementing Regulations of the Patent Law" in bars[0][2] or "实施细则" in bars[0][2]
    assert 'class="muted not-provided"' in page and 'class="missing"' not in page
    api = client.get(f"/api/pledge/valuation?numbers={rec.app_number}").json()
    pledge = api["valuations"][0]["pledge"]
    assert pledge["suggested_rate"] is None and [g["ground"] for g in pledge["refusal_grounds"]] == [4]
