"""Use cases of open licensing: declare (with the eligibility check against the patent register), the formal
check by the IP office, publication and withdrawal (register entry OPEN_LICENCE), taking a licence (Art 51),
recording it (Art 87, register entry LICENCE), royalty payments, and the fee schedule of a patent.

Each function works in the caller's transaction and raises before it writes when a step is refused. The rules
that must hold however a transition is fired (the portal's generic case page fires them too) live in the case
hooks: the guard re-checks eligibility at publication and the after hooks write the register entries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit, context, inbox
from ipcity.core.clock import now, today
from ipcity.core.context import files_of, settings_of
from ipcity.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import N_, Msg
from ipcity.core.roles import APPLICANT_COMPANY, Actor
from ipcity.core.tables import Unit
from ipcity.patents import position as pos
from ipcity.patents import register
from ipcity.patents.position import Position
from ipcity.patents.record import PatentRecord
from ipcity.services.openlicense import casetypes, domain
from ipcity.services.openlicense.tables import Declaration, Licence, Payment
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

DECLARATION_SUBJECT = "openlicense.declaration"
LICENCE_SUBJECT = "openlicense.licence"
REPORT_OWNER = "openlicense.report"  # 专利权评价报告, on a declaration
CONSENT_OWNER = "openlicense.consent"  # pledgee's written consent, or a co-owner's joint declaration, on a declaration
PROOF_OWNER = "openlicense.proof"  # written proof of a licence (Art 87), on a licence
PAYMENT_OWNER = "openlicense.payment"  # proof of a royalty payment

DOCUMENT_TYPES = {".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"},
                  ".jpeg": {"image/jpeg"}}
LIVE_STATES = ("filed", "correction", "published", "withdrawal_requested")
PUBLIC_STATES = ("published", "withdrawal_requested", "withdrawn")
MAX_CONSENTS = 5
MAX_CO_OWNERS = 10


def rules(session: Session) -> domain.Rules:
    """The royalty caps and advertising words in force: the settings of `session` (IPCITY_OPENLICENSE_*)."""
    return domain.Rules.from_settings(settings_of(session))


# --- context --------------------------------------------------------------------------------------------

def office_unit(session: Session) -> Unit:
    """The office that checks declarations: the unit named by IPCITY_OPENLICENSE_UNIT (its code), else the IP
    office (as data-IP registration finds its registration body)."""
    return context.office_unit(session, "openlicense_unit")


def _raise(problems: list[tuple[str | None, Msg]], summary: Msg | None = None) -> None:
    if problems:
        raise DomainError(summary or problems[0][1], field=problems[0][0], problems=problems)


# --- reading --------------------------------------------------------------------------------------------

def declaration_by_number(session: Session, number: str) -> Declaration:
    d = session.scalar(select(Declaration).where(Declaration.number == number))
    if d is None:
        raise NotFound(Msg("No open licence declaration {number}", number=number[:40]))
    return d


def public_declaration(session: Session, number: str) -> Declaration:
    d = declaration_by_number(session, number)
    if d.state not in PUBLIC_STATES:
        raise NotFound(Msg("No open licence declaration {number}", number=number[:40]))
    return d


def case_of(session: Session, obj: Declaration | Licence) -> Case:
    return session.get(Case, obj.case_id)


def is_declarant(actor: Actor, d: Declaration) -> bool:
    """The declarant's unit sees its declaration (and, by the kit's rule, the office checking it and
    administrators)."""
    return actor.role == APPLICANT_COMPANY and actor.unit_id is not None and actor.unit_id == d.declarant_unit_id


def side_of(actor: Actor, lic: Licence) -> str:
    """'licensee', 'licensor' or '' (not a party)."""
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        return ""
    if actor.unit_id == lic.licensee_unit_id:
        return "licensee"
    if actor.unit_id == lic.licensor_unit_id:
        return "licensor"
    return ""


def _declaration_case(session: Session, lic: Licence) -> Case:
    """A licence is seen by the officials of the office that checked its declaration."""
    return case_of(session, session.get(Declaration, lic.declaration_id))


def terms_of(d: Declaration) -> domain.Terms:
    return domain.Terms(mode=d.mode, lump_sum=d.lump_sum, rate=d.rate, rate_basis=d.rate_basis,
                        entry_fee=d.entry_fee, term_start=d.term_start, term_end=d.term_end,
                        other_terms=d.other_terms, contact=d.contact, small_entity=d.small_entity)


def licences_of(session: Session, d: Declaration) -> list[Licence]:
    return list(session.scalars(select(Licence).where(Licence.declaration_id == d.id).order_by(Licence.id)))


def payments_of(session: Session, lic: Licence) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.licence_id == lic.id).order_by(Payment.paid_on,
                                                                                               Payment.id)))


# --- eligibility against the register ------------------------------------------------------------------------

def other_declaration(session: Session, key: str, exclude_id: int | None = None) -> str:
    """Another declaration of the same patent in effect or being examined (its number), else ''."""
    q = select(Declaration.number).where(Declaration.app_number == key, Declaration.state.in_(LIVE_STATES))
    if exclude_id is not None:
        q = q.where(Declaration.id != exclude_id)
    return session.scalar(q.order_by(Declaration.id).limit(1)) or ""


def declarant_of(session: Session, d: Declaration) -> domain.Declarant:
    pledgees = frozenset(c["pledgee"] for c in d.consents or [] if "pledgee" in c)
    return domain.Declarant(name=d.patentee, consents=pledgees,
                            has_report=bool(attachments_of(session, REPORT_OWNER, d.id)),
                            co_declarants=co_declarants_of(d))


def co_declarants_of(d: Declaration) -> frozenset[str]:
    """The co-owners whose signed joint declaration is on file (Patent Law Art 14)."""
    return frozenset(c["co_owner"] for c in d.consents or [] if "co_owner" in c)


def check_declaration(session: Session, d: Declaration, on: date | None = None) -> list[domain.Ground]:
    """The eligibility grounds that fail now for a stored declaration (the register may have changed)."""
    record = register.find(session, d.app_number)
    position = register.position(session, record, on)
    if position.open_licence is not None and position.open_licence.reference == d.number:
        position = dataclasses.replace(position, open_licence=None)  # its own entry, once published
    return domain.eligibility(position, terms_of(d), declarant_of(session, d), rules=rules(session),
                              other_declaration=other_declaration(session, d.app_number, exclude_id=d.id))


def check_patent(session: Session, actor: Actor, number: str) -> tuple[Position, list[domain.Ground]]:
    """What the register says about declaring `number` now, before any terms are given (for the form)."""
    record = register.find(session, number)
    position = register.position(session, record)
    declarant = domain.Declarant(name=actor.unit_name)
    grounds = domain.eligibility(position, None, declarant, rules=rules(session),
                                 other_declaration=other_declaration(session, register.key_of(record)))
    # What the uploads answer (a report, pledgees' consents, co-owners' joint declarations) the form asks for.
    return position, [g for g in grounds if g.key not in ("report_missing", "pledged", "co_owned")]


def _snapshot(d: Declaration, record: PatentRecord, position: Position) -> None:
    d.app_number = register.key_of(record)
    d.patent_number = position.patent_number
    d.pub_number = record.pub_number
    d.patent_type = record.patent_type or ""
    d.title = record.title
    d.abstract = record.abstract
    d.ipc_main = record.ipc_main
    d.ipc_text = " ".join(record.ipc)
    d.region_code = record.region_code
    d.patent_term_end = position.term_end


def _set_terms(d: Declaration, terms: domain.Terms) -> None:
    d.mode, d.lump_sum, d.rate, d.rate_basis = terms.mode, terms.lump_sum, terms.rate, terms.rate_basis
    d.entry_fee, d.fixed_fee = terms.entry_fee, terms.fixed_fee
    d.term_start, d.term_end, d.other_terms, d.contact = terms.term_start, terms.term_end, terms.other_terms, \
        terms.contact
    d.small_entity = terms.small_entity


def _named_uploads(items: list[tuple[str, Upload]], field: str, unnamed: Callable[[str], Msg],
                   without_file: Callable[[str], Msg], limit: int, too_many: Msg,
                   ) -> tuple[list[tuple[str, Upload]], list[tuple[str, Msg]]]:
    """Pairs of a person's name and their signed document, as a form sends them: rows left empty are skipped,
    a name without its file or a file without its name is a problem of `field`."""
    out, problems = [], []
    for name, upload in items:
        name = (name or "").strip()
        has_file = upload is not None and bool(upload.filename)
        if not name and not has_file:
            continue
        if not name:
            problems.append((field, unnamed(upload.filename)))
        elif not has_file:
            problems.append((field, without_file(name)))
        else:
            out.append((name[:200], upload))
    if len(out) > limit:
        problems.append((field, too_many))
    return out, problems


def _consents(items: list[tuple[str, Upload]]) -> tuple[list[tuple[str, Upload]], list[tuple[str, Msg]]]:
    """Each pledgee's written consent (Implementing Regulations 2023 Art 86(4))."""
    return _named_uploads(items, "consents", lambda f: Msg("Name the pledgee whose consent {file} is", file=f),
                          lambda n: Msg("Upload the written consent of {pledgee}", pledgee=n), MAX_CONSENTS,
                          Msg("At most {n} consents", n=MAX_CONSENTS))


