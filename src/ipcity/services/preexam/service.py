"""Use cases of fast pre-examination (专利快速预审): a company registers with the protection centre (备案) and is
admitted, suspended, renewed; it submits cases, which the platform checks before a person does (field, exclusions,
formal checklist, prior-art hint); the centre accepts, asks for corrections, and passes or does not pass them; a
passed case is followed to its CNIPA filing and grant.

Each function works in the caller's transaction and raises before it writes when a step is refused. What must hold
however a step is fired (the portal's generic case page and the case API fire steps too) lives in the case type's
guard and hooks below: the admission's dates, the decision's dates and reasons, the notices, the abnormal-filing bar.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit, inbox
from ipcity.core import calendar as cal
from ipcity.core.clock import now, today
from ipcity.core.context import files_of, settings_of
from ipcity.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import N_, Bilingual, Msg
from ipcity.core.numbers import DESIGN, INVENTION, UTILITY, NumberError, parse_cn_application
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.patents import register
from ipcity.services.preexam import casetypes, domain, notices, priorart
from ipcity.services.preexam.tables import Registration, Submission
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

REGISTRATION_SUBJECT = "preexam.registration"
SUBMISSION_SUBJECT = "preexam.submission"
EVIDENCE_OWNER = "preexam.evidence"  # a registration's R&D and IP-management evidence (owner type + "." + kind)
DOCUMENT_OWNER = "preexam.document"  # a case's drawings, views, contracts and proofs (owner type + "." + kind)
NOTICE_OWNER = notices.NOTICE_OWNER  # the notices the centre issues on a case

DOCUMENT_TYPES = {".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"},
                  ".jpeg": {"image/jpeg"}}
MAX_FILES = 10  # per kind of document, checked before any is stored
MAX_SIBLINGS = 50  # same-day filings of the applicant read from the register
LIVE_REGISTRATION = ("filed", "correction", "admitted", "suspended", "renewal")
STANDING = {"admitted": domain.ADMITTED, "renewal": domain.ADMITTED, "suspended": domain.SUSPENDED}
OPEN_CASES = ("submitted", "examining", "correction")
PATENT_TYPES = (INVENTION, UTILITY, DESIGN)


def rules(session: Session) -> domain.CentreRules:
    """The centre's rules in force: its fields and area (its configuration document, IPCITY_PREEXAM_FIELDS_FILE, or
    domain.DEFAULT_RULES) with the time limits the installation's settings give (IPCITY_PREEXAM_*)."""
    s = settings_of(session)
    days = {INVENTION: s.preexam_exam_days_invention, UTILITY: s.preexam_exam_days_utility,
            DESIGN: s.preexam_exam_days_design}
    return dataclasses.replace(centre_fields(s.preexam_fields_file), exam_days=days,
                               correction_reply_days=s.preexam_correction_days,
                               filing_period_days=s.preexam_filing_days)


def centre_fields(path: str) -> domain.CentreRules:
    """The built-in fields and area, or those of the centre's own document at `path` (read again when the file
    changes); a document that cannot be used is refused with what is wrong in it."""
    if not path:
        return domain.DEFAULT_RULES
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise DomainError(Msg("The centre's list of technical fields cannot be read: {why}",
                              why=exc.strerror or str(exc))) from None
    return _fields_document(path, stamp)


@functools.lru_cache(maxsize=4)
def _fields_document(path: str, stamp: int) -> domain.CentreRules:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        return domain.centre_rules_from(doc, domain.DEFAULT_RULES)
    except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise DomainError(Msg("The centre's list of technical fields cannot be used: {why}", why=str(exc)[:300])) \
            from None


def centre_unit(session: Session) -> Unit:
    """The protection centre: the unit whose code IPCITY_PREEXAM_UNIT names, else the first unit of kind
    protection centre."""
    code = settings_of(session).preexam_unit
    q = select(Unit).where(Unit.code == code) if code else select(Unit).where(Unit.kind == "protection_centre")
    unit = session.scalar(q.order_by(Unit.id).limit(1))
    if unit is None:
        raise DomainError(Msg("No protection centre is set up on this platform yet: the administrator creates a "
                              "unit of kind 'IP protection centre'"))
    return unit


