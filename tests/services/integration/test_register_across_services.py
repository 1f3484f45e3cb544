"""Open licensing and pledge registration on one patent register (SQLite and PostgreSQL): a pledge registered
through the pledge service blocks an open-licence declaration without the pledgee's consent (Implementing
Regulations 2023 Art 86(4)); with the consent, or after the pledge is cancelled, the declaration goes through;
an exclusive licence recorded in the register blocks it too (Art 86(1)); a withdrawal keeps licences taken."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import update

from ipcity.core.errors import DomainError
from ipcity.core.files import Upload
from ipcity.core.roles import Actor
from ipcity.core.tables import User
from ipcity.patents import register
from ipcity.patents.position import EXCLUSIVE, LICENCE, OPEN_LICENCE, PLEDGE
from ipcity.services.openlicense import service as openlicense
from ipcity.services.pledge import service as pledge
from tests.support.clock import pin_today
from tests.support.register import add_patent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PLEDGE_FORM = {"pledgor_address": "上海市浦东新区张江路1号", "pledgee_address": "上海市黄浦区中山东一路1号",
               "claim_type": "loan", "amount": "3000000", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
               "guarantee_scope": "主债权本金及利息", "annual_fee_payer": "pledgor"}
TERMS = {"mode": "lump_sum", "lump_sum": "200000", "term_start": "2026-12-01", "term_end": "2030-11-30",
         "other_terms": "", "contact": "021-5555", "small_entity": "none"}


def pdf(name: str) -> Upload:
    return Upload(name, io.BytesIO(PDF))


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    pin_today(monkeypatch, "2026-11-24")


@pytest.fixture
def patent(session, people):
    session.execute(update(User).where(User.id == people["company"].user_id).values(identity_verified=True))
    rec = add_patent(session, 8801)
    session.commit()
    return rec


def register_pledge(session, people, rec):
    values = PLEDGE_FORM | {"pledgee_unit": str(people["bank"].unit_id), "patents": rec.app_number}
    p = pledge.file_application(session, people["company"], values,
                                {"contract": [pdf("质押合同.pdf")], "commitment": [pdf("承诺书.pdf")]})
    pledge.PLEDGES.act(session, people["bank"], p, "confirm", {}, "")
    pledge.PLEDGES.act(session, people["reviewer"], p, "register", {}, "")
    session.commit()
    return p


def grounds(exc) -> set[str]:
    return {field for field, _ in exc.value.problems}


def test_a_registered_pledge_blocks_an_open_licence_until_the_pledgee_consents(session, people, patent):
    p = register_pledge(session, people, patent)
    assert [e.detail["pledgee"] for e in register.position(session, patent.app_number).pledges] == ["测试银行"]
    with pytest.raises(DomainError) as refused:
        openlicense.file_declaration(session, people["company"], {**TERMS, "patent_number": patent.app_number})
    session.rollback()
    messages = " ".join(str(m) for _, m in refused.value.problems)
    assert "测试银行" in messages or "pledge" in messages.lower() or "质押" in messages
    assert register.entries(session, patent.app_number, (OPEN_LICENCE,)) == []

    # the pledge is cancelled (debt repaid): the block is gone and the declaration is published
    case = pledge.request_amendment(session, people["bank"], p, "cancellation", {"cancellation_reason": "repaid"},
                                    "债务已清偿", pdf("清偿证明.pdf"))
    pledge.act_on_amendment(session, people["reviewer"], case, "approve", "")
    session.commit()
    assert register.position(session, patent.app_number).pledges == ()
    d = openlicense.file_declaration(session, people["company"], {**TERMS, "patent_number": patent.app_number})
    openlicense.DECLARATIONS.act(session, people["lead_handler"], d, "publish")
    session.commit()
    assert register.position(session, patent.app_number).open_licence is not None


def test_an_exclusive_licence_in_the_register_blocks_the_declaration(session, people, patent):
    register.record_entry(session, Actor.system("t"), patent.app_number, LICENCE, start=None,
                          detail={"licence_type": EXCLUSIVE, "licensee": "乙公司"})
    session.commit()
    with pytest.raises(DomainError):
        openlicense.file_declaration(session, people["company"], {**TERMS, "patent_number": patent.app_number})
    session.rollback()
    assert register.entries(session, patent.app_number, (OPEN_LICENCE,)) == []
    assert register.entries(session, patent.app_number, (PLEDGE,)) == []
