"""Use cases of the network's requests (维权援助"全市一张网"): one intake for everyone (the web form, and an official
entering a phone call or a visit), routing to the competent unit by the administrator's table, transfer between
units, the unit's first response, a request taken on as a case of its own, and the public tracking look-up.

Each function works in the caller's transaction and raises before it writes when a step is refused. What must hold
however a step is fired (the generic case page and the case API fire steps too) is in the case type's guard and
hooks: the first response's day, the closing outcome, a referred request closing only with its case.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from ipcity.core import audit, inbox, throttle
from ipcity.core import calendar as cal
from ipcity.core.clock import today
from ipcity.core.context import files_of, settings_of
from ipcity.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import N_, Msg
from ipcity.core.registration import normal_phone
from ipcity.core.roles import ADMIN, MEDIATOR, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.core.serials import serial_after_issued
from ipcity.core.tables import Attachment, Unit
from ipcity.services.rights import casetypes, domain
from ipcity.services.rights.tables import Fair, RightsRequest, RoutingRule, Transfer
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

REQUEST_SUBJECT = "rights.request"
EVIDENCE_OWNER = "rights.evidence"  # the requester's evidence, attached to the request
CASE_EVIDENCE = "rights.case_evidence"  # the evidence on a follow-up case (+ "." + its kind)
EVIDENCE_TYPES = {".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"},
                  ".jpeg": {"image/jpeg"}}
MAX_EVIDENCE = 10  # files per request, checked before any is stored
OPEN = ("received", "handling")

# What the form carries besides the columns: Order 81 Art 12 declarations, Art 7 facts, the major categories.
DETAIL_FIELDS = ("court_action", "other_method", "patentee_not_requesting", "authorised", "granted", "knew_on",
                 "continuing", "foreign", "hk_macao_taiwan", "multi_district", "major_impact", "complex_case",
                 "respondent_in_china", "respondent_code", "booth", "industry", "stage", "opponent", "acts")
TEXT_FIELDS = ("role", "right", "kind", "channel", "where", "division_code", "fair", "country", "description",
               "respondent", "patent_number", "subject", "matter", "contact_name", "phone", "requester_name")


def _raise(problems: list[tuple[str | None, Msg]]) -> None:
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)


STAFF_ROLES = OFFICIAL_ROLES | {MEDIATOR}  # who works a request at its unit: a mediation body's mediators too


def acts_for_unit(case: Case, actor: Actor) -> bool:
    """The system, or an official (or a mediation body's mediator) of the unit the case is with."""
    if actor.role == ADMIN:
        return actor.user_id is None
    return actor.role in STAFF_ROLES and actor.unit_id is not None and actor.unit_id == case.assigned_unit_id


def _mediator_of_unit(actor: Actor, record) -> bool:
    """A mediator of the unit the record's case is with (a request routed to a mediation body): the kit's record
    kinds admit officials only, so the body's mediators are named here."""
    if actor.role != MEDIATOR or actor.unit_id is None:
        return False
    session = object_session(record)
    case = session.get(Case, record.case_id) if session is not None else None
    return case is not None and case.assigned_unit_id == actor.unit_id


def is_requester(actor: Actor, req: RightsRequest) -> bool:
    """The requester: their account, or a person of their unit."""
    return actor.user_id is not None and (req.user_id == actor.user_id or (
        actor.role in PUBLIC_ROLES and req.unit_id is not None and req.unit_id == actor.unit_id))


def requester_condition(model, actor: Actor):
    """The rows of a follow-up case table whose requester is `actor` (their account, or a person of their unit):
    the list queries' form of is_party."""
    mine = model.requester_user_id == actor.user_id
    return or_(mine, model.requester_unit_id == actor.unit_id) if actor.unit_id is not None else mine


def sees_request(actor: Actor, req: RightsRequest) -> bool:
    """Who sees a request's whole file besides the officials of its unit: the requester, and a mediation body's
    mediators while it is with the body."""
    return is_requester(actor, req) or _mediator_of_unit(actor, req)


# --- the tracking number ----------------------------------------------------------------------------------------

def tracking_key(session: Session) -> bytes:
    """The installation's key for tracking numbers, derived from its secret (never stored with the requests)."""
    secret = settings_of(session).secret_key()
    return hmac.new(secret.encode(), b"ipcity.rights.tracking/1", hashlib.sha256).digest()


# --- routing ------------------------------------------------------------------------------------------------------

def rules_of(session: Session) -> list[tuple[RoutingRule, domain.Rule]]:
    """The routing table in force, in its order, with each row as the domain reads it."""
    rows = session.scalars(select(RoutingRule).where(RoutingRule.active.is_(True))
                           .order_by(RoutingRule.position, RoutingRule.id)).all()
    return [(r, domain.Rule(r.right, r.kind, r.area, str(r.unit_id), r.priority)) for r in rows]


def _first_unit(session: Session, kind: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.kind == kind).order_by(Unit.id).limit(1))


