"""The units the plan names: groups expanded to the units they stand for, shortened names made whole, CNIPA's
departments under CNIPA — in the pure resolution and in an installation's units."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipcity.core.accounts import create_user
from ipcity.core.errors import PermissionDenied
from ipcity.core.i18n import current_locale
from ipcity.core.roles import HANDLER, Actor
from ipcity.core.tables import Unit, User
from ipcity.services.workplan import domain, service
from ipcity.services.workplan.domain import MUNICIPAL, NATIONAL, ResponsibleUnit, resolve_units, split_units
from ipcity.services.workplan.tables import PlanPoint, Responsibility
from tests.support.people import PASSWORD

DISTRICTS = ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
             "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"]
GOVERNMENTS = [f"{d}人民政府" for d in DISTRICTS]


# --- pure -----------------------------------------------------------------------------------------------------

def test_the_sixteen_districts_of_shanghai():
    assert [d for d, _ in domain.SHANGHAI_DISTRICTS] == DISTRICTS
    assert list(domain.district_governments()) == GOVERNMENTS
    assert domain.district_government_en("Pudong New Area") == "Pudong New Area People's Government"


@pytest.mark.parametrize(("name", "level", "canonical"), [
    ("浦东新区政府", MUNICIPAL, "浦东新区人民政府"),
    ("徐汇区政府", MUNICIPAL, "徐汇区人民政府"),
    ("上海市崇明区人民政府", MUNICIPAL, "崇明区人民政府"),
    ("市经济信息化委", MUNICIPAL, "市经济信息化委"),
    ("临港新片区管委会", MUNICIPAL, "临港新片区管委会"),      # 新片区 is no district
    ("某某区政府", MUNICIPAL, "某某区政府"),                  # not a district of Shanghai: as written
    ("公共服务司", NATIONAL, "国家知识产权局公共服务司"),
    ("专利局审业部", NATIONAL, "国家知识产权局专利局审业部"),
    ("国家知识产权局保护司", NATIONAL, "国家知识产权局保护司"),
])
def test_canonical_unit_names(name, level, canonical):
    assert domain.canonical_unit_name(name, level) == canonical


def test_a_group_of_every_district_is_the_sixteen_governments_and_other_groups_stay_remarks():
    units = resolve_units(split_units("上海市知识产权局、浦东新区政府、各区政府、各有关部门;"
                                      "国家知识产权局战略规划司、运用促进司、公共服务司"))
    names = [u.name for u in units]
    # 浦东 once, where the plan names it first; then the other 15; the lead stays first and alone.
    assert names[:2] == ["上海市知识产权局", "浦东新区人民政府"]
    assert sorted(names[1:17]) == sorted(GOVERNMENTS)
    assert names[17:] == ["各有关部门", "国家知识产权局战略规划司", "国家知识产权局运用促进司",
                          "国家知识产权局公共服务司"]
    assert [u.lead for u in units].count(True) == 1 and units[0].lead
    assert [u.name for u in units if u.collective] == ["各有关部门"]
    assert not any(domain.is_collective_name(u.name) for u in units if not u.collective)
    assert resolve_units((ResponsibleUnit("各有关区政府", MUNICIPAL, True, False),)) == tuple(
        ResponsibleUnit(g, MUNICIPAL, False, False) for g in GOVERNMENTS)


# --- an installation --------------------------------------------------------------------------------------

def _unit(session, name):
    return session.scalar(select(Unit).where(Unit.name_zh == name))


def test_every_installation_has_the_district_governments_and_cnipa_over_its_departments(session):
    districts = session.scalars(select(Unit).where(Unit.kind == "district_gov").order_by(Unit.id)).all()
    assert [u.name_zh for u in districts] == GOVERNMENTS
    assert all(u.level == "district" and u.name_en.endswith("People's Government") for u in districts)
    assert _unit(session, "黄浦区人民政府").name_en == "Huangpu District People's Government"
    cnipa = _unit(session, "国家知识产权局")
    national = session.scalars(select(Unit).where(Unit.level == "national", Unit.id != cnipa.id)).all()
    assert len(national) == 9 and all(u.parent_id == cnipa.id for u in national)
    assert all(u.name_zh.startswith("国家知识产权局") for u in national)
    assert _unit(session, "公共服务司") is None and _unit(session, "运用促进司") is None
    assert not [u.name_zh for u in session.scalars(select(Unit)) if domain.is_collective_name(u.name_zh)]


def test_points_given_to_every_district_name_each_district(session):
    governments = {u.id for u in session.scalars(select(Unit).where(Unit.kind == "district_gov"))}
    for number in (3, 5, 6, 16):
        point = service.get_point(session, number)
        assert governments <= {r.unit_id for r in point.responsibilities}, number
        assert not {r.unit_name for r in point.responsibilities} & domain.ALL_DISTRICTS_GROUPS
    point1 = service.get_point(session, 1)
    assert {r.unit_id for r in point1.responsibilities} & governments == {_unit(session, "浦东新区人民政府").id}
    assert service.remarks(point1) == ["各有关部门"]
    groups = session.scalars(select(Responsibility).where(Responsibility.collective)).all()
    assert {r.unit_name for r in groups} == {"各有关部门"} and all(r.unit_id is None for r in groups)
    token = current_locale.set("en")
    try:
        assert service.unit_names(service.get_point(session, 3)) == ["上海市知识产权局",
                                                                       "The governments of all 16 districts"]
    finally:
        current_locale.reset(token)
    assert service.district_names(service.get_point(session, 5)) == GOVERNMENTS
    assert service.unit_names(service.get_point(session, 2)) == ["上海市知识产权局", "市经济信息化委", "市贸促会",
                                                                  "浦东新区人民政府"]


def test_any_district_reports_on_its_share_and_the_dashboard_counts_each(session, services, people):
    unit = _unit(session, "崇明区人民政府")
    user = create_user(session, Actor.system("tests"), username="chongming", password=PASSWORD,
                       display_name="崇明经办", role=HANDLER, unit_id=unit.id)
    chongming = Actor.of(user)
    form = service.ReportForm("2026年第四季度", "崇明区知识产权综合窗口已开通。", 50, [])
    assert service.file_report(session, services.files, chongming, 16, form, [], submit=True).state == "submitted"
    with pytest.raises(PermissionDenied):               # point 2 names only 浦东 among the districts
        service.file_report(session, services.files, chongming, 2, form, [], submit=True)
    session.rollback()
    units = {u["unit"]: u for u in service.dashboard(session)["units"]}
    assert set(GOVERNMENTS) <= set(units) and "各有关部门" not in units and "各区政府" not in units
    assert units["崇明区人民政府"]["points"] == 4       # points 3, 5, 6 and 16
    assert units["浦东新区人民政府"]["points"] == 6     # and points 1 and 2, which name it


def test_an_installation_loaded_before_keeps_its_units_under_their_full_names(session):
    """Units made from the plan's shortened names keep their ids (and their people) and take the full name."""
    actor = Actor.system("tests")
    xuhui = _unit(session, "徐汇区人民政府")
    xuhui.name_zh, xuhui.level, xuhui.name_en = "徐汇区政府", "municipal", ""     # as the plan's import made it
    service_dept = _unit(session, "国家知识产权局公共服务司")
    service_dept.name_zh, service_dept.parent_id = "公共服务司", None
    user = create_user(session, actor, username="xuhui", password=PASSWORD, display_name="徐汇", role=HANDLER,
                       unit_id=xuhui.id)
    session.flush()
    service.import_plan(session, actor, domain.load_shipped_plan())
    session.flush()
    assert _unit(session, "徐汇区人民政府").id == xuhui.id == session.get(User, user.id).unit_id
    assert _unit(session, "徐汇区政府") is None
    assert (xuhui.level, xuhui.name_en) == ("district", "Xuhui District People's Government")
    renamed = _unit(session, "国家知识产权局公共服务司")
    assert renamed.id == service_dept.id and renamed.parent_id == _unit(session, "国家知识产权局").id
    point19 = session.scalar(select(PlanPoint).where(PlanPoint.number == 19))
    assert xuhui.id in {r.unit_id for r in point19.responsibilities}
