"""Demo data: on the demo register patents of 演示科技有限公司（演示） (ipcity.patents.demo_register), a published
declaration with a licence taken and recorded by 演示制造有限公司（演示） and a royalty payment; one declaration
awaiting the formal check; one refused because a court preservation order reached the register after filing."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.files import Upload
from ipcity.core.roles import Actor
from ipcity.patents import position as pos
from ipcity.patents import register
from ipcity.patents.demo_register import ensure_demo_patents
from ipcity.services.openlicense import service

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _pdf(name: str) -> Upload:
    return Upload(name, io.BytesIO(PDF))


def _terms(**changes) -> dict:
    start = today()
    return {"mode": "entry_plus_running", "entry_fee": "50000", "rate": "3", "rate_basis": "net_sales",
            "term_start": start.isoformat(), "term_end": (start + timedelta(days=3 * 365)).isoformat(),
            "other_terms": "许可费按年结算；被许可人每年3月31日前提交上一年度净销售额报表。（演示）",
            "contact": "许可联络人 021-00000000（演示）", "small_entity": "single", **changes}


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    records = ensure_demo_patents(session)
    owner = [r for r in records if "演示科技" in r.applicants[0] and len(r.applicants) == 1]
    company, maker, handler = actors["company.demo"], actors["maker.demo"], actors["sipa.handler"]
    by_title = {r.title: r for r in owner}
    battery = next(r for t, r in by_title.items() if "电解质膜" in t)
    drone = next(r for t, r in by_title.items() if "无人机" in t)
    charger = next(r for t, r in by_title.items() if "充电桩" in t)  # a utility model: report needed (Art 50)

    published = service.file_declaration(session, company, _terms(patent_number=battery.app_number))
    service.DECLARATIONS.act(session, handler, published, "publish")
    lic = service.take_licence(session, maker, published, {
        "mode": "entry_plus_running", "start_on": today().isoformat(),
        "products": "储能电池模组用固态电解质膜（演示）", "contact": "演示制造 采购部 021-11111111（演示）"})
    service.record_licence(session, maker, lic, _pdf("licence-contract-demo.pdf"))
    service.record_payment(session, maker, lic, {"amount": "50000", "paid_on": today().isoformat(),
                                                 "period": "入门费（演示）"}, _pdf("payment-demo.pdf"))

    service.file_declaration(session, company, _terms(patent_number=drone.app_number, mode="lump_sum",
                                                      lump_sum="300000", entry_fee="", rate=""))

    refused = service.file_declaration(session, company, _terms(patent_number=charger.app_number, mode="running",
                                                                entry_fee="", rate="5"),
                                       report=_pdf("evaluation-report-demo.pdf"))
    # The register changes after filing: a court preservation order (Implementing Regulations 2023 Art 86(2)).
    register.record_entry(session, Actor.system("demo"), charger.app_number, pos.PRESERVATION, start=today(),
                          reference="（2026）沪0115财保001号（演示）", detail={"court": "浦东新区人民法院（演示）"},
                          source="demo")
    service.DECLARATIONS.act(session, handler, refused, "refuse", {"grounds": ["suspended"]},
                "登记簿显示该专利已被法院采取保全措施（演示）")
    return 3
