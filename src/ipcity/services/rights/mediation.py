"""Use cases of a mediation (纠纷调解, CNIPA Order No. 81 Arts 63–69; rules.md §9.4, §14.2, §14.11).

A request for mediation taken on by its unit becomes a mediation: by the office itself, or referred to a mediation
body (an IP dispute mediation body, WIPO AMC's Shanghai office, a Shanghai arbitration body). The case is assigned
to the unit that mediates, so that a body's mediators (role MEDIATOR) see and act on their body's cases only.

received → the opinion notice to the respondent within 5 working days (notify) → the respondent's statement within
15 days: it agrees (the mediation is filed, refused when the statement came late, Art 66) or declines or does not
answer (not filed) → an agreement (调解协议书, a PDF in the file store, audited), or none (failed) → judicial
confirmation (司法确认) at a party's request, recorded with the court's result → performance (履行) recorded → closed,
only once performance is recorded complete. Each final state closes the request with its outcome
(service.followup_ended).

Each function works in the caller's transaction and raises before it writes when a step is refused. What must hold
however a step is fired (the generic case page and the case API fire steps too) is in the guard and the hooks.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ipcity.core import audit, documents, notice_pdf
from ipcity.core import calendar as cal
from ipcity.core.clock import today
from ipcity.core.context import files_of
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.files import Upload, attachments_of
from ipcity.core.forms import form_day
from ipcity.core.i18n import N_, Msg
from ipcity.core.roles import ADMIN, MEDIATOR, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Attachment, Unit
from ipcity.services.rights import casetypes, domain, service
from ipcity.services.rights.tables import Mediation, RightsRequest
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

SUBJECT = "rights.mediation"
AGREEMENT_OWNER = "rights.mediation.agreement"  # the agreement PDFs (调解协议书), attached to the mediation
AGREEMENT_TITLE = ("调解协议书", "Mediation Agreement")
MAX_AGREEMENT = 20_000  # characters of the agreement's terms
MAX_NOTE = 2_000  # a performance note, a court's name, the court's result note

# The court's answer to a request for judicial confirmation (司法确认).
CONFIRMED, REJECTED = "confirmed", "rejected"
CONFIRMATION_RESULTS: dict[str, Msg] = {
    CONFIRMED: Msg("Confirmed by the court (裁定确认调解协议有效)"),
    REJECTED: Msg("Not confirmed by the court (裁定驳回申请)"),
}

# The request's outcome when the mediation ends in each final state (service.followup_ended).
OUTCOMES: dict[str, str] = {"close": "mediated", "not_file": "not_filed", "fail": "no_agreement",
                            "withdraw": "withdrawn"}
OUTCOME_LABELS: dict[str, Msg] = {
    "mediated": Msg("Agreement reached and performed (调解成功，协议履行完毕)"),
    "not_filed": Msg("Not filed: the respondent declined or did not answer (不予受理调解)"),
    "no_agreement": Msg("No agreement (调解不成)"),
    "withdrawn": Msg("Withdrawn (撤回)"),
}

FOOTNOTE = ("本协议书由平台以电子方式出具，经调解组织盖章、双方当事人签名或者盖章后生效（《专利纠纷行政裁决和调解办法》"
            "第六十九条）。电子印章示意，非法定电子签章。",
            "Issued electronically; it takes effect once sealed by the mediating body and signed or sealed by both "
            "parties (CNIPA Order No. 81 Art 69). The seal shown is not a legal electronic seal.")


# --- who acts ----------------------------------------------------------------------------------------------------

def acts_for_mediation(case: Case, actor: Actor) -> bool:
    """The system, or an official or a mediator of the unit the mediation is assigned to (the office, or the
    body it was referred to)."""
    if actor.role == ADMIN:
        return actor.user_id is None
    return (actor.role in OFFICIAL_ROLES | {MEDIATOR} and actor.unit_id is not None
            and actor.unit_id == case.assigned_unit_id)


def request_of(session: Session, med: Mediation) -> RightsRequest:
    return session.get(RightsRequest, med.request_id)


def _party(actor: Actor, med: Mediation) -> bool:
    """Who sees the whole file besides the officials of the unit it is assigned to: the requester
    (service.is_party); the mediators of that unit (a body's mediators see only their body's cases); the officials
    of the unit the request is with (the office that referred it follows it)."""
    if service.is_party(actor, med):
        return True
    session = object_session(med)
    if session is None or actor.user_id is None or actor.unit_id is None:
        return False
    if actor.role == MEDIATOR:
        case = session.get(Case, med.case_id)
        return case is not None and case.assigned_unit_id == actor.unit_id
    if actor.role in OFFICIAL_ROLES:
        return service.REQUESTS.case_of(session, request_of(session, med)).assigned_unit_id == actor.unit_id
    return False


def may_see_agreement(session: Session, actor: Actor, owner_id: str) -> bool:
    """The agreement PDFs (file_access of AGREEMENT_OWNER): whoever sees the mediation."""
    med = session.get(Mediation, int(owner_id)) if str(owner_id).isdigit() else None
    return med is not None and MEDIATIONS.may_view(session, actor, med)


# --- opening ----------------------------------------------------------------------------------------------------

def mediating_unit(session: Session, req: RightsRequest, values: dict) -> tuple[str, Unit, Unit | None]:
    """Who mediates: (the mediator kind, the unit the case is assigned to, the body referred to or None)."""
    kind = str(values.get("mediator_kind") or "").strip()
    if kind not in domain.MEDIATORS:
        raise DomainError(Msg("Choose who mediates (调解方式)"), field="mediator_kind")
    if kind == domain.OFFICE:
        unit = session.get(Unit, service.REQUESTS.case_of(session, req).assigned_unit_id)
        return kind, unit, None
    raw = str(values.get("body_unit_id") or "").strip()
    body = session.get(Unit, int(raw)) if raw.isdigit() else None
    if body is None or body.kind != domain.MEDIATION_BODY:
        raise DomainError(Msg("Choose the mediation body the dispute is referred to (调解组织)"),
                          field="body_unit_id")
    return kind, body, body


def bodies(session: Session) -> list[Unit]:
    """The mediation bodies a mediation may be referred to (units of kind mediation body)."""
    return list(session.scalars(select(Unit).where(Unit.kind == domain.MEDIATION_BODY).order_by(Unit.name_zh)))


def open_from(session: Session, actor: Actor, req: RightsRequest, values: dict) -> Mediation:
    """The mediation a request for mediation becomes (service.refer): by the office, or referred to a body; the
    case is assigned to the unit that mediates and the requester's account acts in it as the applicant."""
    kind, unit, body = mediating_unit(session, req, values)
    med = Mediation(request_id=req.id, requester_user_id=req.user_id, requester_unit_id=req.unit_id,
                    mediator_kind=kind, body_unit_id=body.id if body else None,
                    matter=req.matter or "", requester=req.requester_name or req.contact_name,
                    respondent=req.respondent or "", received_on=today())
    title = f"纠纷调解：{med.requester} 与 {med.respondent}" if med.respondent else f"纠纷调解：{med.requester}"
    MEDIATIONS.open(session, actor, med, title=title, applicant_unit_id=req.unit_id, assigned_unit_id=unit.id,
                    subject_type=SUBJECT)
    case = MEDIATIONS.case_of(session, med)
    case.applicant_user_id = req.user_id
    audit.record(session, actor, "rights.mediation.open", SUBJECT, med.id, summary=med.number,
                 detail={"request": req.number, "mediator_kind": kind, "unit": unit.code})
    return med


