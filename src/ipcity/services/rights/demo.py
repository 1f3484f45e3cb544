"""Demo data of the rights-protection network: the routing table (Pudong's patent disputes to the district office,
mediations to the mediation committee, the rest to the rights-assistance centre), a fair running this week, and the
demo company's requests: an adjudication filed with its panel, a trademark consultation awaiting its first
response, a complaint at the fair with the respondent notified, and a mediation referred to the committee."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.files import Upload
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import adjudication, service
from ipcity.services.rights.tables import Fair, RoutingRule

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DISTRICT = "浦东新区知识产权局（演示）"
AID = "上海市知识产权维权援助中心（演示）"
MEDIATION = "上海市知识产权纠纷人民调解委员会（演示）"
FAIR_KEY = "ciie-demo"


def _unit(session: Session, name: str) -> int:
    return session.scalar(select(Unit.id).where(Unit.name_zh == name))


def _values(kind: str, **changes) -> dict:
    values = {"role": "right_holder", "right": "patent", "kind": kind, "where": "district", "division_code": "310115",
              "description": "被请求人在其网店销售的固态电解质膜产品落入本公司发明专利权利要求1的保护范围，"
                             "请求责令停止侵权。（演示）",
              "respondent": "上海某某贸易有限公司（演示）", "patent_number": "ZL201910123456.X",
              "subject": "infringement", "contact_name": "知识产权专员（演示）", "phone": "13800000000",
              "knew_on": (today() - timedelta(days=40)).isoformat()}
    return values | changes


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    district, aid, mediation = _unit(session, DISTRICT), _unit(session, AID), _unit(session, MEDIATION)
    for position, (right, kind, area, unit, note) in enumerate((
            ("patent", "*", "310115", district, "浦东新区专利纠纷由区局办理（演示）"),
            ("*", "mediation", "*", mediation, "调解请求转调解委员会（演示）"),
            ("*", "*", "fair:*", aid, "展会投诉由展会工作站办理（演示）"),
            ("*", "*", "*", aid, "其他请求由维权援助中心分办（演示）")), start=1):
        session.add(RoutingRule(position=position, right=right, kind=kind, area=area, unit_id=unit, note=note))
    session.add(Fair(key=FAIR_KEY, series="ciie", edition=9, name="第九届中国国际进口博览会（演示）",
                     venue="国家会展中心（上海）", first_day=today() - timedelta(days=1),
                     last_day=today() + timedelta(days=4), unit_id=aid,
                     desks=[{"name": "知识产权服务站（演示）", "place": "4.1馆入口", "phone": "021-00000000"}]))
    session.flush()
    company = actors["company.demo"]

    filed = service.submit(session, company, _values("adjudication"), [Upload("patent-certificate-demo.pdf",
                                                                              io.BytesIO(PDF))])
    adj = service.refer(session, actors["pudong.ipo"], filed, {}, "材料齐全（演示）")
    panel = ["吴承办（演示）", "郑科长（演示）", "王技术调查官（演示）"]
    adjudication.file_case(session, actors["pudong.ipo"], adj, panel, presiding="郑科长（演示）")

    question = "我司商标被他人在电商平台上使用，想了解维权途径。（演示）"
    service.submit(session, company, _values("consultation", right="trademark", where="online", division_code="",
                                             respondent="", patent_number="", description=question), [])

    complaint = service.submit(session, company, _values(
        "complaint", right="patent", where="fair", division_code="", fair=FAIR_KEY, booth="4.1-B023",
        respondent="某展商有限公司（演示）",
        description="展位4.1-B023展出的固态电池样品涉嫌侵犯本公司发明专利权。（演示）"), [])
    case = service.refer(session, actors["aid.handler"], complaint, {}, "现场受理（演示）")
    from ipcity.services.rights import fairs

    fairs.COMPLAINTS.act(session, actors["aid.handler"], case, "notify", reason="已书面通知被投诉人（演示）")

    asked = "双方就侵权赔偿数额协商未果，请求调解。（演示）"
    mediated = service.submit(session, company, _values("mediation", matter="damages", where="online",
                                                        division_code="", description=asked), [])
    # online mediation requests go to the committee itself (the routing table): its mediator takes it on
    service.refer(session, actors["mediator.demo"], mediated, {"mediator_kind": "body", "body_unit_id": mediation},
                  "受理调解申请（演示）")
    return 4
