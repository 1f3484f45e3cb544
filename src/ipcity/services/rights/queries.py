"""Read model of the network's requests, adjudications and routing table: what the HTML pages (views.py) and the
JSON API (api.py) read — the lists a person may see with their filters, one request and one adjudication as their
pages show them, labels."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.files import attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, PUBLIC_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.patents.regions import place_name, regions
from ipcity.services.rights import adjudication, casetypes, domain, notices, service
from ipcity.services.rights.tables import Adjudication, Fair, RightsRequest, RoutingRule
from ipcity.web.paging import ListFilters, date_range
from ipcity.workflow import engine
from ipcity.workflow.tables import Case, CaseDeadline


def _visible(stmt: Select, model, actor: Actor, requester) -> Select:
    """The rows a person may see in full: their own (`requester`: the condition on the model's requester
    columns), those of their unit (officials, a mediation body's mediators), all (administrators)."""
    if actor.role in PUBLIC_ROLES:
        return stmt.where(requester(actor))
    if actor.role in service.STAFF_ROLES:
        return stmt.join(Case, Case.id == model.case_id).where(Case.assigned_unit_id == actor.unit_id)
    if actor.role != ADMIN:
        return stmt.where(model.id.is_(None))
    return stmt


@dataclass
class RequestFilters(ListFilters):
    q: str = ""
    state: str = ""
    kind: str = ""
    right: str = ""
    channel: str = ""
    district: str = ""
    received_from: str = ""
    received_to: str = ""
    overdue: str = ""  # "1": only those whose first response is late


def requests_query(actor: Actor, f: RequestFilters) -> Select:
    stmt = _visible(select(RightsRequest), RightsRequest, actor, lambda a: or_(
        RightsRequest.user_id == a.user_id, RightsRequest.unit_id == a.unit_id) if a.unit_id
        else RightsRequest.user_id == a.user_id)
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (
            RightsRequest.number, RightsRequest.requester_name, RightsRequest.respondent,
            RightsRequest.patent_number, RightsRequest.description))))
    for column, value in ((RightsRequest.state, f.state), (RightsRequest.kind, f.kind),
                          (RightsRequest.right, f.right), (RightsRequest.channel, f.channel),
                          (RightsRequest.division_code, f.district)):
        if value:
            stmt = stmt.where(column == value[:40])
    start, end = date_range(f.received_from, f.received_to, "received_from", "received_to")
    if start:
        stmt = stmt.where(RightsRequest.received_on >= start)
    if end:
        stmt = stmt.where(RightsRequest.received_on <= end)
    if f.overdue == "1":
        late = select(CaseDeadline.case_id).where(CaseDeadline.rule_key == "first_response",
                                                  CaseDeadline.stopped_on.is_(None), CaseDeadline.due_on < today())
        stmt = stmt.where(RightsRequest.case_id.in_(late))
    return stmt.order_by(RightsRequest.received_at.desc(), RightsRequest.id.desc())


@dataclass
class AdjudicationFilters(ListFilters):
    q: str = ""
    state: str = ""
    subject: str = ""
    outcome: str = ""


def adjudications_query(actor: Actor, f: AdjudicationFilters) -> Select:
    stmt = _visible(select(Adjudication), Adjudication, actor,
                    lambda a: service.requester_condition(Adjudication, a))
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (
            Adjudication.number, Adjudication.requester, Adjudication.respondent, Adjudication.patent_number))))
    for column, value in ((Adjudication.state, f.state), (Adjudication.subject, f.subject),
                          (Adjudication.outcome, f.outcome)):
        if value:
            stmt = stmt.where(column == value[:40])
    return stmt.order_by(Adjudication.id.desc())


REQUEST_HEADER = ["number", "kind", "right", "role", "channel", "where", "district", "fair", "country",
                  "requester", "respondent", "patent_number", "state", "unit", "received_on", "first_response_on",
                  "closed_on", "outcome", "amount_recovered", "routed_by_hand"]
ADJUDICATION_HEADER = ["number", "request", "subject", "requester", "respondent", "patent_number", "state",
                       "received_on", "filed_on", "decision_due", "extensions", "stopped_days", "decided_on",
                       "outcome", "repeat_infringement", "dishonest", "suit_deadline", "amount"]


