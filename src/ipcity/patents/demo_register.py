"""Demo register: granted Chinese patents of the demo companies, with the register entries that make the open
licensing, pledge and valuation demos show something (a fee unpaid, an exclusive licence, a co-owned patent).

These records are **fictional** (演示数据): the shipped corpus (demo_data/) carries no owners, dates or legal
status, and the services of issue 6 need them. Their application numbers are well-formed (check character per
rules.md §12.1) in a serial range (9990001…) chosen to stand out; titles end in （演示）.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.numbers import check_digit
from ipcity.core.roles import Actor
from ipcity.patents import fees, position, register, store
from ipcity.patents.record import DESIGN, INVENTION, UTILITY, VALID, LegalEvent, PatentRecord
from ipcity.patents.tables import Patent

OWNER = "演示科技有限公司（演示）"
MAKER = "演示制造有限公司（演示）"
SOURCE = "demo-register"
_TYPE_DIGIT = {INVENTION: "1", UTILITY: "2", DESIGN: "3"}
_KIND = {INVENTION: "B", UTILITY: "U", DESIGN: "S"}

# serial, type, filing date, grant date, owners, title, IPC, claims (first is independent), abstract, cited by,
# family size
_PATENTS = (
    (1, INVENTION, date(2019, 4, 16), date(2021, 9, 3), (OWNER,), "一种固态锂电池复合电解质膜及其制备方法",
     ("H01M10/0565", "H01M10/052"),
     ("1. 一种固态锂电池复合电解质膜，其特征在于，包括聚合物基体和分散于其中的无机快离子导体颗粒，所述颗粒的质量分数为"
      "20%~60%。", "2. 根据权利要求1所述的复合电解质膜，其特征在于，所述聚合物基体为聚环氧乙烷。",
      "3. 根据权利要求1所述的复合电解质膜，其特征在于，所述无机快离子导体为石榴石型锂镧锆氧。",
      "4. 一种权利要求1所述复合电解质膜的制备方法，包括混合、流延和热压步骤。"),
     "本发明公开了一种固态锂电池复合电解质膜，室温离子电导率高，与锂金属负极界面稳定，可用于高安全动力电池。", 14, 5),
    (2, INVENTION, date(2020, 7, 8), date(2022, 11, 22), (OWNER,), "基于视觉识别的无人机电力巡检缺陷检测方法",
     ("G06V20/17", "B64U10/13", "G06N3/08"),
     ("1. 一种基于视觉识别的无人机电力巡检缺陷检测方法，其特征在于，包括：采集输电线路图像；利用卷积神经网络识别绝缘子"
      "破损与导线异物；输出缺陷位置。", "2. 根据权利要求1所述的方法，其特征在于，所述卷积神经网络采用轻量化骨干网络。",
      "3. 一种无人机巡检系统，执行权利要求1所述的方法。"),
     "本发明涉及电力巡检，无人机采集输电线路图像后由轻量化神经网络在机载端识别缺陷，降低人工巡检成本。", 6, 2),
    (3, UTILITY, date(2022, 3, 1), date(2022, 8, 19), (OWNER,), "一种新能源汽车充电桩散热结构",
     ("B60L53/30", "H05K7/20"),
     ("1. 一种新能源汽车充电桩散热结构，包括箱体、风道和温控风扇，其特征在于，所述风道呈S形布置。",
      "2. 根据权利要求1所述的散热结构，其特征在于，所述温控风扇由温度传感器控制。"),
     "本实用新型提供一种充电桩散热结构，S形风道延长散热路径，温控风扇按需启停，降低能耗与噪声。", 1, 1),
    (4, INVENTION, date(2018, 5, 21), date(2020, 12, 1), (OWNER,), "一种工业机器人关节减速器的磨损预测方法",
     ("G05B23/02", "B25J9/16"),
     ("1. 一种工业机器人关节减速器的磨损预测方法，其特征在于，采集电机电流与振动信号，提取特征后输入退化模型，预测剩余"
      "寿命。", "2. 根据权利要求1所述的方法，其特征在于，所述退化模型为维纳过程模型。"),
     "本发明通过电流与振动信号预测减速器磨损，实现预测性维护，减少产线停机。", 9, 3),
    (5, INVENTION, date(2021, 2, 3), date(2023, 6, 13), (OWNER, "上海某大学（演示）"), "一种可降解医用镁合金血管支架",
     ("A61L31/02", "C22C23/04"),
     ("1. 一种可降解医用镁合金血管支架，其特征在于，所述镁合金含锌1%~3%、钙0.1%~0.5%，其余为镁。",
      "2. 根据权利要求1所述的血管支架，其特征在于，表面具有聚乳酸涂层。"),
     "本发明提供一种可降解镁合金血管支架，力学性能与降解速率匹配血管修复周期。", 3, 2),
    (6, INVENTION, date(2019, 11, 11), date(2022, 2, 25), (OWNER,), "一种光伏组件清洁机器人路径规划方法",
     ("H02S40/10", "G05D1/02"),
     ("1. 一种光伏组件清洁机器人路径规划方法，其特征在于，根据组件阵列布局生成覆盖路径，并按积灰程度调整清洁顺序。",),
     "本发明根据光伏阵列布局与积灰监测生成清洁路径，提高发电效率。", 4, 1),
    (7, DESIGN, date(2022, 9, 5), date(2023, 1, 10), (OWNER,), "智能门锁（演示款）", (),
     ("1. 智能门锁的外观设计，如图所示。",), "本外观设计产品为智能门锁，设计要点在于正面的形状。", None, 1),
    (8, INVENTION, date(2020, 1, 6), date(2022, 4, 8), (MAKER,), "一种数控机床主轴热误差补偿方法",
     ("B23Q15/18", "G05B19/404"),
     ("1. 一种数控机床主轴热误差补偿方法，其特征在于，布置温度传感器，建立热误差模型，实时补偿刀具位置。",),
     "本发明建立主轴热误差模型并实时补偿，提高加工精度。", 5, 1),
)

# Register entries that give the demo its cases: serial → (kind, start, end, detail).
_ENTRIES = (
    (4, position.LICENCE, date(2023, 3, 1), date(2028, 2, 28), {"licence_type": position.EXCLUSIVE,
                                                               "licensee": "演示某电机有限公司（演示）"}),
    (6, position.ANNUAL_FEE, None, None, {"amount": 1200}),  # the year before the running one: now in grace
)


def _record(serial: int, patent_type: str, filed: date, granted: date, owners: tuple[str, ...], title: str,
            ipc: tuple[str, ...], claims: tuple[str, ...], abstract: str, cited_by: int | None,
            family: int | None) -> PatentRecord:
    body = f"{filed.year}{_TYPE_DIGIT[patent_type]}999{serial:04d}"
    kind = _KIND[patent_type]
    return PatentRecord(
        pub_number=f"CN{'1' if patent_type == INVENTION else '2' if patent_type == UTILITY else '3'}"
                   f"0999{serial:04d}{kind}",
        office="CN", kind=kind, patent_type=patent_type, app_number=f"CN{body}.{check_digit(body)}", app_date=filed,
        pub_date=granted, grant_date=granted, title=title if title.endswith("（演示）") else f"{title}（演示）",
        abstract=abstract, claims="\n".join(claims), lang="zh", ipc_main=ipc[0] if ipc else "", ipc=list(ipc),
        locarno=["08-07"] if patent_type == DESIGN else [], applicants=list(owners), inventors=["演示发明人"],
        address="上海市浦东新区张江路（演示）", region_code="310115", legal_status=VALID,
        legal_status_text="有权（演示）",
        events=[LegalEvent("grant", granted, "GR01", "授权")], cited_by=cited_by, family_size=family,
        source=SOURCE, extra={"demo": True})


def demo_records() -> list[PatentRecord]:
    return [_record(*row) for row in _PATENTS]


def ensure_demo_patents(session: Session) -> list[PatentRecord]:
    """Store the demo register patents and their entries once; returns the records (all, every call)."""
    records = demo_records()
    present = session.scalar(select(Patent.id).where(Patent.source == SOURCE).limit(1))
    if present is None:
        store.upsert(session, records)
        actor = Actor.system("demo")
        by_serial = {row[0]: rec for row, rec in zip(_PATENTS, records, strict=True)}
        for serial, kind, start, end, detail in _ENTRIES:
            rec = by_serial[serial]
            if kind == position.ANNUAL_FEE:
                year = fees.patent_year(rec.app_date, today()) - 1
                start, detail = fees.due_date(rec.app_date, year), {**detail, "year": year}
            register.record_entry(session, actor, rec.app_number, kind, start=start, end=end,
                                  reference=f"DEMO-{serial}", detail=detail, source="demo")
        _index(session, records)
        session.flush()
    return records


def _index(session: Session, records: list[PatentRecord]) -> None:
    settings = session.info.get("settings")
    if settings is None:
        return
    from ipcity.patents.engine import engine_for

    engine = engine_for(settings)
    engine.index(records)
    engine.commit(session)  # marks the rows indexed in the caller's transaction
