"""Use cases of patent pledge registration (专利权质押登记, rules.md §3.1): joint filing by the pledgor and the
pledgee, the register check of every refusal ground the platform can decide, the examiner's decision, the
notices, the register entries and gazette lines, and the change and cancellation of a registration.

Every function works in the caller's transaction: a refused step raises before anything is written, and the
register entries, the gazette lines and the notice of a decision are written in the same transaction as the
decision itself (they all go if it rolls back).
"""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ipcity.core import audit, inbox
from ipcity.core.clock import now, today
from ipcity.core.context import files_of, office_unit, settings_of
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import N_, Msg
from ipcity.core.roles import APPLICANT_COMPANY, BANK, Actor
from ipcity.core.serials import serial_after_issued
from ipcity.core.tables import Attachment, AuditEntry, Unit, User
from ipcity.patents import position as pos_kinds
from ipcity.patents import register
from ipcity.patents.position import Position
from ipcity.patents.record import PatentRecord
from ipcity.services.pledge import casetypes, domain, notices
from ipcity.services.pledge.numbering import NumberFormat
from ipcity.services.pledge.tables import GazetteLine, Pledge, PledgeAmendment, PledgedPatent
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

SUBJECT = "pledge.registration"
AMENDMENT_SUBJECT = "pledge.amendment"  # the subject of a change or cancellation case: its PledgeAmendment row
# Attachments (owner id: the pledge's id). Each kind has its own owner type so the page can list them apart.
CONTRACT_OWNER = "pledge.contract"
IDENTITY_OWNER = "pledge.identity"
COMMITMENT_OWNER = "pledge.commitment"
ATTORNEY_OWNER = "pledge.attorney"
VALUATION_OWNER = "pledge.valuation_report"
OTHER_OWNER = "pledge.other"
CONSENT_OWNER = "pledge.consent"
AMENDMENT_OWNER = "pledge.amendment"
NOTICE_OWNER = "pledge.notice"
FILE_OWNERS = (CONTRACT_OWNER, IDENTITY_OWNER, COMMITMENT_OWNER, ATTORNEY_OWNER, VALUATION_OWNER, OTHER_OWNER,
               CONSENT_OWNER, AMENDMENT_OWNER, NOTICE_OWNER)

PDF = {".pdf": {"application/pdf"}}
PDF_OR_IMAGE = PDF | {".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"}, ".png": {"image/png"}}
# upload field → (owner type, label, accepted types, several allowed)
DOCUMENTS: dict[str, tuple[str, Msg, dict, bool]] = {
    "contract": (CONTRACT_OWNER, Msg("Pledge contract (专利权质押合同, PDF)"), PDF, False),
    "identity": (IDENTITY_OWNER, Msg("Identity proofs of both parties (身份证明)"), PDF_OR_IMAGE, True),
    "commitment": (COMMITMENT_OWNER, Msg("Signed commitment letter instead of identity proofs (承诺书, PDF)"), PDF,
                   False),
    "power_of_attorney": (ATTORNEY_OWNER, Msg("Power of attorney stating its scope (委托书), if an agent is used"),
                          PDF, False),
    "valuation_report": (VALUATION_OWNER, Msg("Asset-valuation report (资产评估报告), if the patents were appraised"),
                         PDF, False),
    "other": (OTHER_OWNER, Msg("Other materials (其他材料)"), PDF_OR_IMAGE, True),
}

FORM_FIELDS = ("pledgee_unit", "pledgor_address", "pledgee_address", "debtor_name", "claim_type", "amount",
               "debt_start", "debt_end", "patents", "guarantee_scope", "annual_fee_payer", "transfer_allowed",
               "licensing_allowed", "agent_name", "insist_same_day", "insist_invalidation")


# --- context ----------------------------------------------------------------------------------------------

def registry_unit(session: Session) -> Unit:
    """The registering body: the unit named by IPCITY_PLEDGE_UNIT (its code), else the IP office."""
    return office_unit(session, "pledge_unit")


def numbers_of(session: Session) -> NumberFormat:
    """Registration numbers in the format of the settings (IPCITY_PLEDGE_NUMBER_FORMAT)."""
    return NumberFormat.from_settings(settings_of(session))


def max_patents(session: Session) -> int:
    """Patents per application (IPCITY_PLEDGE_MAX_PATENTS)."""
    return settings_of(session).pledge_max_patents


