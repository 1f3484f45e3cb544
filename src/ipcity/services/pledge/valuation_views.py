"""Pages and JSON API of patent valuation for financing (专利价值内部评估).

- GET  /pledge/valuation             the form: patent numbers, scenario, optional income-approach inputs
- POST /pledge/valuation             the results: indicator breakdown, first-level and overall scores, income
                                     approach, suggested pledge rate (writes nothing)
- GET  /pledge/valuation/report.pdf  the report for ?numbers=…&scenario=… (income inputs of the newest filed report)
- POST /pledge/valuation/report.pdf  the report for the posted inputs, filed: kept in the file store with an audit
                                     entry per patent (valuation_service.record_report)
- GET  /api/pledge/valuation         JSON for ?numbers=…&scenario=…&on=YYYY-MM-DD
- POST /api/pledge/valuation         JSON body {"numbers": [...], "scenario": "finance", "income": {...} | null,
                                     "on": "YYYY-MM-DD" | null, "store": false}

All on `router` (full paths, no prefix), so the pledge plugin's one include serves the pages and the API. Every
route requires a signed-in person and then checks the valuation users (banks, officials, companies for their own
patents, administrators) — the dataip pattern: a route-level role set would cover the whole test cast.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.services.pledge import valuation, valuation_report, valuation_service
from ipcity.web.deps import db_session, require
from ipcity.web.export import download_response
from ipcity.web.templating import render

router = APIRouter()
PAGE = "/pledge/valuation"
API = "/api/pledge/valuation"
INCOME_TRIGGERS = ("revenue", "royalty_rate", "discount_rate", "economic_life")


async def posted_form(request: Request) -> FormData:
    return await request.form()


def _day(text: str | None) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(Msg("'{value}' is not a date; write it YYYY-MM-DD", value=text[:20]), field="on") from None


def _values(form) -> dict:
    keys = ("numbers", "scenario", "on", *valuation.INCOME_FIELDS)
    return {k: str(form.get(k) or "") for k in keys}


def _income(values: dict) -> valuation.IncomeInputs | None:
    """Income inputs when any of the main ones is filled in (or the API sent an income object); validated as a
    whole, every bad field named."""
    if not values.get("with_income") and not any(str(values.get(k) or "").strip() for k in INCOME_TRIGGERS):
        return None
    return valuation.validate_income(values)


def _evaluate(session: Session, actor: Actor, values: dict) -> list[valuation_service.Valuation]:
    """Every problem of the form at once: numbers, scenario, date and income inputs."""
    problems: list[tuple[str | None, Msg]] = []
    income = on = None
    config = valuation.load_config()
    scenario = values.get("scenario") or valuation.FINANCE
    for step in ("scenario", "on", "income"):
        try:
            if step == "scenario":
                config.scenario(scenario)
            elif step == "on":
                on = _day(values.get("on"))
            else:
                income = _income(values)
        except DomainError as exc:
            problems += exc.problems
    try:
        numbers = valuation_service.split_numbers(values.get("numbers") or "")
        records = valuation_service.find_records(session, numbers, actor)
    except DomainError as exc:
        if exc.status not in (400, 404):
            raise
        problems = exc.problems + problems
        records = []
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    return valuation_service.evaluate(session, [r.app_number or r.pub_number for r in records], scenario=scenario,
                                      income=income, on=on, actor=actor)


def _form_context(values: dict, error: DomainError | None = None) -> dict:
    config = valuation.load_config()
    return {"values": values, "error": error, "scenarios": config.scenarios, "config_source": config.source,
            "max_patents": valuation_service.MAX_PATENTS}


# --- pages -----------------------------------------------------------------------------------------------

@router.get(PAGE)
def valuation_form(request: Request, numbers: str = "", scenario: str = valuation.FINANCE,
                   actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    valuation_service.ensure_user(actor)
    values = {"numbers": numbers, "scenario": scenario, "growth_rate": "", "tax_rate": ""}
    return render(request, "pledge/valuation.html", _form_context(values))


@router.post(PAGE)
def valuation_results(request: Request, form: FormData = Depends(posted_form), actor: Actor = Depends(require()),
                      session: Session = Depends(db_session)):
    valuation_service.ensure_user(actor)
    values = _values(form)
    try:
        results = _evaluate(session, actor, values)
    except DomainError as exc:
        if exc.status not in (400, 404):
            raise
        return render(request, "pledge/valuation.html", _form_context(values, exc), status_code=400)
    return render(request, "pledge/valuation_results.html", {
        "results": results, "values": values, "display_value": valuation_report.display_value,
        "money": valuation_report.money, "percent": valuation_report.percent,
        "score_text": valuation_report.score_text, "disclaimer": valuation_report.DISCLAIMER_EN,
        "disclaimer_zh": valuation_report.DISCLAIMER_ZH})


def _pdf(results: list[valuation_service.Valuation], actor: Actor) -> bytes:
    who = actor.display_name or actor.username
    return valuation_report.render_pdf(results, run_by=f"{who}（{actor.unit_name}）" if actor.unit_name else who)


def _filename(results: list[valuation_service.Valuation]) -> str:
    first = results[0]
    more = f"-and-{len(results) - 1}-more" if len(results) > 1 else ""
    return f"valuation-{first.number}{more}-{first.scenario.key}-{first.on.isoformat()}.pdf"


@router.get(PAGE + "/report.pdf")
def valuation_report_pdf(numbers: str = "", scenario: str = valuation.FINANCE, on: str = "",
                         actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """The report on the fly (not filed); each patent's income inputs are those of its newest filed report."""
    valuation_service.ensure_user(actor)
    results = valuation_service.evaluate(session, numbers, scenario=scenario, on=_day(on), actor=actor)
    with_income = []
    for v in results:
        income = valuation_service.stored_income(session, v.key, v.scenario.key)
        with_income.append(v if income is None else valuation_service.evaluate(
            session, [v.key], scenario=v.scenario.key, income=income, on=v.on, actor=actor)[0])
    return download_response(_filename(with_income), _pdf(with_income, actor), "application/pdf")


