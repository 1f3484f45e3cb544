"""The portal registers itself through the same plugin hooks as every service."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import MenuEntry, Plugin
from ipcity.core.roles import ADMIN, ALL_ROLES, OFFICIAL_ROLES


def plugin() -> Plugin:
    from ipcity.portal import api, services, views

    return Plugin(
        key="portal",
        routers=[views.router, api.router],
        menu=[
            MenuEntry(Msg("Services"), "/services", ALL_ROLES, order=10),
            MenuEntry(Msg("My applications"), "/my/applications", ALL_ROLES - {ADMIN}, order=20),
            MenuEntry(Msg("Work queue"), "/queue", OFFICIAL_ROLES, order=30),
            MenuEntry(Msg("Jobs"), "/jobs", ALL_ROLES, order=80),
            MenuEntry(Msg("People"), "/admin/users", frozenset({ADMIN}), order=85),
            MenuEntry(Msg("Units"), "/admin/units", frozenset({ADMIN}), order=86),
            MenuEntry(Msg("Holiday calendar"), "/admin/calendar", frozenset({ADMIN}), order=87),
            MenuEntry(Msg("Audit trail"), "/admin/audit", frozenset({ADMIN}), order=90),
        ],
        file_access={"case": services.may_see_case_file, "job": services.may_see_job_file},
        templates=Path(__file__).resolve().parent / "templates",
    )
