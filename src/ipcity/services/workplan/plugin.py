"""Plan supervision registers its pages, menu, catalogue entry, case type and jobs."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import WORK, MenuEntry, Plugin, ServiceInfo
from ipcity.services.workplan.access import SUPERVISORS


def plugin() -> Plugin:
    from ipcity.services.workplan import api, demo, jobs, service, views
    from ipcity.services.workplan.guide import GUIDE

    return Plugin(
        key="workplan",
        tables=("ipcity.services.workplan.tables",),
        service=ServiceInfo(
            key="workplan",
            name=Msg("Plan supervision (工作要点督办)"),
            description=Msg("The 25 work points of the 2023–2025 IP-strong city plan: responsible units, deadlines, "
                            "progress reports and their review, overdue alerts, leadership dashboard."),
            who_may_apply=Msg("Officials of the responsible municipal units"),
            time_limit=Msg("Reports are reviewed within 10 working days"),
            path="/workplan",
        ),
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Work plan"), "/workplan", SUPERVISORS, order=40, group=WORK),
              MenuEntry(Msg("Dashboard"), "/workplan/dashboard", SUPERVISORS, order=41, group=WORK)],
        case_types=[service.REPORT],
        jobs={"workplan.import_plan": jobs.import_plan, "workplan.export": jobs.export_workbook,
              "workplan.sweep": jobs.sweep},
        job_labels={"workplan.import_plan": Msg("Load the work points from the plan text"),
                    "workplan.export": Msg("Export the work plan dashboard to Excel"),
                    "workplan.sweep": Msg("Notify units of overdue, due-soon and stale points")},
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        seed=demo.seed,
        demo=demo.load_demo,
    )