def bank_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind == "bank").order_by(Unit.name_zh)))


# --- reading ----------------------------------------------------------------------------------------------

def is_pledgor(actor: Actor, pledge: Pledge) -> bool:
    return actor.role == APPLICANT_COMPANY and actor.unit_id is not None and actor.unit_id == pledge.pledgor_unit_id


def is_pledgee(actor: Actor, pledge: Pledge) -> bool:
    return actor.role == BANK and actor.unit_id is not None and actor.unit_id == pledge.pledgee_unit_id


def is_party(actor: Actor, pledge: Pledge) -> bool:
    """The two parties see the whole file (and, by the kit's rule, the registering body and administrators)."""
    return is_pledgor(actor, pledge) or is_pledgee(actor, pledge)


# --- the register check -------------------------------------------------------------------------------------

def same_day_others(session: Session, record: PatentRecord | PledgedPatent, owners: tuple[str, ...]) -> tuple[str, ...]:
    """Ground 10: a record of the other type (utility model ↔ invention) filed on the same day by the same
    applicant. The register cannot tell whether it is 'the same invention'; the parties are told and may insist."""
    other = domain.other_type(record.patent_type)
    if other is None or record.app_date is None:
        return ()
    found = []
    for row in register.filed_on(session, record.app_date, other, excluding=record.app_number):
        if any(domain.is_owner(a, owners) for a in (row.applicants or [])) and row.app_number not in found:
            found.append(row.app_number)
    return tuple("ZL" + n[2:] if n.startswith("CN") else n for n in found)


def _contract_values(pledge: Pledge) -> dict:
    return {"pledgor_name": pledge.pledgor_name, "pledgor_address": pledge.pledgor_address,
            "pledgee_name": pledge.pledgee_name, "pledgee_address": pledge.pledgee_address,
            "claim_type": pledge.claim_type, "amount": domain.yuan(pledge.amount_fen).replace(",", ""),
            "debt_start": pledge.debt_start.isoformat(), "debt_end": pledge.debt_end.isoformat(),
            "patents": [p.patent_number for p in pledge.patents], "guarantee_scope": pledge.guarantee_scope,
            "annual_fee_payer": pledge.annual_fee_payer, "transfer_allowed": pledge.transfer_allowed,
            "licensing_allowed": pledge.licensing_allowed, "debtor_name": pledge.debtor_name,
            "agent_name": pledge.agent_name}


@dataclasses.dataclass
class Check:
    """The register check of one application: findings for the whole application and per patent."""

    general: list[domain.Finding]
    by_patent: dict[str, list[domain.Finding]]
    positions: dict[str, Position]
    on: date

    @property
    def all(self) -> list[domain.Finding]:
        return [*self.general, *(f for fs in self.by_patent.values() for f in fs)]

    @property
    def standing(self) -> list[domain.Finding]:
        return domain.blocking(self.all)

    @property
    def warnings(self) -> list[domain.Finding]:
        return [f for f in self.all if f.severity == domain.WARNING]


def check(session: Session, pledge: Pledge, on: date | None = None) -> Check:
    """Every refusal ground the register decides, for every patent of the application (grounds 1–11)."""
    on = on or today()
    general = domain.contract_findings(_contract_values(pledge), max_patents(session))
    by_patent: dict[str, list[domain.Finding]] = {}
    positions: dict[str, Position] = {}
    for p in pledge.patents:
        try:
            record = register.find(session, p.app_number)
        except NotFound:
            by_patent[p.patent_number] = [domain.Finding(domain.OTHER, domain.BLOCKING, Msg(
                "{number} is no longer in the register", number=p.patent_number), p.patent_number)]
            continue
        pos = register.position(session, record, on)
        at_filing = register.position(session, record, min(pledge.filed_on, on))
        positions[p.patent_number] = pos
        facts = domain.PatentFacts(
            pledgor=pledge.pledgor_name, debt_end=pledge.debt_end, at_filing=at_filing,
            consents=frozenset(c["owner"] for c in (p.consents or [])),
            same_day_other=same_day_others(session, p, tuple(pos.owners)),
            own_reference=pledge.registration_number or "", insist_same_day=pledge.insist_same_day,
            insist_invalidation=pledge.insist_invalidation)
        by_patent[p.patent_number] = domain.patent_findings(pos, facts)
    return Check(general, by_patent, positions, on)