def _raise(problems: list[tuple[str | None, Msg]]) -> None:
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)


def is_company_of(actor: Actor, unit_id: int) -> bool:
    return actor.role == APPLICANT_COMPANY and actor.unit_id is not None and actor.unit_id == unit_id


def acts_for_centre(session: Session, case: Case, actor: Actor) -> bool:
    """The system, or an official of the unit the case is assigned to (the centre)."""
    if actor.role == ADMIN:
        return actor.user_id is None  # the system's sweeps; an administrator's account does not decide cases
    return actor.role in OFFICIAL_ROLES and actor.unit_id is not None and actor.unit_id == case.assigned_unit_id


# --- documents ------------------------------------------------------------------------------------------------

def owner_type(prefix: str, kind: str) -> str:
    """The owner type of a kind of document (preexam.evidence.rd_evidence): the kind is part of it."""
    return f"{prefix}.{kind}"


def _attach(session: Session, actor: Actor, owner: str, owner_id: int, files: Mapping[str, list[Upload]],
            kinds: Mapping[str, Msg]) -> None:
    """Store the uploaded files by kind, each type- and size-checked before any is kept."""
    file_store = files_of(session)
    for kind, uploads in files.items():
        if kind not in kinds:
            raise DomainError(Msg("Unknown kind of document: {kind}", kind=kind[:40]), field=kind[:40])
        if len(uploads) > MAX_FILES:
            raise DomainError(Msg("At most {n} files of one kind", n=MAX_FILES), field=kind)
        for upload in uploads:
            file_store.precheck(upload, field=kind, allowed=DOCUMENT_TYPES)
    for kind, uploads in files.items():
        for upload in uploads:
            file_store.attach(session, upload, owner_type(owner, kind), owner_id, actor.user_id, field=kind,
                              allowed=DOCUMENT_TYPES)


def documents_of(session: Session, owner: str, owner_id: int, kinds: Mapping[str, Msg]) -> dict[str, int]:
    """How many files of each kind the record has."""
    return {kind: len(attachments_of(session, owner_type(owner, kind), owner_id)) for kind in kinds}


def attached(session: Session, owner: str, owner_id: int, kinds: Mapping[str, Msg]) -> list:
    """The record's files of every kind, as (kind, attachment)."""
    return [(kind, a) for kind in kinds for a in attachments_of(session, owner_type(owner, kind), owner_id)]


def counted(files: Mapping[str, list[Upload]], before: Mapping[str, int] | None = None) -> dict[str, int]:
    """The documents a check sees: those already attached and those being uploaded now."""
    counts = dict(before or {})
    for kind, uploads in files.items():
        counts[kind] = counts.get(kind, 0) + len(uploads)
    return counts


# --- registration (备案) -----------------------------------------------------------------------------------------

def _registration_values(values: Mapping[str, object]) -> dict:
    contacts = values.get("contacts")
    if not isinstance(contacts, list):
        contacts = domain.contacts_of(dict(values))
    return {"name": str(values.get("name") or "").strip(), "credit_code": str(values.get("credit_code") or ""),
            "entity_kind": str(values.get("entity_kind") or ""),
            "division_code": str(values.get("division_code") or "").strip(),
            "address": str(values.get("address") or "").strip(),
            "business_scope": str(values.get("business_scope") or "").strip(),
            "contacts": [{"name": str(c.get("name") or "").strip(), "phone": str(c.get("phone") or "").strip()}
                         for c in contacts[:5] if isinstance(c, dict)],
            "agency_name": str(values.get("agency_name") or "").strip(),
            "agency_code": str(values.get("agency_code") or "").strip()}


