"""Open licensing registers its pages, API, menu, catalogue entry, case types, file rules and demo data."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import APPLY, PUBLIC, WORK, MenuEntry, Plugin, ServiceInfo
from ipcity.core.roles import ALL_ROLES, APPLICANT_COMPANY
from ipcity.services.openlicense.access import AUDITORS, USERS


def plugin() -> Plugin:
    from ipcity.services.openlicense import access, api, demo, queries, service, views
    from ipcity.services.openlicense.guide import GUIDE

    return Plugin(
        key="openlicense",
        tables=("ipcity.services.openlicense.tables",),
        service=ServiceInfo(
            key="openlicense",
            name=Msg("Patent open licensing (专利开放许可)"),
            description=Msg("Declare an open licence for a granted patent, checked against the patent register "
                            "(Implementing Regulations 2023 Arts 85–86); the IP office's formal check and "
                            "publication; a public list of open licences; taking a licence by notice (Patent Law "
                            "Art 51) and recording it (备案); royalty payments; matchmaking; the 15 % annual-fee "
                            "reduction."),
            who_may_apply=Msg("Patentees (companies) declare; any company may take a licence"),
            time_limit=Msg("Formal check within 10 working days (the office's commitment)"),
            path="/openlicense",
            plan_items=(11,),
        ),
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Open licences"), "/openlicense", ALL_ROLES | {None}, order=34, group=PUBLIC, summary=Msg(
                  "Patents their owners offer to license to anyone on published terms.")),
              MenuEntry(Msg("Open licensing: declarations"), "/openlicense/declarations", USERS, order=35, group=APPLY),
              MenuEntry(Msg("My licences"), "/openlicense/licences", frozenset({APPLICANT_COMPANY}), order=36,
                        group=APPLY),
              MenuEntry(Msg("Open licensing statistics"), "/openlicense/stats", AUDITORS, order=37, group=WORK,
                        unit_kinds=frozenset({"ip_office"}))],
        case_types=[service.DECLARATION, service.LICENCE],
        file_access={service.REPORT_OWNER: access.may_see_declaration_file,
                     service.CONSENT_OWNER: access.may_see_declaration_file,
                     service.PROOF_OWNER: access.may_see_licence_file,
                     service.PAYMENT_OWNER: access.may_see_payment_file},
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        demo=demo.load_demo,
        figures={11: queries.plan_figures},  # what plan supervision shows on plan item 11
    )