def _finding_json(f: domain.Finding) -> dict:
    return {"ground": f.ground, "number": f.number, "severity": f.severity, "patent": f.patent,
            "confirmed": f.confirmed, "message": f.message.render("zh_Hans"), "message_en": f.message.render("en"),
            "source": f.source}


# --- the case hooks --------------------------------------------------------------------------------------

def _guard(session: Session, case: Case, transition, actor: Actor):
    pledge = PLEDGES.of_case(session, case)
    key = transition.key
    if key in ("confirm", "decline") and not is_pledgee(actor, pledge):
        return Msg("Only the pledgee named in the application ({name}) may confirm or decline it",
                   name=pledge.pledgee_name)
    if key == "register":
        standing = check(session, pledge).standing
        if standing:
            first = standing[0]
            return Msg("Ground {n} stands in the way ({count} finding(s)): {message}", n=first.number,
                       count=len(standing), message=first.message)
    return None


def _patents_json(pledge: Pledge) -> list[dict]:
    return [{"patent_number": p.patent_number, "title": p.title, "app_date": str(p.app_date or "—"),
             "grant_date": str(p.grant_date or "—")} for p in pledge.patents]


def _base_rows(pledge: Pledge) -> list[tuple[str, str, str]]:
    return [
        ("出质人", "Pledgor", f"{pledge.pledgor_name}（{pledge.pledgor_address}）"),
        ("质权人", "Pledgee", f"{pledge.pledgee_name}（{pledge.pledgee_address}）"),
        ("被担保债权种类及数额", "Secured claim", f"{domain.CLAIM_TYPES[pledge.claim_type].render('zh_Hans')} · "
                                                 f"人民币 {domain.yuan(pledge.amount_fen)} 元"),
        ("债务履行期限", "Debt performance period", f"{pledge.debt_start} 至 {pledge.debt_end}"),
        ("质押担保范围", "Scope of the guarantee", pledge.guarantee_scope),
        ("专利件数", "Number of patents", str(len(pledge.patents))),
    ]


def issue_notice(session: Session, actor: Actor, pledge: Pledge, kind: str, *, rows: list | None = None,
                 text: list[str] | None = None) -> Attachment:
    """Render a notice and keep it with the pledge (both parties download it from the application page)."""
    number = pledge.registration_number if kind != notices.REFUSAL else pledge.application_number
    notice = notices.Notice(kind=kind, number=number or pledge.application_number,
                            body=registry_unit(session).name_zh, issued_on=today().isoformat(),
                            rows=[*_base_rows(pledge), *(rows or [])], patents=_patents_json(pledge), text=text or [])
    pdf = notices.render_pdf(notice)
    return files_of(session).attach(session, Upload(notices.filename(notice), io.BytesIO(pdf)), NOTICE_OWNER,
                                    pledge.id, actor.user_id, field="notice", allowed=PDF)


def _gazette(session: Session, pledge: Pledge, kind: str, detail: dict | None = None) -> None:
    for p in pledge.patents:
        session.add(GazetteLine(pledge_id=pledge.id, kind=kind, published_on=today(),
                                registration_number=pledge.registration_number, registered_on=pledge.registered_on,
                                patent_number=p.patent_number, title=p.title, ipc_main=p.ipc_main,
                                grant_date=p.grant_date, pledgor=pledge.pledgor_name, pledgee=pledge.pledgee_name,
                                detail=dict(detail or {})))


def entry_detail(pledge: Pledge) -> dict:
    """What a PLEDGE register entry carries: open licensing reads detail["pledgee"] (the pledgee's name)."""
    return {"pledgee": pledge.pledgee_name, "pledgor": pledge.pledgor_name,
            "amount": domain.yuan(pledge.amount_fen).replace(",", ""), "debt_end": pledge.debt_end.isoformat(),
            "pledge_id": pledge.id}