def live_registration(session: Session, unit_id: int) -> Registration | None:
    return session.scalar(select(Registration).where(Registration.unit_id == unit_id,
                                                     Registration.state.in_(LIVE_REGISTRATION))
                          .order_by(Registration.id.desc()).limit(1))


def _apply_registration(reg: Registration, values: dict, centre_rules: domain.CentreRules) -> None:
    reg.name, reg.entity_kind = values["name"], values["entity_kind"]
    reg.credit_code = domain.normal_credit_code(values["credit_code"])
    reg.division_code, reg.address = values["division_code"], values["address"]
    reg.business_scope, reg.contacts = values["business_scope"], values["contacts"]
    reg.agency_name, reg.agency_code = values["agency_name"], values["agency_code"]
    reg.fields = [f.key for f in domain.fields_matching_scope(values["business_scope"], centre_rules)]


def register_company(session: Session, actor: Actor, values: Mapping[str, object],
                     files: Mapping[str, list[Upload]]) -> Registration:
    """A company files its registration with the centre (备案)."""
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        raise PermissionDenied(Msg("Only a company's account registers the company with the centre"))
    centre = centre_unit(session)
    existing = live_registration(session, actor.unit_id)
    if existing is not None:
        raise Conflict(Msg("The company already has a registration with the centre ({number})",
                           number=existing.number))
    clean = _registration_values(values)
    centre_rules = rules(session)
    _raise(domain.registration_problems(clean, centre_rules, counted(files)))
    reg = Registration(unit_id=actor.unit_id, user_id=actor.user_id, centre_unit_id=centre.id)
    _apply_registration(reg, clean, centre_rules)
    REGISTRATIONS.open(session, actor, reg, title=f"{clean['name']} 预审备案", applicant_unit_id=actor.unit_id,
                       assigned_unit_id=centre.id, subject_type=REGISTRATION_SUBJECT)
    _attach(session, actor, EVIDENCE_OWNER, reg.id, files, domain.REGISTRATION_DOCUMENTS)
    return reg


def resubmit_registration(session: Session, actor: Actor, reg: Registration, values: Mapping[str, object],
                          files: Mapping[str, list[Upload]], reason: str = "") -> CaseEvent:
    """The company's corrected registration, after the centre returned it."""
    if not is_company_of(actor, reg.unit_id):
        raise PermissionDenied(Msg("Only the company itself corrects its registration"))
    clean = _registration_values(values)
    centre_rules = rules(session)
    _raise(domain.registration_problems(clean, centre_rules,
                                        counted(files, documents_of(session, EVIDENCE_OWNER, reg.id,
                                                                    domain.REGISTRATION_DOCUMENTS))))
    event = engine.fire(session, REGISTRATION, REGISTRATIONS.case_of(session, reg), "resubmit", actor,
                        reason=reason or "已按要求补正", via_use_case=True)
    _apply_registration(reg, clean, centre_rules)
    _attach(session, actor, EVIDENCE_OWNER, reg.id, files, domain.REGISTRATION_DOCUMENTS)
    return event


def request_renewal(session: Session, actor: Actor, reg: Registration, reason: str = "") -> CaseEvent:
    """The company asks to be admitted for another year (the registration is renewed yearly, rules.md §14.10)."""
    if not is_company_of(actor, reg.unit_id):
        raise PermissionDenied(Msg("Only the company itself requests the renewal"))
    return engine.fire(session, REGISTRATION, REGISTRATIONS.case_of(session, reg), "request_renewal", actor,
                       reason=reason or "申请年度续期", via_use_case=True)