# --- the clocks -----------------------------------------------------------------------------------------------------

def statement_due(session: Session, med: Mediation) -> date | None:
    """The last day of the respondent's statement (15 days from the notice, Art 65), None before the notice."""
    if med.notice_sent_on is None:
        return None
    return domain.mediation_statement_due(med.notice_sent_on, cal.load(session))


def late_statement(session: Session, med: Mediation, on: date | None = None) -> Msg | None:
    """Why an agreement to mediate recorded on `on` (today) cannot be filed: the statement came late (Art 66)."""
    due = statement_due(session, med)
    if due is None:
        return Msg("The opinion notice has not been sent to the respondent yet")
    day = on or today()
    return domain.mediation_refusal(due, day, True, day)


# --- the agreement (调解协议书) ----------------------------------------------------------------------------------

def _amount(text, problems: list) -> Decimal | None:
    value, wrong = domain.parse_amount(text)
    if wrong is not None:
        problems.append(("amount", wrong))
    return value


def _unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.name_zh if unit is not None else ""


def agreement_notice(session: Session, med: Mediation, text: str, amount: Decimal | None,
                     agreed_on: date) -> notice_pdf.Notice:
    """What the mediation agreement says: the parties, the matter, who mediated, the terms (Art 69)."""
    req = request_of(session, med)
    case = MEDIATIONS.case_of(session, med)
    mediator = _unit_name(session, case.assigned_unit_id)
    matter = domain.MEDIATION_MATTERS.get(med.matter)
    rows = [("申请人", "Requester", med.requester or "—"),
            ("被申请人", "Respondent", med.respondent or "—"),
            ("权利类型", "Right", domain.RIGHTS[req.right].render("zh_Hans") if req.right in domain.RIGHTS
             else req.right),
            ("调解事项", "Matter", matter.render("zh_Hans") if matter else "—"),
            ("调解方式", "Mediation by", domain.MEDIATORS[med.mediator_kind].render("zh_Hans")),
            ("调解组织", "Mediating body", mediator or "—"),
            ("请求编号", "Request No.", req.number),
            ("达成协议日期", "Agreed on", agreed_on.isoformat()),
            ("给付金额（元）", "Amount (yuan)", f"{amount:,.2f}" if amount is not None else "—")]
    paragraphs = ["经调解，双方当事人自愿达成如下协议：", *[p.strip() for p in text.splitlines() if p.strip()],
                  "本协议有给付内容且载明债务人愿意接受强制执行承诺的，当事人可以依照《中华人民共和国公证法》申请办理"
                  "具有强制执行效力的债权文书公证；当事人也可以依法向人民法院申请司法确认。",
                  "申请人（签名或盖章）：", "被申请人（签名或盖章）："]
    return notice_pdf.Notice(kind="agreement", title=AGREEMENT_TITLE, number_label=("调解案号", "Mediation No."),
                             number=med.number, body=f"{mediator}（盖章）" if mediator else "",
                             issued_on=today().isoformat(), rows=rows, text=paragraphs, footnote=FOOTNOTE)


