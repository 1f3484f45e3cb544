"""Data-IP registration registers its pages, API, menu, catalogue entry, case types, job and file rules."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import APPLY, PUBLIC, MenuEntry, Plugin, ServiceInfo
from ipcity.core.roles import ALL_ROLES

EVERYONE = ALL_ROLES | {None}  # the registry, its publicity, verification and the log are public


def plugin() -> Plugin:
    from ipcity.services.dataip import access, api, demo, jobs, queries, service, views
    from ipcity.services.dataip.cli import dataip_app
    from ipcity.services.dataip.guide import GUIDE
    from ipcity.services.dataip.reissue import KIND as DOCUMENTS

    return Plugin(
        key="dataip",
        tables=("ipcity.services.dataip.tables",),
        commands={"dataip": dataip_app},
        service=ServiceInfo(
            key="dataip",
            name=Msg("Data-IP registration (数据知识产权登记)"),
            description=Msg("Register a data product (processed data collection, data product or algorithm): "
                            "formal and substantive review with expert opinion, 15-day publicity with "
                            "objections, certificate with a QR code, and a public transparency log that anyone "
                            "can check offline."),
            who_may_apply=Msg("Companies, organisations and individuals with a verified account"),
            time_limit=Msg("Publicity 15 days; review times as the registration body commits"),
            path="/dataip",
            plan_items=(2,),
        ),
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Data-IP registration"), "/dataip", access.USERS, order=32, group=APPLY),
              MenuEntry(Msg("Data-IP public registry"), "/dataip/registry", EVERYONE, order=33, group=PUBLIC,
                        summary=Msg("Registered data products and their certificates, and products in publicity.")),
              MenuEntry(Msg("Data-IP publicity"), "/dataip/registry?state=in_publicity", EVERYONE, order=33,
                        group=PUBLIC, summary=Msg("Data products in their publicity period: anyone may object "
                                                  "before it ends.")),
              MenuEntry(Msg("Certificate verification"), "/dataip/verify", EVERYONE, order=38, group=PUBLIC,
                        summary=Msg("Check a data-IP certificate by its number, and a data file against the "
                                    "registered hashes.")),
              MenuEntry(Msg("Transparency log"), "/dataip/log", EVERYONE, order=39, group=PUBLIC,
                        summary=Msg("The signed public log of every registration: anyone can check that no "
                                    "entry was changed or removed."))],
        case_types=[service.REGISTRATION, service.AMENDMENT],
        jobs={service.SWEEP_JOB: jobs.sweep},
        job_labels={service.SWEEP_JOB: Msg("Register data products after publicity; expire lapsed registrations")},
        documents={DOCUMENTS.key: DOCUMENTS},  # what the office may issue again (core/documents.py)
        file_access={service.SAMPLE_OWNER: access.may_see_product_file,
                     service.CERTIFICATE_OWNER: access.may_see_product_file,
                     service.OBJECTION_OWNER: access.may_see_objection_file},
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        demo=demo.load_demo,
        figures={2: queries.plan_figures},  # what plan supervision shows on plan item 2
    )