def flag_abnormal(session: Session, actor: Actor, reg: Registration, reason: str) -> None:
    """An official records an abnormal-filing finding (非正常专利申请, rules.md §5.1) against a company: its
    admission is suspended and no case of it can be admitted or submitted until the centre lifts it. (When the
    agency-supervision service exists, its findings come through its service functions instead.)"""
    case = REGISTRATIONS.case_of(session, reg)
    if not acts_for_centre(session, case, actor):
        raise PermissionDenied(Msg("Only the centre's officials record an abnormal-filing finding"))
    if not (reason or "").strip():
        raise DomainError(Msg("Give the finding: which applications, and the decision that found them abnormal"),
                          field="reason")
    reg.abnormal = True
    reg.updated_at = now()
    audit.record(session, actor, "preexam.abnormal", "preexam.registration", reg.id, summary=reg.number,
                 reason=reason.strip(), detail={"abnormal": True})
    if reg.state in ("admitted", "renewal"):
        engine.fire(session, REGISTRATION, case, "suspend", actor, reason=f"非正常专利申请：{reason.strip()}")


def clear_abnormal(session: Session, actor: Actor, reg: Registration, reason: str) -> None:
    """The finding was corrected (rules.md §8: no abnormal-filing record, or corrected): the bar is lifted; a
    suspended admission is reinstated by its own step."""
    case = REGISTRATIONS.case_of(session, reg)
    if not acts_for_centre(session, case, actor):
        raise PermissionDenied(Msg("Only the centre's officials lift an abnormal-filing finding"))
    if not (reason or "").strip():
        raise DomainError(Msg("Give the reason the finding is lifted"), field="reason")
    reg.abnormal = False
    reg.updated_at = now()
    audit.record(session, actor, "preexam.abnormal", "preexam.registration", reg.id, summary=reg.number,
                 reason=reason.strip(), detail={"abnormal": False})


def standing_refusal(reg: Registration | None, on: date | None = None) -> Msg | None:
    """Why the company may not submit a case now (None when it may)."""
    if reg is None:
        return domain.admission_refusal("", None, on or today(), False)
    return domain.admission_refusal(STANDING.get(reg.state, domain.PENDING), reg.admitted_until, on or today(),
                                    reg.abnormal)


def _registration_guard(session: Session, case: Case, t, actor: Actor) -> Msg | None:
    reg = session.scalar(select(Registration).where(Registration.case_id == case.id))
    if reg is not None and reg.abnormal and t.key in ("admit", "renew", "reinstate"):
        return Msg("An abnormal-filing finding stands against the company: lift it first")
    return None


def _admitted(session: Session, case: Case, event: CaseEvent, reg: Registration) -> None:
    reg.admitted_on = today()
    reg.admitted_until = domain.renewal_due(reg.admitted_on, rules(session))


def _renewed(session: Session, case: Case, event: CaseEvent, reg: Registration) -> None:
    # Another year from the end of the current one (or from today when it has already ended).
    start = max(reg.admitted_until + timedelta(days=1), today()) if reg.admitted_until else today()
    reg.admitted_until = domain.renewal_due(start, rules(session))


def _registration_step(session: Session, case: Case, event: CaseEvent) -> None:
    """The company hears of every decision on its registration."""
    if event.transition in ("admit", "return", "refuse", "suspend", "reinstate", "renew", "revoke"):
        inbox.notify(session, kind="notice", unit_id=case.applicant_unit_id, case_id=case.id,
                     title=N_("Your registration with the protection centre: {step}"),
                     params={"step": REGISTRATION.transition(event.transition).label.msgid},
                     body=event.reason or "", link=REGISTRATION.link(case) if REGISTRATION.link else "")


REGISTRATION = dataclasses.replace(casetypes.registration_type(), record=Registration, record_number="number",
                                   guard=_registration_guard, on={"admit": _admitted, "renew": _renewed},
                                   after=_registration_step)
REGISTRATIONS = RecordKind(
    REGISTRATION, missing=N_("No registration {id}"), denied=N_("This registration is not yours to see"),
    parties=lambda actor, reg: is_company_of(actor, reg.unit_id))


# --- submitting a case ---------------------------------------------------------------------------------------

SUBMISSION_TEXT = ("patent_type", "title", "abstract", "claims", "description", "brief_description",
                   "agency_name")