def _d(value) -> str:
    return value.isoformat() if value else ""


def _units(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(session.execute(select(Unit.id, Unit.name_zh).where(Unit.id.in_(ids))).all()) if ids else {}


def request_rows(session: Session, rows: list[RightsRequest]) -> list[list]:
    cases = dict(session.execute(select(Case.id, Case.assigned_unit_id).where(
        Case.id.in_([r.case_id for r in rows]))).all()) if rows else {}
    units = _units(session, cases.values())
    fairs = dict(session.execute(select(Fair.id, Fair.name)).all()) if any(r.fair_id for r in rows) else {}
    return [[r.number, r.kind, r.right, r.role, r.channel, r.where, place_name(r.division_code) if r.division_code
             else "", fairs.get(r.fair_id, ""), r.country, r.requester_name, r.respondent, r.patent_number, r.state,
             units.get(cases.get(r.case_id), ""), _d(r.received_on), _d(r.first_response_on), _d(r.closed_on),
             r.outcome, str(r.amount_recovered or ""), "1" if r.routed_by_hand else ""] for r in rows]


def adjudication_rows(session: Session, rows: list[Adjudication]) -> list[list]:
    numbers = dict(session.execute(select(RightsRequest.id, RightsRequest.number).where(
        RightsRequest.id.in_([a.request_id for a in rows]))).all()) if rows else {}
    out = []
    for a in rows:
        reading = adjudication.clock(session, a)
        out.append([a.number, numbers.get(a.request_id, ""), a.subject, a.requester, a.respondent, a.patent_number,
                    a.state, _d(a.received_on), _d(a.filed_on), _d(a.decision_due), len(a.extensions or []),
                    reading.stopped_days if reading else 0, _d(a.decided_on), a.outcome,
                    "1" if a.repeat_infringement else "", "1" if a.dishonest else "", _d(a.suit_deadline),
                    str(a.amount or "")])
    return out


def request_context(session: Session, actor: Actor, req: RightsRequest) -> dict:
    case = service.REQUESTS.case_of(session, req)
    office = service.acts_for_unit(case, actor)
    kind = service.followup_kind(req)
    followup = None
    if req.followup_type and req.followup_id:
        records = service.followup_records(req.followup_type)
        record = session.get(records.model, req.followup_id)
        if record is not None:
            followup = {"record": record, "label": records.case_type.label,
                        "state": records.case_type.state_label(record.state),
                        "link": records.case_type.link(records.case_of(session, record))}
    unit = session.get(Unit, case.assigned_unit_id) if case.assigned_unit_id else None
    return {"req": req, "case": case, "unit": unit, "history": case.events,
            "actions": engine.available_actions(service.REQUEST, case, actor),
            "deadlines": engine.deadlines(session, service.REQUEST, case),
            "evidence": service.evidence_of(session, req), "transfers": transfer_rows(session, req),
            "is_office": office or actor.role == ADMIN, "may_refer": office and bool(kind) and req.state in
            service.OPEN, "followup_kind": kind, "followup": followup,
            "may_transfer": office and req.state in service.OPEN,
            "transfer_units": transfer_units(session, case.assigned_unit_id) if office else [],
            "mediation_bodies": units_of_kind(session, "mediation_body") if kind == domain.MEDIATION else [],
            "fair": session.get(Fair, req.fair_id) if req.fair_id else None,
            "region": place_name(req.division_code) if req.division_code else ""}


def transfer_rows(session: Session, req: RightsRequest) -> list[dict]:
    rows = service.transfers_of(session, req)
    units = _units(session, [t.from_unit_id for t in rows] + [t.to_unit_id for t in rows])
    return [{"at": t.at, "from": units.get(t.from_unit_id, "—"), "to": units.get(t.to_unit_id, "—"),
             "reason": t.reason} for t in rows]


ROUTABLE_KINDS = ("ip_office", "district_office", "protection_centre", "assistance_centre", "mediation_body",
                  "national_dept", "division", "district_gov")


def transfer_units(session: Session, current: int | None = None) -> list[Unit]:
    """The units a request may be routed or transferred to."""
    return [u for u in session.scalars(select(Unit).where(Unit.kind.in_(ROUTABLE_KINDS)).order_by(Unit.kind,
                                                                                                   Unit.name_zh))
            if u.id != current]


def units_of_kind(session: Session, kind: str) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind == kind).order_by(Unit.name_zh)))


