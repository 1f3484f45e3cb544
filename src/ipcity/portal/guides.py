"""The service guides (办事指南): one page per service of the catalogue, `/services/{key}/guide`, open to everyone,
and a template of each form among its materials (a printable page, or an Excel workbook with `?format=xlsx`),
generated from the guide's items.

A guide is data its service declares (`Plugin.guide`, core/guides.py). What the installation configures is read
here, at run time: a time limit's amount and unit from the case type's deadline rule in force (or the Settings
field it names), the numbers a text names in braces, the acting unit and the office's contact text.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.config import Settings
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.guides import CALENDAR_DAYS, MONTHS, WORKING_DAYS, YEARS, Guide, Material, TimeLimit
from ipcity.core.i18n import Msg, current_locale
from ipcity.core.plugins import Registry, ServiceInfo
from ipcity.core.tables import Unit
from ipcity.web.deps import db_session, public, signed_in_or_anonymous
from ipcity.web.export import xlsx_response
from ipcity.web.templating import render

router = APIRouter()

# How an amount reads in each unit (the message's `{n}` gets the amount).
AMOUNTS = {WORKING_DAYS: Msg("{n} working days"), CALENDAR_DAYS: Msg("{n} days"), MONTHS: Msg("{n} months"),
           YEARS: Msg("{n} years")}


def service_guide(registry: Registry, key: str) -> tuple[ServiceInfo, Guide]:
    """The catalogue entry and the guide of service `key`; NotFound for an unknown service or one without a guide."""
    for plugin in registry.plugins:
        if plugin.service is not None and plugin.service.key == key and plugin.guide is not None:
            return plugin.service, plugin.guide
    raise NotFound(Msg("There is no service guide for {key}", key=key[:40]))


def figures(settings: Settings) -> dict[str, int | float | Decimal]:
    """The numeric settings a guide's text may name in braces ("{dataip_relock_months}"); text settings (paths,
    addresses, tokens) are never offered to a text."""
    values = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    return {k: v for k, v in values.items() if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)}


def text(msg: Msg | None, settings: Settings) -> str:
    """A guide's text in the current language, with the installation's numbers in its braces."""
    if msg is None:
        return ""
    rendered = msg.render()
    return rendered.format_map(figures(settings)) if "{" in rendered else rendered


def amount(registry: Registry, settings: Settings, limit: TimeLimit) -> str:
    """What a time limit amounts to in this installation: the deadline rule in force or the setting's value."""
    if limit.text is not None:
        return text(limit.text, settings)
    if limit.deadline:
        rules = {d.key: d for d in registry.case_type(limit.case_type).deadlines}
        rule = rules[limit.deadline].in_force(settings)
        n, unit = rule.amount, rule.unit
    else:
        n, unit = getattr(settings, limit.setting), limit.unit
    return Msg(AMOUNTS[unit].msgid, n=n).render()


def headline_limits(registry: Registry, settings: Settings) -> dict[str, str]:
    """Per service, its guide's first time limit as this installation applies it ("Decision: 5 working days"),
    for the catalogue cards; a service without a guide keeps its catalogue line."""
    out = {}
    for plugin in registry.plugins:
        if plugin.service is not None and plugin.guide is not None and plugin.guide.time_limits:
            first = plugin.guide.time_limits[0]
            colon = ": " if current_locale.get() == "en" else "："
            out[plugin.service.key] = f"{first.label.render()}{colon}{amount(registry, settings, first)}"
    return out


def acting_unit(session: Session, settings: Settings, guide: Guide) -> Unit | None:
    """The unit that acts for the service: the one whose code the guide's setting holds, else the IP office."""
    code = getattr(settings, guide.unit_setting) if guide.unit_setting else ""
    q = select(Unit).where(Unit.code == code) if code else select(Unit).where(Unit.kind == "ip_office")
    return session.scalar(q.order_by(Unit.id).limit(1))


def unit_name(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return (unit.name_en or unit.name_zh) if current_locale.get() == "en" else unit.name_zh


def guide_context(request: Request, session: Session, key: str) -> dict:
    services = request.app.state.services
    registry, settings = services.registry, services.settings
    info, guide = service_guide(registry, key)
    return {
        "service": info, "guide": guide, "gt": lambda msg: text(msg, settings),
        "limits": [{"limit": t, "amount": amount(registry, settings, t), "basis": text(t.basis, settings)}
                   for t in guide.time_limits],
        "unit": unit_name(acting_unit(session, settings, guide)), "contact": settings.service_contact,
    }


@router.get("/services/{key}/guide")
@public
def guide_page(request: Request, key: str, actor=Depends(signed_in_or_anonymous()),
               session: Session = Depends(db_session)):
    return render(request, "portal/guide.html", guide_context(request, session, key))


def _material(guide: Guide, key: str) -> Material:
    material = guide.material(key)
    if material is None or not material.fields:
        raise NotFound(Msg("This service guide has no template named {key}", key=key[:40]))
    return material


def _sheet_name(name: str) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in name).strip()
    return cleaned[:31] or "Sheet"


@router.get("/services/{key}/guide/materials/{material}")
@public
def material_template(request: Request, key: str, material: str, format: str = "",  # noqa: A002 - the query's name
                      actor=Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    """A form among the materials as a template: a printable page, or an Excel workbook (`format=xlsx`)."""
    settings = request.app.state.services.settings
    info, guide = service_guide(request.app.state.services.registry, key)
    m = _material(guide, material)
    if format not in ("", "xlsx"):
        raise DomainError(Msg("Templates are offered as a printable page or as an Excel workbook, not as {format}",
                              format=format[:20]), field="format")
    name = text(m.name, settings)
    if format == "xlsx":
        header = [Msg("Item").render(), Msg("Your entry").render()]
        form = [[text(f, settings), ""] for f in m.fields]
        about = [[Msg("Service").render(), info.name.render()], [Msg("Material").render(), name]]
        about += [[Msg("Notes").render(), text(m.note, settings)]] if m.note is not None else []
        about += [[Msg("Legal basis").render(), "；".join(
            " ".join(x for x in (text(b.law, settings), text(b.articles, settings)) if x) for b in guide.basis)]]
        return xlsx_response(f"{name}.xlsx", {_sheet_name(name): (header, form),
                                              _sheet_name(Msg("About this form").render()): (header, about)})
    return render(request, "portal/guide_material.html",
                  {"service": info, "guide": guide, "material": m, "gt": lambda msg: text(msg, settings)})