def _lines(value: object) -> list[str]:
    """Names, one a line (or a list); one more than the ceiling is kept, so that the check refuses too many."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()][:domain.MAX_NAMES + 1]
    return [v.strip() for v in str(value or "").replace("；", "\n").replace(";", "\n").splitlines()
            if v.strip()][:domain.MAX_NAMES + 1]


def _classes(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()][:domain.MAX_CLASSES + 1]
    return [v.strip() for v in str(value or "").replace("，", ",").replace(";", ",").replace("\n", ",").split(",")
            if v.strip()][:domain.MAX_CLASSES + 1]


def submission_values(values: Mapping[str, object]) -> dict:
    """A case's values as the checks read them (lists split from the form's lines)."""
    out = {k: str(values.get(k) or "").strip() for k in SUBMISSION_TEXT}
    out["ipc"], out["locarno"] = _classes(values.get("ipc")), _classes(values.get("locarno"))
    out["applicants"], out["inventors"] = _lines(values.get("applicants")), _lines(values.get("inventors"))
    given = values.get("declarations")
    keys = domain.declarations(out["patent_type"])
    if isinstance(given, Mapping):
        out["declarations"] = {k: bool(given.get(k)) for k in keys}
    else:
        out["declarations"] = {k: str(values.get(k) or "") in ("1", "on", "true", "yes") for k in keys}
    out["is_pct"] = str(values.get("is_pct") or "") in ("1", "on", "true", "yes") or values.get("is_pct") is True
    out["is_divisional"] = (str(values.get("is_divisional") or "") in ("1", "on", "true", "yes")
                            or values.get("is_divisional") is True)
    return out


def _siblings(session: Session, unit_id: int, names: list[str], day: date, exclude_id: int | None) -> list:
    """The applicant's other applications of `day`: its pre-examination cases submitted that day, and filings of
    its name in the register dated that day."""
    out: list[domain.Sibling] = []
    q = select(Submission).where(Submission.unit_id == unit_id, Submission.submitted_on == day,
                                 Submission.state.not_in(("withdrawn", "not_accepted")))
    for other in session.scalars(q):
        if other.id != exclude_id:
            out.append(domain.Sibling(other.patent_type, day, tuple(other.applicants), other.title, other.number,
                                      pre_examined=True))
    for rec in register.filed_naming(session, day, names, (INVENTION, UTILITY), limit=MAX_SIBLINGS):
        out.append(domain.Sibling(rec.patent_type or "", day, tuple(rec.applicants), rec.title,
                                  rec.app_number or rec.pub_number))
    return out


def run_checks(session: Session, clean: dict, documents: Mapping[str, int], unit_id: int,
               exclude_id: int | None = None, *, with_hint: bool = True) -> dict:
    """What the platform finds before a person looks: the field check (with the classes the prior-art neighbours
    suggest), the exclusions, the formal checklist and the prior-art hint, as plain values."""
    centre_rules = rules(session)
    hint = priorart.hint(session, clean["title"], clean["abstract"], clean["claims"]) \
        if with_hint and clean["patent_type"] != DESIGN else priorart.Hint([], [], [])
    suggested = [s for s, _ in hint.suggested]
    fc = domain.field_findings(clean["patent_type"], clean["ipc"], clean["locarno"], centre_rules, suggested)
    day = today()
    excluded = domain.exclusions(clean["is_pct"], clean["is_divisional"], None,
                                 _siblings(session, unit_id, clean["applicants"], day, exclude_id), clean["title"],
                                 patent_type=clean["patent_type"], applicants=clean["applicants"], day=day,
                                 threshold=centre_rules.title_similarity)
    checklist = domain.formal_checklist(clean, dict(documents), centre_rules)
    return {"field": {"fields": list(fc.keys), "classes": list(fc.classes), "mismatch": fc.mismatch,
                      "inside": fc.inside, "findings": [both(m) for m in fc.findings]},
            "exclusions": [{"field": f, "message": both(m)} for f, m in excluded],
            "checklist": [{"key": c.key, "label": both(c.label), "ok": c.ok,
                           "detail": both(c.detail) if c.detail else None} for c in checklist],
            "hint": hint.as_dict(), "checked_on": day.isoformat()}


def both(message: Msg) -> dict[str, str]:
    """A message in both languages, as stored with a case: its page shows the reader's."""
    return {"zh": message.render("zh_Hans"), "en": message.render("en")}