def _register(session: Session, case: Case, event: CaseEvent, pledge: Pledge) -> None:
    actor = engine.actor_of(session, event, "pledge")
    day = today()
    result = check(session, pledge, day)
    pledge.registration_year = day.year
    pledge.registration_serial = serial_after_issued(session, f"pledge:registration:{day.year}",
                                                     Pledge.registration_serial, Pledge.registration_year == day.year)
    pledge.registration_number = numbers_of(session).number(day.year, pledge.registration_serial)
    pledge.registered_on = pledge.decided_on = day
    pledge.findings = [_finding_json(f) for f in result.all]
    for p in pledge.patents:  # the register and the gazette, in the decision's transaction
        register.record_entry(session, actor, p.app_number, pos_kinds.PLEDGE, start=day, end=pledge.debt_end,
                              reference=pledge.registration_number, detail=entry_detail(pledge))
    _gazette(session, pledge, "registration")
    issue_notice(session, actor, pledge, notices.REGISTRATION, rows=[
        ("登记号", "Registration No.", pledge.registration_number),
        ("登记日", "Registered on", day.isoformat())],
        text=["经审查，上述专利权质押符合《专利权质押登记办法》的规定，准予登记。质权自登记之日起设立。",
              "The pledge meets the Measures for Patent Pledge Registration and is registered; the pledge is "
              "created on the registration date."])


def _refuse(session: Session, case: Case, event: CaseEvent, pledge: Pledge) -> None:
    actor = engine.actor_of(session, event, "pledge")
    result = check(session, pledge)
    pledge.decided_on = today()
    pledge.findings = [_finding_json(f) for f in result.all]
    chosen = list((event.values or {}).get("grounds") or [])
    text = ["经审查，该专利权质押登记申请存在以下情形，根据《专利权质押登记办法》的规定，不予登记：",
            "The application is refused under the Measures for Patent Pledge Registration on these grounds:"]
    for g in chosen:
        n, label = domain.GROUNDS[g]
        text.append(f"（{n}）{label.render('zh_Hans')}")
        for f in result.all:
            if f.ground == g:
                text.append(f"　— {f.message.render('zh_Hans')}")
    if event.reason:
        text.append(f"审查意见 / Examiner: {event.reason}")
    issue_notice(session, actor, pledge, notices.REFUSAL, text=text)


def _cancel(session: Session, case: Case, event: CaseEvent, pledge: Pledge) -> None:
    actor = engine.actor_of(session, event, "pledge")
    day = today()
    pledge.cancelled_on = day
    for p in pledge.patents:
        register.close_entries(session, actor, p.app_number, pos_kinds.PLEDGE, pledge.registration_number, on=day,
                               reason=event.reason)
    _gazette(session, pledge, "cancellation", {"reason": event.reason})
    issue_notice(session, actor, pledge, notices.CANCELLATION, rows=[
        ("登记号", "Registration No.", pledge.registration_number or ""),
        ("注销日", "Cancelled on", day.isoformat())],
        text=[f"该专利权质押登记已于 {day.isoformat()} 注销。/ The pledge registration is cancelled.",
              f"理由 / Reason: {event.reason}"])


def _confirmed(session: Session, case: Case, event: CaseEvent, pledge: Pledge) -> None:
    pledge.pledgee_confirmed_by, pledge.pledgee_confirmed_at = event.actor_name, now()


def _tell_the_pledgee(session: Session, case: Case, event: CaseEvent) -> None:
    """The pledgee is a party too: it hears of every decision."""
    if event.transition in ("request_correction", "register", "refuse", "cancel", "decline"):
        pledge = PLEDGES.of_case(session, case)
        inbox.notify(session, kind="notice", unit_id=pledge.pledgee_unit_id, case_id=case.id,
                     link=f"/pledge/{pledge.id}", title=N_("Pledge {number}: now '{state}'"),
                     params={"number": case.number, "state": REGISTRATION.state(case.state).label.msgid})


REGISTRATION = dataclasses.replace(
    casetypes.registration_type(), guard=_guard, record=Pledge, record_number="application_number",
    on={"confirm": _confirmed, "register": _register, "refuse": _refuse, "cancel": _cancel},
    after=_tell_the_pledgee)


def request_of(session: Session, case: Case) -> PledgeAmendment:
    """The request row that is the subject of a request case (the engine checks it is that case's own)."""
    return AMENDMENTS.of_case(session, case)


PLEDGES = RecordKind(REGISTRATION, missing=N_("No pledge application number {id}"),
                      denied=N_("You may not see this pledge application"), parties=is_party)


def _amendment_guard(session: Session, case: Case, transition, actor: Actor):
    pledge = request_of(session, case).pledge
    if transition.key in ("confirm", "decline") and not is_pledgee(actor, pledge):
        return Msg("Only the pledgee named in the registration ({name}) may confirm or decline it",
                   name=pledge.pledgee_name)
    if transition.key == "approve" and pledge.state != "registered":
        return Msg("The registration is no longer in force ({state})", state=REGISTRATION.state(pledge.state).label)
    return None


