"""Who may use plan supervision: the officials of every unit (their unit's points) and administrators."""

from __future__ import annotations

from ipcity.core.roles import ADMIN, OFFICIAL_ROLES

SUPERVISORS = OFFICIAL_ROLES | {ADMIN}