def is_flagged(checks: dict) -> bool:
    return bool(not checks["field"]["inside"] or checks["field"]["mismatch"] or checks["exclusions"]
                or any(not c["ok"] for c in checks["checklist"]))


def _apply_submission(sub: Submission, clean: dict, checks: dict) -> None:
    for k in ("patent_type", "title", "abstract", "claims", "description", "brief_description", "agency_name",
              "ipc", "locarno", "applicants", "inventors", "declarations", "is_pct", "is_divisional"):
        setattr(sub, k, clean[k])
    sub.checks, sub.flagged = checks, is_flagged(checks)
    sub.field_key = checks["field"]["fields"][0] if checks["field"]["fields"] else ""


def submit(session: Session, actor: Actor, values: Mapping[str, object],
           files: Mapping[str, list[Upload]]) -> Submission:
    """A registered company submits a case for pre-examination; the platform's checks are stored with it."""
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        raise PermissionDenied(Msg("Only a company's account submits cases for pre-examination"))
    reg = live_registration(session, actor.unit_id)
    refusal = standing_refusal(reg)
    if refusal is not None:
        raise DomainError(refusal, field="registration")
    clean = submission_values(values)
    documents = counted(files)
    _raise(domain.submission_problems(clean, rules(session), documents))
    checks = run_checks(session, clean, documents, actor.unit_id)
    sub = Submission(registration_id=reg.id, unit_id=actor.unit_id, user_id=actor.user_id,
                     centre_unit_id=reg.centre_unit_id, district_code=reg.division_code)
    _apply_submission(sub, clean, checks)
    SUBMISSIONS.open(session, actor, sub, title=clean["title"], applicant_unit_id=actor.unit_id,
                     assigned_unit_id=reg.centre_unit_id, subject_type=SUBMISSION_SUBJECT,
                     data={"patent_type": clean["patent_type"]})
    _attach(session, actor, DOCUMENT_OWNER, sub.id, files, domain.CASE_DOCUMENTS)
    return sub


def reply(session: Session, actor: Actor, sub: Submission, values: Mapping[str, object],
          files: Mapping[str, list[Upload]], reason: str = "") -> CaseEvent:
    """The company's correction (补正): the corrected texts and documents, checked again; the clock resumes."""
    if not is_company_of(actor, sub.unit_id):
        raise PermissionDenied(Msg("Only the company itself submits the correction"))
    clean = submission_values(values)
    if clean["patent_type"] != sub.patent_type:
        raise DomainError(Msg("The patent type cannot change in a correction"), field="patent_type")
    documents = counted(files, documents_of(session, DOCUMENT_OWNER, sub.id, domain.CASE_DOCUMENTS))
    _raise(domain.submission_problems(clean, rules(session), documents))
    checks = run_checks(session, clean, documents, sub.unit_id, exclude_id=sub.id)
    event = engine.fire(session, SUBMISSION, SUBMISSIONS.case_of(session, sub), "reply", actor,
                        reason=reason or "已按补正通知书修改", via_use_case=True)
    _apply_submission(sub, clean, checks)
    sub.corrections += 1
    _attach(session, actor, DOCUMENT_OWNER, sub.id, files, domain.CASE_DOCUMENTS)
    return event


