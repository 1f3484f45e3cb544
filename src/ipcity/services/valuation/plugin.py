"""Patent valuation for financing registers its pages and JSON API (at /pledge/valuation and
/api/pledge/valuation, the addresses users know), its menu entry, who may download the reports it files, its
templates, and the panel it adds to the pledge application page (through the registry: the pledge service
imports nothing of valuation). It has no tables: a filed valuation is an attachment with an audit entry."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import WORK, MenuEntry, Plugin
from ipcity.services.valuation.access import USERS


def plugin() -> Plugin:
    from ipcity.services.valuation import access, api, panels, service, views

    return Plugin(
        key="valuation",
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Patent valuation (专利价值内部评估)"), service.PAGE, USERS, order=42, group=WORK)],
        file_access={service.REPORT_OWNER: access.may_see_report},
        templates=Path(__file__).resolve().parent / "templates",
        panels={panels.PLEDGE_APPLICATION: panels.pledge_panel},
    )
