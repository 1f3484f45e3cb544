"""Patent search registers its pages, API, menu, catalogue entry and jobs."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import ADMIN_GROUP, PUBLIC, WORK, MenuEntry, Plugin, ServiceInfo
from ipcity.core.roles import ADMIN, ALL_ROLES, OFFICIAL_ROLES

EVERYONE = ALL_ROLES | {None}  # anonymous visitors too: patent search is a public service (plan item 18)
DATA_MANAGERS = OFFICIAL_ROLES | {ADMIN}


def plugin() -> Plugin:
    from ipcity.patents import alerts, api, demo, export, jobs, saved_views, usage, views
    from ipcity.patents.cli import patents_app
    from ipcity.patents.guide import GUIDE

    return Plugin(
        key="patents",
        tables=("ipcity.patents.tables", "ipcity.patents.saved_tables"),
        commands={"patents": patents_app},
        service=ServiceInfo(
            key="patents",
            name=Msg("Patent search (专利检索)"),
            description=Msg("Search Chinese and foreign patents by field codes or plain words, describe an invention "
                            "to find similar patents, filter by IPC, year, applicant and region, export the results."),
            who_may_apply=Msg("Everyone; exports need an account"),
            time_limit=Msg("Immediate"),
            path="/patents",
            plan_items=(18,),
        ),
        routers=[saved_views.router, views.router, api.router],  # saved_views first: views has /patents/{pub_number}
        menu=[MenuEntry(Msg("Patent search"), "/patents", EVERYONE, order=20, group=PUBLIC, summary=Msg(
                  "Search Chinese and foreign patents by keywords, field codes or a description of an invention.")),
              MenuEntry(Msg("Patent data"), "/patents/data", DATA_MANAGERS, order=90, group=ADMIN_GROUP),
              MenuEntry(Msg("My patent searches"), "/patents/saved", ALL_ROLES, order=60, group=WORK)],
        jobs={"patents.ingest": jobs.ingest, "patents.rebuild": jobs.rebuild,
              "patents.train_encoder": jobs.train_encoder, "patents.load_demo": jobs.load_demo,
              alerts.KIND: alerts.run, "patents.export": export.run},
        job_labels={"patents.ingest": Msg("Load a patent data file"),
                    "patents.rebuild": Msg("Rebuild the patent search index"),
                    "patents.train_encoder": Msg("Train the semantic encoder on the patent corpus"),
                    "patents.load_demo": Msg("Load the demo patent corpus"),
                    alerts.KIND: Msg("Send the alerts of saved patent searches"),
                    "patents.export": Msg("Export a patent search in full")},
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        demo=demo.load_demo,
        figures={18: usage.plan_figures},  # what plan supervision shows on plan item 18
    )
