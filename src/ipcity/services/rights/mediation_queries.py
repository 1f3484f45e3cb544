"""Read model of mediations: the list a person may see with its filters and export, one mediation as its page shows
it, labels. A body's mediators see only the mediations assigned to their body."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from ipcity.core import documents
from ipcity.core.files import attachments_of
from ipcity.core.roles import ADMIN, MEDIATOR, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import domain, mediation, service
from ipcity.services.rights.tables import Mediation, RightsRequest
from ipcity.web.paging import ListFilters
from ipcity.workflow import engine
from ipcity.workflow.tables import Case


def visible(stmt: Select, actor: Actor | None) -> Select:
    """The mediations a person may see: administrators all; a mediator those assigned to their body; an official
    those assigned to their unit and those of the requests their unit referred; a requester their own."""
    if actor is None:
        return stmt.where(false())
    if actor.role == ADMIN:
        return stmt
    if actor.role in OFFICIAL_ROLES | {MEDIATOR}:
        if actor.unit_id is None:
            return stmt.where(false())
        cond = Mediation.case_id.in_(select(Case.id).where(Case.assigned_unit_id == actor.unit_id))
        if actor.role in OFFICIAL_ROLES:
            referred = (select(RightsRequest.id).join(Case, Case.id == RightsRequest.case_id)
                        .where(Case.assigned_unit_id == actor.unit_id))
            cond = or_(cond, Mediation.request_id.in_(referred))
        return stmt.where(cond)
    if actor.role in PUBLIC_ROLES and actor.user_id is not None:  # the requester (service.is_party)
        return stmt.where(service.requester_condition(Mediation, actor))
    return stmt.where(false())


@dataclass
class MediationFilters(ListFilters):
    q: str = ""
    state: str = ""
    mediator_kind: str = ""


def mediations_query(actor: Actor | None, f: MediationFilters) -> Select:
    stmt = visible(select(Mediation), actor)
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (
            Mediation.number, Mediation.requester, Mediation.respondent))))
    if f.state:
        stmt = stmt.where(Mediation.state == f.state)
    if f.mediator_kind:
        stmt = stmt.where(Mediation.mediator_kind == f.mediator_kind)
    return stmt.order_by(Mediation.received_on.desc(), Mediation.id.desc())


def state_label(key: str):
    return mediation.MEDIATION.state_label(key)


def unit_names(session: Session, rows: list[Mediation]) -> dict[int, str]:
    """The mediating unit of each mediation on a page (one query): {mediation id: unit name}."""
    by_case = {r.case_id: r.id for r in rows}
    if not by_case:
        return {}
    found = session.execute(select(Case.id, Unit.name_zh).join(Unit, Unit.id == Case.assigned_unit_id)
                            .where(Case.id.in_(by_case)))
    return {by_case[case_id]: name for case_id, name in found}


HEADER = ["number", "state", "mediator_kind", "mediating_unit", "matter", "requester", "respondent", "received_on",
          "notice_sent_on", "statement_on", "agrees", "agreed_on", "amount", "confirmation_court",
          "confirmation_result", "performed", "outcome", "closed_on"]


def _d(value) -> str:
    return value.isoformat() if value else ""


def rows(session: Session, found: list[Mediation]) -> list[list]:
    units = unit_names(session, found)
    return [[m.number, m.state, m.mediator_kind, units.get(m.id, ""), m.matter, m.requester, m.respondent,
             _d(m.received_on), _d(m.notice_sent_on), _d(m.statement_on),
             "" if m.agrees is None else ("1" if m.agrees else "0"), _d(m.agreed_on),
             f"{m.amount:.2f}" if m.amount is not None else "", (m.confirmation or {}).get("court", ""),
             (m.confirmation or {}).get("result", ""), "1" if mediation.performed(m) else "", m.outcome,
             _d(m.closed_on)] for m in found]


def list_context(session: Session, actor: Actor | None, result) -> dict:
    return {"units": unit_names(session, result.rows)}


def record_context(session: Session, actor: Actor, med: Mediation) -> dict:
    case = mediation.MEDIATIONS.case_of(session, med)
    req = mediation.request_of(session, med)
    unit = mediation.acts_for_mediation(case, actor)
    requester = service.is_requester(actor, req)
    confirmation = med.confirmation or {}
    due = mediation.statement_due(session, med)
    return {
        "med": med, "case": case, "req": req, "actions": engine.available_actions(mediation.MEDIATION, case, actor),
        "deadlines": engine.deadlines(session, mediation.MEDIATION, case), "history": case.events,
        "agreements": documents.editions_marked(session, mediation.AGREEMENT_OWNER, med.id,
                                                mediation.agreements_of(session, med)),
        "may_reissue": bool(mediation.agreements_of(session, med)) and actor.user_id is not None
        and mediation.may_reissue_agreement(session, actor, med.id),
        "mediating_unit": session.get(Unit, case.assigned_unit_id) if case.assigned_unit_id else None,
        "statement_due": due, "late": mediation.late_statement(session, med) if med.state == "notified" else None,
        "is_unit": unit, "is_requester": requester,
        "may_record_agreement": unit and med.state == "mediating",
        "may_request_confirmation": (unit or requester) and med.agreed_on is not None
        and med.state in ("agreed", "closed") and not mediation.confirmation_pending(med)
        and confirmation.get("result") != mediation.CONFIRMED,
        "may_record_result": unit and mediation.confirmation_pending(med),
        "may_record_performance": unit and med.state == "agreed",
        "performed": mediation.performed(med),
        "evidence": attachments_of(session, service.case_evidence_owner(domain.MEDIATION), med.id),
    }


def codes() -> dict:
    return {"mediators": domain.MEDIATORS, "matters": domain.MEDIATION_MATTERS, "rights": domain.RIGHTS,
            "states": mediation.MEDIATION.states, "state_label": state_label,
            "confirmation_results": mediation.CONFIRMATION_RESULTS, "outcome_labels": mediation.OUTCOME_LABELS}