def record_filing(session: Session, actor: Actor, sub: Submission, app_number: str, filed_on: str) -> CaseEvent:
    """The passed case's CNIPA application number and filing date (only formal filing creates them, rules.md §8)."""
    case = SUBMISSIONS.case_of(session, sub)
    if not (is_company_of(actor, sub.unit_id) or acts_for_centre(session, case, actor)):
        raise PermissionDenied(Msg("Only the company or the centre records the filing"))
    try:
        parsed = parse_cn_application(app_number)
    except NumberError as exc:
        raise DomainError(Msg("The application number is not valid: {why}", why=Bilingual(exc.zh, exc.en)),
                          field="app_number") from exc
    if parsed.patent_type != sub.patent_type or parsed.pct:
        raise DomainError(Msg("Application number {number} is not a {kind} application",
                              number=parsed.formatted, kind=domain.PATENT_TYPES.get(sub.patent_type, sub.patent_type)),
                          field="app_number")
    try:
        day = date.fromisoformat(str(filed_on).strip())
    except ValueError:
        raise DomainError(Msg("Give the filing date as YYYY-MM-DD"), field="filed_on") from None
    if sub.passed_on is None or day < sub.passed_on or day > today():
        raise DomainError(Msg("The filing date must lie between the day the case passed and today"),
                          field="filed_on")
    clash = session.scalar(select(Submission.number).where(Submission.cnipa_app_number == parsed.formatted,
                                                           Submission.id != sub.id))
    if clash:
        raise Conflict(Msg("Application number {number} is already recorded on case {case}",
                           number=parsed.formatted, case=clash), field="app_number")
    event = engine.fire(session, SUBMISSION, case, "record_filing", actor, via_use_case=True,
                        reason=f"{parsed.formatted} {day.isoformat()}")
    sub.cnipa_app_number, sub.filed_on = parsed.formatted, day
    return event


def late_filing(sub: Submission, on: date | None = None) -> bool:
    """A passed case not filed at CNIPA within its period, or filed after it (flagged)."""
    if sub.filing_deadline is None:
        return False
    if sub.filed_on is not None:
        return sub.filed_on > sub.filing_deadline
    return sub.state == "passed" and (on or today()) > sub.filing_deadline


# --- guard and hooks of the case -----------------------------------------------------------------------------

def _correction_overdue(session: Session, case: Case) -> bool:
    running = [v for v in engine.deadlines(session, SUBMISSION, case) if v.key == "correction" and not v.stopped_on]
    return bool(running) and running[-1].overdue


def _submission_guard(session: Session, case: Case, t, actor: Actor) -> Msg | None:
    sub = session.scalar(select(Submission).where(Submission.case_id == case.id))
    if t.key in ("deem_withdrawn", "lapse", "grant") and not acts_for_centre(session, case, actor):
        return Msg("Only the centre's officials take this step")
    if t.key == "deem_withdrawn" and not _correction_overdue(session, case):
        return Msg("The company's time to answer the correction has not run out")
    if t.key == "lapse" and sub is not None and not late_filing(sub):
        return Msg("The period for filing at CNIPA has not run out")
    if t.key in ("accept", "pass") and sub is not None:
        reg = session.get(Registration, sub.registration_id)
        refusal = standing_refusal(reg)
        if refusal is not None:
            return refusal
    return None


def _decided(session: Session, case: Case, event: CaseEvent, sub: Submission) -> None:
    sub.decided_on = today()
    if event.transition == "pass":
        sub.passed_on = sub.decided_on
        sub.filing_deadline = domain.filing_deadline(sub.passed_on, rules(session), cal.load(session))
    else:
        sub.reasons = list(event.values.get("reasons") or [])


NOTICE_STEPS = {"accept": notices.ACCEPTED, "request_correction": notices.CORRECTION, "pass": notices.PASSED,
                "fail": notices.NOT_PASSED, "not_accept": notices.NOT_ACCEPTED}


