"""The plugin registry: every service (and the portal itself) declares what it adds to the platform.

A service registers routes, menu entries, its catalogue entry, case types, background jobs, who may
see its attachments, its seed/demo data and the panels it adds to other services' record pages, all through
one `Plugin` object — the same hooks for built-in services as for any later one (the shape Datasette uses for
its own features).

Which plugins make up the platform is decided in one place only, the composition root (ipcity/bootstrap.py):
this module knows no service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipcity.core.i18n import Msg

if TYPE_CHECKING:
    from fastapi import APIRouter

    from ipcity.workflow.definition import CaseType


@dataclass(frozen=True)
class MenuEntry:
    label: Msg
    path: str
    roles: frozenset[str]
    order: int = 100


@dataclass(frozen=True)
class ServiceInfo:
    """A line of the public service catalogue (服务事项目录)."""

    key: str
    name: Msg
    description: Msg
    who_may_apply: Msg
    time_limit: Msg
    path: str
    plan_items: tuple[int, ...] = ()


@dataclass(frozen=True)
class Panel:
    """A panel one plugin adds to another service's record page: one of its own templates and that template's
    context. The page includes `template` with `panel` (this object) in its context, knowing nothing else of
    the plugin that made it."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plugin:
    key: str
    service: ServiceInfo | None = None
    routers: list[APIRouter] = field(default_factory=list)
    menu: list[MenuEntry] = field(default_factory=list)
    case_types: list[CaseType] = field(default_factory=list)
    jobs: dict[str, Callable[..., dict]] = field(default_factory=dict)
    job_labels: dict[str, Msg] = field(default_factory=dict)  # what the jobs page calls each kind
    # owner_type -> fn(session, actor, owner_id) -> bool: may this person download the attachment?
    file_access: dict[str, Callable[..., bool]] = field(default_factory=dict)
    templates: Path | None = None
    seed: Callable[..., Any] | None = None  # reference data every installation needs
    demo: Callable[..., Any] | None = None  # demo data, loaded only on request
    tables: tuple[str, ...] = ()  # modules declaring its tables: imported so that the schema (and Alembic) sees them
    commands: dict[str, Any] = field(default_factory=dict)  # name -> typer.Typer: `ipcity <name> …`
    # subject type -> fn(session, actor, subject) -> Panel | None: a panel for another service's record page
    # (None: nothing for this person). The page's service names the subject type and says what `subject` is
    # ("pledge.registration": the pledge application, whose `patents` each have a `patent_number`).
    panels: dict[str, Callable[..., Panel | None]] = field(default_factory=dict)


class Registry:
    def __init__(self) -> None:
        self._plugins: dict[str, Plugin] = {}

    def register(self, plugin: Plugin) -> Plugin:
        if plugin.key in self._plugins:
            raise ValueError(f"plugin {plugin.key!r} registered twice")
        for ct in plugin.case_types:
            if any(ct.key == other.key for p in self._plugins.values() for other in p.case_types):
                raise ValueError(f"case type {ct.key!r} declared twice")
        self._plugins[plugin.key] = plugin
        return plugin

    @property
    def plugins(self) -> list[Plugin]:
        return list(self._plugins.values())

    def services(self) -> list[ServiceInfo]:
        return [p.service for p in self._plugins.values() if p.service]

    def menu_for(self, role: str | None) -> list[MenuEntry]:
        entries = [m for p in self._plugins.values() for m in p.menu if role in m.roles]
        return sorted(entries, key=lambda m: m.order)

    def case_type(self, key: str) -> CaseType:
        for p in self._plugins.values():
            for ct in p.case_types:
                if ct.key == key:
                    return ct
        raise KeyError(key)

    def case_types(self) -> list[CaseType]:
        return [ct for p in self._plugins.values() for ct in p.case_types]

    def job(self, kind: str) -> Callable[..., dict]:
        for p in self._plugins.values():
            if kind in p.jobs:
                return p.jobs[kind]
        raise KeyError(kind)

    def job_labels(self) -> dict[str, Msg]:
        return {k: v for p in self._plugins.values() for k, v in p.job_labels.items()}

    def panels_for(self, subject_type: str) -> dict[str, Callable[..., Panel | None]]:
        """The panel makers the plugins contribute to the record pages of `subject_type`, by plugin key, in
        plugin order."""
        return {p.key: p.panels[subject_type] for p in self._plugins.values() if subject_type in p.panels}

    def file_access(self, owner_type: str) -> Callable[..., bool] | None:
        for p in self._plugins.values():
            if owner_type in p.file_access:
                return p.file_access[owner_type]
        return None
