"""Administrative adjudication of patent disputes (专利纠纷行政裁决) under CNIPA Order No. 81: a request taken on by
the competent office becomes a case (open_from); the office files it with a panel or sends one complete correction
notice; serves the request; records the answer, evidence, inspections and hearings; stops and resumes the decision
clock for the periods that do not count; extends it with the approvers' names; decides; and closes the case when
the 15 days to sue have passed.

What must hold however a step is fired is in the guard and hooks (the generic case page and the case API fire
steps too): one correction notice (Art 16), not filing after a correction only when it is late, an extension in
order with its approver and before the period ends (Art 37), closing only after the period to sue (Patent Law
Art 65); the hooks keep the record's dates, the decision clock and the documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit, inbox
from ipcity.core import calendar as cal
from ipcity.core.clock import today
from ipcity.core.context import files_of, settings_of
from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.forms import day_or_refuse
from ipcity.core.i18n import N_, Msg
from ipcity.core.numbers import NumberError, parse_cn_application
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import casetypes, domain, notices, service
from ipcity.services.rights.tables import Adjudication, RightsRequest
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

SUBJECT = "rights.adjudication"
EVIDENCE_KINDS: dict[str, Msg] = {
    "evidence": Msg("Evidence submitted (证据)"),
    "inspection": Msg("Inspection (勘验)"),
    "appraisal": Msg("Appraisal (鉴定)"),
    "evaluation_report": Msg("Patent-right evaluation report (专利权评价报告)"),
    "investigation": Msg("Investigation by the office (调查取证)"),
}
MAX_ENTRIES = 200  # evidence entries, hearings and stops per case: a ceiling checked before appending


def _request_of(session: Session, adj: Adjudication) -> RightsRequest:
    return session.get(RightsRequest, adj.request_id)


def _body(session: Session, adj: Adjudication) -> str:
    unit = session.get(Unit, adj.unit_id)
    return unit.name_zh if unit else ""


def _patent(number: str) -> str:
    try:
        return parse_cn_application(number).formatted
    except NumberError:
        return number.strip()


# --- opening, from a request --------------------------------------------------------------------------------------

def open_from(session: Session, actor: Actor, req: RightsRequest, values: Mapping[str, object]) -> Adjudication:
    """The request for adjudication taken on by the office it is with: the case opens with the acceptance clock
    counted from the day the request arrived (Art 20), 10 working days when the office marks it complex."""
    problems = domain.adjudication_problems({"right": req.right, "role": req.role, "subject": req.subject,
                                             "patent_number": req.patent_number, **(req.details or {})})
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    case = service.REQUESTS.case_of(session, req)
    complex_case = bool((req.details or {}).get("complex_case")) or domain.ticked(values.get("complex_case"))
    in_china = (req.details or {}).get("respondent_in_china", True) is not False
    adj = Adjudication(request_id=req.id, unit_id=case.assigned_unit_id, subject=req.subject or domain.INFRINGEMENT,
                       requester=req.requester_name, respondent=req.respondent,
                       respondent_code=str((req.details or {}).get("respondent_code") or "")[:18],
                       respondent_in_china=in_china, patent_number=_patent(req.patent_number),
                       complex_case=complex_case, received_on=req.received_on)
    ADJUDICATIONS.open(session, actor, adj, title=f"{adj.requester} 诉 {adj.respondent} {adj.patent_number}",
                       applicant_unit_id=req.unit_id, assigned_unit_id=case.assigned_unit_id, subject_type=SUBJECT,
                       data={"complex_case": complex_case, "respondent_in_china": in_china})
    own = ADJUDICATIONS.case_of(session, adj)
    own.applicant_user_id = req.user_id
    _rebase(session, own, "acceptance", req.received_on)
    notices.issue(session, actor, adj, notices.REQUEST, body=req.requester_name, reason=req.description)
    return adj


def _running(case: Case, key: str):
    rows = [d for d in case.deadlines if d.rule_key == key and d.stopped_on is None]
    return rows[-1] if rows else None


def _rebase(session: Session, case: Case, key: str, start: date) -> None:
    """Count a running clock from `start` (the day the request or its correction arrived), not from the step."""
    row = _running(case, key)
    if row is None:
        return
    rule = engine.rules_in_force(session, ADJUDICATION)[key]
    row.started_on = start
    row.due_on = rule.due(start, cal.load(session), row.days)


def _set_decision_clock(session: Session, case: Case, adj: Adjudication) -> None:
    """The decision clock as Order 81 Art 37 counts it (months, extensions, stops), written on the kit's running
    row so that every list and reminder reads the same due day; None on the record while a stop is open."""
    adj.decision_due = domain.decision_due(adj.filed_on, extensions_of(adj), stops_of(adj), cal.load(session))
    row = _running(case, "decision")
    raw = domain.raw_decision_due(adj.filed_on, extensions_of(adj), stops_of(adj))
    if row is not None and raw is not None:
        row.days = (raw - row.started_on).days
        row.due_on = adj.decision_due


def extensions_of(adj: Adjudication) -> list[domain.Extension]:
    return [domain.Extension(e["level"], e["approver"], date.fromisoformat(e["approved_on"]), e.get("months"))
            for e in adj.extensions or []]


def stops_of(adj: Adjudication) -> list[domain.Stop]:
    return [domain.Stop(date.fromisoformat(s["start"]), date.fromisoformat(s["end"]) if s.get("end") else None,
                        s.get("kind", domain.SUSPENSION)) for s in adj.stops or []]


def clock(session: Session, adj: Adjudication, on: date | None = None) -> domain.ClockReading | None:
    """Where the decision clock stands (None before filing)."""
    if adj.filed_on is None:
        return None
    return domain.time_left(adj.filed_on, extensions_of(adj), stops_of(adj), on or today(), cal.load(session))


# --- the office's use cases ---------------------------------------------------------------------------------------

def _ensure_office(session: Session, adj: Adjudication, actor: Actor) -> Case:
    case = ADJUDICATIONS.case_of(session, adj)
    if not service.acts_for_unit(case, actor):
        raise PermissionDenied(Msg("Only the adjudicating office's officials take this step"))
    return case


def file_case(session: Session, actor: Actor, adj: Adjudication, panel: Sequence[str], presiding: str = "",
              reason: str = "") -> CaseEvent:
    """File the case (立案) with its panel of three or more, an odd number (Art 20); the filing notice is issued."""
    case = _ensure_office(session, adj, actor)
    names = [str(m).strip()[:100] for m in panel if str(m).strip()][:domain.PANEL_MIN * 5]
    problems = domain.panel_problems(names, presiding)
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    head = presiding.strip() or names[0]
    event = engine.fire(session, ADJUDICATION, case, "file", actor, reason=reason or "符合立案条件，予以立案",
                        via_use_case=True)
    adj.panel = [{"name": n, "presiding": n == head} for n in names]
    adj.filed_on = today()
    _set_decision_clock(session, case, adj)
    notices.issue(session, actor, adj, notices.FILED, body=_body(session, adj))
    return event


def recuse(session: Session, actor: Actor, adj: Adjudication, member: str, replacement: str, asked_by: str,
           reason: str) -> None:
    """A panel member steps aside (回避): on a party's application or of their own motion; the replacement keeps
    the panel whole (three or more, odd)."""
    _ensure_office(session, adj, actor)
    if adj.state not in casetypes.ADJ_OPEN:
        raise DomainError(Msg("The panel changes only while the case is being heard"), field="member")
    names = [m["name"] for m in adj.panel]
    member, replacement = member.strip(), replacement.strip()[:100]
    if member not in names:
        raise DomainError(Msg("{name} is not on the panel", name=member[:100]), field="member")
    if not reason.strip():
        raise DomainError(Msg("Give the grounds of the recusal"), field="reason")
    after = [replacement if n == member else n for n in names]
    problems = domain.panel_problems(after)
    if not replacement or problems:
        raise DomainError(problems[0][1] if problems else Msg("Name the member who replaces them"),
                          field="replacement")
    if len(adj.recusals or []) >= MAX_ENTRIES:
        raise DomainError(Msg("Too many entries on this case"), field="member")
    adj.panel = [{"name": replacement, "presiding": m["presiding"]} if m["name"] == member else m for m in adj.panel]
    adj.recusals = [*(adj.recusals or []), {"name": member, "replacement": replacement, "by": asked_by.strip()[:100],
                                            "reason": reason.strip()[:500], "on": today().isoformat()}]
    audit.record(session, actor, "rights.recusal", SUBJECT, adj.id, summary=adj.number, reason=reason.strip(),
                 detail={"member": member, "replacement": replacement})


def record_service(session: Session, actor: Actor, adj: Adjudication, served_on: str, received_on: str) -> CaseEvent:
    """The request served on the respondent (Art 22); its 15 days (30 without domicile in China) to answer run
    from the day it received the request."""
    case = _ensure_office(session, adj, actor)
    served = day_or_refuse(served_on, "served_on") or today()
    received = day_or_refuse(received_on, "received_on") or served
    if adj.filed_on is None or served < adj.filed_on or served > today():
        raise DomainError(Msg("The service date must lie between the filing and today"), field="served_on")
    if received < served or received > today():
        raise DomainError(Msg("The respondent cannot receive the request before it was served, nor in the future"),
                          field="received_on")
    event = engine.fire(session, ADJUDICATION, case, "serve", actor, via_use_case=True,
                        reason=f"送达 {served.isoformat()}，被请求人收到 {received.isoformat()}")
    adj.served_on, adj.respondent_received_on = served, received
    _rebase(session, case, "answer", received)
    return event


def add_evidence(session: Session, actor: Actor, adj: Adjudication, kind: str, by: str, note: str) -> None:
    """Evidence, an inspection, an appraisal or the office's investigation, recorded on the case."""
    _ensure_office(session, adj, actor)
    if kind not in EVIDENCE_KINDS:
        raise DomainError(Msg("Choose what is recorded"), field="kind")
    if not note.strip():
        raise DomainError(Msg("Describe the evidence or what was found"), field="note")
    if adj.state not in casetypes.ADJ_OPEN:
        raise DomainError(Msg("Evidence is recorded while the case is being heard"), field="kind")
    if len(adj.evidence or []) >= MAX_ENTRIES:
        raise DomainError(Msg("Too many entries on this case"), field="note")
    adj.evidence = [*(adj.evidence or []), {"kind": kind, "by": by.strip()[:100], "note": note.strip()[:2000],
                                            "on": today().isoformat()}]
    audit.record(session, actor, "rights.evidence", SUBJECT, adj.id, summary=adj.number, detail={"kind": kind})


