"""Patent navigation registers its pages, API, menu, catalogue entry, job and demo topic."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import WORK, MenuEntry, Plugin, ServiceInfo
from ipcity.navigation.service import NAVIGATORS, RUN_JOB


def plugin() -> Plugin:
    from ipcity.navigation import api, demo, jobs, queries, views
    from ipcity.navigation.cli import navigation_app
    from ipcity.navigation.documents import KIND, OWNER, REISSUE_JOB, may_see_report_file
    from ipcity.navigation.guide import GUIDE

    return Plugin(
        key="navigation",
        tables=("ipcity.navigation.tables",),
        commands={"navigation": navigation_app},
        service=ServiceInfo(
            key="navigation",
            name=Msg("Patent navigation (专利导航)"),
            description=Msg("Define a topic by a search query, IPC codes, a strategic emerging industry or a list "
                            "of publication numbers; get filing trends, applicants, regions, technology clusters, "
                            "key patents, inventors and the focus region's gaps as a dashboard and a GB/T 39551 "
                            "report (HTML and PDF)."),
            who_may_apply=Msg("Officials of the IP office, district offices and protection centres; patent agencies"),
            time_limit=Msg("Minutes (background job)"),
            path="/navigation",
            plan_items=(9,),
        ),
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Patent navigation"), "/navigation", NAVIGATORS, order=25, group=WORK)],
        jobs={RUN_JOB: jobs.run_topic, REISSUE_JOB: jobs.reissue_report},
        job_labels={RUN_JOB: Msg("Patent navigation analysis"), REISSUE_JOB: Msg("Issuing a navigation report again")},
        documents={KIND.key: KIND},  # the reports kept, which the office may issue again (core/documents.py)
        file_access={OWNER: may_see_report_file},
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        demo=demo.load_demo,
        figures={9: queries.plan_figures},  # what plan supervision shows on plan item 9
    )