def record_agreement(session: Session, actor: Actor, med: Mediation, text: str, amount=None,
                     agreed_on: str | date | None = None) -> Attachment:
    """The parties' agreement: its terms, the amount (yuan) and the day; the agreement PDF (调解协议书) is issued
    into the file store (refused, before anything is kept, when a glyph is missing) and the step audited."""
    case = MEDIATIONS.case_of(session, med)
    if not acts_for_mediation(case, actor):
        raise PermissionDenied(Msg("Only the mediator or the officials of the mediating unit record the agreement"))
    problems: list[tuple[str | None, Msg]] = []
    terms = str(text or "").strip()
    if not terms:
        problems.append(("text", Msg("Write the terms the parties agreed")))
    elif len(terms) > MAX_AGREEMENT:
        problems.append(("text", Msg("The agreement is longer than {n} characters", n=MAX_AGREEMENT)))
    value = _amount(amount, problems)
    day = agreed_on if isinstance(agreed_on, date) else form_day(agreed_on, "agreed_on", problems)
    day = day or today()
    if day > today():
        problems.append(("agreed_on", Msg("The day of the agreement cannot be in the future")))
    elif med.statement_on is not None and day < med.statement_on:
        problems.append(("agreed_on", Msg("The agreement cannot be dated before the mediation was filed ({day})",
                                          day=med.statement_on.isoformat())))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    if med.state not in MEDIATION.transition("record_agreement").sources:  # the engine refuses it too: checked
        # first, so that no document is rendered for a step that cannot be taken
        raise Conflict(Msg("The agreement is recorded while the mediation is under way (调解中)"), field="text")
    pdf = notice_pdf.render_pdf(agreement_notice(session, med, terms, value, day))  # MissingGlyphs: nothing kept
    engine.fire(session, MEDIATION, case, "record_agreement", actor, via_use_case=True,
                reason=f"调解协议 {day.isoformat()}" + (f"，给付金额 {value:,.2f} 元" if value is not None else ""))
    med.agreement_text, med.amount, med.agreed_on = terms, value, day
    attachment = files_of(session).attach(session, Upload(f"{AGREEMENT_TITLE[0]}-{med.number}.pdf", io.BytesIO(pdf)),
                                          AGREEMENT_OWNER, med.id, actor.user_id, field="agreement",
                                          allowed={".pdf": {"application/pdf"}})
    audit.record(session, actor, "rights.mediation.agreement", SUBJECT, med.id, summary=med.number,
                 detail={"attachment": attachment.id, "sha256": attachment.sha256, "agreed_on": day.isoformat(),
                         "amount": str(value) if value is not None else None})
    return attachment