def _submission_step(session: Session, case: Case, event: CaseEvent) -> None:
    """The centre's notice for the step (a PDF in the case's documents and the company's inbox)."""
    kind = NOTICE_STEPS.get(event.transition)
    sub = session.scalar(select(Submission).where(Submission.case_id == case.id))
    if kind is None or sub is None:
        return
    centre = session.get(Unit, case.assigned_unit_id)
    views = engine.deadlines(session, SUBMISSION, case)
    notices.issue(session, sub, kind, body=centre.name_zh if centre else "", reason=event.reason,
                  deadlines=views, values=event.values, fields=rules(session).fields)
    inbox.notify(session, kind="notice", unit_id=case.applicant_unit_id, case_id=case.id,
                 title=N_("{notice}: case {number}"), params={"notice": notices.TITLE_MSGS[kind].msgid,
                                                             "number": sub.number},
                 body=event.reason or "", link=f"/preexam/cases/{sub.id}")


SUBMISSION = dataclasses.replace(casetypes.submission_type(), record=Submission, record_number="number",
                                 guard=_submission_guard, on={"pass": _decided, "fail": _decided,
                                                              "not_accept": _decided},
                                 after=_submission_step)
SUBMISSIONS = RecordKind(
    SUBMISSION, missing=N_("No pre-examination case {id}"), denied=N_("This case is not yours to see"),
    parties=lambda actor, sub: is_company_of(actor, sub.unit_id))


# --- following the register, the daily sweep ---------------------------------------------------------------

def filing_in_register(session: Session, sub: Submission) -> object | None:
    """The register's filing of a passed case, when it holds one: an application of the case's type filed on or
    after the pass day, naming one of its applicants, whose title is the case's (the same-subject similarity)."""
    if sub.passed_on is None:
        return None
    threshold = rules(session).title_similarity
    candidates = register.filings_naming(session, list(sub.applicants), sub.passed_on, sub.patent_type,
                                         limit=MAX_SIBLINGS)
    # only the candidates' numbers are looked up among the cases (not every recorded number, once per case)
    taken = set(session.scalars(select(Submission.cnipa_app_number).where(
        Submission.cnipa_app_number.in_([rec.app_number for rec in candidates])))) if candidates else set()
    found = [(domain.title_similarity(sub.title, rec.title), rec) for rec in candidates
             if rec.app_number not in taken]
    best = max(found, key=lambda pair: pair[0], default=None)
    return best[1] if best is not None and best[0] >= threshold else None


def follow_register(session: Session) -> dict:
    """Daily: correction periods that ran out (deemed withdrawn); passed cases whose filing the register now holds
    (recorded); filed cases the register shows granted."""
    system = Actor.system("preexam.sweep")
    withdrawn = granted = filed = 0
    for sub in session.scalars(select(Submission).where(Submission.state == "correction")):
        case = SUBMISSIONS.case_of(session, sub)
        if _correction_overdue(session, case):
            engine.fire(session, SUBMISSION, case, "deem_withdrawn", system, reason="逾期未答复补正通知书")
            withdrawn += 1
    for sub in session.scalars(select(Submission).where(Submission.state == "passed")):
        rec = filing_in_register(session, sub)
        if rec is not None and rec.app_date <= today():
            record_filing(session, system, sub, rec.app_number, rec.app_date.isoformat())
            filed += 1
    for sub in session.scalars(select(Submission).where(Submission.state == "filed",
                                                        Submission.cnipa_app_number != "")):
        grant = register.grant_date_of(session, sub.cnipa_app_number)
        if grant is not None:
            engine.fire(session, SUBMISSION, SUBMISSIONS.case_of(session, sub), "grant", system,
                        reason=f"授权公告日 {grant.isoformat()}", via_use_case=True)
            sub.granted_on = grant
            granted += 1
    return {"withdrawn": withdrawn, "filed": filed, "granted": granted}


def notices_of(session: Session, sub: Submission) -> list:
    return attachments_of(session, NOTICE_OWNER, sub.id)


def submission_by_number(session: Session, number: str) -> Submission:
    sub = session.scalar(select(Submission).where(Submission.number == number))
    if sub is None:
        raise NotFound(Msg("No pre-examination case {id}", id=number[:40]))
    return sub
