"""The register check a pledgor sees before confirming a filing: each patent entered with its legal status, annual
fee, owners, pledges and licences, and the refusal grounds the examiner will find — the examination's own check
(and so the valuation's). Through the service (precheck) and the filing form (a full page, or the htmx fragment)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from ipcity.core.tables import AuditEntry, User
from ipcity.patents import position, register
from ipcity.services.pledge import precheck
from ipcity.services.pledge.tables import Pledge
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login
from tests.support.register import add_patent


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


def zl(record) -> str:
    return "ZL" + record.app_number[2:]


@pytest.fixture
def patents(services, people):
    """测试公司's patents: a clean one, one whose year-7 fee is unpaid, one co-owned and pledged with an exclusive
    licence, and one of another company."""
    admin = people["admin"]
    with services.db.session() as s:
        s.execute(update(User).where(User.id == people["company"].user_id).values(identity_verified=True))
        clean = add_patent(s, 3001, app_date=date(2021, 3, 2))
        unpaid = add_patent(s, 3002, app_date=date(2020, 6, 1))  # patent year 7 began 2026-06-01
        register.record_entry(s, admin, unpaid.app_number, position.ANNUAL_FEE, start=date(2025, 5, 20), end=None,
                              reference="FEE-6", detail={"year": 6})
        shared = add_patent(s, 3003, owners=("测试公司", "上海某大学"), app_date=date(2021, 3, 2))
        register.record_entry(s, admin, shared.app_number, position.PLEDGE, start=date(2025, 1, 1),
                              end=date(2027, 12, 31), reference="ZX2025000001", detail={"pledgee": "某银行"})
        register.record_entry(s, admin, shared.app_number, position.LICENCE, start=date(2024, 1, 1),
                              end=date(2028, 1, 1), reference="L-1",
                              detail={"licence_type": position.EXCLUSIVE, "licensee": "某电机公司"})
        foreign = add_patent(s, 3004, owners=("别的公司",), app_date=date(2021, 3, 2))
        s.commit()
    return {"clean": clean, "unpaid": unpaid, "shared": shared, "foreign": foreign}


def test_the_check_names_every_ground_per_patent_as_the_examiner_would(session, people, patents):
    values = {"patents": "\n".join([zl(patents["clean"]), zl(patents["unpaid"]), zl(patents["shared"]),
                                    zl(patents["foreign"]), "ZL202099999999.9", zl(patents["clean"])]),
              "debt_end": "2029-11-30"}
    result = precheck.check_filing(session, "测试公司", values)
    by = {p.entered: p for p in result.patents}
    assert len(result.patents) == 5  # the repeated number is checked once
    assert by[zl(patents["clean"])].findings == () and by[zl(patents["clean"])].position.in_force
    unpaid = by[zl(patents["unpaid"])]
    assert unpaid.position.fees.unpaid and [f.ground for f in unpaid.findings] == ["fees_unpaid"]
    assert [f.number for f in unpaid.standing] == [4]
    shared = by[zl(patents["shared"])]
    assert [f.ground for f in shared.findings] == ["no_co_owner_consent", "already_pledged"]
    assert shared.position.co_owned and shared.position.exclusive_licences
    assert [f.ground for f in by[zl(patents["foreign"])].findings] == ["not_patentee"]
    assert by["ZL202099999999.9"].error is not None
    assert result.standing == 5  # 1 + 2 + 1 + the number not found
    assert session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_the_debt_end_and_an_empty_list_are_checked_too(session, people, patents):
    late = precheck.check_filing(session, "测试公司", {"patents": zl(patents["clean"]), "debt_end": "2042-01-01"})
    assert [f.ground for f in late.patents[0].findings] == ["debt_beyond_term"]  # Patent Law Art 42
    empty = precheck.check_filing(session, "测试公司", {"patents": "  "})
    assert empty.patents == () and empty.problems


def test_the_form_shows_the_check_before_the_pledgor_confirms(client, services, people, patents):
    assert login(client, "company").status_code == 303
    form = client.get("/pledge/new").text
    assert 'id="register-check"' in form and 'id="check-register"' in form
    assert form.index('id="register-check"') < form.index('id="submit"')  # before confirming
    assert 'id="filing-check-summary"' not in form  # nothing entered, nothing checked yet
    given = client.get("/pledge/new", params={"patents": zl(patents["unpaid"])}).text
    assert 'data-ground="fees_unpaid"' in given  # numbers given in the address are checked at once

    audit_before = _audit_count(services)
    data = {"csrf_token": csrf_of(client), "patents": f"{zl(patents['unpaid'])}\n{zl(patents['shared'])}",
            "pledgor_address": "上海市浦东新区张江路1号", "debt_end": "2029-11-30"}
    page = client.post("/pledge/new/check", data=data)
    assert page.status_code == 200 and "<html" in page.text
    assert 'id="pledge-form"' in page.text and "上海市浦东新区张江路1号" in page.text  # what was typed is kept
    assert 'data-ground="fees_unpaid"' in page.text and 'data-ground="already_pledged"' in page.text
    assert 'data-ground="no_co_owner_consent"' in page.text and "上海某大学" in page.text and "某电机公司" in page.text
    assert 'id="filing-check-summary" data-standing="3"' in page.text

    fragment = client.post("/pledge/new/check", data=data | {"patents": zl(patents["clean"])},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section class="card" id="register-check"')
    assert 'data-standing="0"' in fragment.text
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Pledge)) == 0
    assert _audit_count(services) == audit_before  # the check writes nothing


def test_the_check_needs_the_csrf_token_and_a_company(client, people, patents):
    assert login(client, "company").status_code == 303
    assert client.post("/pledge/new/check", data={"patents": zl(patents["clean"])}).status_code == 403
    client.cookies.clear()
    assert login(client, "bank").status_code == 303
    refused = client.post("/pledge/new/check", data={"csrf_token": csrf_of(client), "patents": zl(patents["clean"])})
    assert refused.status_code == 403


def _audit_count(services) -> int:
    with services.db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))
