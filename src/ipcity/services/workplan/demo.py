"""Reference data (the plan itself) and demo data (accounts and reports, all marked as demo)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.roles import Actor
from ipcity.services.workplan import domain, service
from ipcity.services.workplan.tables import PlanPoint

DEMO_MARK = "【演示】"


def seed(session: Session, actor: Actor) -> None:
    """Every installation starts with the 25 work points of the shipped plan, and with the units its groups and
    shortened names stand for (the 16 district governments, CNIPA over its departments)."""
    if not session.scalar(select(func.count()).select_from(PlanPoint)):
        service.import_plan(session, actor, domain.load_shipped_plan())
    else:
        service.ensure_units(session, actor)


def quarter(on: date, back: int = 0) -> str:
    """The reporting period `back` quarters before the one `on` falls in, as units write it: "2026年第四季度"."""
    index = on.year * 4 + (on.month - 1) // 3 - back
    return f"{index // 4}年第{'一二三四'[index % 4]}季度"


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    """A few progress reports in every state, filed and reviewed by the demo accounts."""
    def form(period: str, text: str, completion: int, indicators=()):
        return service.ReportForm(period, DEMO_MARK + text, completion, [dict(i) for i in indicators])

    def filed(who: str, point: int, f, submit=True):
        return service.file_report(session, files, actors[who], point, f, [], submit=submit)

    r = filed("sheitc.handler", 2, form("2024年第四季度", "数据知识产权登记试点已上线，完成首批数据产品登记。", 100,
                                          [{"name": "登记数据产品", "value": "120", "unit": "件"}]))
    service.review(session, actors["sipa.reviewer"], r.id, "accept", "")
    r = filed("pudong.handler", 3, form("2025年第二季度", "浦东新区国家知识产权强市建设试点示范城区建设推进中。", 70))
    service.review(session, actors["sipa.reviewer"], r.id, "accept", "")
    r = filed("sipa.handler", 12, form("2025年第四季度", "专利质押登记线上全流程无纸化试点已覆盖全市。", 80,
                                       [{"name": "质押融资金额", "value": "320", "unit": "亿元"}]))
    service.review(session, actors["sipa.reviewer"], r.id, "accept", "")
    # The reports still open were filed this quarter and last: periods that have begun, whatever today is.
    now, last = quarter(today()), quarter(today(), 1)
    r = filed("sheitc.handler", 9, form(last, "重点产业专利导航项目完成立项。", 40))
    service.review(session, actors["sipa.reviewer"], r.id, "return", "请补充专利导航成果在决策中的运用情况及相关附件。")
    filed("pudong.handler", 16, form(last, "区级知识产权综合窗口已接入一网通办平台。", 60))
    filed("sheitc.handler", 11, form(now, "专利开放许可试点新增许可备案。", 50), submit=False)
    return 6