def record_hearing(session: Session, actor: Actor, adj: Adjudication, held_on: str, place: str, record: str) -> None:
    """A hearing (口头审理) and its record."""
    _ensure_office(session, adj, actor)
    day = day_or_refuse(held_on, "held_on")
    if day is None or (adj.filed_on and day < adj.filed_on) or day > today():
        raise DomainError(Msg("The hearing date must lie between the filing and today"), field="held_on")
    if not record.strip():
        raise DomainError(Msg("Write the hearing record"), field="record")
    if adj.state not in casetypes.ADJ_OPEN:
        raise DomainError(Msg("Hearings are recorded while the case is being heard"), field="held_on")
    if len(adj.hearings or []) >= MAX_ENTRIES:
        raise DomainError(Msg("Too many entries on this case"), field="record")
    adj.hearings = [*(adj.hearings or []), {"on": day.isoformat(), "place": place.strip()[:200],
                                            "record": record.strip()[:20000]}]
    audit.record(session, actor, "rights.hearing", SUBJECT, adj.id, summary=adj.number, detail={"on": day.isoformat()})


def prior_rulings(session: Session, patent_number: str,
                  exclude_id: int | None = None) -> list[domain.PriorRuling]:
    """The decisions of the network on `patent_number` (as stored: formatted) that found an infringement and took
    effect (the day the period to sue ended), each act a ruling of its own."""
    rows = session.scalars(select(Adjudication).where(Adjudication.patent_number == patent_number,
                                                      Adjudication.outcome.in_(("infringes", "partly")),
                                                      Adjudication.decided_on.is_not(None)))
    out = []
    for adj in rows:
        if adj.id == exclude_id:
            continue
        effective = adj.suit_deadline if adj.state == "closed" else None
        key = adj.respondent_code or adj.respondent
        out += [domain.PriorRuling(key, adj.patent_number, act, effective) for act in adj.acts or []]
    return out


