"""Demo data: data products in each stage, filed and reviewed by the demo accounts, all marked as demo."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from ipcity.core import clock
from ipcity.core.files import Upload
from ipcity.core.roles import Actor
from ipcity.services.dataip import service
from ipcity.workflow.tables import Case

DEMO_MARK = "【演示】"

BASE = {
    "category": "collection", "industry_code": "I6450", "source_kind": "self_collected",
    "source_description": "自有业务平台采集，用户协议授权，保留采集日志。",
    "lawful_statement": "数据依法依规采集并经脱敏处理，不含个人信息与国家秘密。",
    "processing_rules": "去标识化、异常值剔除、按时间窗口聚合、编码统一映射。",
    "structure": "id 字符串; ts 时间; value 数值", "data_format": "CSV", "scale": "1.2亿条记录",
    "update_frequency": "monthly", "holder_type": "legal_person", "accept_undertaking": "1",
}
PRODUCTS = [
    ("长三角新能源汽车充电行为数据集", "充电桩选址与电网负荷预测", "registered"),
    ("上海港集装箱船舶靠泊时序数据", "港口调度与航运指数编制", "in_publicity"),
    ("工业设备振动故障诊断算法", "装备预测性维护", "expert_review"),
    ("城市社区零售客流聚合数据产品", "商圈选址与消费趋势分析", "submitted"),
]


def _file(session: Session, company: Actor, name: str, scenario: str, n: int):
    data = f"id,ts,value\ndemo-{n},2026-01-01T00:00,{n}\n".encode()
    values = {**BASE, "name": DEMO_MARK + name, "scenario": scenario,
              "summary": f"{DEMO_MARK}{name}：用于演示数据知识产权登记流程的示例数据产品。",
              "category": "algorithm" if "算法" in name else "collection"}
    return service.file_application(session, company, values, [Upload(f"demo-{n}.csv", io.BytesIO(data))], "",
                                    Upload("sample.csv", io.BytesIO(data)))


@contextmanager
def _on(day: date) -> Iterator[None]:
    """The platform's today set to `day` while the demo takes a step that happened on that day."""
    before = clock.pinned_today
    clock.pin(day)
    try:
        yield
    finally:
        clock.pin(before)


def _dated(case: Case, day: date, hour: int, loaded_on: date) -> datetime | None:
    """The case's latest step dated `day` (Beijing time) when that day is before the demo's `loaded_on`: the
    demo's history reads as it would have happened. A step of that day keeps its real time."""
    if day >= loaded_on:
        return None
    at = datetime.combine(day, time(hour), clock.CHINA_TZ).astimezone(UTC)
    case.events[-1].at = case.updated_at = at
    if case.closed_at is not None:
        case.closed_at = at
    return at


# Each product's steps, in days before the day the demo is loaded: a filing, the formal check two days later,
# then publicity (which runs for the period the registration rules set) or an expert opinion. The registered one
# is registered on the first day after its publicity ended, as the daily sweep would.
TIMELINES = {
    "registered": (35, ((33, "pass_formal"), (30, "approve_publicity"), (None, "register"))),
    "in_publicity": (6, ((4, "pass_formal"), (3, "approve_publicity"))),
    "expert_review": (4, ((2, "pass_formal"), (1, "request_expert"))),
    "submitted": (0, ()),
}
STEP_VALUES = {"request_expert": ({"experts": "数据知识产权专家委员会"}, "请评估实质性加工与创新性"),
               "register": ({}, "公示期满无异议（演示）")}


def _through(session: Session, actors: dict[str, Actor], n: int, name: str, scenario: str, target: str):
    """File the product and take its steps, each on its own day, so that its history holds together: filed
    before its formal check, publicity after both, registration after publicity."""
    company, handler, reviewer = actors["company.demo"], actors["sipa.handler"], actors["sipa.reviewer"]
    start = clock.today()
    filed_ago, steps = TIMELINES[target]
    day = start - timedelta(days=filed_ago)
    with _on(day):
        product = _file(session, company, name, scenario, n)
        case = session.get(Case, product.case_id)
        at = _dated(case, day, 9, start)
        if at is not None:
            product.filed_at = case.created_at = at
    for hour, (ago, key) in enumerate(steps, start=10):
        day = start - timedelta(days=ago) if ago is not None else \
            min(service.publicity_ends(session, case) + timedelta(days=1), start)
        values, reason = STEP_VALUES.get(key, ({}, ""))
        with _on(day):
            service.PRODUCTS.act(session, handler if key in ("pass_formal", "request_expert") else reviewer,
                                 product, key, dict(values), reason)
            _dated(case, day, hour, start)
    return product


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    for n, (name, scenario, target) in enumerate(PRODUCTS, 1):
        _through(session, actors, n, name, scenario, target)
    return len(PRODUCTS)
