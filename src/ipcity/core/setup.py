"""Bringing an installation up: schema, calendar, each service's reference data, demo accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from ipcity.core import calendar as cal
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.db import Database
from ipcity.core.files import FileStore
from ipcity.core.plugins import Registry
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, HANDLER, HEAD, MEDIATOR, REVIEWER, Actor
from ipcity.core.tables import Holiday, Unit, User


def initialise(db: Database, registry: Registry) -> None:
    """Migrate, then seed what every installation needs. Safe to run again."""
    db.migrate()
    actor = Actor.system("setup")
    with db.session(write=True) as s:
        if not s.scalar(select(func.count()).select_from(Holiday)):
            cal.seed(s, cal.shipped_days(), source="NateScarlet/holiday-cn (State Council notices)")
        for plugin in registry.plugins:
            if plugin.seed:
                plugin.seed(s, actor)
        s.commit()


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    unit: str


# Units not named in the plan text are created here; the others come from the plan.
DEMO_UNITS = [("demo-company", "演示科技有限公司（演示）", "company"),
              ("demo-maker", "演示制造有限公司（演示）", "company"),
              ("demo-bank", "演示银行上海分行（演示）", "bank"),
              ("shanghai-ippc", "上海市知识产权保护中心", "protection_centre"),
              ("demo-pudong-ipo", "浦东新区知识产权局（演示）", "district_office"),
              ("demo-rights-aid", "上海市知识产权维权援助中心（演示）", "assistance_centre"),
              ("demo-mediation", "上海市知识产权纠纷人民调解委员会（演示）", "mediation_body")]
DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员（演示）", ADMIN, ""),
    DemoAccount("sipa.reviewer", "王审核（演示）", REVIEWER, "上海市知识产权局"),
    DemoAccount("sipa.head", "李处长（演示）", HEAD, "上海市知识产权局"),
    DemoAccount("sipa.handler", "赵经办（演示）", HANDLER, "上海市知识产权局"),
    DemoAccount("pudong.handler", "陈经办（演示）", HANDLER, "浦东新区人民政府"),
    DemoAccount("sheitc.handler", "周经办（演示）", HANDLER, "市经济信息化委"),
    DemoAccount("company.demo", "演示企业用户", APPLICANT_COMPANY, "演示科技有限公司（演示）"),
    DemoAccount("maker.demo", "演示制造企业用户", APPLICANT_COMPANY, "演示制造有限公司（演示）"),
    DemoAccount("bank.demo", "演示银行客户经理", BANK, "演示银行上海分行（演示）"),
    DemoAccount("centre.examiner", "孙审查员（演示）", REVIEWER, "上海市知识产权保护中心"),
    DemoAccount("centre.handler", "钱受理（演示）", HANDLER, "上海市知识产权保护中心"),
    DemoAccount("pudong.ipo", "吴承办（演示）", HANDLER, "浦东新区知识产权局（演示）"),
    DemoAccount("pudong.ipohead", "郑科长（演示）", HEAD, "浦东新区知识产权局（演示）"),
    DemoAccount("aid.handler", "冯援助（演示）", HANDLER, "上海市知识产权维权援助中心（演示）"),
    DemoAccount("mediator.demo", "何调解（演示）", MEDIATOR, "上海市知识产权纠纷人民调解委员会（演示）"),
]


def load_demo(db: Database, registry: Registry, files: FileStore, password: str | None = None) -> tuple[str, list]:
    """Demo accounts (one password for all, random unless given) and each service's demo data.

    Returns the password and the accounts; does nothing but return them if the demo is already loaded.
    """
    actor = Actor.system("demo")
    with db.session(write=True) as s:
        if s.scalar(select(User.id).where(User.username == "admin")):
            return "", DEMO_ACCOUNTS
        password = password or f"Demo-{secrets.token_urlsafe(9)}"
        for code, name, kind in DEMO_UNITS:
            create_unit(s, actor, code=code, name_zh=name, kind=kind, is_demo=True)
        actors: dict[str, Actor] = {}
        for a in DEMO_ACCOUNTS:
            unit_id = s.scalar(select(Unit.id).where(Unit.name_zh == a.unit)) if a.unit else None
            user = create_user(s, actor, username=a.username, password=password, display_name=a.display_name,
                               role=a.role, unit_id=unit_id, is_demo=True, identity_verified=True)
            actors[a.username] = Actor.of(user)
        for plugin in registry.plugins:
            if plugin.demo:
                plugin.demo(s, actors, files)
        s.commit()
    return password, DEMO_ACCOUNTS