def fallback_unit(session: Session) -> Unit:
    """Where a request goes when no rule matches: the rights-assistance centre, else the municipal office; an
    official there routes it by hand (a transfer)."""
    unit = _first_unit(session, "assistance_centre") or _first_unit(session, "ip_office")
    if unit is None:
        raise DomainError(Msg("The rights-protection network is not set up yet: the administrator creates the "
                              "rights-assistance centre or the IP office as a unit"))
    return unit


@dataclasses.dataclass(frozen=True)
class Routing:
    unit: Unit
    rule: RoutingRule | None
    by_hand: bool
    why: Msg


def route(session: Session, clean: dict) -> Routing:
    """The competent unit of a request: CNIPA for a major patent dispute (Order 81 Arts 55–58), the municipal
    office for an Art 7 adjudication (foreign, HK/Macao/Taiwan, several districts with major impact), else the
    routing table's most specific rule, else the fallback."""
    details = clean["details"]
    if clean["kind"] == domain.ADJUDICATION:
        level = domain.adjudication_level(
            details.get("major") or (), foreign=bool(details.get("foreign")),
            hk_macao_taiwan=bool(details.get("hk_macao_taiwan")),
            multi_prefecture=bool(details.get("multi_district")), major_impact=bool(details.get("major_impact")))
        if level == domain.CNIPA:
            unit = _first_unit(session, "national_dept") or _first_unit(session, "ip_office")
            if unit is not None:
                return Routing(unit, None, True, Msg("A major patent dispute: CNIPA handles it (Order 81 Arts 55–58)"))
        if level == domain.MUNICIPAL_OFFICE:
            unit = _first_unit(session, "ip_office")
            if unit is not None:
                return Routing(unit, None, False, Msg("The municipal office handles it (Order 81 Art 7)"))
    table = rules_of(session)
    rule = domain.matching_rule([r for _, r in table], clean["right"], clean["kind"], clean["area"])
    if rule is not None:
        row = next(row for row, r in table if r is rule)
        unit = session.get(Unit, row.unit_id)
        if unit is not None:
            return Routing(unit, row, False, Msg("Routing rule {n}", n=row.position or row.id))
    return Routing(fallback_unit(session), None, True, Msg("No routing rule matched: routed by hand"))


# --- intake -----------------------------------------------------------------------------------------------------

def fairs_open(session: Session) -> list[Fair]:
    """The fairs a request may name: active ones not ended more than 30 days ago (a complaint soon after)."""
    horizon = today() - timedelta(days=30)
    return list(session.scalars(select(Fair).where(Fair.active.is_(True), Fair.last_day >= horizon)
                                .order_by(Fair.first_day)))


def intake_rules(session: Session) -> domain.IntakeRules:
    return dataclasses.replace(domain.DEFAULT_INTAKE, fairs=tuple(f.key for f in fairs_open(session)))


