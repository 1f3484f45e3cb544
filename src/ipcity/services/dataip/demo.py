"""Demo data: data products in each stage, filed and reviewed by the demo accounts, all marked as demo."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy.orm import Session

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


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    company, handler = actors["company.demo"], actors["sipa.handler"]
    reviewer = actors["sipa.reviewer"]
    for n, (name, scenario, target) in enumerate(PRODUCTS, 1):
        product = _file(session, company, name, scenario, n)
        if target == "submitted":
            continue
        service.PRODUCTS.act(session, handler, product, "pass_formal", {}, "")
        if target == "expert_review":
            service.PRODUCTS.act(session, handler, product, "request_expert", {"experts": "数据知识产权专家委员会"},
                        "请评估实质性加工与创新性")
            continue
        service.PRODUCTS.act(session, reviewer, product, "approve_publicity", {}, "")
        if target == "registered":
            # The demo cannot wait 15 days: its publicity is moved back so that one registered example exists.
            case = session.get(Case, product.case_id)
            for d in case.deadlines:
                if d.rule_key == "publicity":
                    d.started_on -= timedelta(days=30)
                    d.due_on -= timedelta(days=30)
            service.PRODUCTS.act(session, reviewer, product, "register", {}, "公示期满无异议（演示）")
    return len(PRODUCTS)