def agreements_of(session: Session, med: Mediation) -> list[Attachment]:
    return attachments_of(session, AGREEMENT_OWNER, med.id)


# --- issuing the agreement again (core/documents.py) ---------------------------------------------------------------

def _agreement_subjects(session: Session) -> list[int]:
    ids = session.scalars(select(Attachment.owner_id).where(Attachment.owner_type == AGREEMENT_OWNER).distinct())
    return sorted(int(i) for i in ids)


def current_agreements(session: Session, mediation_id: int) -> list[Attachment]:
    """The agreement PDFs in force: every edition but those issued again since."""
    replaced = documents.replaced_ids(session, AGREEMENT_OWNER, mediation_id)
    return [a for a in attachments_of(session, AGREEMENT_OWNER, mediation_id) if a.id not in replaced]


def may_reissue_agreement(session: Session, actor: Actor, mediation_id: int) -> bool:
    """The mediating unit (and the platform itself, for the documents command)."""
    med = session.get(Mediation, mediation_id)
    if med is None:
        return False
    if actor.user_id is None and actor.role == ADMIN:
        return True
    return acts_for_mediation(MEDIATIONS.case_of(session, med), actor)


def _reissue_agreements(session: Session, files, actor: Actor, mediation_id: int, reason: str,
                        prepared=None) -> list[Attachment]:
    """Each agreement in force rendered again word for word from what it carries (notice_pdf.SOURCE_NAME),
    marked as issued again."""
    issued = []
    for old in current_agreements(session, mediation_id):
        with files.open(old.sha256) as fh:
            notice = notice_pdf.source_of(fh.read())
        if notice is None:
            raise DomainError(Msg("{name} is not a document this platform issued", name=old.filename),
                              field="reason")
        notice.reissued_on = today().isoformat()
        pdf = notice_pdf.render_pdf(notice)
        issued.append(files.attach(session, Upload(old.filename, io.BytesIO(pdf)), AGREEMENT_OWNER, mediation_id,
                                   actor.user_id, field="agreement", allowed={".pdf": {"application/pdf"}}))
    return issued


AGREEMENTS = documents.DocumentKind(key=AGREEMENT_OWNER, label=Msg("Mediation agreements (调解协议书)"),
                                    subjects=_agreement_subjects, current=current_agreements,
                                    may_reissue=may_reissue_agreement, reissue=_reissue_agreements)


# --- judicial confirmation (司法确认) and performance (履行) ---------------------------------------------------------

def confirmation_pending(med: Mediation) -> bool:
    c = med.confirmation or {}
    return bool(c.get("court")) and not c.get("result")


def request_confirmation(session: Session, actor: Actor, med: Mediation, court: str) -> None:
    """A party (the requester) or the mediating unit records that judicial confirmation of the agreement is asked
    of a court (rules.md §14.11: judicial confirmation on a party's request). Audited."""
    case = MEDIATIONS.case_of(session, med)
    if not (service.is_party(actor, med) or acts_for_mediation(case, actor)):
        raise PermissionDenied(Msg("Only a party or the mediator asks for judicial confirmation of the agreement"))
    if med.agreed_on is None or med.state not in ("agreed", "closed"):
        raise DomainError(Msg("Judicial confirmation is asked for an agreement: no agreement has been recorded"),
                          field="court")
    c = med.confirmation or {}
    if confirmation_pending(med):
        raise DomainError(Msg("Judicial confirmation has already been asked of {court}", court=c["court"]),
                          field="court")
    if c.get("result") == CONFIRMED:
        raise DomainError(Msg("The court has already confirmed the agreement"), field="court")
    name = str(court or "").strip()
    if not name:
        raise DomainError(Msg("Name the court asked to confirm the agreement (人民法院)"), field="court")
    if len(name) > 200:
        raise DomainError(Msg("The court's name is longer than {n} characters", n=200), field="court")
    med.confirmation = {"court": name, "on": today().isoformat(), "by": actor.user_id,
                        "by_name": actor.display_name, "result": "", "result_on": "", "note": ""}
    audit.record(session, actor, "rights.mediation.confirmation", SUBJECT, med.id, summary=med.number,
                 detail={"court": name})