def repeat_check(session: Session, adj: Adjudication, acts: Sequence[str], on: date | None = None) -> bool:
    """Order 81 Art 34: the respondent repeats, after an effective decision against it, the same act on the same
    patent."""
    rulings = prior_rulings(session, adj.patent_number, exclude_id=adj.id)
    who = adj.respondent_code or adj.respondent
    return any(domain.repeat_infringement(who, adj.patent_number, act, on or today(), rulings) for act in acts)


def decide(session: Session, actor: Actor, adj: Adjudication, outcome: str, acts: Sequence[str], text: str, *,
           wilful: bool = False, amount: str = "") -> CaseEvent:
    """The panel's decision (Art 30): infringement found (the acts, an order to stop) or not; a repeat infringer
    ordered to stop directly, and a wilful one recorded as seriously dishonest (Art 34); the decision document
    issued; the 15 days to sue run from its receipt (Patent Law Art 65; served on issue)."""
    case = _ensure_office(session, adj, actor)
    if outcome not in casetypes.DECISIONS:
        raise DomainError(Msg("Choose the decision"), field="outcome")
    acts = [a for a in acts if a in domain.INFRINGING_ACTS]
    if outcome in ("infringes", "partly") and not acts:
        raise DomainError(Msg("Name the infringing acts found (Patent Law Art 11)"), field="acts")
    if len(text.strip()) < 10:
        raise DomainError(Msg("Write the facts, reasons and legal basis of the decision"), field="decision_text")
    value = _amount(amount)
    event = engine.fire(session, ADJUDICATION, case, "decide", actor, via_use_case=True,
                        reason=casetypes.DECISIONS[outcome].render("zh_Hans"))
    infringes = outcome in ("infringes", "partly")
    adj.outcome, adj.acts = outcome, acts if infringes else []
    adj.decision_text, adj.amount = text.strip()[:50000], value
    adj.decided_on = adj.decision_received_on = today()
    adj.suit_deadline = domain.suit_deadline(adj.decision_received_on, cal.load(session))
    adj.repeat_infringement = infringes and repeat_check(session, adj, acts)
    adj.dishonest = infringes and domain.seriously_dishonest(wilful=wilful or adj.repeat_infringement,
                                                             refuses_to_perform=False)
    notices.issue(session, actor, adj, notices.DECISION, body=_body(session, adj))
    if adj.dishonest:
        audit.record(session, actor, "rights.dishonest", SUBJECT, adj.id, summary=adj.respondent,
                     reason="严重违法失信（第34条）",
                     detail={"respondent": adj.respondent, "code": adj.respondent_code})
    return event