def clean_values(values: Mapping[str, object]) -> dict:
    """A request's values as the checks read them; the declarations and other facts gathered in `details`."""
    out = {k: str(values.get(k) or "").strip() for k in TEXT_FIELDS}
    out["channel"] = out["channel"] or domain.WEB
    out["country"] = out["country"].upper()
    details: dict = {}
    for k in DETAIL_FIELDS:
        v = values.get(k)
        if k in ("knew_on", "respondent_code", "booth", "industry", "stage", "opponent"):
            details[k] = str(v or "").strip()[:200]
        elif k == "acts":
            details[k] = [a for a in (v if isinstance(v, list | tuple) else [v]) if a in domain.INFRINGING_ACTS]
        elif k == "respondent_in_china":
            details[k] = v is None or v == "" or domain.ticked(v)  # unticked only where the form says so
        else:
            details[k] = domain.ticked(v)
    major = values.get("major")
    details["major"] = [m for m in (major if isinstance(major, list | tuple) else [major] if major else [])
                        if m in domain.MAJOR_CATEGORIES]
    out["details"] = details
    out["area"] = domain.area_of(out)
    return out


def intake_problems(session: Session, clean: dict, evidence: list[Upload]) -> list[tuple[str | None, Msg]]:
    problems: list[tuple[str | None, Msg]] = list(domain.intake_problems({**clean, **clean["details"]},
                                                                        intake_rules(session)))
    if len(evidence) > MAX_EVIDENCE:
        problems.append(("evidence", Msg("At most {n} files of evidence", n=MAX_EVIDENCE)))
    if clean["kind"] == domain.ADJUDICATION and not clean["details"].get("knew_on"):
        problems.append(("knew_on", Msg("Give the day you knew of the infringement and the infringer: the request "
                                        "must be made within 3 years of it (Order 81 Art 19)")))
    elif clean["kind"] == domain.ADJUDICATION:
        try:
            knew = date.fromisoformat(clean["details"]["knew_on"])
        except ValueError:
            problems.append(("knew_on", Msg("Give the date as YYYY-MM-DD")))
        else:
            if knew > today():
                problems.append(("knew_on", Msg("The date cannot be in the future")))
            else:
                late = domain.limitation_refusal(knew, today(), cal.load(session),
                                                 continuing=bool(clean["details"].get("continuing")))
                if late is not None and not clean["details"].get("continuing"):
                    problems.append(("knew_on", late))
    return problems


def submit(session: Session, actor: Actor, values: Mapping[str, object], evidence: list[Upload]) -> RightsRequest:
    """A request to the network: from a person's own account (the web form), or entered by an official for a
    phone call, a visit or a fair desk. Checked whole before anything is written; routed; a tracking number
    issued; the unit's first-response clock started."""
    clean = clean_values(values)
    own = actor.role in PUBLIC_ROLES
    if own:
        clean["channel"] = domain.WEB
    elif actor.role in OFFICIAL_ROLES:
        if clean["channel"] == domain.WEB:
            raise DomainError(Msg("An official enters a request taken by phone, at the window or at a fair desk: "
                                  "choose the channel"), field="channel")
    else:
        raise PermissionDenied(Msg("Requests are made from a company's or a person's account, or entered by an "
                                   "official"))
    _raise(intake_problems(session, clean, evidence))
    for upload in evidence:
        files_of(session).precheck(upload, field="evidence", allowed=EVIDENCE_TYPES)
    routing = route(session, clean)
    year = today().year
    serial = serial_after_issued(session, f"rights.tracking:{year}", RightsRequest.serial, RightsRequest.year == year)
    fair = session.scalar(select(Fair).where(Fair.key == clean["fair"])) if clean["fair"] else None
    req = RightsRequest(
        tracking=domain.tracking_number(serial, year, key=tracking_key(session)), year=year, serial=serial,
        channel=clean["channel"], role=clean["role"], right=clean["right"], kind=clean["kind"],
        subject=clean["subject"] if clean["kind"] == domain.ADJUDICATION else "",
        matter=clean["matter"] if clean["kind"] == domain.MEDIATION else "", where=clean["where"],
        division_code=clean["division_code"] if clean["where"] == domain.DISTRICT else "",
        fair_id=fair.id if fair is not None and clean["where"] == domain.FAIR else None,
        country=clean["country"] if clean["kind"] == domain.OVERSEAS else "", description=clean["description"],
        respondent=clean["respondent"][:200], patent_number=clean["patent_number"][:40],
        requester_name=(clean["requester_name"] or (actor.unit_name if own else "") or clean["contact_name"])[:200],
        contact_name=clean["contact_name"], phone=normal_phone(clean["phone"]), details=clean["details"],
        user_id=actor.user_id if own else None, unit_id=actor.unit_id if own else None,
        entered_by=None if own else actor.user_id, routing_rule_id=routing.rule.id if routing.rule else None,
        routed_by_hand=routing.by_hand)
    title = f"{domain.REQUEST_KINDS[clean['kind']].render('zh_Hans')}：{req.requester_name}"
    REQUESTS.open(session, actor, req, title=title, applicant_unit_id=req.unit_id, assigned_unit_id=routing.unit.id,
                  subject_type=REQUEST_SUBJECT)
    case = REQUESTS.case_of(session, req)
    case.applicant_user_id = req.user_id
    for upload in evidence:
        files_of(session).attach(session, upload, EVIDENCE_OWNER, req.id, actor.user_id, field="evidence",
                                 allowed=EVIDENCE_TYPES)
    audit.record(session, actor, "rights.route", "rights.request", req.id, summary=req.number,
                 reason=routing.why.render("zh_Hans"), detail={"unit": routing.unit.code, "by_hand": routing.by_hand,
                                                               "rule": req.routing_rule_id})
    return req