def _apply_change(session: Session, actor: Actor, pledge: Pledge, request: PledgeAmendment) -> None:
    """Apply the contract items the request's row changes (filed and checked by request_amendment), no other."""
    changes = {k: v for k, v in (request.changes or {}).items() if k in domain.CHANGEABLE}
    before = {k: str(v) for k, v in _contract_values(pledge).items() if k in changes}
    for name, value in changes.items():
        if name == "amount":
            pledge.amount_fen = domain.to_fen(domain.parse_amount(value))
        elif name in ("debt_start", "debt_end"):
            setattr(pledge, name, date.fromisoformat(value))
        else:
            setattr(pledge, name, value)
    pledge.updated_at = now()
    for p in pledge.patents:
        register.update_entry(session, actor, p.app_number, pos_kinds.PLEDGE, pledge.registration_number,
                              end=pledge.debt_end if "debt_end" in changes else None, detail=entry_detail(pledge),
                              reason=request.reason)
    # earlier gazette lines stay as published; the change line carries the new names
    _gazette(session, pledge, "change", {"before": before, "after": changes})
    labels = {k: domain.CHANGEABLE[k].render("zh_Hans") for k in changes}
    issue_notice(session, actor, pledge, notices.CHANGE, rows=[
        ("登记号", "Registration No.", pledge.registration_number or ""),
        ("变更日", "Changed on", today().isoformat())],
        text=["下列事项已变更 / The following items are changed:",
              *(f"{labels[k]}：{before.get(k, '')} → {v}" for k, v in changes.items())])


def _amendment_approved(session: Session, case: Case, event: CaseEvent, request: PledgeAmendment) -> None:
    pledge = request.pledge
    actor = engine.actor_of(session, event, "pledge")
    if request.kind == domain.CANCELLATION:
        reason = f"{case.number}: {request.reason}"
        engine.fire(session, REGISTRATION, PLEDGES.case_of(session, pledge), "cancel", actor, reason=reason,
                    via_use_case=True)
    elif request.kind == domain.CHANGE:
        _apply_change(session, actor, pledge, request)
    else:
        raise DomainError(Msg("Choose change or cancellation"), field="kind")
    inbox.notify(session, kind="notice", unit_id=pledge.pledgee_unit_id, case_id=case.id, link=f"/pledge/{pledge.id}",
                 title=N_("Pledge {number}: now '{state}'"),
                 params={"number": case.number, "state": AMENDMENT.state(case.state).label.msgid})


def _request_link(case: Case) -> str:
    """The page of the pledge a change or cancellation case is on (the case's subject is its request row)."""
    session = object_session(case)
    pledge_id = session.scalar(select(PledgeAmendment.pledge_id).where(PledgeAmendment.case_id == case.id)) \
        if session is not None and case.id is not None else None
    return f"/pledge/{pledge_id}" if pledge_id else ""


AMENDMENT = dataclasses.replace(casetypes.amendment_type(), guard=_amendment_guard, record=PledgeAmendment,
                                link=_request_link, on={"approve": _amendment_approved})
# A change or cancellation request is seen by whoever sees the pledge's whole file.
AMENDMENTS = RecordKind(AMENDMENT, missing=N_("No change or cancellation request number {id}"),
                        denied=N_("You may not see this pledge application"),
                        parties=lambda actor, request: is_party(actor, request.pledge),
                        officials_case=lambda session, request: PLEDGES.case_of(session, request.pledge))


# --- filing ------------------------------------------------------------------------------------------------

