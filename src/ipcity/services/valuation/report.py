"""The valuation report a bank can file (专利价值内部评估报告): an A4 PDF, Chinese with English beside it.

WeasyPrint in the platform's own font (core/fonts.py), as the data-IP certificate. Per patent: the
facts, the register position (legal status, fees, licences, pledges), the indicator table (values, scores, weights),
the first-level scores, the overall score and grade, the income-approach inputs and result, the suggested pledge
rate; then the method and its limits — an internal evaluation, not an asset-valuation report under the Asset
Appraisal Law (资产评估法) — the date and who ran it. The display helpers serve the results page too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ipcity.core import fonts
from ipcity.core.clock import CHINA_TZ
from ipcity.core.roles import Actor
from ipcity.services.valuation.domain import (
    ENCUMBERED,
    FINANCE,
    GRACE,
    IN_FORCE,
    INDICATORS,
    LAPSED_STATUS,
    LEVELS,
    NOT_GRANTED,
)
from ipcity.services.valuation.service import Valuation
from ipcity.services.valuation.weights import Config

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "valuation/report.html"
TITLE_ZH, TITLE_EN = "专利价值内部评估报告", "Patent valuation for financing — internal evaluation"
DISCLAIMER_ZH = ("本报告为内部评估（参照 GB/T 42748-2023《专利评估指引》的组织方式），不是《中华人民共和国资产评估法》"
                 "规定的资产评估报告，不能替代资产评估机构出具的评估报告。")
DISCLAIMER_EN = ("Internal evaluation organised after GB/T 42748-2023 (Patent evaluation guideline); not an "
                 "asset-valuation report under the Asset Appraisal Law, and no substitute for one by an "
                 "appraisal institution.")

STATUS_LABELS = {
    IN_FORCE: ("有效", "in force"), GRACE: ("年费宽限期内未缴", "annual fee unpaid, in grace"),
    ENCUMBERED: ("中止或保全", "suspended or preserved"), LAPSED_STATUS: ("失效", "lapsed"),
    NOT_GRANTED: ("未授权", "not granted"),
    "invention": ("发明", "invention"), "utility": ("实用新型", "utility model"), "design": ("外观设计", "design"),
}
UNITS = {"remaining_term": ("年", "years"), "first_claim_length": ("字", "characters"),
         "field_activity": ("百分位", "percentile")}

_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def display_value(key: str, value) -> str:
    """An indicator's raw value as the report and the pages show it."""
    if value is None:
        return "—"
    if key in ("legal_status", "patent_type"):
        zh, en = STATUS_LABELS.get(value, (value, value))
        return f"{zh} {en}"
    if key == "field_growth":
        return f"{value * 100:+.1f}%/年"
    if isinstance(value, float):
        text = f"{value:,.1f}" if value != int(value) else f"{int(value):,}"
    else:
        text = f"{value:,}" if isinstance(value, int) else str(value)
    unit = UNITS.get(key)
    return f"{text} {unit[0]}" if unit else text


def money(value: float | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def score_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def normaliser_text(key: str, config: Config) -> str:
    return config.normalisers[key].describe()


def render_html(valuations: list[Valuation], config: Config, *, run_by: str,
                generated_at: datetime | None = None) -> str:
    generated_at = (generated_at or datetime.now(CHINA_TZ)).astimezone(CHINA_TZ)
    scenario = valuations[0].scenario if valuations else config.scenario(FINANCE)
    return _ENV.get_template(TEMPLATE).render(
        valuations=valuations, run_by=run_by, generated=generated_at.strftime("%Y-%m-%d %H:%M"),
        on=valuations[0].on.isoformat() if valuations else "", scenario=scenario, config=config,
        title_zh=TITLE_ZH, title_en=TITLE_EN, disclaimer_zh=DISCLAIMER_ZH, disclaimer_en=DISCLAIMER_EN,
        levels=LEVELS, indicators=INDICATORS, status_labels=STATUS_LABELS,
        display_value=display_value, money=money, percent=percent, score_text=score_text,
        normaliser_text=normaliser_text, rates=config.pledge_rates, grades=config.grades)


def render_pdf(valuations: list[Valuation], config: Config, *, run_by: str,
               generated_at: datetime | None = None) -> bytes:
    """Self-contained (nothing is fetched); fonts.MissingGlyphs where a character has no glyph in the platform's
    font, before the caller files anything."""
    html = render_html(valuations, config, run_by=run_by, generated_at=generated_at)
    return fonts.html_to_pdf(html, what=TITLE_EN)


def pdf_for(results: list[Valuation], actor: Actor, config: Config) -> bytes:
    """The report of these valuations, run by this person (name and unit on every page)."""
    who = actor.display_name or actor.username
    return render_pdf(results, config, run_by=f"{who}（{actor.unit_name}）" if actor.unit_name else who)


def filename_of(results: list[Valuation]) -> str:
    first = results[0]
    more = f"-and-{len(results) - 1}-more" if len(results) > 1 else ""
    return f"valuation-{first.number}{more}-{first.scenario.key}-{first.on.isoformat()}.pdf"