def _amount(text: str):
    value, wrong = domain.parse_amount(text)
    if wrong is not None:
        raise DomainError(wrong, field="amount")
    return value


def record_receipt(session: Session, actor: Actor, adj: Adjudication, received_on: str) -> None:
    """The day a party received the decision, where it was not the day of issue: the 15 days to sue run from it."""
    _ensure_office(session, adj, actor)
    day = day_or_refuse(received_on, "received_on")
    if adj.state != "decided" or day is None or day < adj.decided_on or day > today():
        raise DomainError(Msg("The day of receipt must lie between the decision and today"), field="received_on")
    adj.decision_received_on = day
    adj.suit_deadline = domain.suit_deadline(day, cal.load(session))
    audit.record(session, actor, "rights.receipt", SUBJECT, adj.id, summary=adj.number,
                 detail={"received_on": day.isoformat()})


def correct(session: Session, actor: Actor, adj: Adjudication, reason: str, files: Sequence) -> CaseEvent:
    """The requester's answer to the correction notice: what was corrected and the documents (kept with the
    case's evidence); the office's 5 working days run again from today (Art 20)."""
    if not service.is_party(actor, adj):
        raise PermissionDenied(Msg("Only the requester answers the correction notice"))
    if not reason.strip():
        raise DomainError(Msg("Say what was corrected"), field="reason")
    if len(files) > service.MAX_EVIDENCE:
        raise DomainError(Msg("At most {n} files of evidence", n=service.MAX_EVIDENCE), field="evidence")
    store = files_of(session)
    for upload in files:
        store.precheck(upload, field="evidence", allowed=service.EVIDENCE_TYPES)
    event = engine.fire(session, ADJUDICATION, ADJUDICATIONS.case_of(session, adj), "correct", actor,
                        reason=reason, via_use_case=True)
    for upload in files:
        store.attach(session, upload, service.case_evidence_owner(domain.ADJUDICATION), adj.id, actor.user_id,
                     field="evidence", allowed=service.EVIDENCE_TYPES)
    return event


# --- guard and hooks ----------------------------------------------------------------------------------------------

