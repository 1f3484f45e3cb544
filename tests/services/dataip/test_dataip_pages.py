"""The data-IP pages and JSON API as people use them, on SQLite and PostgreSQL: the filing form (its errors in
Chinese, next to their fields), the review through the page forms, an anonymous objection through the public
form, registration, the certificate, the public verification page, what the public registry hides, who is
refused, the CSV exports, and the transparency-log API whose proofs verify with the Merkle checks."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from ipcity.core.accounts import create_unit, create_user
from ipcity.core.clock import local
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, Actor
from ipcity.services.dataip import domain, merkle, service, tlog
from ipcity.services.dataip.tables import DataProduct
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.dataip import DATA, FORM, SAMPLE, code_from_outbox, file, to_publicity, verify_identity
from tests.support.people import PASSWORD, csrf_of, login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DECLARED = "cd" * 32


@pytest.fixture
def company(services, people):
    with services.db.session() as s:
        verify_identity(s, people["company"])
        s.commit()
    return people["company"]


def as_(client, name: str):
    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def field_errors(page: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, text in re.findall(r'class="field-error" data-field="(\w+)">(.*?)</div>', page, re.S):
        out.setdefault(field, []).append(html.unescape(text))
    return out


def zh(msg: Msg) -> str:
    return msg.render("zh_Hans")


def post_filing(client, data: bytes | None = DATA, sample: bytes | None = SAMPLE, **changes):
    files = []
    if data is not None:
        files.append(("data_files", ("charging.csv", data, "text/csv")))
    if sample is not None:
        files.append(("sample", ("sample.csv", sample, "text/csv")))
    form = {"csrf_token": csrf_of(client)} | FORM | changes
    return client.post("/dataip/new", data=form, files=files or None, follow_redirects=False)


def act(client, product_id: int, transition: str, reason: str = "", **values):
    data = {"csrf_token": csrf_of(client), "transition": transition, "reason": reason} | values
    return client.post(f"/dataip/{product_id}/act", data=data, follow_redirects=False)


def state_of(client, product_id: int) -> str:
    return re.search(r'id="product-state" data-state="(\w+)"', client.get(f"/dataip/{product_id}").text).group(1)


def registered(services, people, monkeypatch) -> DataProduct:
    """A product filed, reviewed and registered through the service (for the tests about what comes after)."""
    with services.db.session() as s:
        verify_identity(s, people["company"])
        product = file(s, people["company"], declared=f"{DECLARED}  home.parquet\n")
        to_publicity(s, people, product)
        ends = service.publicity_ends(s, s.get(Case, product.case_id))
        pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
        service.PRODUCTS.act(s, people["reviewer"], product, "register", {}, "公示期满无异议")
        s.commit()
        s.expunge(product)
        return product


# --- filing ------------------------------------------------------------------------------------------------

def test_a_wrong_filing_shows_every_problem_next_to_its_field_in_chinese_and_saves_nothing(client, company):
    as_(client, "company")
    wrong = {"name": "", "category": "x", "industry_code": "Z9999", "summary": "", "processing_rules": "",
             "update_frequency": "", "accept_undertaking": "", "declared_hashes": "not-a-hash  x.csv"}
    response = post_filing(client, data=None, sample=None, **wrong)
    assert response.status_code == 400
    values = {**FORM, **wrong}
    expected = [("declared_hashes", m) for m in domain.parse_declared(wrong["declared_hashes"])[1]]
    expected += domain.validate_filing(values, evidence_count=0, has_sample=False)
    shown = field_errors(response.text)
    assert set(shown) == {f for f, _ in expected} == {"name", "category", "industry_code", "summary",
                                                      "processing_rules", "update_frequency", "data_files", "sample",
                                                      "accept_undertaking", "declared_hashes"}
    for field, message in expected:
        assert zh(message) in shown[field], field
    assert "请填写" in shown["name"][0]  # Chinese by default, not the English message id
    assert FORM["scenario"] in response.text and FORM["lawful_statement"] in response.text  # typed values kept
    assert "not-a-hash  x.csv" in response.text
    assert 'id="choose-again"' in response.text  # files must be chosen again, and the page says so
    assert client.get("/api/dataip/applications").json()["total"] == 0
    assert client.get("/api/dataip/log/sth").status_code == 404  # nothing was appended to the log


def test_filing_through_the_form_fixes_uploaded_and_declared_hashes(client, company):
    as_(client, "company")
    page = client.get("/dataip/new").text
    assert 'name="data_files"' in page and 'id="local-hash-files"' in page
    assert re.search(r'<input type="file" id="local-hash-files" multiple', page)  # no name: never uploaded
    assert '<option value="I6450 互联网数据服务">' in page  # 小类 suggestion
    assert '<option value="I64 ' not in page  # 大类 left out
    response = post_filing(client, declared_hashes=f"{DECLARED}  home.parquet\n")
    assert response.status_code == 303
    url = response.headers["location"]
    assert re.fullmatch(r"/dataip/\d+", url)
    page = client.get(url).text
    assert hashlib.sha256(DATA).hexdigest() in page and DECLARED in page and "home.parquet" in page
    assert 'data-state="submitted"' in page
    assert 'class="sample-link"' in page
    assert 'data-action="withdraw"' in page and 'data-action="pass_formal"' not in page  # the applicant's actions
    listing = client.get("/dataip").text
    assert FORM["name"] in listing and 'id="new-application"' in listing


def test_an_unverified_company_is_told_why_it_cannot_file(client, people):
    as_(client, "company")
    page = client.get("/dataip/new").text
    assert 'id="unverified"' in page and 'id="filing-form"' not in page


# --- the whole road through the pages ---------------------------------------------------------------------

def test_review_objection_registration_certificate_and_verification_through_the_pages(client, services, company,
                                                                                      monkeypatch):
    as_(client, "company")
    product_id = int(post_filing(client).headers["location"].rsplit("/", 1)[1])

    as_(client, "lead_handler")
    page = client.get(f"/dataip/{product_id}").text
    assert 'data-action="pass_formal"' in page and 'data-action="object"' not in page
    assert act(client, product_id, "pass_formal").status_code == 303
    refused = act(client, product_id, "request_expert", experts="专家委员会第3组")  # the reason is required
    assert refused.status_code == 400 and "reason" in field_errors(refused.text)
    asked = act(client, product_id, "request_expert", "请评估实质性加工与创新性", experts="专家委员会第3组")
    assert asked.status_code == 303
    page = client.get(f"/dataip/{product_id}").text
    assert '<select name="expert_conclusion">' in page
    wrong = act(client, product_id, "record_expert_opinion", expert_opinion="具有实质性加工", expert_conclusion="maybe")
    assert wrong.status_code == 400 and "expert_conclusion" in field_errors(wrong.text)
    assert act(client, product_id, "record_expert_opinion", expert_opinion="具有实质性加工",
               expert_conclusion="supports").status_code == 303
    assert 'data-action="approve_publicity"' not in client.get(f"/dataip/{product_id}").text  # a handler may not

    as_(client, "reviewer")
    page = client.get(f"/dataip/{product_id}").text
    assert 'name="grounds" value="privacy"' in page  # the refusal form offers the Art 7 grounds as checkboxes
    assert act(client, product_id, "approve_publicity").status_code == 303
    assert state_of(client, product_id) == "in_publicity"
    number = client.get(f"/api/dataip/applications/{product_id}").json()["application_number"]

    # an anonymous visitor objects through the public form: first incomplete, then complete
    client.cookies.clear()
    record = client.get(f"/dataip/registry/{number}").text
    assert 'id="object-button"' in record
    form = client.get(f"/dataip/registry/{number}/object")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    assert token == client.cookies.get("ipcity_csrf")
    incomplete = client.post(f"/dataip/registry/{number}/object", data={"csrf_token": token, "statement": "短"})
    assert incomplete.status_code == 400
    assert set(field_errors(incomplete.text)) == {"objector_name", "objector_contact", "grounds", "statement",
                                                  "evidence"}
    forged = client.post(f"/dataip/registry/{number}/object", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    pending = client.post(f"/dataip/registry/{number}/object",
                          data={"csrf_token": token, "objector_name": "某数据公司",
                                "objector_contact": "138 1234 5678", "grounds": ["ownership", "privacy"],
                                "statement": "部分原始数据为我司所有，权属存在争议。"},
                          files=[("evidence", ("合同.pdf", PDF, "application/pdf"))])
    assert pending.status_code == 200 and 'id="objection-pending"' in pending.text  # filed once the code is in
    ticket = re.search(r'name="ticket" value="([^"]+)"', pending.text).group(1)
    received = client.post(f"/dataip/registry/{number}/object/confirm",
                           data={"csrf_token": token, "ticket": ticket, "code": code_from_outbox(services.db, number)})
    assert received.status_code == 200 and 'id="objection-received"' in received.text
    log_index = int(re.search(r'index=(\d+)', received.text).group(1))
    assert client.get(f"/api/dataip/log/entries?start={log_index}&end={log_index}").json()["entries"][0]["kind"] == \
        "objection"

    as_(client, "reviewer")
    page = client.get(f"/dataip/{product_id}").text
    assert "某数据公司" in page and 'class="evidence-link"' in page  # officials see the objector and evidence
    assert act(client, product_id, "dismiss_objection", "异议理由不成立，数据权属清晰").status_code == 303
    assert state_of(client, product_id) == "in_publicity"

    as_(client, "company")
    page = client.get(f"/dataip/{product_id}").text
    assert "部分原始数据为我司所有" in page and "某数据公司" not in page  # the holder sees no objector identity

    ends = date.fromisoformat(client.get(f"/api/dataip/applications/{product_id}").json()["publicity_ends"])
    as_(client, "reviewer")
    early = act(client, product_id, "register")
    assert early.status_code == 403 and ends.isoformat() in html.unescape(early.text)
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    assert act(client, product_id, "register", "公示期满，异议不成立").status_code == 303
    assert state_of(client, product_id) == "registered"
    facts = client.get(f"/api/dataip/applications/{product_id}").json()
    certificate_number = facts["certificate_number"]
    assert len(certificate_number) == 17

    as_(client, "company")
    assert 'id="certificate-download"' in client.get(f"/dataip/{product_id}").text
    pdf = client.get(f"/dataip/{product_id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and certificate_number in pdf.headers["content-disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert certificate_number in text.replace(" ", "")
    assert client.get(f"/dataip/{product_id}/certificate.pdf").content == pdf.content  # the kept edition

    client.cookies.clear()
    verify = client.get(f"/dataip/verify/{certificate_number}")
    assert verify.status_code == 200
    assert 'id="verdict" data-ok="1"' in verify.text and 'class="problem"' not in verify.text
    assert f"{facts['log'][-1]['index']}" in verify.text and 'id="fingerprint"' in verify.text
    digest = hashlib.sha256(DATA).hexdigest()
    assert "verdict-ok\" id=\"paste-result\"" in client.get(f"/dataip/verify/{certificate_number}?sha256={digest}").text
    assert "verdict-bad\" id=\"paste-result\"" in client.get(
        f"/dataip/verify/{certificate_number}?sha256={'0' * 64}").text
    missing = client.get("/dataip/verify/000000000000000000")
    assert missing.status_code == 404 and "000000000000000000" in missing.text


# --- what the public sees -------------------------------------------------------------------------------

def test_the_public_registry_hides_the_private_parts(client, services, people, monkeypatch):
    product = registered(services, people, monkeypatch)
    private = (FORM["lawful_statement"], FORM["source_description"], FORM["processing_rules"], FORM["structure"])
    pages = [client.get("/dataip/registry").text, client.get(f"/dataip/registry/{product.application_number}").text,
             client.get(f"/dataip/verify/{product.certificate_number}").text,
             client.get("/api/dataip/registry").text,
             client.get(f"/api/dataip/registry/{product.application_number}").text]
    for text in pages:
        assert FORM["name"] in text
        for secret in private:
            assert secret not in text
        assert "sample.csv" not in text and "/files/" not in text
    record = client.get(f"/api/dataip/registry/{product.application_number}").json()
    assert record["certificate_number"] == product.certificate_number
    assert {d["sha256"] for d in record["data"]} == {hashlib.sha256(DATA).hexdigest(), DECLARED}
    assert 'id="object-button"' not in pages[1]  # registered: objections are closed
    # a product still under review is not public at all
    with services.db.session() as s:
        pending = file(s, people["company"], name="未公示的数据集")
        s.commit()
        pending_number = pending.application_number
    assert client.get(f"/dataip/registry/{pending_number}").status_code == 404
    assert client.get(f"/api/dataip/registry/{pending_number}").status_code == 404
    assert "未公示的数据集" not in client.get("/dataip/registry").text


def test_registry_search_filters_and_csv(client, services, people, monkeypatch):
    product = registered(services, people, monkeypatch)
    assert FORM["name"] in client.get("/dataip/registry?q=充电行为").text
    assert FORM["name"] in client.get(f"/dataip/registry?q={product.certificate_number}").text
    assert FORM["name"] not in client.get("/dataip/registry?q=不存在的产品").text
    assert FORM["name"] in client.get("/dataip/registry?industry=I&category=collection&state=registered").text
    assert FORM["name"] not in client.get("/dataip/registry?industry=A").text
    assert FORM["name"] in client.get("/dataip/registry?holder=测试").text
    rows = list(csv.reader(io.StringIO(client.get("/dataip/registry?format=csv").content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["application_number", "name", "category"] and "data_sha256" in rows[0]
    assert rows[1][0] == product.application_number and DECLARED in rows[1][-1]
    assert FORM["lawful_statement"] not in str(rows)


def test_application_list_search_filters_and_csv(client, company, services, people, monkeypatch):
    product = registered(services, people, monkeypatch)
    as_(client, "company")
    assert FORM["name"] in client.get("/dataip?q=充电").text
    assert FORM["name"] not in client.get("/dataip?state=submitted").text
    filed_at = client.get("/api/dataip/applications").json()["items"][0]["filed_at"]
    day = local(datetime.fromisoformat(filed_at)).date().isoformat()  # the filing day in China
    assert FORM["name"] in client.get(f"/dataip?filed_from={day}&filed_to={day}").text
    assert FORM["name"] not in client.get("/dataip?filed_from=2000-01-01&filed_to=2000-01-02").text
    bad = client.get("/dataip?filed_from=yesterday").text
    assert re.search(r'role="alert"><strong>[^<]*yesterday', bad)  # said, not ignored
    rows = list(csv.reader(io.StringIO(client.get("/dataip?format=csv").content.decode("utf-8-sig"))))
    assert rows[0] == ["application_number", "name", "category", "industry_code", "holder_name", "holder_type",
                       "state", "filed_at", "registration_number", "certificate_number", "registered_on",
                       "valid_until"]
    assert rows[1][0] == product.application_number and rows[1][6] == "registered"
    as_(client, "lead_handler")  # the registration body sees every application, and the log link
    page = client.get("/dataip").text
    assert FORM["name"] in page and 'id="log-link"' in page and 'id="new-application"' not in page


# --- who is refused -----------------------------------------------------------------------------------------

def test_access_rules(client, company, services, people):
    with services.db.session() as s:
        product = file(s, people["company"])
        s.commit()
        product_id = product.id
        other_unit = create_unit(s, Actor.system("tests"), code="other-co", name_zh="另一家公司", kind="company")
        create_user(s, Actor.system("tests"), username="other", password=PASSWORD, display_name="other",
                    role=APPLICANT_COMPANY, unit_id=other_unit.id, identity_verified=True)
        s.commit()
    client.cookies.clear()
    anonymous = client.get("/dataip/new", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=/dataip/new")
    as_(client, "other")
    assert client.get(f"/dataip/{product_id}").status_code == 403
    assert client.get(f"/api/dataip/applications/{product_id}").status_code == 403
    assert client.get("/api/dataip/applications").json()["total"] == 0
    assert client.get(f"/dataip/{product_id}/certificate.pdf").status_code == 403
    as_(client, "pudong")  # a handler of another unit may neither see nor act
    assert client.get(f"/dataip/{product_id}").status_code == 403
    assert act(client, product_id, "pass_formal").status_code == 403
    assert client.post(f"/api/dataip/applications/{product_id}/act", json={"transition": "pass_formal"},
                       headers={"x-csrf-token": csrf_of(client)}).status_code == 403
    assert FORM["name"] not in client.get("/dataip").text
    as_(client, "company")
    assert client.post("/dataip/log/check", data={"csrf_token": csrf_of(client)}).status_code == 403
    objection = act(client, product_id, "object", "我反对")  # objections only through the public form
    assert objection.status_code == 400 and 'role="alert"' in objection.text  # said on top: no such form here
    with services.db.session() as s:
        assert s.get(DataProduct, product_id).state == "submitted"


def test_json_api_lists_reads_and_acts(client, company, services, people):
    with services.db.session() as s:
        product_id = file(s, people["company"]).id
        s.commit()
    as_(client, "lead_handler")
    listing = client.get("/api/dataip/applications?q=充电").json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == product_id
    full = client.get(f"/api/dataip/applications/{product_id}").json()
    assert full["facts"]["lawful_statement"] == FORM["lawful_statement"]
    assert [a["transition"] for a in full["actions"]][:2] == ["pass_formal", "request_formal_correction"]
    token = csrf_of(client)
    missing_reason = client.post(f"/api/dataip/applications/{product_id}/act",
                                 json={"transition": "request_formal_correction"}, headers={"x-csrf-token": token})
    assert missing_reason.status_code == 400 and missing_reason.json()["problems"][0]["field"] == "reason"
    done = client.post(f"/api/dataip/applications/{product_id}/act",
                       json={"transition": "pass_formal", "values": {}, "reason": ""}, headers={"x-csrf-token": token})
    assert done.status_code == 200 and done.json()["state"] == "substantive_review"
    assert [h["transition"] for h in done.json()["history"]] == ["create", "pass_formal"]
    no_token = client.post(f"/api/dataip/applications/{product_id}/act", json={"transition": "request_expert"})
    assert no_token.status_code == 403


# --- change and renewal -------------------------------------------------------------------------------------

def test_change_requested_by_the_holder_and_approved_by_the_reviewer(client, services, people, monkeypatch):
    product = registered(services, people, monkeypatch)
    as_(client, "company")
    page = client.get(f"/dataip/{product.id}").text
    assert 'id="amend-change"' in page and 'id="amend-renewal"' in page
    url = f"/dataip/{product.id}/amend"
    early = client.post(url, data={"csrf_token": csrf_of(client), "kind": "renewal", "reason": "续展"})
    assert early.status_code == 400 and "amend-renewal" in early.text
    nothing = client.post(url, data={"csrf_token": csrf_of(client), "kind": "change", "reason": "更名",
                                     "name": FORM["name"]})
    assert nothing.status_code == 400 and "changes" in field_errors(nothing.text)
    changed = client.post(url, data={"csrf_token": csrf_of(client), "kind": "change", "reason": "产品更名",
                                     "name": "长三角充电行为数据集（第二版）", "scale": FORM["scale"]},
                          follow_redirects=False)
    assert changed.status_code == 303
    case_id = client.get(f"/api/dataip/applications/{product.id}").json()["amendments"][0]["case_id"]
    as_(client, "reviewer")
    approved = client.post(f"/dataip/amendments/{case_id}/act",
                           data={"csrf_token": csrf_of(client), "transition": "approve", "reason": ""},
                           follow_redirects=False)
    assert approved.status_code == 303
    facts = client.get(f"/api/dataip/applications/{product.id}").json()
    assert facts["name"] == "长三角充电行为数据集（第二版）" and facts["amendments"][0]["state"] == "approved"
    assert [entry["kind"] for entry in facts["log"]][-1] == "change"
    client.cookies.clear()
    assert 'data-ok="1"' in client.get(f"/dataip/verify/{product.certificate_number}").text


# --- the transparency log ---------------------------------------------------------------------------------

def test_log_api_proofs_verify(client, services, people, monkeypatch):
    product = registered(services, people, monkeypatch)
    sth = client.get("/api/dataip/log/sth").json()
    pem = client.get("/api/dataip/log/public-key")
    assert pem.headers["content-type"].startswith("text/plain") and "BEGIN PUBLIC KEY" in pem.text
    public_raw = bytes.fromhex(sth["public_key"])
    tlog.verify_head(sth, public_raw)  # the head is signed by the published key
    size, root = sth["tree_size"], bytes.fromhex(sth["root_hash"])
    entries = client.get(f"/api/dataip/log/entries?start=0&end={size - 1}").json()["entries"]
    assert [e["index"] for e in entries] == list(range(size))
    for e in entries:
        assert merkle.leaf_hash(e["leaf_input"].encode()).hex() == e["leaf_hash"]
        proof = client.get(f"/api/dataip/log/proof/inclusion?index={e['index']}&tree_size={size}").json()
        assert proof["leaf_hash"] == e["leaf_hash"] and proof["root_hash"] == sth["root_hash"]
        merkle.verify_inclusion(bytes.fromhex(e["leaf_hash"]), e["index"], size,
                                [bytes.fromhex(h) for h in proof["audit_path"]], root)
    for first in range(1, size + 1):
        c = client.get(f"/api/dataip/log/proof/consistency?first={first}&second={size}").json()
        if c["first_root"] is None:  # only signed sizes carry a root to check against
            continue
        merkle.verify_consistency(first, size, bytes.fromhex(c["first_root"]), root,
                                  [bytes.fromhex(h) for h in c["consistency"]])
    assert product.log_index == entries[-1]["index"]
    with pytest.raises(merkle.ProofError):  # and a proof does not prove another leaf
        proof = client.get(f"/api/dataip/log/proof/inclusion?index=0&tree_size={size}").json()
        merkle.verify_inclusion(bytes.fromhex(entries[1]["leaf_hash"]), 0, size,
                                [bytes.fromhex(h) for h in proof["audit_path"]], root)
    page = client.get("/dataip/log").text
    assert f'id="tree-size">{size}<' in page and "BEGIN PUBLIC KEY" in page and 'id="integrity-form"' not in page


def test_bad_log_parameters_give_400_naming_the_parameter(client, services, people, monkeypatch):
    registered(services, people, monkeypatch)
    size = client.get("/api/dataip/log/sth").json()["tree_size"]
    cases = [("/api/dataip/log/entries?start=x", "start"), ("/api/dataip/log/entries", "start"),
             (f"/api/dataip/log/entries?start={size}", "start"), ("/api/dataip/log/entries?start=2&end=1", "end"),
             ("/api/dataip/log/proof/inclusion?index=-1", "index"), (f"/api/dataip/log/proof/inclusion?index={size}",
                                                                     "index"),
             (f"/api/dataip/log/proof/inclusion?index=0&tree_size={size + 1}", "tree_size"),
             ("/api/dataip/log/proof/inclusion?index=0&tree_size=zero", "tree_size"),
             ("/api/dataip/log/proof/consistency?first=0", "first"),
             ("/api/dataip/log/proof/consistency?first=2&second=1", "first"),
             (f"/api/dataip/log/proof/consistency?first=1&second={size + 5}", "second"),
             ("/api/dataip/registry?page=abc", "page")]
    for url, field in cases:
        response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
        assert response.status_code == 400, url
        body = response.json()
        assert body["field"] == field and field in body["error"], (url, body)
    many = client.get("/api/dataip/log/entries?start=0&end=5000").json()
    assert many["end"] == size - 1 and len(many["entries"]) == size  # capped at the tree (and at 1000)


def test_integrity_check_by_an_official_is_audited(client, services, people, monkeypatch):
    registered(services, people, monkeypatch)
    as_(client, "lead_handler")
    page = client.get("/dataip/log").text
    assert 'id="integrity-form"' in page
    result = client.post("/dataip/log/check", data={"csrf_token": csrf_of(client)})
    assert result.status_code == 200 and 'id="check-result" data-ok="1"' in result.text
    as_(client, "admin")
    audit = client.get("/admin/audit?action=dataip.log_check").text
    assert "lead_handler" in audit