def adjudication_context(session: Session, actor: Actor, adj: Adjudication) -> dict:
    case = adjudication.ADJUDICATIONS.case_of(session, adj)
    office = service.acts_for_unit(case, actor)
    documents = notices.NOTICE_OWNER
    return {"adj": adj, "case": case, "history": case.events, "is_office": office,
            "origin": session.get(RightsRequest, adj.request_id),
            "actions": engine.available_actions(adjudication.ADJUDICATION, case, actor),
            "deadlines": engine.deadlines(session, adjudication.ADJUDICATION, case),
            "clock": adjudication.clock(session, adj), "documents": attachments_of(session, documents, adj.id),
            "case_evidence": attachments_of(session, service.case_evidence_owner(domain.ADJUDICATION), adj.id),
            "may_file": office and adj.state == "received",
            "may_hear": office and adj.state in casetypes.ADJ_OPEN,
            "may_serve": office and adj.state == "filed" and adj.served_on is None,
            "may_decide": office and adj.state == "filed" and actor.role in casetypes.DECIDERS,
            "may_receipt": office and adj.state == "decided",
            "repeat_now": office and adj.state in casetypes.ADJ_OPEN
            and adjudication.repeat_check(session, adj, list(domain.INFRINGING_ACTS)),
            "stops": adj.stops or [], "extensions": adj.extensions or []}


@dataclass
class RouteView:
    rule: RoutingRule
    unit: str
    area_label: str


def area_label(area: str, fairs: dict[str, str]) -> str:
    if area == domain.ANY:
        return "*"
    if area == domain.ANY_DISTRICT:
        return Msg("any district").render()
    if area == domain.ANY_FAIR:
        return Msg("any fair").render()
    if area == domain.ONLINE:
        return domain.WHERE[domain.ONLINE].render()
    if area.startswith(f"{domain.FAIR}:"):
        return fairs.get(area[len(domain.FAIR) + 1:], area)
    return place_name(area) or area


def routing_table(session: Session) -> list[RouteView]:
    rules = session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)).all()
    units = _units(session, [r.unit_id for r in rules])
    fairs = dict(session.execute(select(Fair.key, Fair.name)).all())
    return [RouteView(r, units.get(r.unit_id, "—"), area_label(r.area, fairs)) for r in rules]


@functools.cache
def districts(city: str = "31") -> list[tuple[str, str]]:
    """The county-level divisions of the city, code and name (Shanghai: its 16 districts)."""
    table = regions()
    codes = [d for c in table.children(city) for d in table.children(c)]
    return [(code, table.name(code)) for code in sorted(codes)]


def codes() -> dict:
    return {"requester_roles": domain.REQUESTER_ROLES, "rights": domain.RIGHTS, "request_kinds": domain.REQUEST_KINDS,
            "channels": domain.CHANNELS, "wheres": domain.WHERE, "subjects": domain.DISPUTE_SUBJECTS,
            "matters": domain.MEDIATION_MATTERS, "major_categories": domain.MAJOR_CATEGORIES,
            "mediators": domain.MEDIATORS, "stop_kinds": domain.STOP_KINDS, "extension_levels": domain.EXTENSION_LEVELS,
            "acts": domain.INFRINGING_ACTS, "decisions": casetypes.DECISIONS, "outcomes": casetypes.OUTCOMES,
            "evidence_kinds": adjudication.EVIDENCE_KINDS, "request_states": service.REQUEST.states,
            "request_state": service.REQUEST.state_label, "adjudication_states": adjudication.ADJUDICATION.states,
            "adjudication_state": adjudication.ADJUDICATION.state_label, "region_name": place_name,
            "notice_kind": notices.kind_of, "notice_titles": notices.TITLE_MSGS, "closings": casetypes.CLOSING}
