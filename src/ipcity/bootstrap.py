"""The composition root: the one place that names the platform's parts and wires them together.

The web application, the command line, Alembic and the tests all build their registry here. Built-in
services are listed below; further services are installed packages that declare a plugin factory in the
entry-point group `ipcity.plugins` (in their pyproject.toml: `[project.entry-points."ipcity.plugins"]
myservice = "mypackage.plugin:plugin"`). Nothing below `ipcity/core` imports a service.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points

from ipcity.core.plugins import Plugin, Registry

ENTRY_POINT_GROUP = "ipcity.plugins"
CORE_TABLES = ("ipcity.core.tables", "ipcity.workflow.tables")


def builtin_plugins() -> list[Plugin]:
    """The plugins shipped with the platform, in menu order."""
    from ipcity.navigation.plugin import plugin as navigation
    from ipcity.patents.plugin import plugin as patents
    from ipcity.portal.plugin import plugin as portal
    from ipcity.services.dataip.plugin import plugin as dataip
    from ipcity.services.openlicense.plugin import plugin as openlicense
    from ipcity.services.pledge.plugin import plugin as pledge
    from ipcity.services.preexam.plugin import plugin as preexam
    from ipcity.services.rights.plugin import plugin as rights
    from ipcity.services.valuation.plugin import plugin as valuation
    from ipcity.services.workplan.plugin import plugin as workplan

    return [portal(), patents(), navigation(), dataip(), openlicense(), pledge(), preexam(), rights(), valuation(),
            workplan()]


def installed_plugin_factories() -> list[Callable[[], Plugin]]:
    """Plugin factories of installed packages (the entry-point group), in name order."""
    return [ep.load() for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)]


def default_registry() -> Registry:
    reg = Registry()
    for p in builtin_plugins() + [factory() for factory in installed_plugin_factories()]:
        reg.register(p)
    return reg


def import_all_tables(registry: Registry | None = None) -> None:
    """Import the core's tables and every plugin's, so that the metadata (and Alembic) sees the whole schema."""
    registry = registry or default_registry()
    for module in (*CORE_TABLES, *(m for p in registry.plugins for m in p.tables)):
        importlib.import_module(module)
