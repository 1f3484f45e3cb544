"""Import every table module so that the metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

import importlib
import pkgutil


def import_all_tables() -> None:
    import ipcity.core.tables  # noqa: F401
    import ipcity.navigation.tables  # noqa: F401
    import ipcity.patents.tables  # noqa: F401
    import ipcity.services
    import ipcity.workflow.tables  # noqa: F401

    for mod in pkgutil.iter_modules(ipcity.services.__path__):
        try:
            importlib.import_module(f"ipcity.services.{mod.name}.tables")
        except ModuleNotFoundError as exc:
            if exc.name != f"ipcity.services.{mod.name}.tables":
                raise
