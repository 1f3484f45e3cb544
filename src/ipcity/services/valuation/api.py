"""JSON API of patent valuation for financing, at the address users and the README know:

- GET  /api/pledge/valuation   JSON for ?numbers=…&scenario=…&on=YYYY-MM-DD
- POST /api/pledge/valuation   JSON body {"numbers": [...], "scenario": "finance", "income": {...} | null,
                               "on": "YYYY-MM-DD" | null, "store": false}; with "store", the report is filed
                               (service.record_report)

Every route requires a signed-in person and then checks the valuation users (access.ensure_user).
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.services.valuation import queries, report, service
from ipcity.services.valuation.access import ensure_user
from ipcity.services.valuation.as_data import as_dict
from ipcity.services.valuation.domain import FINANCE
from ipcity.services.valuation.income import INCOME_FIELDS
from ipcity.web.deps import db_session, require

router = APIRouter(prefix="/api/pledge/valuation")


@router.get("")
def valuation_api(numbers: str = "", scenario: str = FINANCE, on: str = "",
                  actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    ensure_user(actor)
    results = queries.evaluate_values(session, actor, {"numbers": numbers, "scenario": scenario, "on": on})
    return {"valuations": [as_dict(v) for v in results]}


@router.post("")
def valuation_api_post(body: dict = Body(default_factory=dict), actor: Actor = Depends(require()),
                       session: Session = Depends(db_session)):
    ensure_user(actor)
    numbers = body.get("numbers") or ""
    values = {"numbers": numbers if isinstance(numbers, str) else ",".join(str(n) for n in numbers),
              "scenario": str(body.get("scenario") or FINANCE), "on": str(body.get("on") or "")}
    income = body.get("income") or {}
    if not isinstance(income, dict):
        raise DomainError(Msg("income must be an object of income-approach inputs"), field="income")
    values |= {k: income[k] for k in INCOME_FIELDS if k in income} | {"with_income": bool(income)}
    results = queries.evaluate_values(session, actor, values)
    stored = []
    if body.get("store"):
        pdf = report.pdf_for(results, actor, service.config_of(session))
        stored = service.record_report(session, actor, results, pdf)
        session.commit()
    return {"valuations": [as_dict(v) for v in results],
            "stored": [{"attachment_id": a.id, "sha256": a.sha256, "url": f"/files/{a.id}"} for a in stored]}