def _pledgor(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or actor.role != APPLICANT_COMPANY or user.unit is None:
        raise PermissionDenied(Msg("Only a company account acting for its unit may file a pledge as pledgor"))
    if not user.identity_verified:
        raise PermissionDenied(Msg("Your identity has not been verified yet: send your business licence or identity "
                                   "document from your account page, and file once the office has verified it"))
    return user


def _resolve(session: Session, numbers: list[str]) -> tuple[list[PatentRecord], list[tuple[str, Msg]]]:
    records, problems, keys = [], [], set()
    for number in numbers:
        try:
            record = register.find(session, number)
        except (NotFound, DomainError) as exc:
            problems.append(("patents", exc.message))
            continue
        key = register.key_of(record)
        if key not in keys:
            keys.add(key)
            records.append(record)
    return records, problems


def _pledgee_unit(session: Session, value: str) -> Unit | None:
    try:
        unit = session.get(Unit, int(value))
    except (TypeError, ValueError):
        return None
    return unit if unit is not None and unit.kind == "bank" else None


def _document_problems(uploads: dict[str, list[Upload]], agent: bool) -> list[tuple[str, Msg]]:
    """Which materials are missing or of a wrong type by name (rules.md §3.1 'Documents'); contents are
    sniffed when they are stored."""
    problems = []
    given = {k: [u for u in uploads.get(k, []) if u.filename] for k in DOCUMENTS}
    if not given["contract"]:
        problems.append(("contract", Msg("Attach the pledge contract (PDF)")))
    if not given["identity"] and not given["commitment"]:
        problems.append(("identity", Msg("Attach the identity proofs of both parties, or a signed commitment letter "
                                         "(承诺书) instead")))
    if agent and not given["power_of_attorney"]:
        problems.append(("power_of_attorney", Msg("An agent is named: attach the power of attorney")))
    for name, files in given.items():
        _owner, _label, allowed, several = DOCUMENTS[name]
        if len(files) > 1 and not several:
            problems.append((name, Msg("Attach one file here")))
        for u in files:
            ext = os.path.splitext(u.filename)[1].lower()
            if ext not in allowed:
                problems.append((name, Msg("File type {ext} is not accepted; accepted: {allowed}", ext=ext or "?",
                                           allowed=", ".join(sorted(allowed)))))
    return problems


def file_application(session: Session, actor: Actor, values: dict, uploads: dict[str, list[Upload]]) -> Pledge:
    """The pledgor prepares the joint application and confirms it with its account; the pledgee's bank is asked
    to confirm. Patents' titles and dates come from the register (2010 Art 9 items)."""
    user = _pledgor(session, actor)
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    pledgee = _pledgee_unit(session, values.get("pledgee_unit", ""))
    contract = {**values, "pledgor_name": user.unit.name_zh, "pledgee_name": pledgee.name_zh if pledgee else "-",
                "patents": domain.split_numbers(values.get("patents", ""))}
    problems: list[tuple[str, Msg]] = []
    if pledgee is None:
        problems.append(("pledgee_unit", Msg("Choose the pledgee bank")))
    limit = max_patents(session)
    problems += domain.contract_problems(contract, limit)
    records: list[PatentRecord] = []
    if contract["patents"] and len(contract["patents"]) <= limit:
        records, found_problems = _resolve(session, contract["patents"])
        problems += found_problems
    problems += _document_problems(uploads, bool(values.get("agent_name")))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    unit = registry_unit(session)
    amount = domain.parse_amount(values["amount"])
    pledge = Pledge(
        pledgor_unit_id=actor.unit_id,
        pledgor_user_id=user.id, pledgor_name=user.unit.name_zh, pledgor_address=values["pledgor_address"],
        pledgee_unit_id=pledgee.id, pledgee_name=pledgee.name_zh, pledgee_address=values["pledgee_address"],
        debtor_name=values.get("debtor_name") or "", claim_type=values["claim_type"],
        amount_fen=domain.to_fen(amount), debt_start=date.fromisoformat(values["debt_start"]),
        debt_end=date.fromisoformat(values["debt_end"]), guarantee_scope=values["guarantee_scope"],
        annual_fee_payer=values.get("annual_fee_payer") or "", transfer_allowed=values.get("transfer_allowed") or "",
        licensing_allowed=values.get("licensing_allowed") or "", agent_name=values.get("agent_name") or "",
        insist_same_day=bool(values.get("insist_same_day")),
        insist_invalidation=bool(values.get("insist_invalidation")),
        pledgor_confirmed_by=actor.display_name, pledgor_confirmed_at=now(), filed_on=today(), filed_at=now())
    pledge.patents = [PledgedPatent(
        position=i, patent_number="ZL" + r.app_number[2:] if r.app_number.startswith("CN") else r.app_number,
        app_number=register.key_of(r), pub_number=r.pub_number, patent_type=r.patent_type or "", title=r.title,
        app_date=r.app_date, grant_date=r.grant_date, ipc_main=r.ipc_main, owners=list(r.applicants))
        for i, r in enumerate(records)]
    case = PLEDGES.open(session, actor, pledge, title=f"{user.unit.name_zh} → {pledgee.name_zh}",
                        applicant_unit_id=actor.unit_id, assigned_unit_id=unit.id, subject_type=SUBJECT,
                        data={"patents": [register.key_of(r) for r in records]})
    store = files_of(session)
    for name, (owner, _label, allowed, _several) in DOCUMENTS.items():
        for u in uploads.get(name, []):
            if u.filename:
                store.attach(session, u, owner, pledge.id, actor.user_id, field=name, allowed=allowed)
    inbox.notify(session, kind="task", unit_id=pledgee.id, case_id=case.id, link=f"/pledge/{pledge.id}",
                 title=N_("Pledge {number} awaits your confirmation as pledgee"), params={"number": case.number})
    audit.record(session, actor, "pledge.file", SUBJECT, pledge.id, summary=f"{pledge.application_number} "
                 f"{pledge.pledgor_name} → {pledge.pledgee_name}",
                 detail={"patents": [p.patent_number for p in pledge.patents], "amount_fen": pledge.amount_fen})
    return pledge


# --- acting on an application ----------------------------------------------------------------------------

def _pledgor_may_edit(actor: Actor, pledge: Pledge) -> None:
    if not is_pledgor(actor, pledge):
        raise PermissionDenied(Msg("Only the pledgor may add materials to the application"))
    if pledge.state not in casetypes.BEFORE_DECISION:
        raise DomainError(Msg("The application has been decided; nothing more can be added"))


def add_consent(session: Session, actor: Actor, pledge: Pledge, patent_id: int, co_owner: str,
                upload: Upload | None) -> Attachment:
    """A co-owner's written consent to the pledge (ground 8), one document per co-owner."""
    _pledgor_may_edit(actor, pledge)
    patent = next((p for p in pledge.patents if p.id == patent_id), None)
    if patent is None:
        raise NotFound(Msg("No such patent in this application"))
    others = [o for o in patent.owners if not domain.is_owner(o, (pledge.pledgor_name,))]
    if co_owner not in others:
        raise DomainError(Msg("{name} is not a co-owner of {number}", name=co_owner[:100],
                              number=patent.patent_number), field="co_owner")
    if upload is None or not upload.filename:
        raise DomainError(Msg("Attach the co-owner's written consent (PDF)"), field="consent")
    att = files_of(session).attach(session, upload, CONSENT_OWNER, pledge.id, actor.user_id, field="consent",
                                   allowed=PDF)
    patent.consents = [c for c in (patent.consents or []) if c["owner"] != co_owner] + \
        [{"owner": co_owner, "attachment": att.id}]
    audit.record(session, actor, "pledge.consent", SUBJECT, pledge.id,
                 summary=f"{pledge.application_number} {patent.patent_number} {co_owner}")
    return att


def activity_of(session: Session, pledge: Pledge) -> list[AuditEntry]:
    """Steps that change no state (consents attached, insistence recorded): from the audit trail."""
    return [e for e in audit.history(session, SUBJECT, pledge.id) if e.action in ("pledge.consent", "pledge.insist")]


def set_insistence(session: Session, actor: Actor, pledge: Pledge, *, same_day: bool, invalidation: bool,
                   reason: str) -> None:
    """Grounds 10 and 11: the parties, told of the finding, insist on registration (rules.md §3.1)."""
    _pledgor_may_edit(actor, pledge)
    if not (reason or "").strip():
        raise DomainError(Msg("Say why the parties insist, having been told of the finding"), field="reason")
    pledge.insist_same_day, pledge.insist_invalidation = same_day, invalidation
    audit.record(session, actor, "pledge.insist", SUBJECT, pledge.id, reason=reason.strip(),
                 summary=f"{pledge.application_number} same_day={same_day} invalidation={invalidation}")


# --- change and cancellation ------------------------------------------------------------------------------

def amendments_of(session: Session, pledge: Pledge) -> list[PledgeAmendment]:
    """The change and cancellation requests on a pledge, oldest first."""
    return list(session.scalars(select(PledgeAmendment).where(PledgeAmendment.pledge_id == pledge.id)
                                .order_by(PledgeAmendment.id)))


def request_amendment(session: Session, actor: Actor, pledge: Pledge, kind: str, changes: dict, reason: str,
                      proof: Upload | None) -> Case:
    """A change (变更) filed by the pledgor for the pledgee to confirm, or a cancellation (注销) filed by the pledgor
    (the pledgee confirms) or by the pledgee alone; the change agreement or proof of extinguishment attached."""
    if not (is_pledgor(actor, pledge) or is_pledgee(actor, pledge)):
        raise PermissionDenied(Msg("Only the pledgor or the pledgee may ask for a change or cancellation"))
    if pledge.state != "registered":
        raise DomainError(Msg("Only a registration in force can be changed or cancelled"))
    open_case = session.scalar(select(Case.number).join(PledgeAmendment, PledgeAmendment.case_id == Case.id).where(
        PledgeAmendment.pledge_id == pledge.id, Case.closed_at.is_(None)))
    if open_case:
        raise DomainError(Msg("{number} is still being examined", number=open_case))
    problems: list[tuple[str, Msg]] = []
    request = PledgeAmendment(pledge=pledge, kind=kind)
    if kind == domain.CHANGE:
        if not is_pledgor(actor, pledge):
            raise PermissionDenied(Msg("A change is filed by the pledgor and confirmed by the pledgee"))
        terms = [t for t in (register.position(session, p.app_number).term_end for p in pledge.patents) if t]
        wanted, problems = domain.change_problems(_contract_values(pledge), changes, terms)
        if "amount" in wanted and not problems:
            wanted["amount"] = str(domain.parse_amount(wanted["amount"]))
        request.changes = wanted
    elif kind == domain.CANCELLATION:
        ground = str(changes.get("cancellation_reason") or "")
        if ground not in domain.CANCELLATION_REASONS:
            problems.append(("cancellation_reason", Msg("Choose why the pledge ends")))
        request.cancellation_reason = ground
    else:
        raise DomainError(Msg("Choose change or cancellation"), field="kind")
    if not (reason or "").strip():
        problems.append(("reason", Msg("Give the reason for the request")))
    if proof is None or not proof.filename:
        problems.append(("proof", Msg("Attach the change agreement or the proof that the pledge is extinguished "
                                      "(PDF)")))
    elif os.path.splitext(proof.filename)[1].lower() != ".pdf":
        problems.append(("proof", Msg("File type {ext} is not accepted; accepted: {allowed}",
                                      ext=os.path.splitext(proof.filename)[1].lower() or "?", allowed=".pdf")))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    att = files_of(session).attach(session, proof, AMENDMENT_OWNER, pledge.id, actor.user_id, field="proof",
                                   allowed=PDF)
    request.reason, request.proof_id = reason.strip(), att.id
    case = AMENDMENTS.open(session, actor, request, title=f"{pledge.registration_number} {kind}",
                           applicant_unit_id=actor.unit_id,
                           assigned_unit_id=PLEDGES.case_of(session, pledge).assigned_unit_id,
                           subject_type=AMENDMENT_SUBJECT)
    if is_pledgee(actor, pledge):  # the pledgee filing is its own confirmation
        engine.fire(session, AMENDMENT, case, "confirm", actor, reason=Msg("Filed by the pledgee").render("zh_Hans"))
    else:
        inbox.notify(session, kind="task", unit_id=pledge.pledgee_unit_id, case_id=case.id,
                     link=f"/pledge/{pledge.id}", title=N_("Pledge {number} awaits your confirmation as pledgee"),
                     params={"number": case.number})
    return case


def act_on_amendment(session: Session, actor: Actor, case: Case, transition: str, reason: str) -> CaseEvent:
    if case.type_key != casetypes.AMENDMENT_KEY:
        raise NotFound(Msg("No change or cancellation request number {id}", id=case.id))
    AMENDMENTS.visible(session, actor, request_of(session, case).id)
    return engine.fire(session, AMENDMENT, case, transition, actor, reason=reason)


def notices_of(session: Session, pledge: Pledge) -> list[Attachment]:
    return attachments_of(session, NOTICE_OWNER, pledge.id)


def documents_of(session: Session, pledge: Pledge) -> dict[str, list[Attachment]]:
    return {name: attachments_of(session, owner, pledge.id) for name, (owner, *_rest) in DOCUMENTS.items()}


def latest_notice(session: Session, pledge: Pledge) -> Attachment | None:
    found = notices_of(session, pledge)
    return found[-1] if found else None
