"""The pledge pages and API as people use them: who is refused (anonymous, another company, another bank),
per-field form errors, the joint filing through the forms, the bank's confirmation, the examiner's decision,
the notice download, the public gazette with its filters, CSV and JSON."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import select, update

from ipcity.core.accounts import create_unit, create_user
from ipcity.core.roles import APPLICANT_COMPANY, BANK, Actor
from ipcity.core.tables import Unit, User
from ipcity.services.pledge.tables import Pledge
from tests.support.clock import pin_today
from tests.support.people import PASSWORD, csrf_of, login
from tests.support.register import add_patent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


@pytest.fixture
def world(services, people):
    """Two register patents of 测试公司, its verified account, and outsiders: another company and another bank."""
    system = Actor.system("tests")
    with services.db.session() as s:
        s.execute(update(User).where(User.id == people["company"].user_id).values(identity_verified=True))
        records = [add_patent(s, 2001, ipc=("H01M4/04",)), add_patent(s, 2002, title="一种电池管理系统",
                                                                     ipc=("G01R31/36",))]
        unit = create_unit(s, system, code="other-bank", name_zh="另一银行", kind="bank")
        create_user(s, system, username="otherbank", password=PASSWORD, display_name="otherbank", role=BANK,
                    unit_id=unit.id)
        maker = s.scalar(select(Unit.id).where(Unit.name_zh == "测试制造公司"))
        create_user(s, system, username="othercompany", password=PASSWORD, display_name="othercompany",
                    role=APPLICANT_COMPANY, unit_id=maker)
        s.commit()
    return {"numbers": ["ZL" + r.app_number[2:] for r in records], "bank_unit": people["bank"].unit_id}


def as_(client, name: str):
    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def field_errors(page: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, text in re.findall(r'class="field-error" data-field="(\w+)">(.*?)</div>', page, re.S):
        out.setdefault(field, []).append(html.unescape(text))
    return out


def post_filing(client, world, files=True, **changes):
    form = {"csrf_token": csrf_of(client), "pledgee_unit": str(world["bank_unit"]),
            "pledgor_address": "上海市浦东新区张江路1号", "pledgee_address": "上海市黄浦区中山东一路1号",
            "claim_type": "loan", "amount": "5,000,000", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
            "guarantee_scope": "主债权本金、利息及实现质权的费用", "patents": "\n".join(world["numbers"])} | changes
    uploads = [("contract", ("质押合同.pdf", PDF, "application/pdf")),
               ("commitment", ("承诺书.pdf", PDF, "application/pdf"))] if files else None
    return client.post("/pledge/new", data=form, files=uploads, follow_redirects=False)


def act(client, pledge_id: int, transition: str, reason: str = "", **values):
    data = {"csrf_token": csrf_of(client), "transition": transition, "reason": reason} | values
    return client.post(f"/pledge/{pledge_id}/act", data=data, follow_redirects=False)


def state_of(client, pledge_id: int) -> str:
    return re.search(r'id="pledge-state" data-state="(\w+)"', client.get(f"/pledge/{pledge_id}").text).group(1)


def test_the_form_names_every_bad_field(client, people, world):
    as_(client, "company")
    page = post_filing(client, world, files=False, amount="五百万", debt_end="2025-01-01", pledgee_unit="",
                       patents="ZL202010000001.X\nnot-a-number", guarantee_scope="")
    assert page.status_code == 400
    errors = field_errors(page.text)
    assert {"amount", "debt_end", "pledgee_unit", "patents", "guarantee_scope", "contract", "identity"} <= set(errors)
    assert len(errors["patents"]) == 2  # one message per number that is not in the register
    assert 'value="上海市浦东新区张江路1号"' in page.text  # what was typed is kept


def test_joint_filing_confirmation_decision_notice_and_gazette(client, services, people, world):
    as_(client, "company")
    filed = post_filing(client, world)
    assert filed.status_code == 303, field_errors(filed.text)
    pledge_id = int(filed.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/pledge/{pledge_id}").text
    assert "一种电池管理系统" in page and "2022-06-07" in page  # title and grant date from the register
    assert state_of(client, pledge_id) == "awaiting_pledgee"
    assert act(client, pledge_id, "confirm").status_code == 403  # the company cannot confirm for the bank

    for outsider in ("othercompany", "otherbank", "pudong"):
        as_(client, outsider)
        assert client.get(f"/pledge/{pledge_id}").status_code == 403
        assert client.get(f"/api/pledge/applications/{pledge_id}").status_code == 403
        assert client.get("/api/pledge/applications").json()["total"] == 0
        assert f'data-pledge="{pledge_id}"' not in client.get("/pledge").text

    as_(client, "bank")
    assert f'data-pledge="{pledge_id}"' in client.get("/pledge").text  # awaiting its confirmation
    assert act(client, pledge_id, "confirm").status_code == 303
    assert state_of(client, pledge_id) == "submitted"

    as_(client, "reviewer")
    detail = client.get(f"/api/pledge/applications/{pledge_id}").json()
    assert detail["check"]["stands_in_the_way"] is False and len(detail["patent_details"]) == 2
    assert act(client, pledge_id, "register").status_code == 303
    assert state_of(client, pledge_id) == "registered"
    with services.db.session() as s:
        number = s.get(Pledge, pledge_id).registration_number
    for party in ("company", "bank"):
        as_(client, party)
        pdf = client.get(f"/pledge/{pledge_id}/notice.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    as_(client, "othercompany")
    assert client.get(f"/pledge/{pledge_id}/notice.pdf").status_code == 403

    client.cookies.clear()  # the gazette is public
    gazette = client.get("/pledge/gazette")
    assert gazette.status_code == 200 and gazette.text.count(number) == 2
    assert number in client.get("/pledge/gazette?ipc=H01M").text
    assert number not in client.get("/pledge/gazette?ipc=A61").text
    assert number not in client.get("/pledge/gazette?pledgee=另一银行").text
    backwards = client.get("/pledge/gazette?date_from=2026-12-01&date_to=2026-11-01").text
    assert 'class="error-box"' in backwards and number not in backwards
    rows = list(csv.reader(io.StringIO(client.get("/pledge/gazette?format=csv").text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["kind", "published_on", "registration_number"] and len(rows) == 3
    api = client.get("/api/pledge/gazette?q=" + world["numbers"][0]).json()
    assert api["total"] == 1 and api["items"][0]["pledgee"] == "测试银行"
    assert api["items"][0]["ipc_main"] == "H01M4/04" and api["items"][0]["grant_date"] == "2022-06-07"


def test_anonymous_is_sent_to_sign_in_and_a_refusal_needs_grounds(client, people, world):
    anonymous = client.get("/pledge/new", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=/pledge/new")
    assert client.get("/api/pledge/applications").status_code == 401
    as_(client, "company")
    pledge_id = int(post_filing(client, world).headers["location"].rsplit("/", 1)[1])
    as_(client, "bank")
    act(client, pledge_id, "confirm")
    as_(client, "lead_handler")  # a handler may ask for a correction but not decide
    assert act(client, pledge_id, "register").status_code == 403
    as_(client, "reviewer")
    refused = act(client, pledge_id, "refuse")
    assert refused.status_code == 400 and {"grounds", "reason"} <= set(field_errors(refused.text))
    assert act(client, pledge_id, "refuse", "签章不清", grounds="other").status_code == 303
    assert state_of(client, pledge_id) == "refused"
    as_(client, "company")
    assert client.get(f"/pledge/{pledge_id}/notice.pdf").status_code == 200
    rows = list(csv.reader(io.StringIO(client.get("/pledge?format=csv").text.lstrip("\ufeff"))))
    assert rows[1][1] == "refused" and len(rows) == 2
