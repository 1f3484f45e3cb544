"""Read model of fast pre-examination: what both the HTML pages (views.py) and the JSON API (api.py) read — the
lists a person may see with their filters, one registration and one case as their pages show them, labels."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import Select, Text, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core.cache import VersionedCache, data_version
from ipcity.core.clock import today
from ipcity.core.files import attachments_of
from ipcity.core.i18n import Msg, current_locale
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, Actor
from ipcity.patents.regions import place_name
from ipcity.services.preexam import casetypes, domain, service, stats
from ipcity.services.preexam.tables import Registration, Submission
from ipcity.web.paging import ListFilters
from ipcity.workflow import engine
from ipcity.workflow.tables import Case


def registration_state(key: str) -> Msg:
    return service.REGISTRATION.state_label(key)


def case_state(key: str) -> Msg:
    return service.SUBMISSION.state_label(key)


def region_name(code: str) -> str:
    return place_name(code)


def field_labels(session: Session) -> dict:
    """What the pages need of the centre's fields: the list and a label function (a key the centre no longer lists
    shows as itself)."""
    centre = service.rules(session)

    def field_label(key: str):
        found = centre.tech_field(key)
        return found.label if found is not None else (key or "—")

    return {"tech_fields": centre.fields, "field_label": field_label}


def _visible(stmt: Select, model, actor: Actor) -> Select:
    """The rows a person may see in full: own company's, the centre's (its officials), all (administrators)."""
    if actor.role == APPLICANT_COMPANY:
        return stmt.where(model.unit_id == actor.unit_id)
    if actor.role in OFFICIAL_ROLES:
        return stmt.join(Case, Case.id == model.case_id).where(Case.assigned_unit_id == actor.unit_id)
    if actor.role != ADMIN:
        return stmt.where(model.id.is_(None))
    return stmt


@dataclass
class RegistrationFilters(ListFilters):
    q: str = ""
    state: str = ""
    field: str = ""


@dataclass
class CaseFilters(ListFilters):
    q: str = ""
    state: str = ""
    patent_type: str = ""
    field: str = ""
    flagged: str = ""  # "1": only cases a check flagged


def registrations_query(actor: Actor, f: RegistrationFilters) -> Select:
    stmt = _visible(select(Registration), Registration, actor)
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (
            Registration.name, Registration.number, Registration.credit_code, Registration.address))))
    if f.state:
        stmt = stmt.where(Registration.state == f.state)
    if f.field:  # a JSON list of keys: the key in quotes, as the list's text holds it
        stmt = stmt.where(func.cast(Registration.fields, Text).contains(f'"{f.field[:40]}"', autoescape=True))
    return stmt.order_by(Registration.filed_at.desc(), Registration.id.desc())


def cases_query(actor: Actor, f: CaseFilters) -> Select:
    stmt = _visible(select(Submission), Submission, actor)
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (
            Submission.title, Submission.number, Submission.cnipa_app_number, Submission.agency_name))))
    if f.state:
        stmt = stmt.where(Submission.state == f.state)
    if f.patent_type:
        stmt = stmt.where(Submission.patent_type == f.patent_type)
    if f.field:
        stmt = stmt.where(Submission.field_key == f.field)
    if f.flagged == "1":
        stmt = stmt.where(Submission.flagged.is_(True))
    return stmt.order_by(Submission.submitted_at.desc(), Submission.id.desc())


def running_clocks(session: Session, rows: list[Submission]) -> dict[int, dict]:
    """The running time limit of each case on a list page (engine.running_clocks)."""
    return engine.running_clocks(session, service.SUBMISSION, rows)


REGISTRATION_HEADER = ["number", "name", "credit_code", "entity_kind", "division_code", "district", "fields",
                       "state", "admitted_on", "admitted_until", "abnormal", "filed_at"]
CASE_HEADER = ["number", "title", "patent_type", "field", "ipc", "locarno", "applicants", "state", "flagged",
               "submitted_at", "decided_on", "passed_on", "filing_deadline", "cnipa_app_number", "filed_on",
               "granted_on", "corrections"]


def _d(value) -> str:
    return value.isoformat() if value else ""


def registration_rows(session: Session, rows: list[Registration]) -> list[list]:
    return [[r.number, r.name, r.credit_code, r.entity_kind, r.division_code, region_name(r.division_code),
             " ".join(r.fields or []), r.state, _d(r.admitted_on), _d(r.admitted_until), "1" if r.abnormal else "",
             _d(r.filed_at)] for r in rows]


def case_rows(session: Session, rows: list[Submission]) -> list[list]:
    return [[s.number, s.title, s.patent_type, s.field_key, " ".join(s.ipc or []), " ".join(s.locarno or []),
             "、".join(s.applicants or []), s.state, "1" if s.flagged else "", _d(s.submitted_at), _d(s.decided_on),
             _d(s.passed_on), _d(s.filing_deadline), s.cnipa_app_number, _d(s.filed_on), _d(s.granted_on),
             s.corrections] for s in rows]


def registration_context(session: Session, actor: Actor, reg: Registration) -> dict:
    case = service.REGISTRATIONS.case_of(session, reg)
    company = service.is_company_of(actor, reg.unit_id)
    return field_labels(session) | {
            "reg": reg, "case": case, "actions": engine.available_actions(service.REGISTRATION, case, actor),
            "deadlines": engine.deadlines(session, service.REGISTRATION, case),
            "evidence": service.attached(session, service.EVIDENCE_OWNER, reg.id, domain.REGISTRATION_DOCUMENTS),
            "is_company": company, "may_resubmit": company and reg.state == "correction",
            "may_renew": company and reg.state == "admitted",
            "is_centre": service.acts_for_centre(session, case, actor) or actor.role == ADMIN,
            "standing": service.standing_refusal(reg), "history": case.events,
            "values": {"name": reg.name, "credit_code": reg.credit_code, "entity_kind": reg.entity_kind,
                       "division_code": reg.division_code, "address": reg.address,
                       "business_scope": reg.business_scope, "agency_name": reg.agency_name,
                       "agency_code": reg.agency_code,
                       "contact_name": (reg.contacts or [{}])[0].get("name", ""),
                       "contact_phone": (reg.contacts or [{}])[0].get("phone", "")}}


def case_context(session: Session, actor: Actor, sub: Submission) -> dict:
    case = service.SUBMISSIONS.case_of(session, sub)
    company = service.is_company_of(actor, sub.unit_id)
    centre = service.acts_for_centre(session, case, actor)
    return field_labels(session) | {
            "sub": sub, "case": case, "actions": engine.available_actions(service.SUBMISSION, case, actor),
            "deadlines": engine.deadlines(session, service.SUBMISSION, case),
            "documents": service.attached(session, service.DOCUMENT_OWNER, sub.id, domain.CASE_DOCUMENTS),
            "notices": attachments_of(session, service.NOTICE_OWNER, sub.id),
            "checks": sub.checks or {}, "is_company": company, "is_centre": centre,
            "may_reply": company and sub.state == "correction",
            "may_record_filing": (company or centre) and sub.state == "passed",
            "late": service.late_filing(sub), "history": case.events,
            "registration": session.get(Registration, sub.registration_id),
            "values": {"patent_type": sub.patent_type, "title": sub.title, "abstract": sub.abstract,
                       "claims": sub.claims, "description": sub.description,
                       "brief_description": sub.brief_description, "ipc": ", ".join(sub.ipc or []),
                       "locarno": ", ".join(sub.locarno or []), "applicants": "\n".join(sub.applicants or []),
                       "inventors": "\n".join(sub.inventors or []), "agency_name": sub.agency_name}
            | {k: "1" for k, v in (sub.declarations or {}).items() if v}}


BOARDS = VersionedCache(max_entries=32)


def board_of(session: Session, filters) -> stats.Dashboard:
    """The dashboard's figures, computed once per data version, filters and day (every change writes an audit
    entry, so a new case or step is seen on the next page): at 100,000 cases they take long to aggregate."""
    key = (tuple(sorted(dataclasses.asdict(filters).items())), today())
    return BOARDS.get(key, data_version(session), lambda: stats.dashboard(session, filters))


def dashboard_html(session: Session, templates, filters) -> Markup:
    """The dashboard's body rendered once per data version, filters, day and language: the page around it is the
    only per-request work."""
    def body() -> Markup:
        return Markup(templates.get_template("preexam/dashboard_body.html").render(
            dashboard=board_of(session, filters)))

    key = ("html", tuple(sorted(dataclasses.asdict(filters).items())), today(), current_locale.get())
    return BOARDS.get(key, data_version(session), body)


def codes() -> dict:
    return {"entity_kinds": domain.ALL_ENTITY_KINDS, "patent_types": domain.PATENT_TYPES,
            "registration_documents": domain.REGISTRATION_DOCUMENTS, "case_documents": domain.CASE_DOCUMENTS,
            "declarations_for": domain.declarations, "reasons": casetypes.REASONS,
            "registration_state": registration_state, "case_state": case_state, "region_name": region_name,
            "registration_states": service.REGISTRATION.states, "case_states": service.SUBMISSION.states}
