"""Fast pre-examination for tests: the protection centre with its two officials, a company registered and
admitted, and the values of a case that passes every check."""

from __future__ import annotations

import io
from functools import cache
from unittest.mock import patch

from sqlalchemy import select

from ipcity.core import accounts
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.files import Upload
from ipcity.core.roles import HANDLER, REVIEWER, Actor
from ipcity.core.security import hash_password as _real_hash
from ipcity.core.tables import Unit, User
from ipcity.services.preexam import service

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CENTRE = "测试知识产权保护中心"
COMPANY_CODE = "91310115MA1FL0001N"
OTHER_CODE = "91310104MA1FR0002J"
CLAIMS = ("1. 一种固态电解质膜，其特征在于，包括聚合物基体和无机快离子导体颗粒。\n"
          "2. 根据权利要求1所述的固态电解质膜，其特征在于，所述颗粒的粒径为50～500纳米。\n"
          "3. 根据权利要求1或2所述的固态电解质膜，其特征在于，所述聚合物基体为聚环氧乙烷。")


@cache
def _hash_once(password: str) -> str:
    return _real_hash(password)


def pdf(name: str = "doc.pdf") -> list[Upload]:
    return [Upload(name, io.BytesIO(PDF))]


def centre(session) -> dict[str, Actor]:
    """The protection centre (a unit of kind protection_centre) and its handler and examiner."""
    system = Actor.system("tests")
    unit_id = session.scalar(select(Unit.id).where(Unit.name_zh == CENTRE))
    if unit_id is None:
        unit_id = create_unit(session, system, code="test-ippc", name_zh=CENTRE, kind="protection_centre").id
    out = {}
    with patch.object(accounts, "hash_password", _hash_once):
        for name, role in (("centre_handler", HANDLER), ("centre_examiner", REVIEWER)):
            user = session.scalar(select(User).where(User.username == name)) or create_user(
                session, system, username=name, password="Test-Pass-2026", display_name=name, role=role,
                unit_id=unit_id)
            out[name] = Actor.of(user)
    session.flush()
    return out


def registration_values(name: str = "测试公司", code: str = COMPANY_CODE, **changes) -> dict:
    return {"name": name, "credit_code": code, "entity_kind": "company", "division_code": "310115",
            "address": "上海市浦东新区张江路1号", "business_scope": "新材料技术研发；电池材料的研发与销售",
            "contact_name": "王专员", "contact_phone": "13800000000", **changes}


def evidence() -> dict:
    return {"rd_evidence": pdf("rd.pdf"), "ip_management": pdf("ip.pdf")}


def admitted(session, company: Actor, handler: Actor, **changes):
    reg = service.register_company(session, company, registration_values(company.unit_name, **changes), evidence())
    service.REGISTRATIONS.act(session, handler, reg, "admit")
    return reg


def case_values(**changes) -> dict:
    return {"patent_type": "invention", "title": "一种固态电解质膜",
            "abstract": "本发明公开了一种固态电解质膜，包括聚合物基体和无机快离子导体颗粒，离子电导率高。",
            "claims": CLAIMS, "description": "技术领域\n本发明涉及锂电池材料。\n具体实施方式\n实施例1。",
            "ipc": "C08J 5/22", "applicants": "测试公司", "inventors": "张发明", "waive_amendment": "1",
            "no_bibliographic_change": "1", **changes}


def case_drawings() -> dict:
    """The drawings a utility model needs."""
    return {"drawings": pdf("drawings.pdf")}
