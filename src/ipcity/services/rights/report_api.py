"""JSON API of the network's figures: the officials' dashboard (the page's filters) and the yearly public report.
It reads stats.py, as the pages do, and never imports the HTML views."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.services.rights import stats
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous

router = APIRouter(prefix="/api/rights")


@router.get("/dashboard")
def dashboard(request: Request, actor: Actor = Depends(require(*stats.STAFF)),
              session: Session = Depends(db_session)):
    """The dashboard's figures for the filters of the query string (as /rights/dashboard takes them); refused
    filters answer 400 naming the field."""
    board = stats.board_of(session, stats.Filters.from_query(request.query_params))
    if board.error is not None:
        raise board.error
    return plain(board)


@router.get("/report")
@public
def report(year: str = "", actor: Actor | None = Depends(signed_in_or_anonymous()),
           session: Session = Depends(db_session)):
    """The public report of a year (this year by default): counts only, no names."""
    return plain(stats.report_of(session, stats.report_year(year, stats.report_years(session))))


def plain(value):
    """The figures' dataclasses as JSON values, their computed properties (shares, totals) with them: labels in
    the reader's language, dates as ISO text, amounts as decimal text (yuan, two decimals)."""
    if dataclasses.is_dataclass(value):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "error"}
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name, None), property) and not name.startswith("_"):
                out[name] = plain(getattr(value, name))
        return out
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Msg):
        return value.render()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value
