"""What the pages and the JSON API both ask of valuation: the values given (patent numbers, scenario, valuation
date, income-approach inputs) checked all at once, every problem named, then the evaluation (views.py and api.py
read this module, so both apply the same rules)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError
from ipcity.core.forms import day_or_refuse
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.services.valuation import service
from ipcity.services.valuation.domain import FINANCE
from ipcity.services.valuation.income import INCOME_FIELDS, IncomeInputs, validate_income

INCOME_TRIGGERS = ("revenue", "royalty_rate", "discount_rate", "economic_life")


def parse_day(text: str | None) -> date | None:
    return day_or_refuse(text, "on")


def form_values(form: Mapping) -> dict:
    """The posted form's values that valuation reads, as text."""
    keys = ("numbers", "scenario", "on", *INCOME_FIELDS)
    return {k: str(form.get(k) or "") for k in keys}


def income_of(values: dict) -> IncomeInputs | None:
    """Income inputs when any of the main ones is filled in (or the API sent an income object); validated as a
    whole, every bad field named."""
    if not values.get("with_income") and not any(str(values.get(k) or "").strip() for k in INCOME_TRIGGERS):
        return None
    return validate_income(values)


def evaluate_values(session: Session, actor: Actor, values: dict) -> list[service.Valuation]:
    """Every problem of the values at once: numbers, scenario, date and income inputs; then the evaluation."""
    problems: list[tuple[str | None, Msg]] = []
    income = on = None
    config = service.config_of(session)
    scenario = values.get("scenario") or FINANCE
    for step in ("scenario", "on", "income"):
        try:
            if step == "scenario":
                config.scenario(scenario)
            elif step == "on":
                on = parse_day(values.get("on"))
            else:
                income = income_of(values)
        except DomainError as exc:
            problems += exc.problems
    try:
        numbers = service.split_numbers(values.get("numbers") or "")
        records = service.find_records(session, numbers, actor)
    except DomainError as exc:
        if exc.status not in (400, 404):
            raise
        problems = exc.problems + problems
        records = []
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    return service.evaluate(session, [r.app_number or r.pub_number for r in records], scenario=scenario,
                            income=income, on=on, actor=actor)