def _co_declarations(items: list[tuple[str, Upload]]) -> tuple[list[tuple[str, Upload]], list[tuple[str, Msg]]]:
    """Each co-owner joining the declaration, named as the register names them, with their signed joint
    declaration (Patent Law Art 14)."""
    return _named_uploads(items, "co_owners",
                          lambda f: Msg("Name the co-owner whose joint declaration {file} is", file=f),
                          lambda n: Msg("Upload the joint declaration signed by {co_owner}", co_owner=n),
                          MAX_CO_OWNERS, Msg("At most {n} co-owners", n=MAX_CO_OWNERS))


def _ensure_company(actor: Actor) -> None:
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        raise PermissionDenied(Msg("Only a company (the patentee) may declare an open licence"))


def file_declaration(session: Session, actor: Actor, values: dict, report: Upload | None = None,
                     consents: list[tuple[str, Upload]] | None = None,
                     co_declarations: list[tuple[str, Upload]] | None = None) -> Declaration:
    """File an open licence declaration (Patent Law Art 50) for the actor's unit, checked against the register:
    every failing ground is named with its field, and nothing is written. A co-owned patent is declared jointly:
    `co_declarations` names every other co-owner with their signed joint declaration (Patent Law Art 14)."""
    _ensure_company(actor)
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    terms, problems = domain.parse_terms(values, today())
    given, consent_problems = _consents(consents or [])
    joined, co_problems = _co_declarations(co_declarations or [])
    problems += consent_problems + co_problems
    record = position = None
    try:
        record = register.find(session, values.get("patent_number", ""))
        position = register.position(session, record)
    except DomainError as exc:  # NotFound included: a number the register does not hold
        problems.insert(0, ("patent_number", exc.message))
    grounds: list[domain.Ground] = []
    if position is not None:
        declarant = domain.Declarant(actor.unit_name, frozenset(n for n, _ in given),
                                     report is not None and bool(report.filename), frozenset(n for n, _ in joined))
        grounds = domain.eligibility(position, terms, declarant, rules=rules(session),
                                     other_declaration=other_declaration(session, register.key_of(record)))
    _raise(problems + domain.problems_of(grounds),
           Msg("The declaration cannot be filed: {n} problem(s)", n=len(problems) + len(grounds)))
    office = office_unit(session)
    d = Declaration(patentee=actor.unit_name, declarant_unit_id=actor.unit_id, declarant_user_id=actor.user_id,
                    filed_at=now())
    _snapshot(d, record, position)
    _set_terms(d, terms)
    DECLARATIONS.open(session, actor, d, title=f"{position.patent_number} {record.title}",
                      applicant_unit_id=actor.unit_id, assigned_unit_id=office.id, subject_type=DECLARATION_SUBJECT)
    _attach_documents(session, actor, d, report, given, joined)
    audit.record(session, actor, "openlicense.declare", DECLARATION_SUBJECT, d.id,
                 summary=f"{d.number} {d.patent_number}", detail={"mode": d.mode, "term_end": str(d.term_end),
                                                                  "co_declarants": sorted(co_declarants_of(d))})
    return d


