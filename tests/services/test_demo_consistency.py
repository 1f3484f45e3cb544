"""The demo data hold together: dates in the order the procedures take them, no group shown as a unit, each unit
once, every district government there, the demo accounts in their units — whatever day the demo is loaded on."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from ipcity.core import clock
from ipcity.core.clock import local, today
from ipcity.core.setup import DEMO_ACCOUNTS, load_demo
from ipcity.core.tables import Unit, User
from ipcity.services.dataip import service as dataip
from ipcity.services.dataip.tables import DataProduct
from ipcity.services.workplan import domain as workplan_domain
from ipcity.services.workplan import service as workplan
from ipcity.services.workplan.tables import Responsibility
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

DISTRICTS = ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
             "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"]


def _load(services, day: date | None):
    clock.pin(day)  # None: the real date (tests/conftest.py puts back what was pinned before)
    load_demo(services.db, services.registry, services.files, password="Demo-Check-2026")
    return services.db.session()


# The demo on the real date and on a pinned one early in a year (publicity crosses the new year's holidays).
@pytest.mark.parametrize("day", [None, date(2027, 1, 20)], ids=["today", "pinned-2027-01-20"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_data_ip_publicity_follows_filing_and_registration_follows_publicity(services, day):
    with _load(services, day) as s:
        on = today()
        products = s.scalars(select(DataProduct).order_by(DataProduct.id)).all()
        assert {p.state for p in products} >= {"registered", "in_publicity"}
        for p in products:
            case = s.get(Case, p.case_id)
            filed = local(p.filed_at).date()
            assert filed <= on, p.application_number
            assert local(case.created_at).date() == filed
            # the history in order, none of it after today
            days = [local(e.at).date() for e in case.events]
            assert days == sorted(days) and days[0] == filed and days[-1] <= on, (p.application_number, days)
            for d in engine.deadlines(s, dataip.REGISTRATION, case):
                assert d.started_on >= filed, (p.application_number, d.label.msgid)
                assert d.due_on >= d.started_on
            publicity = [d for d in case.deadlines if d.rule_key == "publicity"]
            if p.state in ("in_publicity", "registered"):
                (period,) = publicity
                ends = dataip.publicity_ends(s, case)
                assert period.started_on > filed                       # publicity starts after the filing
                assert ends >= period.started_on                        # and ends after it starts, by the rule
            if p.state == "registered":
                ends = dataip.publicity_ends(s, case)
                assert ends < p.registered_on <= on                     # registered once publicity is over
                assert p.registration_number.startswith(str(filed.year))
                assert p.valid_until > on
            if p.state == "in_publicity":
                assert dataip.publicity_ends(s, case) >= on             # still running: not overdue


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_units_are_bodies_each_once_and_every_district_is_there_and_accounts_in_them(services):
    with _load(services, None) as s:
        units = s.scalars(select(Unit)).all()
        by_id = {u.id: u for u in units}
        # no group ("各区政府", "各有关部门") made a unit
        assert not [u.name_zh for u in units if workplan_domain.is_collective_name(u.name_zh)]
        # no two units the same once the parent's name is taken off ("公共服务司" beside "国家知识产权局公共服务司")
        short = {}
        for u in units:
            parent = by_id.get(u.parent_id)
            name = u.name_zh.removeprefix(parent.name_zh) if parent else u.name_zh
            assert name not in short, (u.name_zh, short.get(name))
            short[name] = u.name_zh
        # a unit named after CNIPA without being under it would be the same mistake the other way round
        cnipa = next(u for u in units if u.name_zh == "国家知识产权局")
        assert all(u.parent_id == cnipa.id for u in units if u.name_zh.startswith("国家知识产权局") and u is not cnipa)
        assert all(u.level == "national" for u in units if u.parent_id == cnipa.id)
        # every district government of Shanghai, with its English name
        governments = {u.name_zh: u for u in units if u.kind == "district_gov"}
        assert sorted(governments) == sorted(f"{d}人民政府" for d in DISTRICTS)
        assert all(re.fullmatch(r"[A-Z][\w' ]+ (District|New Area) People's Government", u.name_en)
                   for u in governments.values())
        # the plan's work for "各区政府" is every district's; a group naming no set stays a remark without a unit
        rows = s.scalars(select(Responsibility)).all()
        for r in rows:
            assert (r.unit_id is None) == r.collective, r.unit_name
            if r.unit_id is not None:
                assert by_id[r.unit_id].name_zh == r.unit_name
        assert {r.unit_name for r in rows if r.collective} == {"各有关部门"}
        for number in (3, 5, 6, 16):
            point = workplan.get_point(s, number)
            assert set(governments) <= {r.unit_name for r in point.responsibilities}
        # the demo accounts are in the units they are said to be in (浦东新区人民政府, not a unit of no one)
        for account in DEMO_ACCOUNTS:
            user = s.scalar(select(User).where(User.username == account.username))
            assert (user.unit.name_zh if user.unit else "") == account.unit, account.username
        # the progress reports speak of periods that have begun
        on = today()
        for case in s.scalars(select(Case).where(Case.type_key == workplan.REPORT.key)):
            m = re.fullmatch(r"(\d{4})年第([一二三四])季度", case.data["period"])
            assert m, case.data["period"]
            first_month = "一二三四".index(m[2]) * 3 + 1
            assert date(int(m[1]), first_month, 1) <= on, case.data["period"]