def evidence_of(session: Session, req: RightsRequest) -> list:
    return attachments_of(session, EVIDENCE_OWNER, req.id)


# --- transfer and taking on ---------------------------------------------------------------------------------------

def transfer(session: Session, actor: Actor, req: RightsRequest, unit_id: int, reason: str) -> CaseEvent:
    """Pass the request to another unit (移送): recorded, the new unit told, its first-response clock started."""
    case = REQUESTS.case_of(session, req)
    if not acts_for_unit(case, actor):
        raise PermissionDenied(Msg("Only the unit the request is with transfers it"))
    target = session.get(Unit, unit_id) if unit_id else None
    if target is None or target.kind in ("company", "bank", "agency"):
        raise DomainError(Msg("Choose the unit to transfer the request to"), field="unit_id")
    if target.id == case.assigned_unit_id:
        raise DomainError(Msg("The request is already with this unit"), field="unit_id")
    before = case.assigned_unit_id
    event = engine.fire(session, REQUEST, case, "transfer", actor, reason=reason, via_use_case=True)
    case.assigned_unit_id = target.id
    session.add(Transfer(request_id=req.id, from_unit_id=before, to_unit_id=target.id, reason=reason.strip()[:500],
                         actor_id=actor.user_id))
    inbox.notify(session, kind="task", unit_id=target.id, case_id=case.id,
                 title=N_("A request was transferred to your unit: {number}"), params={"number": req.number},
                 body=reason.strip(), link=f"/rights/requests/{req.id}")
    return event


def transfers_of(session: Session, req: RightsRequest) -> list[Transfer]:
    return list(session.scalars(select(Transfer).where(Transfer.request_id == req.id).order_by(Transfer.id)))


# The case a request of each kind becomes: kind -> (its module, the name of its RecordKind there). The module is
# imported when used, so that each kind's module imports this one and not the other way round; it opens the case
# with its `open_from(session, actor, request, values)`.
FOLLOWUPS: dict[str, tuple[str, str]] = {
    domain.ADJUDICATION: ("ipcity.services.rights.adjudication", "ADJUDICATIONS"),
    domain.MEDIATION: ("ipcity.services.rights.mediation", "MEDIATIONS"),
    domain.OVERSEAS: ("ipcity.services.rights.overseas", "OVERSEAS_CASES"),
    "fair_complaint": ("ipcity.services.rights.fairs", "COMPLAINTS"),
}


def followup_module(kind: str):
    import importlib

    return importlib.import_module(FOLLOWUPS[kind][0])