def _attach_documents(session: Session, actor: Actor, d: Declaration, report: Upload | None,
                      given: list[tuple[str, Upload]], joined: list[tuple[str, Upload]] = ()) -> None:
    store = files_of(session)
    if report is not None and report.filename:
        store.attach(session, report, REPORT_OWNER, d.id, actor.user_id, field="evaluation_report",
                     allowed=DOCUMENT_TYPES)
    consents = list(d.consents or [])
    for name, upload in given:
        att = store.attach(session, upload, CONSENT_OWNER, d.id, actor.user_id, field="consents",
                           allowed=DOCUMENT_TYPES)
        consents = [c for c in consents if c.get("pledgee") != name] + [{"pledgee": name, "attachment_id": att.id}]
    for name, upload in joined:  # a co-owner's signed joint declaration (Patent Law Art 14)
        att = store.attach(session, upload, CONSENT_OWNER, d.id, actor.user_id, field="co_owners",
                           allowed=DOCUMENT_TYPES)
        consents = [c for c in consents if c.get("co_owner") != name] + [{"co_owner": name, "attachment_id": att.id}]
    d.consents = consents


def resubmit(session: Session, actor: Actor, d: Declaration, values: dict, report: Upload | None = None,
             consents: list[tuple[str, Upload]] | None = None, reason: str = "",
             co_declarations: list[tuple[str, Upload]] | None = None) -> CaseEvent:
    """The declarant's corrected declaration: new terms and documents, checked again, back to the office."""
    case = case_of(session, d)
    if not any(t.key == "resubmit" for t in engine.available_actions(DECLARATION, case, actor, own_steps=True)):
        # raises with the engine's reason
        return engine.fire(session, DECLARATION, case, "resubmit", actor, via_use_case=True)
    terms, problems = domain.parse_terms(values, today())
    given, consent_problems = _consents(consents or [])
    joined, co_problems = _co_declarations(co_declarations or [])
    problems += consent_problems + co_problems
    if terms is not None:
        record = register.find(session, d.app_number)
        position = register.position(session, record)
        old = declarant_of(session, d)
        declarant = domain.Declarant(d.patentee, old.consents | {n for n, _ in given},
                                     old.has_report or (report is not None and bool(report.filename)),
                                     old.co_declarants | {n for n, _ in joined})
        problems += domain.problems_of(domain.eligibility(
            position, terms, declarant, rules=rules(session),
            other_declaration=other_declaration(session, d.app_number, exclude_id=d.id)))
    _raise(problems, Msg("The declaration cannot be filed: {n} problem(s)", n=len(problems)))
    _snapshot(d, record, position)
    _set_terms(d, terms)
    _attach_documents(session, actor, d, report, given, joined)
    return engine.fire(session, DECLARATION, case, "resubmit", actor, reason=reason, via_use_case=True)


