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
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy.orm import Session

    from ipcity.core.documents import DocumentKind
    from ipcity.core.guides import Guide
    from ipcity.workflow.definition import CaseType


# The menu's groups, by what people do, in the order the menu shows them (issue 15, item 11).
APPLY, PUBLIC, WORK, ADMIN_GROUP = "apply", "public", "work", "admin"
MENU_GROUPS: dict[str, Msg] = {
    APPLY: Msg("Apply"),                         # 办事
    PUBLIC: Msg("Search & public notices"),      # 查询公示
    WORK: Msg("Workbench"),                      # 工作台
    ADMIN_GROUP: Msg("Administration"),          # 管理
}


@dataclass(frozen=True)
class MenuEntry:
    """A menu line: shown to the roles in `roles` (None in it: anonymous visitors too) under its `group`.
    A public entry's `summary` is the line that says on the public home page what the page is."""

    label: Msg
    path: str
    roles: frozenset[str | None]
    order: int = 100
    group: str = WORK
    summary: Msg | None = None
    # Pages only the officials of some units may open (the IP office's statistics): the entry is shown only
    # to people of a unit of these kinds (administrators always), so that nobody's menu leads to a refusal.
    unit_kinds: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.group not in MENU_GROUPS:
            raise ValueError(f"menu entry {self.path!r}: unknown group {self.group!r}")

    def shown_to(self, role: str | None, unit_kind: str | None = None) -> bool:
        return role in self.roles and (self.unit_kinds is None or role == ADMIN or unit_kind in self.unit_kinds)

    @property
    def public(self) -> bool:
        return None in self.roles


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: Msg
    entries: tuple[MenuEntry, ...]


def grouped(entries: list[MenuEntry]) -> list[MenuGroup]:
    """A person's menu entries under their groups, in the groups' order; empty groups left out."""
    return [MenuGroup(key, label, tuple(e for e in entries if e.group == key))
            for key, label in MENU_GROUPS.items() if any(e.group == key for e in entries)]


def current_entry(entries: list[MenuEntry], path: str, query: str = "") -> MenuEntry | None:
    """The entry of the page at `path?query`: the one naming exactly that address (the registry's publicity
    view is the registry with a filter), else the one whose path is the longest prefix of `path`."""
    here = f"{path}?{query}" if query else path
    for e in entries:
        if e.path == here:
            return e
    within = [e for e in entries if "?" not in e.path
              and (path == e.path or path.startswith(e.path.rstrip("/") + "/"))]
    return max(within, key=lambda e: len(e.path), default=None)


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


@dataclass(frozen=True)
class Figure:
    """A figure a service gives on a work point of the plan for a period (plan supervision shows it beside the
    units' reports): what is counted, the value computed live from the service's own records, its unit of
    measure, and the system it comes from."""

    label: Msg
    value: int | Decimal
    source: Msg
    unit: Msg | None = None

    def text(self) -> str:
        """The value with thousands separators; an amount with its two decimals."""
        return f"{self.value:,.2f}" if isinstance(self.value, Decimal) else f"{self.value:,}"


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
    # plan item number -> fn(session, first day, last day) -> its figures for that period (both days included)
    figures: dict[int, Callable[[Session, date, date], list[Figure]]] = field(default_factory=dict)
    guide: Guide | None = None  # its service guide (办事指南, core/guides.py), shown at /services/<key>/guide
    # kind key -> the documents it issues and keeps (core/documents.py): what the office may issue again
    documents: dict[str, DocumentKind] = field(default_factory=dict)


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

    def menu_for(self, role: str | None, unit_kind: str | None = None) -> list[MenuEntry]:
        entries = [m for p in self._plugins.values() for m in p.menu if m.shown_to(role, unit_kind)]
        return sorted(entries, key=lambda m: m.order)

    def public_pages(self) -> list[tuple[ServiceInfo | None, list[MenuEntry]]]:
        """What an anonymous visitor may open, by the service that offers it (the public home page)."""
        out = []
        for p in self._plugins.values():
            entries = sorted((m for m in p.menu if m.public), key=lambda m: m.order)
            if entries:
                out.append((p.service, entries))
        return sorted(out, key=lambda item: item[1][0].order)

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

    def figures_for(self, item: int) -> dict[str, Callable[[Session, date, date], list[Figure]]]:
        """The figure makers the plugins contribute to plan item `item`, by plugin key, in plugin order."""
        return {p.key: p.figures[item] for p in self._plugins.values() if item in p.figures}

    def figure_items(self) -> list[int]:
        """The plan items some plugin gives figures on, in order."""
        return sorted({n for p in self._plugins.values() for n in p.figures})

    def document_kinds(self) -> dict[str, DocumentKind]:
        """Every kind of document the plugins issue and keep, by key (`ipcity documents …`)."""
        return {key: kind for p in self._plugins.values() for key, kind in p.documents.items()}

    def file_access(self, owner_type: str) -> Callable[..., bool] | None:
        for p in self._plugins.values():
            if owner_type in p.file_access:
                return p.file_access[owner_type]
        return None
