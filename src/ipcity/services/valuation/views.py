"""Pages of patent valuation for financing (专利价值内部评估), at the addresses users and the README know:

- GET  /pledge/valuation             the form: patent numbers, scenario, optional income-approach inputs
- POST /pledge/valuation             the results: indicator breakdown, first-level and overall scores, income
                                     approach, suggested pledge rate (writes nothing)
- GET  /pledge/valuation/report.pdf  the report for ?numbers=…&scenario=… (income inputs of the newest filed report)
- POST /pledge/valuation/report.pdf  the report for the posted inputs, filed: kept in the file store with an audit
                                     entry per patent (service.record_report)

Full paths, no prefix (the pages live under /pledge, where they were first published). Every route requires a
signed-in person and then checks the valuation users (banks, officials, companies for their own patents,
administrators) — the dataip pattern: a route-level role set would cover the whole test cast.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError
from ipcity.core.roles import Actor
from ipcity.services.valuation import queries, report, service
from ipcity.services.valuation.access import ensure_user
from ipcity.services.valuation.domain import FINANCE
from ipcity.web.deps import db_session, require
from ipcity.web.export import download_response
from ipcity.web.templating import render

router = APIRouter()
PAGE = service.PAGE


async def posted_form(request: Request) -> FormData:
    return await request.form()


def _form_context(session: Session, values: dict, error: DomainError | None = None) -> dict:
    config = service.config_of(session)
    return {"values": values, "error": error, "scenarios": config.scenarios, "config_source": config.source,
            "config_label": config.source_label,
            "max_patents": service.MAX_PATENTS}


@router.get(PAGE)
def valuation_form(request: Request, numbers: str = "", scenario: str = FINANCE,
                   actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    ensure_user(actor)
    values = {"numbers": numbers, "scenario": scenario, "growth_rate": "", "tax_rate": ""}
    return render(request, "valuation/form.html", _form_context(session, values))


def _evaluate_posted(request: Request, session: Session, actor: Actor, form: FormData):
    """The posted inputs evaluated, or the form again with what is wrong (a 400) and nothing evaluated."""
    values = queries.form_values(form)
    try:
        return values, queries.evaluate_values(session, actor, values), None
    except DomainError as exc:
        if exc.status not in (400, 404):
            raise
        return values, None, render(request, "valuation/form.html", _form_context(session, values, exc),
                                    status_code=400)


@router.post(PAGE)
def valuation_results(request: Request, form: FormData = Depends(posted_form), actor: Actor = Depends(require()),
                      session: Session = Depends(db_session)):
    ensure_user(actor)
    values, results, refused = _evaluate_posted(request, session, actor, form)
    if refused is not None:
        return refused
    return render(request, "valuation/results.html", {
        "results": results, "values": values, "display_value": report.display_value,
        "money": report.money, "percent": report.percent,
        "score_text": report.score_text, "disclaimer": report.DISCLAIMER_EN,
        "disclaimer_zh": report.DISCLAIMER_ZH})


@router.get(PAGE + "/report.pdf")
def valuation_report_pdf(numbers: str = "", scenario: str = FINANCE, on: str = "",
                         actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """The report on the fly (not filed); each patent's income inputs are those of its newest filed report."""
    ensure_user(actor)
    results = service.evaluate(session, numbers, scenario=scenario, on=queries.parse_day(on), actor=actor)
    with_income = []
    for v in results:
        income = service.stored_income(session, v.key, v.scenario.key)
        with_income.append(v if income is None else service.evaluate(
            session, [v.key], scenario=v.scenario.key, income=income, on=v.on, actor=actor)[0])
    pdf = report.pdf_for(with_income, actor, service.config_of(session))
    return download_response(report.filename_of(with_income), pdf, "application/pdf")


@router.post(PAGE + "/report.pdf")
def file_valuation_report(request: Request, form: FormData = Depends(posted_form),
                          actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """The report for the posted inputs, filed (file store + audit entry per patent)."""
    ensure_user(actor)
    values, results, refused = _evaluate_posted(request, session, actor, form)
    if refused is not None:
        return refused
    pdf = report.pdf_for(results, actor, service.config_of(session))
    service.record_report(session, actor, results, pdf)
    session.commit()
    return download_response(report.filename_of(results), pdf, "application/pdf")
