"""The income approach (收益法), relief-from-royalty form: the present value of the income attributable to the
patent over its remaining economic life, capped by its remaining legal term; and the check of its inputs as a
form or the JSON API gives them, every bad field named.

Pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.services.valuation.normalisers import num


@dataclass(frozen=True)
class IncomeInputs:
    revenue: tuple[float, ...]  # yuan per year: one figure (grown at growth_rate) or a forecast, year 1 first
    royalty_rate: float  # royalty rate / share of the revenue attributable to the patent (提成率/分成率)
    discount_rate: float  # 折现率
    economic_life: float  # years of remaining economic life (capped by the remaining legal term)
    growth_rate: float = 0.0  # per year, after the last forecast figure
    tax_rate: float = 0.0  # on the attributable income
    mid_year: bool = False  # discount each year's cash from its middle rather than its end

    def to_dict(self) -> dict:
        return {"revenue": list(self.revenue), "royalty_rate": self.royalty_rate,
                "discount_rate": self.discount_rate, "economic_life": self.economic_life,
                "growth_rate": self.growth_rate, "tax_rate": self.tax_rate, "mid_year": self.mid_year}


@dataclass(frozen=True)
class IncomeYear:
    year: int
    fraction: float  # share of the year counted (the last year may be part of one)
    revenue: float
    income: float  # revenue × fraction × royalty rate
    after_tax: float
    discount_factor: float
    present_value: float


@dataclass(frozen=True)
class IncomeResult:
    inputs: IncomeInputs
    life: float  # years used: min(economic life, remaining legal term)
    capped_by_term: bool
    years: tuple[IncomeYear, ...]
    present_value: float


INCOME_FIELDS = ("revenue", "royalty_rate", "discount_rate", "economic_life", "growth_rate", "tax_rate", "mid_year")
MAX_LIFE = 30.0


def _rate(raw: Any, name: str, label: Msg, problems: list, *, low: float, high: float, low_open: bool = False,
          required: bool = True, default: float = 0.0) -> float:
    text = str(raw if raw is not None else "").strip().replace("％", "%").replace(",", "")
    if not text:
        if required:
            problems.append((name, Msg("Give the {label}", label=label)))
        return default
    percent = text.endswith("%")
    try:
        value = float(text[:-1] if percent else text)
    except ValueError:
        problems.append((name, Msg("The {label} must be a number such as 0.12 or 12%, not '{value}'",
                                   label=label, value=text[:30])))
        return default
    if percent:
        value /= 100
    if not math.isfinite(value) or value < low or value > high or (low_open and value <= low):
        problems.append((name, Msg("The {label} must lie between {low} and {high} (write 12% as 0.12 or 12%)",
                                   label=label, low=num(low), high=num(high))))
        return default
    return value


def validate_income(raw: Mapping[str, Any]) -> IncomeInputs:
    """IncomeInputs from form or JSON values; DomainError naming every bad field (field names INCOME_FIELDS)."""
    problems: list[tuple[str, Msg]] = []
    revenue_raw = raw.get("revenue")
    if isinstance(revenue_raw, list | tuple):
        parts = [str(p) for p in revenue_raw]
    else:
        # "1,000,000" is one figure (a comma before exactly three digits groups thousands); spaces, other
        # commas, semicolons and 、 separate the figures of a forecast.
        text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", str(revenue_raw or "").strip())
        parts = [p for p in re.split(r"[\s,，;；、]+", text) if p]
    revenue: list[float] = []
    label = Msg("revenue (营业收入, yuan per year)")
    if not parts:
        problems.append(("revenue", Msg("Give the revenue of the product using the patent (营业收入, yuan per year); "
                                        "several figures are a forecast, year 1 first")))
    for part in parts[:int(MAX_LIFE)]:
        try:
            value = float(part.replace("_", ""))
        except ValueError:
            problems.append(("revenue", Msg("The {label} must be a number of yuan, not '{value}'", label=label,
                                            value=part[:30])))
            break
        if not math.isfinite(value) or value < 0:
            problems.append(("revenue", Msg("The {label} cannot be negative", label=label)))
            break
        revenue.append(value)
    if len(parts) > MAX_LIFE:
        problems.append(("revenue", Msg("A revenue forecast covers at most {n} years", n=int(MAX_LIFE))))
    royalty = _rate(raw.get("royalty_rate"), "royalty_rate", Msg("royalty rate or attribution share (提成率/分成率)"),
                    problems, low=0, high=1, low_open=True)
    discount = _rate(raw.get("discount_rate"), "discount_rate", Msg("discount rate (折现率)"), problems,
                     low=0, high=1, low_open=True)
    growth = _rate(raw.get("growth_rate"), "growth_rate", Msg("growth rate (增长率)"), problems, low=-0.5, high=1,
                   required=False)
    tax = _rate(raw.get("tax_rate"), "tax_rate", Msg("tax rate (所得税率)"), problems, low=0, high=0.99,
                required=False)
    life_text = str(raw.get("economic_life") if raw.get("economic_life") is not None else "").strip()
    life = 0.0
    if not life_text:
        problems.append(("economic_life", Msg("Give the remaining economic life in years (剩余经济寿命)")))
    else:
        try:
            life = float(life_text)
            if not math.isfinite(life) or not 0 < life <= MAX_LIFE:
                problems.append(("economic_life", Msg("The remaining economic life must be more than 0 and at most "
                                                      "{n} years", n=int(MAX_LIFE))))
        except ValueError:
            problems.append(("economic_life", Msg("The remaining economic life must be a number of years, not "
                                                  "'{value}'", value=life_text[:30])))
    mid = raw.get("mid_year")
    mid_year = mid is True or str(mid or "").strip().lower() in ("1", "true", "on", "yes")
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    return IncomeInputs(tuple(revenue), royalty, discount, life, growth, tax, mid_year)


def income_value(inputs: IncomeInputs, remaining_years: float) -> IncomeResult:
    """Present value = Σ cash_t / (1 + r)^t, over the economic life capped by the remaining legal term.

    cash_t = revenue_t × fraction_t × royalty rate × (1 − tax); revenue_t is the forecast's figure for year t, or
    the last figure grown at the growth rate for each year beyond it. A life of 7.4 years is 7 whole years and a
    last year counted 0.4, discounted at t = 7.4 (end of the period); with mid_year, each period is discounted
    from its middle (t − fraction/2).
    """
    life = min(inputs.economic_life, max(remaining_years, 0.0))
    capped = remaining_years < inputs.economic_life
    whole = int(math.floor(life + 1e-9))
    periods = [(t, 1.0) for t in range(1, whole + 1)]
    rest = life - whole
    if rest > 1e-9:
        periods.append((whole + 1, rest))
    years = []
    forecast = inputs.revenue
    for t, fraction in periods:
        if t <= len(forecast):
            revenue = forecast[t - 1]
        else:
            revenue = forecast[-1] * (1 + inputs.growth_rate) ** (t - len(forecast))
        income = revenue * fraction * inputs.royalty_rate
        after_tax = income * (1 - inputs.tax_rate)
        at = (t - 1) + (fraction / 2 if inputs.mid_year else fraction)
        factor = 1 / (1 + inputs.discount_rate) ** at
        years.append(IncomeYear(t, fraction, revenue, income, after_tax, factor, after_tax * factor))
    return IncomeResult(inputs, life, capped, tuple(years), sum(y.present_value for y in years))