def _declaration_guard(session: Session, case: Case, transition, actor: Actor) -> Msg | None:
    if transition.key in ("publish", "resubmit"):
        # Eligibility is checked again now: the register may have changed since filing.
        grounds = check_declaration(session, DECLARATIONS.of_case(session, case))
        _raise(domain.problems_of(grounds),
               Msg("The declaration cannot be published: {n} ground(s) fail", n=len(grounds)))
    return None


def _published(session: Session, case: Case, event: CaseEvent, d: Declaration) -> None:
    # Patent Law Art 50: published, in effect from publication; entered in the register (Art 106 item 10).
    d.published_on = today()
    record = register.find(session, d.app_number)
    _snapshot(d, record, register.position(session, record))
    register.record_entry(session, engine.actor_of(session, event), d.app_number, pos.OPEN_LICENCE,
                          start=d.published_on, end=d.term_end, reference=d.number,
                          detail={"declaration": d.number, "mode": d.mode, "patentee": d.patentee,
                                  "co_declarants": sorted(co_declarants_of(d))})


def _withdrawn(session: Session, case: Case, event: CaseEvent, d: Declaration) -> None:
    # Art 50: the withdrawal is published; licences already obtained are not affected (left as they are).
    d.withdrawn_on = today()
    register.close_entries(session, engine.actor_of(session, event), d.app_number, pos.OPEN_LICENCE, d.number,
                           on=d.withdrawn_on, reason=event.reason or "withdrawal published")


