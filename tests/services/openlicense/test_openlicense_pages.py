"""The open-licensing pages and JSON API as people use them: the public list (no sign-in) with filters, CSV and
the withdrawn record; the declaration form's per-field errors; the office's formal check through the page; taking
a licence, recording it and a payment through the forms; who is refused (anonymous, another company, a bank, an
official of another unit); matchmaking, the fee page and statistics."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from ipcity.patents import register
from ipcity.patents.position import PLEDGE
from ipcity.services.openlicense import service
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login
from tests.support.register import add_patent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FORM = {"mode": "lump_sum", "lump_sum": "300000", "rate_basis": "net_sales", "term_start": "2026-12-01",
        "term_end": "2030-11-30", "other_terms": "一次性付清", "contact": "021-5555", "small_entity": "single"}


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


def as_(client, name: str):
    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def field_errors(page: str) -> set[str]:
    return set(re.findall(r'class="field-error" data-field="(\w+)"', page))


@pytest.fixture
def patents(services, people):
    with services.db.session() as s:
        battery = add_patent(s, 1, title="一种锂电池极片涂布装置", abstract="涂布均匀，提高锂电池极片一致性。")
        solar = add_patent(s, 2, title="一种光伏组件清洁机器人", abstract="机器人清洁光伏板。", ipc=("H02S40/10",),
                           region_code="310104")
        pledged = add_patent(s, 3, title="一种数控机床主轴")
        register.record_entry(s, people["admin"], pledged.app_number, PLEDGE, start=date(2025, 1, 1),
                              reference="P-1", detail={"pledgee": "测试银行"})
        s.commit()
    return {"battery": battery, "solar": solar, "pledged": pledged}


def file_form(client, number: str, files=None, **changes):
    data = {"csrf_token": csrf_of(client), "patent_number": number, **FORM, **changes}
    return client.post("/openlicense/declarations/new", data=data, files=files, follow_redirects=False)


def publish_via_pages(client, number: str) -> int:
    as_(client, "company")
    response = file_form(client, number)
    assert response.status_code == 303, response.text[:2000]
    declaration_id = int(response.headers["location"].rsplit("/", 1)[1])
    as_(client, "lead_handler")
    page = client.get(f"/openlicense/declarations/{declaration_id}").text
    assert 'id="eligible"' in page and 'id="act-publish"' in page
    response = client.post(f"/openlicense/declarations/{declaration_id}/act",
                           data={"csrf_token": csrf_of(client), "transition": "publish"}, follow_redirects=False)
    assert response.status_code == 303
    return declaration_id


def test_the_form_shows_every_problem_next_to_its_field_and_saves_nothing(client, people, patents):
    as_(client, "company")
    page = client.get("/openlicense/declarations/new")
    assert page.status_code == 200 and patents["battery"].app_number[2:] in page.text  # suggestions
    response = file_form(client, patents["pledged"].app_number, mode="running", lump_sum="", rate="30",
                         term_end="2019-01-01", contact="", other_terms="全网最佳")
    assert response.status_code == 400
    # the form's problems and every register ground and cap, at once
    assert field_errors(response.text) == {"rate", "term_end", "contact", "consents", "other_terms"}
    assert "测试银行" in response.text and "全网最佳" in response.text  # typed values kept
    response = file_form(client, "ZL202099999999.1")
    assert response.status_code == 400 and field_errors(response.text) == {"patent_number"}
    assert client.get("/api/openlicense/declarations?status=all").json()["total"] == 0
    assert as_(client, "lead_handler").get("/openlicense/declarations").text.count("data-number=") == 0


def test_consent_upload_through_the_form_is_type_checked(client, people, patents):
    as_(client, "company")
    bad = [("consent_file_1", ("consent.pdf", b"plain text", "application/pdf"))]
    response = file_form(client, patents["pledged"].app_number, files=bad, consent_pledgee_1="测试银行")
    assert response.status_code == 400 and "consents" in field_errors(response.text)
    good = [("consent_file_1", ("consent.pdf", PDF, "application/pdf"))]
    response = file_form(client, patents["pledged"].app_number, files=good, consent_pledgee_1="测试银行")
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "consent.pdf" in page and 'id="eligible"' in page


def test_the_whole_road_through_the_pages(client, people, patents):
    declaration_id = publish_via_pages(client, patents["battery"].app_number)
    client.cookies.clear()
    listing = client.get("/openlicense?q=锂电池")
    assert listing.status_code == 200 and "一种锂电池极片涂布装置" in listing.text
    number = re.search(r'data-number="(OLD\d+)"', listing.text).group(1)
    record = client.get(f"/openlicense/d/{number}")
    assert record.status_code == 200 and 'data-state="published"' in record.text and "take-button" not in record.text
    assert 'data-reduction="open_licence"' in record.text

    as_(client, "licensee")
    assert 'id="take-button"' in client.get(f"/openlicense/d/{number}").text
    match = client.get("/openlicense/match", params={"need": "锂电池极片涂布"})
    assert number in match.text and "<mark>" in match.text
    bad = client.post(f"/openlicense/d/{number}/take", data={"csrf_token": csrf_of(client), "mode": "running",
                                                              "start_on": "2026-01-01", "products": "",
                                                              "contact": "x"})
    assert bad.status_code == 400 and field_errors(bad.text) == {"mode", "start_on", "products"}
    taken = client.post(f"/openlicense/d/{number}/take", data={
        "csrf_token": csrf_of(client), "mode": "lump_sum", "start_on": "2026-12-01", "products": "涂布机",
        "contact": "021-7777"}, follow_redirects=False)
    assert taken.status_code == 303
    licence_url = taken.headers["location"]
    no_proof = client.post(f"{licence_url}/record", data={"csrf_token": csrf_of(client)})
    assert no_proof.status_code == 400 and field_errors(no_proof.text) == {"proof"}
    wrong_type = client.post(f"{licence_url}/record", data={"csrf_token": csrf_of(client)},
                             files={"proof": ("contract.exe", b"MZ....", "application/octet-stream")})
    assert wrong_type.status_code == 400 and field_errors(wrong_type.text) == {"proof"}
    recorded = client.post(f"{licence_url}/record", data={"csrf_token": csrf_of(client)},
                           files={"proof": ("contract.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert recorded.status_code == 303
    paid = client.post(f"{licence_url}/payments", data={"csrf_token": csrf_of(client), "amount": "300000",
                                                         "paid_on": "2026-11-24", "period": "一次性"},
                       files={"proof": ("pay.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert paid.status_code == 303
    page = client.get(licence_url).text
    assert 'data-state="recorded"' in page and "300,000.00" in page
    mine = client.get("/openlicense/licences?side=licensee")
    assert "测试公司" in mine.text
    assert client.get("/openlicense/licences?side=licensor").text.count("data-licence=") == 0
    rows = list(csv.reader(io.StringIO(client.get("/openlicense/licences?format=csv").content.decode("utf-8-sig"))))
    assert rows[1][4] == "测试制造公司" and rows[1][10] == "300,000.00"
    assert client.get("/api/openlicense/licences").json()["items"][0]["state"] == "recorded"

    as_(client, "company")  # the patentee sees the licence too, as licensor
    assert client.get("/openlicense/licences?side=licensor").text.count("data-licence=") == 1
    assert "测试制造公司" in client.get(f"/openlicense/declarations/{declaration_id}").text
    response = client.post(f"/openlicense/declarations/{declaration_id}/act", data={
        "csrf_token": csrf_of(client), "transition": "request_withdrawal", "reason": ""})
    assert response.status_code == 400 and "reason" in field_errors(response.text)
    client.post(f"/openlicense/declarations/{declaration_id}/act", data={
        "csrf_token": csrf_of(client), "transition": "request_withdrawal", "reason": "不再开放许可"})
    as_(client, "lead_handler")
    client.post(f"/openlicense/declarations/{declaration_id}/act",
                data={"csrf_token": csrf_of(client), "transition": "withdraw"})
    client.cookies.clear()
    assert number not in client.get("/openlicense").text
    assert number in client.get("/openlicense?status=withdrawn").text
    record = client.get(f"/openlicense/d/{number}").text
    assert 'data-state="withdrawn"' in record and 'id="withdrawn-note"' in record
    as_(client, "licensee")
    assert 'data-state="recorded"' in client.get(licence_url).text  # the licence survives (Art 50)


def test_public_list_filters_csv_and_api(client, people, patents):
    publish_via_pages(client, patents["battery"].app_number)
    publish_via_pages(client, patents["solar"].app_number)
    client.cookies.clear()
    api = client.get("/api/openlicense/declarations").json()
    assert api["total"] == 2
    assert client.get("/api/openlicense/declarations?ipc=H02S").json()["total"] == 1
    by_region = client.get("/api/openlicense/declarations?region=310104").json()
    assert [i["title"] for i in by_region["items"]] == ["一种光伏组件清洁机器人"]
    assert client.get("/api/openlicense/declarations?mode=running").json()["total"] == 0
    assert client.get("/api/openlicense/declarations?max_fee=299999").json()["total"] == 0
    assert client.get("/api/openlicense/declarations?max_fee=300000&patent_type=invention").json()["total"] == 2
    assert client.get("/openlicense?max_fee=abc").status_code == 200
    assert "max_fee" in client.get("/api/openlicense/declarations?max_fee=abc").json()["field"]
    number = api["items"][0]["number"]
    assert client.get(f"/api/openlicense/declarations/{number}").json()["mode"] == "lump_sum"
    rows = list(csv.reader(io.StringIO(client.get("/openlicense?format=csv").content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["number", "patent_number", "title"] and len(rows) == 3


def test_who_is_refused(client, people, patents):
    declaration_id = publish_via_pages(client, patents["battery"].app_number)
    client.cookies.clear()
    for path in ("/openlicense/declarations", f"/openlicense/declarations/{declaration_id}", "/openlicense/licences",
                 "/openlicense/match", "/openlicense/stats", "/openlicense/declarations/new"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 401), path
    assert client.get("/api/openlicense/match?need=x").status_code == 401
    as_(client, "licensee")  # another company: not its declaration
    assert client.get(f"/openlicense/declarations/{declaration_id}").status_code == 403
    assert client.get("/openlicense/stats").status_code == 403
    as_(client, "bank")  # banks read the public list only
    assert client.get("/openlicense").status_code == 200
    for path in ("/openlicense/declarations", "/openlicense/match", f"/openlicense/declarations/{declaration_id}",
                 "/api/openlicense/licences"):
        assert client.get(path).status_code == 403, path
    as_(client, "pudong")  # an official of another unit
    assert client.get(f"/openlicense/declarations/{declaration_id}").status_code == 403
    assert client.get("/openlicense/stats").status_code == 403
    response = client.post(f"/openlicense/declarations/{declaration_id}/act",
                           data={"csrf_token": csrf_of(client), "transition": "withdraw"})
    assert response.status_code == 403
    as_(client, "company")
    response = client.post(f"/openlicense/declarations/{declaration_id}/act",
                           data={"csrf_token": csrf_of(client), "transition": "withdraw"})
    assert response.status_code in (403, 409)


def test_office_pages_statistics_and_fees(client, people, patents):
    publish_via_pages(client, patents["battery"].app_number)
    as_(client, "reviewer")
    page = client.get("/openlicense/stats?by=section")
    assert page.status_code == 200 and 'data-key="H"' in page.text
    rows = list(csv.reader(io.StringIO(client.get("/openlicense/stats?by=region&format=csv").content
                                        .decode("utf-8-sig"))))
    assert rows[0] == ["key", "name", "filed", "published", "withdrawn", "licences", "royalties"]
    assert rows[1][0] == "310115" and rows[-1][1] == "total"
    assert client.get("/api/openlicense/stats?by=month").json()["rows"][0]["filed"] == 1
    fees_page = client.get(f"/openlicense/patents/{patents['battery'].app_number}?small_entity=single")
    assert fees_page.status_code == 200 and 'data-reduction="small_single"' in fees_page.text
    # the licence term (to 2030) lies within the 10 years of 费减 (to 2032): 85 % applies, 15 % never stacks on it
    assert 'data-reduction="open_licence"' not in fees_page.text
    plain = client.get(f"/openlicense/patents/{patents['battery'].app_number}?small_entity=none")
    assert 'data-reduction="open_licence"' in plain.text
    api = client.get(f"/api/openlicense/patents/{patents['battery'].app_number}/fees").json()
    assert any(y["reduction"] == "open_licence" for y in api["years"])
    as_(client, "admin")
    assert client.get("/openlicense/stats").status_code == 200


def test_the_eligibility_api_and_register_check(client, people, patents):
    as_(client, "company")
    body = client.get("/api/openlicense/eligibility", params={"patent_number": patents["pledged"].app_number}).json()
    assert body["pledgees"] == ["测试银行"] and body["grounds"] == []
    page = client.get("/openlicense/declarations/new", params={"patent": patents["pledged"].app_number}).text
    assert 'id="register-check"' in page and "测试银行" in page
    as_(client, "licensee")
    body = client.get("/api/openlicense/eligibility", params={"patent_number": patents["pledged"].app_number}).json()
    assert [g["key"] for g in body["grounds"]] == ["not_patentee"]
    assert service.DECLARATION.key == "openlicense.declaration"


def test_return_for_correction_and_resubmit_through_the_pages(client, people, patents):
    as_(client, "company")
    response = file_form(client, patents["solar"].app_number)
    declaration_id = int(response.headers["location"].rsplit("/", 1)[1])
    as_(client, "lead_handler")
    response = client.post(f"/openlicense/declarations/{declaration_id}/act", data={
        "csrf_token": csrf_of(client), "transition": "return", "reason": "请写明许可费的支付期限"},
        follow_redirects=False)
    assert response.status_code == 303
    as_(client, "company")
    page = client.get(f"/openlicense/declarations/{declaration_id}").text
    assert 'data-state="correction"' in page and 'id="resubmit-form"' in page and "请写明许可费的支付期限" in page
    data = {"csrf_token": csrf_of(client), **FORM, "lump_sum": "30000000", "reason": "已补正"}
    bad = client.post(f"/openlicense/declarations/{declaration_id}/resubmit", data=data)
    assert bad.status_code == 400 and field_errors(bad.text) == {"lump_sum"} and "30000000" in bad.text
    good = client.post(f"/openlicense/declarations/{declaration_id}/resubmit",
                       data=data | {"lump_sum": "250000", "other_terms": "签约后30日内付清"}, follow_redirects=False)
    assert good.status_code == 303
    page = client.get(f"/openlicense/declarations/{declaration_id}").text
    assert 'data-state="filed"' in page and "250,000.00" in page and "签约后30日内付清" in page
