"""Pages of the network's figures: the officials' dashboard (filters, Excel export) and the yearly public report
(no sign-in; CSV and Excel). Both read stats.py, computed once per data version (stats.board_of, stats.report_of).

The dashboard is for officials, the mediation bodies' mediators and administrators: aggregates only, of every
unit of the network, with a unit filter. The public report shows no party's name and no unit's workload: counts by
kind, right, district and month, the clocks met, the outcomes and the amounts recovered.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError
from ipcity.core.roles import Actor
from ipcity.services.rights import stats
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.export import csv_response, xlsx_response
from ipcity.web.templating import render

router = APIRouter(prefix="/rights")


@router.get("/dashboard")
def dashboard(request: Request, format: str = "", actor: Actor = Depends(require(*stats.STAFF)),
              session: Session = Depends(db_session)):
    """The network's figures for the filters; `?format=xlsx` the same as an Excel file (refused filters: the
    error page, never a file of empty tables)."""
    filters = stats.Filters.from_query(request.query_params)
    if format == "xlsx":
        return xlsx_response("rights-dashboard.xlsx", stats.sheets(stats.board_of(session, filters)))
    body = stats.dashboard_html(session, request.app.state.services.templates, filters)
    return render(request, "rights/dashboard.html", {"body": body})


@router.get("/report")
@public
def report(request: Request, year: str = "", format: str = "", actor: Actor | None = Depends(signed_in_or_anonymous()),
           session: Session = Depends(db_session)):
    """The yearly public report (this year by default); `?format=csv` or `?format=xlsx` as a file."""
    years = stats.report_years(session)
    try:
        chosen = stats.report_year(year, years)
    except DomainError as exc:
        if format in ("csv", "xlsx"):
            raise
        return render(request, "rights/report.html", {"rep": None, "years": years, "error": exc}, status_code=400)
    rep = stats.report_of(session, chosen)
    if format == "csv":
        return csv_response(f"rights-report-{chosen}.csv", stats.CSV_HEADER, stats.report_csv_rows(rep))
    if format == "xlsx":
        return xlsx_response(f"rights-report-{chosen}.xlsx", stats.report_sheets(rep))
    return render(request, "rights/report.html", {"rep": rep, "years": years, "error": None})