def _guard(session: Session, case: Case, t, actor: Actor) -> Msg | None:
    adj = session.scalar(select(Adjudication).where(Adjudication.case_id == case.id))
    if adj is None:
        return None
    if t.key == "request_correction":
        return domain.correction_notice_refusal(adj.corrections_sent)
    if t.key == "refuse" and case.state == "correction":
        late = domain.correction_refusal(adj.correction_due, None, False, today()) if adj.correction_due else None
        return None if late is not None else Msg("The correction period has not ended: the request is refused "
                                                 "only when the correction is late or still defective (Art 16)")
    if t.key == "close":
        if actor.user_id is None:
            return None if adj.suit_deadline and today() > adj.suit_deadline else \
                Msg("The period to sue has not ended")
        if not adj.suit_deadline or today() <= adj.suit_deadline:
            return Msg("The case closes after the 15 days to sue have passed (Patent Law Art 65): on {day}",
                       day=adj.suit_deadline.isoformat() if adj.suit_deadline else "—")
    if t.key == "stop_clock" and len(adj.stops or []) >= MAX_ENTRIES:
        return Msg("Too many entries on this case")
    return None


def _correction(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    days = settings_of(session).rights_correction_days
    adj.corrections_sent += 1
    adj.correction_due = domain.correction_due(today(), cal.load(session), days)
    notices.issue(session, engine.actor_of(session, event, "rights"), adj, notices.CORRECTION,
                  body=_body(session, adj), reason=event.reason, correction_days=days)


def _corrected(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    adj.received_on = today()  # Art 20: the 5 working days run again from the corrected request


def _not_filed(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    notices.issue(session, engine.actor_of(session, event, "rights"), adj, notices.NOT_FILED, body=_body(session, adj),
                  reason=event.reason)
    service.followup_ended(session, _request_of(session, adj), "not_filed")


def _answered(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    adj.answer_on = today()


def _stopped(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    adj.stops = [*(adj.stops or []), {"kind": str(event.values.get("stop") or domain.SUSPENSION),
                                      "start": today().isoformat(), "end": None, "reason": event.reason[:300]}]
    adj.decision_due = None  # not known while the clock stands still


def _resumed(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    stops = list(adj.stops or [])
    if stops and not stops[-1].get("end"):
        stops[-1] = {**stops[-1], "end": today().isoformat()}
    adj.stops = stops
    _set_decision_clock(session, case, adj)


def _extended(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    """Art 37: the head's extension first, then the next level's, each once, named, before the period ends (the
    step's values are checked here, where they are known; a refusal rolls the step back)."""
    level, approver = str(event.values.get("level") or ""), str(event.values.get("approver") or "")
    refusal = domain.extension_problem(adj.filed_on, extensions_of(adj), domain.Extension(level, approver, today()),
                                       stops_of(adj), cal.load(session))
    if refusal is not None:
        raise DomainError(refusal, field="level")
    adj.extensions = [*(adj.extensions or []), {"level": level, "approver": approver.strip(),
                                                "approved_on": today().isoformat(),
                                                "months": domain.EXTENSION_MONTHS[level]}]
    _set_decision_clock(session, case, adj)


def _ended(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    adj.outcome = str(event.values.get("closing") or "withdrawn")
    service.followup_ended(session, _request_of(session, adj), adj.outcome, adj.amount)


def _closed(session: Session, case: Case, event: CaseEvent, adj: Adjudication) -> None:
    service.followup_ended(session, _request_of(session, adj), adj.outcome, adj.amount)


def _told(session: Session, case: Case, event: CaseEvent) -> None:
    """The requester's account hears of every step but its own."""
    if case.applicant_user_id is None or event.actor_id == case.applicant_user_id:
        return
    inbox.notify(session, kind="notice", user_id=case.applicant_user_id, case_id=case.id,
                 title=N_("Adjudication {number}: {step}"),
                 params={"number": case.number, "step": ADJUDICATION.transition(event.transition).label.msgid},
                 body=event.reason or "", link=f"/rights/adjudications/{case.subject_id}")


ADJUDICATION = dataclasses.replace(
    casetypes.adjudication_type(), record=Adjudication, record_number="number", guard=_guard,
    on={"request_correction": _correction, "correct": _corrected, "refuse": _not_filed, "record_answer": _answered,
        "stop_clock": _stopped, "resume_clock": _resumed, "extend": _extended, "end": _ended, "withdraw": _ended,
        "close": _closed},
    after=_told)
ADJUDICATIONS = RecordKind(ADJUDICATION, missing=N_("No adjudication case {id}"),
                           denied=N_("This case is not yours to see"),
                           parties=service.is_party)
