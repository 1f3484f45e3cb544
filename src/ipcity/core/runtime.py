"""What a plugin's command-line commands need from the composition root, without importing it.

The root (ipcity/cli.py) provides a factory of the application's services at start-up; a service's
command calls `services()`. So a service's CLI never imports the web application or the bootstrap,
which know every other service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_factory: Callable[[], Any] | None = None


def provide(factory: Callable[[], Any]) -> None:
    global _factory
    _factory = factory


def services() -> Any:
    if _factory is None:
        raise RuntimeError("no services provided: run commands through the `ipcity` command line")
    return _factory()