@router.post(PAGE + "/report.pdf")
def file_valuation_report(request: Request, form: FormData = Depends(posted_form),
                          actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """The report for the posted inputs, filed (file store + audit entry per patent)."""
    valuation_service.ensure_user(actor)
    values = _values(form)
    try:
        results = _evaluate(session, actor, values)
    except DomainError as exc:
        if exc.status not in (400, 404):
            raise
        return render(request, "pledge/valuation.html", _form_context(values, exc), status_code=400)
    pdf = _pdf(results, actor)
    valuation_service.record_report(session, actor, results, pdf)
    session.commit()
    return download_response(_filename(results), pdf, "application/pdf")


# --- JSON API --------------------------------------------------------------------------------------------

@router.get(API)
def valuation_api(numbers: str = "", scenario: str = valuation.FINANCE, on: str = "",
                  actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    valuation_service.ensure_user(actor)
    results = _evaluate(session, actor, {"numbers": numbers, "scenario": scenario, "on": on})
    return {"valuations": [valuation_service.as_dict(v) for v in results]}


@router.post(API)
def valuation_api_post(body: dict = Body(default_factory=dict), actor: Actor = Depends(require()),
                       session: Session = Depends(db_session)):
    valuation_service.ensure_user(actor)
    numbers = body.get("numbers") or ""
    values = {"numbers": numbers if isinstance(numbers, str) else ",".join(str(n) for n in numbers),
              "scenario": str(body.get("scenario") or valuation.FINANCE), "on": str(body.get("on") or "")}
    income = body.get("income") or {}
    if not isinstance(income, dict):
        raise DomainError(Msg("income must be an object of income-approach inputs"), field="income")
    values |= {k: income[k] for k in valuation.INCOME_FIELDS if k in income} | {"with_income": bool(income)}
    results = _evaluate(session, actor, values)
    stored = []
    if body.get("store"):
        stored = valuation_service.record_report(session, actor, results, _pdf(results, actor))
        session.commit()
    return {"valuations": [valuation_service.as_dict(v) for v in results],
            "stored": [{"attachment_id": a.id, "sha256": a.sha256, "url": f"/files/{a.id}"} for a in stored]}