DECLARATION = dataclasses.replace(casetypes.declaration_type(), guard=_declaration_guard,
                                  record=Declaration, record_number="number",
                                  on={"publish": _published, "withdraw": _withdrawn})
DECLARATIONS = RecordKind(DECLARATION, missing=N_("No open licence declaration number {id}"),
                          denied=N_("You may not see this declaration"), parties=is_declarant)


# --- licences ----------------------------------------------------------------------------------------------

def take_licence(session: Session, actor: Actor, d: Declaration, values: dict) -> Licence:
    """A company notifies the patentee that it exploits the patent under the published terms (Art 51)."""
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        raise PermissionDenied(Msg("Only a signed-in company may take an open licence"))
    if d.state not in domain.TAKEABLE_STATES:
        raise Conflict(Msg("Declaration {number} is not in effect", number=d.number))
    if actor.unit_id == d.declarant_unit_id:
        raise PermissionDenied(Msg("The patentee cannot take a licence of its own patent"))
    record = register.find(session, d.app_number)
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    start, problems = domain.licence_problems(values, terms=terms_of(d), published_on=d.published_on, today=today(),
                                              licensee=actor.unit_name, owners=tuple(record.applicants))
    live = session.scalar(select(Licence.number).where(Licence.declaration_id == d.id,
                                                       Licence.licensee_unit_id == actor.unit_id,
                                                       Licence.state.in_(("notified", "recorded"))))
    if live:
        problems.insert(0, (None, Msg("Your unit already holds licence {number} under this declaration",
                                      number=live)))
    _raise(problems)
    lic = Licence(declaration_id=d.id, app_number=d.app_number, licensor=d.patentee,
                  licensor_unit_id=d.declarant_unit_id,
                  licensee=actor.unit_name, licensee_unit_id=actor.unit_id, licensee_user_id=actor.user_id,
                  mode=values["mode"], start_on=start, end_on=d.term_end, products=values["products"],
                  contact=values["contact"], notified_at=now())
    case = LICENCES.open(session, actor, lic, title=f"{d.patent_number} {actor.unit_name}",
                         applicant_unit_id=actor.unit_id, assigned_unit_id=d.declarant_unit_id,
                         subject_type=LICENCE_SUBJECT, data={"declaration": d.number, "mode": values["mode"]})
    inbox.notify(session, kind="task", unit_id=d.declarant_unit_id, case_id=case.id,
                 link=f"/openlicense/licences/{lic.id}",
                 title=N_("{licensee} takes an open licence of {patent} ({number}); record it with the written proof"),
                 params={"licensee": lic.licensee, "patent": d.patent_number, "number": lic.number})
    audit.record(session, actor, "openlicense.take", LICENCE_SUBJECT, lic.id,
                 summary=f"{lic.number} {d.number} {lic.licensee}", detail={"mode": lic.mode,
                                                                            "start": str(lic.start_on)})
    return lic


def _ensure_party(actor: Actor, lic: Licence) -> str:
    side = side_of(actor, lic)
    if not side:
        raise PermissionDenied(Msg("Only the patentee or the licensee may do this"))
    return side


def record_licence(session: Session, actor: Actor, lic: Licence, proof: Upload | None) -> CaseEvent:
    """Record the licence (备案, Implementing Regulations 2023 Art 87) with its written proof."""
    _ensure_party(actor, lic)
    case = case_of(session, lic)
    if case.state != "notified":
        return engine.fire(session, LICENCE, case, "record", actor)  # raises: not possible in this state
    if proof is None or not proof.filename:
        raise DomainError(Msg("Upload the written proof of the licence (Implementing Regulations 2023 Art 87)"),
                          field="proof")
    files_of(session).attach(session, proof, PROOF_OWNER, lic.id, actor.user_id, field="proof",
                             allowed=DOCUMENT_TYPES)
    return engine.fire(session, LICENCE, case, "record", actor)


def end_licence(session: Session, actor: Actor, lic: Licence, reason: str) -> CaseEvent:
    return engine.fire(session, LICENCE, case_of(session, lic), "end", actor, reason=reason)


