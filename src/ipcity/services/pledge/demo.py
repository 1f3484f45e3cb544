"""Demo data: pledges of 演示科技有限公司（演示） to 演示银行上海分行（演示） over the demo register patents
(ipcity.patents.demo_register): one registered with its notice, one awaiting the bank's confirmation, one filed
jointly and awaiting the examiner. The contract and commitment files are one-page placeholders marked 演示."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.files import Upload
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.patents.demo_register import ensure_demo_patents
from ipcity.services.pledge import service

BANK = "演示银行上海分行（演示）"
PLACEHOLDER = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
               b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
# (demo register serials, amount, years of debt, target state)
PLEDGES = [((1, 2), "8000000", 3, "registered"), ((4,), "3000000", 2, "awaiting_pledgee"),
           ((3,), "1500000", 1, "submitted")]


def _materials(n: int) -> dict[str, list[Upload]]:
    return {"contract": [Upload(f"专利权质押合同（演示{n}）.pdf", io.BytesIO(PLACEHOLDER + str(n).encode()))],
            "commitment": [Upload(f"承诺书（演示{n}）.pdf", io.BytesIO(PLACEHOLDER + b"c" + str(n).encode()))]}


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    records = {i + 1: r for i, r in enumerate(ensure_demo_patents(session))}
    bank_unit = session.scalar(select(Unit.id).where(Unit.name_zh == BANK))
    company, bank = actors.get("company.demo"), actors.get("bank.demo")
    reviewer = actors.get("sipa.reviewer")
    if bank_unit is None or company is None or bank is None or reviewer is None:
        return 0
    start = today() + timedelta(days=7)
    for n, (serials, amount, years, target) in enumerate(PLEDGES, 1):
        values = {"pledgee_unit": str(bank_unit), "pledgor_address": "上海市浦东新区张江路（演示）",
                  "pledgee_address": "上海市浦东新区陆家嘴环路（演示）", "claim_type": "loan", "amount": amount,
                  "debt_start": start.isoformat(), "debt_end": start.replace(year=start.year + years).isoformat(),
                  "guarantee_scope": "主债权本金、利息、罚息、违约金及实现质权的费用（演示）",
                  "annual_fee_payer": "pledgor", "transfer_allowed": "no", "licensing_allowed": "yes",
                  "patents": "\n".join("ZL" + records[s].app_number[2:] for s in serials)}
        pledge = service.file_application(session, company, values, _materials(n))
        if target == "awaiting_pledgee":
            continue
        service.PLEDGES.act(session, bank, pledge, "confirm", {}, "已核对质押合同（演示）")
        if target == "registered":
            service.PLEDGES.act(session, reviewer, pledge, "register", {}, "材料齐全，登记簿核验无不予登记情形（演示）")
    return len(PLEDGES)
