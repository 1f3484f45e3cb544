"""A co-owned patent's open licence is declared jointly by all its co-owners (Patent Law Art 14): refused by the
service — not only the form — without every co-owner's signed joint declaration, nothing written; filed and
published with them; flagged on the form, with the co-owners the register names."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from ipcity.core.errors import DomainError
from ipcity.core.files import Upload
from ipcity.patents import register
from ipcity.patents.position import OPEN_LICENCE
from ipcity.services.openlicense import service
from ipcity.services.openlicense.tables import Declaration
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login
from tests.support.register import add_patent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TERMS = {"mode": "lump_sum", "lump_sum": "300000", "rate_basis": "net_sales", "term_start": "2026-12-01",
         "term_end": "2030-11-30", "other_terms": "一次性付清", "contact": "021-5555", "small_entity": "none"}
OWNERS = ("测试公司", "上海某大学", "某研究院")


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


def pdf(name: str) -> Upload:
    return Upload(name, io.BytesIO(PDF))


def _declarations(session) -> int:
    return session.scalar(select(func.count()).select_from(Declaration))


def test_the_service_refuses_a_co_owned_patent_without_every_joint_declaration(session, people):
    rec = add_patent(session, 31, owners=OWNERS)
    values = {**TERMS, "patent_number": rec.app_number}
    with pytest.raises(DomainError) as err:
        service.file_declaration(session, people["company"], values)
    [(field, message)] = err.value.problems
    assert field == "co_owners" and "上海某大学、某研究院" in message.render("en") and "Art 14" in message.render("en")
    with pytest.raises(DomainError) as err:
        service.file_declaration(session, people["company"], values,
                                 co_declarations=[("上海某大学", pdf("共同声明-大学.pdf")), ("某研究院", None)])
    texts = [m.render("en") for f, m in err.value.problems if f == "co_owners"]
    assert texts[0] == "Upload the joint declaration signed by 某研究院"
    assert "missing the signed joint declaration of: 某研究院 (Patent Law Art 14)" in texts[1]
    assert _declarations(session) == 0  # nothing written

    d = service.file_declaration(session, people["company"], values, co_declarations=[
        ("上海某大学", pdf("共同声明-大学.pdf")), ("某研究院", pdf("共同声明-研究院.pdf"))])
    assert service.co_declarants_of(d) == {"上海某大学", "某研究院"}
    assert service.declarant_of(session, d).consents == frozenset()  # joint declarations are no pledgee consents
    service.DECLARATIONS.act(session, people["lead_handler"], d, "publish")  # the guard re-checks: it passes
    [entry] = register.entries(session, d.app_number, (OPEN_LICENCE,))
    assert entry.detail["co_declarants"] == ["上海某大学", "某研究院"]


def test_publication_is_refused_when_the_register_gains_a_co_owner(session, people):
    """The rule lives in the service's check, so the office's publish step (any door) applies it too."""
    rec = add_patent(session, 32)
    d = service.file_declaration(session, people["company"], {**TERMS, "patent_number": rec.app_number})
    add_patent(session, 32, owners=("测试公司", "上海某大学"))  # the register now names a co-owner
    with pytest.raises(DomainError) as err:
        service.DECLARATIONS.act(session, people["lead_handler"], d, "publish")
    assert any(f == "co_owners" for f, _ in err.value.problems)


def test_the_form_flags_a_co_owned_patent_and_names_its_co_owners(client, services, people):
    with services.db.session() as s:
        rec = add_patent(s, 33, owners=OWNERS)
        s.commit()
    assert login(client, "company").status_code == 303
    page = client.get("/openlicense/declarations/new", params={"patent": rec.app_number}).text
    assert 'id="co-owned-flag"' in page and "上海某大学、某研究院" in page and "第十四条" in page
    assert 'id="f-co_owner_1" value="上海某大学"' in page and 'id="f-co_owner_2" value="某研究院"' in page

    data = {"csrf_token": csrf_of(client), "patent_number": rec.app_number, **TERMS, "co_owner_1": "上海某大学"}
    refused = client.post("/openlicense/declarations/new", data=data, follow_redirects=False)
    assert refused.status_code == 400
    assert 'data-field="co_owners"' in refused.text and 'value="上海某大学"' in refused.text  # typed names kept

    files = {"co_declaration_1": ("大学.pdf", PDF, "application/pdf"),
             "co_declaration_2": ("研究院.pdf", PDF, "application/pdf")}
    filed = client.post("/openlicense/declarations/new", data=data | {"co_owner_2": "某研究院"}, files=files,
                        follow_redirects=False)
    assert filed.status_code == 303
    record = client.get(filed.headers["location"]).text
    assert 'id="co-declarants"' in record and "某研究院" in record


def test_a_patent_with_one_owner_is_not_flagged(client, services, people):
    with services.db.session() as s:
        rec = add_patent(s, 34)
        s.commit()
    assert login(client, "company").status_code == 303
    page = client.get("/openlicense/declarations/new", params={"patent": rec.app_number}).text
    assert 'id="register-check"' in page and 'id="co-owned-flag"' not in page