def _licence_guard(session: Session, case: Case, transition, actor: Actor) -> Msg | None:
    lic = LICENCES.of_case(session, case)
    if not side_of(actor, lic):
        return Msg("Only the patentee or the licensee may do this")
    if transition.key == "record" and not attachments_of(session, PROOF_OWNER, lic.id):
        return Msg("Upload the written proof of the licence (Implementing Regulations 2023 Art 87)")
    return None


def _licence_recorded(session: Session, case: Case, event: CaseEvent, lic: Licence) -> None:
    lic.recorded_on = today()
    d = session.get(Declaration, lic.declaration_id)
    register.record_entry(session, engine.actor_of(session, event), lic.app_number, pos.LICENCE, start=lic.start_on,
                          end=lic.end_on, reference=lic.number,
                          detail={"licence_type": pos.ORDINARY, "licensee": lic.licensee,
                                  "licensor": lic.licensor, "declaration": d.number, "open_licence": True})


def _licence_ended(session: Session, case: Case, event: CaseEvent, lic: Licence) -> None:
    lic.ended_on = today()
    register.close_entries(session, engine.actor_of(session, event), lic.app_number, pos.LICENCE, lic.number,
                           on=lic.ended_on, reason=event.reason)


LICENCE = dataclasses.replace(casetypes.licence_type(), guard=_licence_guard, record=Licence, record_number="number",
                              on={"record": _licence_recorded, "end": _licence_ended})
LICENCES = RecordKind(LICENCE, missing=N_("No licence number {id}"), denied=N_("You may not see this licence"),
                      parties=lambda actor, lic: bool(side_of(actor, lic)), officials_case=_declaration_case)


def record_payment(session: Session, actor: Actor, lic: Licence, values: dict, proof: Upload | None) -> Payment:
    """A royalty payment, recorded by either party with its proof."""
    side = _ensure_party(actor, lic)
    parsed, problems = domain.payment_problems(values, today())
    if proof is None or not proof.filename:
        problems.append(("proof", Msg("Upload the proof of payment")))
    _raise(problems)
    amount, paid_on = parsed
    payment = Payment(licence_id=lic.id, amount=amount, paid_on=paid_on, period=(values.get("period") or "").strip(),
                      recorded_by_side=side, recorded_by=actor.display_name, recorded_by_user_id=actor.user_id,
                      note=(values.get("note") or "").strip()[:2000])
    session.add(payment)
    session.flush()
    files_of(session).attach(session, proof, PAYMENT_OWNER, payment.id, actor.user_id, field="proof",
                             allowed=DOCUMENT_TYPES)
    other = lic.licensor_unit_id if side == "licensee" else lic.licensee_unit_id
    inbox.notify(session, unit_id=other, link=f"/openlicense/licences/{lic.id}",
                 title=N_("A royalty payment of {amount} yuan was recorded on licence {number}"),
                 params={"amount": f"{amount:,.2f}", "number": lic.number})
    audit.record(session, actor, "openlicense.payment", LICENCE_SUBJECT, lic.id,
                 summary=f"{lic.number} {amount} {paid_on}", detail={"payment": payment.id, "side": side})
    return payment


# --- annual fees -------------------------------------------------------------------------------------------

def open_periods(session: Session, key: str, preview: Declaration | None = None) -> list[tuple[date, date | None]]:
    """When open licences were in effect for the patent: publication to withdrawal or term end; a declaration
    not yet published counts over its licence term (a preview of the reduction it would bring)."""
    out = []
    for d in session.scalars(select(Declaration).where(Declaration.app_number == key,
                                                       Declaration.published_on.is_not(None))):
        out.append((d.published_on, d.withdrawn_on or d.term_end))
    if preview is not None and preview.published_on is None:
        out.append((max(preview.term_start, today()), preview.term_end))
    return out


def fee_schedule(session: Session, position: Position, small_entity: str,
                 preview: Declaration | None = None) -> list:
    return domain.fee_schedule(position, small_entity, open_periods(session, position.app_number, preview),
                               settings_of(session).fee_reduction_years_after_grant)
