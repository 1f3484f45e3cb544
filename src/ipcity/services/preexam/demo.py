"""Demo data: 演示科技有限公司（演示） registered with 上海市知识产权保护中心 and admitted; one of its cases passed
pre-examination (with its notices), one under examination whose proposed IPC class lies outside the centre's
fields (flagged). 演示制造有限公司（演示） is not registered: the README's walk-through registers it."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from ipcity.core.files import Upload
from ipcity.core.roles import Actor
from ipcity.services.preexam import service

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CLAIMS = ("1. 一种固态电解质膜，其特征在于，包括聚合物基体和分散于所述聚合物基体中的无机快离子导体颗粒。\n"
          "2. 根据权利要求1所述的固态电解质膜，其特征在于，所述无机快离子导体颗粒的粒径为50～500纳米。\n"
          "3. 根据权利要求1或2所述的固态电解质膜，其特征在于，所述聚合物基体为聚环氧乙烷。")
DESCRIPTION = ("技术领域\n本发明涉及锂电池材料，具体涉及一种固态电解质膜。\n背景技术\n液态电解质存在泄漏和燃烧风险。\n"
               "发明内容\n本发明提供一种离子电导率高、机械强度好的固态电解质膜。\n具体实施方式\n实施例1：将聚环氧乙烷与"
               "锂镧锆氧颗粒混合后流延成膜。（演示）")


def _pdf(name: str) -> list[Upload]:
    return [Upload(name, io.BytesIO(PDF))]


def _registration(name: str, code: str, division: str, address: str) -> dict:
    return {"name": name, "credit_code": code, "entity_kind": "company", "division_code": division,
            "address": address,
            "business_scope": "新材料技术研发；电池材料、高分子材料的研发与销售；技术服务。（演示）",
            "contact_name": "知识产权专员（演示）", "contact_phone": "13800000000"}


def _case(title: str, ipc: str, applicant: str) -> dict:
    return {"patent_type": "invention", "title": title,
            "abstract": "本发明公开了一种固态电解质膜，包括聚合物基体和无机快离子导体颗粒，离子电导率高、机械强度好，"
                        "适用于固态锂电池。（演示）",
            "claims": CLAIMS, "description": DESCRIPTION, "ipc": ipc, "applicants": applicant,
            "inventors": "张发明（演示）\n李研发（演示）", "waive_amendment": "1", "no_bibliographic_change": "1"}


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    company = actors["company.demo"]
    handler, examiner = actors["centre.handler"], actors["centre.examiner"]
    reg = service.register_company(
        session, company, _registration(company.unit_name, "91310115MA1FL0001N", "310115",
                                        "上海市浦东新区张江路1号（演示）"),
        {"rd_evidence": _pdf("rd-evidence-demo.pdf"), "ip_management": _pdf("ip-management-demo.pdf")})
    service.REGISTRATIONS.act(session, handler, reg, "admit", reason="材料齐全，符合备案条件（演示）")

    passed = service.submit(session, company, _case("一种固态电解质膜（演示）", "C08J 5/22", company.unit_name),
                            {})
    service.SUBMISSIONS.act(session, handler, passed, "accept")
    service.SUBMISSIONS.act(session, examiner, passed, "pass", reason="符合预审要求（演示）")

    flagged = service.submit(session, company, _case("一种固态电解质膜的制备方法（演示）", "A01B 1/00",
                                                     company.unit_name), {})
    service.SUBMISSIONS.act(session, handler, flagged, "accept")

    return 3