def followup_records(kind: str) -> RecordKind:
    """The record kind of the case a request of `kind` becomes."""
    return getattr(followup_module(kind), FOLLOWUPS[kind][1])


def followup_kind(req: RightsRequest) -> str:
    """The case a request becomes when taken on: its kind's, a complaint at a fair a fair complaint; "" for the
    kinds the unit handles on the request itself (consultation, assistance, a complaint elsewhere)."""
    if req.kind == domain.COMPLAINT and req.where == domain.FAIR and req.fair_id is not None:
        return "fair_complaint"
    return req.kind if req.kind in FOLLOWUPS else ""


def refer(session: Session, actor: Actor, req: RightsRequest, values: Mapping[str, object] | None = None,
          reason: str = "") -> object:
    """Take the request on as the case its kind calls for (an adjudication, a mediation, a fair complaint, overseas
    guidance); the request then follows that case and closes with it."""
    case = REQUESTS.case_of(session, req)
    if not acts_for_unit(case, actor):
        raise PermissionDenied(Msg("Only the unit the request is with takes it on"))
    kind = followup_kind(req)
    if not kind:
        raise DomainError(Msg("This request is handled on the request itself: take it on, then close it with "
                              "its outcome"), field="transition")
    if req.state not in OPEN:
        raise Conflict(Msg("The request is no longer open: it was {state}", state=REQUEST.state_label(req.state)))
    # the case first: its own checks (the mediation body, the Art 12 conditions) refuse before the request moves
    record = followup_module(kind).open_from(session, actor, req, dict(values or {}))
    engine.fire(session, REQUEST, case, "refer", actor, reason=reason or "转入专门程序办理", via_use_case=True)
    record.requester_user_id, record.requester_unit_id = req.user_id, req.unit_id
    req.followup_type, req.followup_id = kind, record.id
    # The request's evidence goes with the case: whoever works the case (a mediation body, a fair desk) sees it
    # there without seeing the request (the same stored files, attached again).
    for found in evidence_of(session, req):
        session.add(Attachment(sha256=found.sha256, filename=found.filename, owner_type=case_evidence_owner(kind),
                               owner_id=str(record.id), uploaded_by=found.uploaded_by))
    session.flush()
    return record


def case_evidence_owner(kind: str) -> str:
    """The owner type of the evidence on the case a request of `kind` became (rights.case_evidence.mediation)."""
    return f"{CASE_EVIDENCE}.{kind}"


def may_see_case_evidence(kind: str):
    """The plugin's file-access hook for that evidence: whoever may see the case."""
    def check(session: Session, actor: Actor, owner_id: str) -> bool:
        records = followup_records(kind)
        record = session.get(records.model, int(owner_id))
        return record is not None and records.may_view(session, actor, record)

    return check


def is_party(actor: Actor, record) -> bool:
    """The requester of the request a case came from (its account, or a person of its unit): the parties rule of
    every follow-up case's record kind."""
    return actor.user_id is not None and (record.requester_user_id == actor.user_id or (
        actor.role in PUBLIC_ROLES and record.requester_unit_id is not None
        and record.requester_unit_id == actor.unit_id))


def followup_ended(session: Session, req: RightsRequest, outcome: str, amount=None) -> None:
    """Called by a follow-up case's hook when it reaches a final state: the request closes with it."""
    if req.state != "referred":
        return
    req.outcome = outcome[:32]
    if amount is not None:
        req.amount_recovered = amount
    engine.fire(session, REQUEST, REQUESTS.case_of(session, req), "conclude", Actor.system("rights"),
                reason=f"{req.followup_type}: {outcome}", via_use_case=True)


# --- guard and hooks ----------------------------------------------------------------------------------------------

def _guard(session: Session, case: Case, t, actor: Actor) -> Msg | None:
    if t.key == "conclude" and actor.user_id is not None:
        return Msg("A request taken on as a case closes when its case ends")
    return None


def _responded(session: Session, case: Case, event: CaseEvent, req: RightsRequest) -> None:
    if req.first_response_on is None:
        req.first_response_on = today()


