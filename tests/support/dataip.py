"""A filled-in filing and the steps that take it through review, for the data-IP tests."""

from __future__ import annotations

import io
import re

from sqlalchemy import select, update

from ipcity.core.files import Upload
from ipcity.core.notify import MemoryNotifier, Message
from ipcity.core.tables import OutboxMessage, User
from ipcity.services.dataip import service

FORM = {
    "name": "长三角新能源汽车充电行为数据集",
    "category": "collection",
    "industry_code": "I6450 互联网数据服务",
    "scenario": "充电桩选址规划与电网负荷预测",
    "summary": "汇集2023—2025年长三角12万个充电桩的脱敏充电记录，按站点与时段聚合。",
    "source_kind": "self_collected",
    "source_description": "自有充电运营平台采集，用户协议授权。",
    "lawful_statement": "数据依法依规采集，已脱敏，不含个人信息。",
    "processing_rules": "去标识化、异常值剔除、按15分钟窗口聚合、站点编码映射。",
    "structure": "station_id 字符串; window_start 时间; kwh 数值; sessions 整数",
    "data_format": "CSV / Parquet",
    "scale": "12万站点，3.1亿条记录，86 GB",
    "update_frequency": "monthly",
    "holder_type": "legal_person",
    "accept_undertaking": "1",
}
DATA = b"station_id,window_start,kwh,sessions\nSH0001,2025-01-01T00:00,12.5,3\n"
SAMPLE = b"station_id,window_start,kwh,sessions\nSH0001,2025-01-01T00:00,12.5,3\n"


def verify_identity(session, actor) -> None:
    session.execute(update(User).where(User.id == actor.user_id).values(identity_verified=True))
    session.flush()


def upload(name: str, content: bytes) -> Upload:
    return Upload(name, io.BytesIO(content))


def file(session, actor, *, data: bytes = DATA, declared: str = "", **changes):
    return service.file_application(session, actor, {**FORM, **changes},
                                    [upload("charging.csv", data)] if data else [], declared,
                                    upload("sample.csv", SAMPLE))


def to_publicity(session, people, product) -> None:
    service.PRODUCTS.act(session, people["lead_handler"], product, "pass_formal", {}, "")
    service.PRODUCTS.act(session, people["reviewer"], product, "approve_publicity", {}, "")


def code_in(message: Message, number: str) -> str:
    """The 6-digit code in a confirmation message, whatever language it is written in."""
    return re.findall(r"(?<!\d)\d{6}(?!\d)", message.body.replace(number, ""))[0]


def object_confirmed(session, product, *, contact: str = "objector@example.cn", **fields):
    """An anonymous objection, filed with its contact confirmed (the code read from a test notifier)."""
    notifier = session.info["notifier"] = MemoryNotifier()
    receipt = service.file_objection(session, None, product, contact=contact, **fields)
    code = code_in(notifier.sent[-1], product.application_number)
    return service.confirm_objection(session, product, receipt.ticket, code)


def code_from_outbox(db, number: str) -> str:
    """The code of the latest confirmation message the default notifier queued for an objection to `number`."""
    with db.session() as s:
        body = s.scalar(select(OutboxMessage.body).where(OutboxMessage.purpose == "dataip.objection_code")
                        .order_by(OutboxMessage.id.desc()).limit(1))
    return code_in(Message("", "", "", body, ""), number)