def record_confirmation_result(session: Session, actor: Actor, med: Mediation, result: str, note: str = "",
                               on: str | date | None = None) -> None:
    """The court's ruling on the request for judicial confirmation, recorded by the mediating unit. Audited."""
    case = MEDIATIONS.case_of(session, med)
    if not acts_for_mediation(case, actor):
        raise PermissionDenied(Msg("Only the mediator or the officials of the mediating unit record the court's "
                                   "ruling"))
    if not confirmation_pending(med):
        raise DomainError(Msg("No request for judicial confirmation awaits the court's ruling"), field="result")
    problems: list[tuple[str | None, Msg]] = []
    if result not in CONFIRMATION_RESULTS:
        problems.append(("result", Msg("Choose the court's ruling")))
    day = on if isinstance(on, date) else form_day(on, "result_on", problems)
    day = day or today()
    asked = date.fromisoformat(med.confirmation["on"])
    if day > today() or day < asked:
        problems.append(("result_on", Msg("The ruling's day lies between the request ({asked}) and today",
                                          asked=asked.isoformat())))
    text = str(note or "").strip()
    if len(text) > MAX_NOTE:
        problems.append(("note", Msg("The note is longer than {n} characters", n=MAX_NOTE)))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    med.confirmation = {**med.confirmation, "result": result, "result_on": day.isoformat(), "note": text}
    audit.record(session, actor, "rights.mediation.confirmation_result", SUBJECT, med.id, summary=med.number,
                 reason=text, detail={"court": med.confirmation["court"], "result": result})


def record_performance(session: Session, actor: Actor, med: Mediation, note: str, done: bool = False) -> dict:
    """What was performed of the agreement (履行情况), appended; `done` when it is performed in full, which lets
    the mediation close. Audited."""
    case = MEDIATIONS.case_of(session, med)
    if not acts_for_mediation(case, actor):
        raise PermissionDenied(Msg("Only the mediator or the officials of the mediating unit record the "
                                   "performance"))
    if med.state != "agreed":
        raise DomainError(Msg("Performance is recorded on an agreement awaiting performance"), field="note")
    text = str(note or "").strip()
    if not text:
        raise DomainError(Msg("Say what was performed (履行情况)"), field="note")
    if len(text) > MAX_NOTE:
        raise DomainError(Msg("The note is longer than {n} characters", n=MAX_NOTE), field="note")
    entry = {"on": today().isoformat(), "by": actor.user_id, "by_name": actor.display_name, "note": text,
             "done": bool(done)}
    med.performance = [*(med.performance or []), entry]
    audit.record(session, actor, "rights.mediation.performance", SUBJECT, med.id, summary=med.number, reason=text,
                 detail={"done": bool(done)})
    return entry


def performed(med: Mediation) -> bool:
    return any(p.get("done") for p in med.performance or [])


# --- guard and hooks ----------------------------------------------------------------------------------------------

def _record_of_case(session: Session, case: Case) -> Mediation | None:
    return session.scalar(select(Mediation).where(Mediation.case_id == case.id))


def _guard(session: Session, case: Case, t, actor: Actor) -> Msg | None:
    med = _record_of_case(session, case)
    if med is None:
        return None
    if t.key == "agree":
        return late_statement(session, med)
    if t.key == "close" and not performed(med):
        return Msg("The agreement is not yet recorded as performed in full: record its performance (履行情况) "
                   "before closing")
    return None


def _notified(session: Session, case: Case, event: CaseEvent, med: Mediation) -> None:
    med.notice_sent_on = today()


def _agreed(session: Session, case: Case, event: CaseEvent, med: Mediation) -> None:
    med.statement_on, med.agrees = today(), True


def _ended(session: Session, case: Case, event: CaseEvent, med: Mediation) -> None:
    """A final state: the outcome, the day, and the request closes with it."""
    if event.transition == "not_file":
        med.agrees = False
        due = statement_due(session, med)
        if due is not None and today() <= due:  # a refusal stated in time; after the period: no statement
            med.statement_on = today()
    med.outcome, med.closed_on = OUTCOMES[event.transition], today()
    service.followup_ended(session, request_of(session, med), med.outcome,
                           med.amount if event.transition == "close" else None)


MEDIATION = dataclasses.replace(casetypes.mediation_type(), record=Mediation, record_number="number", guard=_guard,
                                on={"notify": _notified, "agree": _agreed, "not_file": _ended, "fail": _ended,
                                    "close": _ended, "withdraw": _ended})
MEDIATIONS = RecordKind(MEDIATION, missing=N_("No mediation {id}"), denied=N_("This mediation is not yours to see"),
                        parties=_party)
