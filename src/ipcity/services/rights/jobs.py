"""Background jobs of the rights-protection network (run daily, e.g. from cron through `ipcity jobs run`; the
fairs' sweep is fairs.py's and runs hourly during a fair)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import inbox
from ipcity.core.clock import today
from ipcity.core.i18n import N_, Msg
from ipcity.core.jobs import JobContext
from ipcity.core.roles import Actor
from ipcity.services.rights import adjudication, service
from ipcity.services.rights.tables import Adjudication, RightsRequest
from ipcity.workflow import engine
from ipcity.workflow.tables import CaseDeadline

SWEEP_JOB = "rights.sweep"
SWEEP_LABEL = Msg("Close the adjudications whose period to sue has passed; remind the units of late first "
                  "responses")
LATE_TITLE = N_("First response late: request {number}")


def sweep(session: Session) -> dict:
    """Decided adjudications whose 15 days to sue have passed are closed (Patent Law Art 65); each unit gets one
    task per request whose first response is late."""
    system = Actor.system("rights.sweep")
    closed = reminded = 0
    for adj in session.scalars(select(Adjudication).where(Adjudication.state == "decided",
                                                          Adjudication.suit_deadline < today())):
        engine.fire(session, adjudication.ADJUDICATION, adjudication.ADJUDICATIONS.case_of(session, adj), "close",
                    system, reason="起诉期限届满")
        closed += 1
    late = select(CaseDeadline.case_id).where(CaseDeadline.rule_key == "first_response",
                                              CaseDeadline.stopped_on.is_(None), CaseDeadline.due_on < today())
    for req in session.scalars(select(RightsRequest).where(RightsRequest.case_id.in_(late))):
        case = service.REQUESTS.case_of(session, req)
        if inbox.notify(session, kind="task", unit_id=case.assigned_unit_id, case_id=case.id, title=LATE_TITLE,
                        params={"number": req.number}, link=f"/rights/requests/{req.id}",
                        dedupe_key=f"rights.late:{req.id}:{case.assigned_unit_id}") is not None:
            reminded += 1
    return {"closed": closed, "reminded": reminded}


def sweep_job(ctx: JobContext, params: dict) -> dict:
    with ctx.db.session(write=True) as s:  # reads, then writes: the write lock from the start (SQLite)
        result = sweep(s)
        s.commit()
    ctx.progress(1, 1, N_("rights-protection cases swept"))
    return result