def _closed(session: Session, case: Case, event: CaseEvent, req: RightsRequest) -> None:
    req.closed_on = today()
    if event.transition == "close":
        req.outcome = str(event.values.get("outcome") or "")
    elif event.transition == "decline":
        req.first_response_on = req.first_response_on or today()
        req.outcome = "declined"
    elif event.transition == "withdraw":
        req.outcome = "withdrawn"


def _told(session: Session, case: Case, event: CaseEvent) -> None:
    """The requester hears of every step on the request (an account's inbox; a caller is told by the unit)."""
    req = session.scalar(select(RightsRequest).where(RightsRequest.case_id == case.id))
    if req is None or req.user_id is None or event.transition == "withdraw":
        return
    inbox.notify(session, kind="notice", user_id=req.user_id, case_id=case.id,
                 title=N_("Your request {number}: {step}"),
                 params={"number": req.number, "step": REQUEST.transition(event.transition).label.msgid},
                 body=event.reason or "", link=f"/rights/requests/{req.id}")


REQUEST = dataclasses.replace(casetypes.request_type(), record=RightsRequest, record_number="number", guard=_guard,
                              on={"take": _responded, "refer": _responded, "close": _closed, "decline": _closed,
                                  "withdraw": _closed, "conclude": _closed},
                              after=_told)
REQUESTS = RecordKind(REQUEST, missing=N_("No request {id}"), denied=N_("This request is not yours to see"),
                      parties=sees_request)


def request_by_number(session: Session, number: str) -> RightsRequest:
    req = session.scalar(select(RightsRequest).where(RightsRequest.number == number))
    if req is None:
        raise NotFound(Msg("No request {id}", id=number[:40]))
    return req


# --- the public look-up -------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class PublicStatus:
    """What anyone holding the tracking number sees: the status and the next step, nothing about the parties."""

    tracking: str
    kind: str
    received_on: str
    state: Msg
    unit: str
    next_step: Msg
    followup_state: Msg | None
    closed_on: str


NEXT_STEPS: dict[str, Msg] = {
    "received": Msg("The competent unit will give its first response"),
    "handling": Msg("The unit is handling the request; it will contact you"),
    "referred": Msg("The request is being handled as a case; the unit will notify the parties of each step"),
    "closed": Msg("The request is closed"),
    "declined": Msg("The request was declined; the unit has told you why"),
    "withdrawn": Msg("The request was withdrawn"),
}


def public_status(session: Session, text: str) -> PublicStatus:
    """The status of the request a tracking number names. A mistyped number or one that was never issued is
    refused the same way as a number not on file (TrackingError / NotFound), telling nothing else."""
    tracking = domain.parse_tracking(text, key=tracking_key(session))
    req = session.scalar(select(RightsRequest).where(RightsRequest.tracking == tracking.number))
    if req is None:
        raise NotFound(Msg("No request has this tracking number"))
    case = REQUESTS.case_of(session, req)
    unit = session.get(Unit, case.assigned_unit_id) if case.assigned_unit_id else None
    followup = None
    if req.followup_type and req.followup_id:
        followup = _followup_state(session, req)
    return PublicStatus(req.tracking, req.kind, req.received_on.isoformat(), REQUEST.state_label(req.state),
                        unit.name_zh if unit else "", NEXT_STEPS.get(req.state, NEXT_STEPS["handling"]), followup,
                        req.closed_on.isoformat() if req.closed_on else "")


def _followup_state(session: Session, req: RightsRequest) -> Msg | None:
    kind = followup_records(req.followup_type) if req.followup_type in FOLLOWUPS else None
    record = session.get(kind.model, req.followup_id) if kind is not None else None
    return kind.case_type.state_label(record.state) if record is not None else None


def lookup_wait(session: Session, address: str) -> int:
    """Seconds the address must wait before another look-up (its misses counted over the last hour)."""
    return throttle.scope_wait(session, "rights.track", address)


def lookup_missed(session: Session, address: str) -> None:
    throttle.scope_miss(session, "rights.track", address, per_hour=settings_of(session).rights_lookups_per_hour)

