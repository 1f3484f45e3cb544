"""The portal registers itself through the same plugin hooks as every service."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import ADMIN_GROUP, APPLY, WORK, MenuEntry, Plugin
from ipcity.core.roles import ADMIN, ALL_ROLES, HEAD, OFFICIAL_ROLES, REVIEWER


def plugin() -> Plugin:
    from ipcity.portal import api, services, views
    from ipcity.portal.guides import router as guides_router

    return Plugin(
        key="portal",
        routers=[views.router, api.router, guides_router],
        menu=[
            MenuEntry(Msg("Services"), "/services", ALL_ROLES, order=10, group=APPLY),
            MenuEntry(Msg("My applications"), "/my/applications", ALL_ROLES - {ADMIN}, order=20, group=APPLY),
            MenuEntry(Msg("Work queue"), "/queue", OFFICIAL_ROLES, order=30, group=WORK),
            # Deciders are the verifying unit's reviewers and heads (core/identity.may_decide narrows to the unit).
            MenuEntry(Msg("Identity verification requests"), "/identity/requests", frozenset({ADMIN, REVIEWER, HEAD}),
                      order=32, group=WORK, unit_kinds=frozenset({"ip_office"})),
            MenuEntry(Msg("Jobs"), "/jobs", ALL_ROLES, order=80, group=WORK),
            MenuEntry(Msg("People"), "/admin/users", frozenset({ADMIN}), order=85, group=ADMIN_GROUP),
            MenuEntry(Msg("Units"), "/admin/units", frozenset({ADMIN}), order=86, group=ADMIN_GROUP),
            MenuEntry(Msg("Holiday calendar"), "/admin/calendar", frozenset({ADMIN}), order=87, group=ADMIN_GROUP),
            MenuEntry(Msg("Audit trail"), "/admin/audit", frozenset({ADMIN}), order=90, group=ADMIN_GROUP),
        ],
        file_access={"case": services.may_see_case_file, "job": services.may_see_job_file},
        templates=Path(__file__).resolve().parent / "templates",
    )
