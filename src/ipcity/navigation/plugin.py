"""Patent navigation registers its pages, API, menu, catalogue entry, job and demo topic."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import MenuEntry, Plugin, ServiceInfo
from ipcity.navigation.service import NAVIGATORS, RUN_JOB


def plugin() -> Plugin:
    from ipcity.navigation import api, demo, jobs, views
    from ipcity.navigation.cli import navigation_app

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
        menu=[MenuEntry(Msg("Patent navigation"), "/navigation", NAVIGATORS, order=25)],
        jobs={RUN_JOB: jobs.run_topic},
        job_labels={RUN_JOB: Msg("Patent navigation analysis")},
        templates=Path(__file__).resolve().parent / "templates",
        demo=demo.load_demo,
    )
