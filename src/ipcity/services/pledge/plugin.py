"""Patent pledge registration registers its pages, API, menu, catalogue entry, case types, file rules,
templates and demo. (Patent valuation is a service of its own, services/valuation: it adds its panel to the
pledge application page through the registry.)"""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import MenuEntry, Plugin, ServiceInfo
from ipcity.core.roles import ALL_ROLES


def plugin() -> Plugin:
    from ipcity.services.pledge import access, api, demo, domain, service, views

    return Plugin(
        key="pledge",
        tables=("ipcity.services.pledge.tables",),
        service=ServiceInfo(
            key="pledge",
            name=Msg("Patent pledge registration (专利权质押登记)"),
            description=Msg("Paperless pledge registration: the pledgor and the pledgee bank file jointly online, "
                            "the platform checks every refusal ground it can read from the patent register, the "
                            "examiner registers or refuses with a PDF notice, and the register and the public "
                            "gazette are updated at once; changes and cancellations online too."),
            who_may_apply=Msg("Patentee companies with a verified account, jointly with the pledgee bank"),
            time_limit=Msg("Decision within {n} working days of the joint filing (configurable)",
                           n=domain.DECISION_DAYS),
            path="/pledge",
            plan_items=(12,),
        ),
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Patent pledge registration"), "/pledge", access.USERS, order=40),
              MenuEntry(Msg("Pledge gazette"), "/pledge/gazette", ALL_ROLES, order=41)],
        case_types=[service.REGISTRATION, service.AMENDMENT],
        file_access=access.FILE_ACCESS,
        templates=Path(__file__).resolve().parent / "templates",
        demo=demo.load_demo,
    )
