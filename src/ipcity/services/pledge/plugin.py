"""Patent pledge registration registers its pages, API, menu, catalogue entry, case types, file rules,
templates and demo. (Patent valuation is a service of its own, services/valuation: it adds its panel to the
pledge application page through the registry.)"""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import APPLY, PUBLIC, MenuEntry, Plugin, ServiceInfo
from ipcity.core.roles import ALL_ROLES


def plugin() -> Plugin:
    from ipcity.services.pledge import access, api, demo, queries, service, views
    from ipcity.services.pledge.guide import GUIDE
    from ipcity.services.pledge.reissue import KIND as DOCUMENTS

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
            # The pages show the limit in force (the guide's, portal/guides.headline_limits); this line is the
            # catalogue API's, which knows no installation.
            time_limit=Msg("Decision within the working days the registering office has set, from the joint filing"),
            path="/pledge",
            plan_items=(12,),
        ),
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Patent pledge registration"), "/pledge", access.USERS, order=40, group=APPLY),
              MenuEntry(Msg("Pledge gazette"), "/pledge/gazette", ALL_ROLES | {None}, order=41, group=PUBLIC,
                        summary=Msg("Patent pledges registered, changed and cancelled, as the registering office "
                                    "publishes them."))],
        case_types=[service.REGISTRATION, service.AMENDMENT],
        documents={DOCUMENTS.key: DOCUMENTS},  # what the office may issue again (core/documents.py)
        file_access=access.FILE_ACCESS,
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        demo=demo.load_demo,
        figures={12: queries.plan_figures},  # what plan supervision shows on plan item 12
    )
