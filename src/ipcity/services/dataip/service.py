"""Use cases of data-IP registration: file, review (through the case engine), object, register, change, renew,
cancel, revoke, expire; the transparency-log entries each of them leaves; certificates; and the checks that
the registry and the log still agree.

Each function works in the caller's transaction: a refused step raises before anything is written, and the
log entries of a step are appended (and a new tree head signed) in the same transaction as the step itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core import calendar as cal
from ipcity.core.clock import now, today
from ipcity.core.context import files_of, office_unit, settings_of
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.files import CHUNK, Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_INDIVIDUAL, OFFICIAL_ROLES, Actor
from ipcity.core.serials import next_serial
from ipcity.core.tables import Unit, User
from ipcity.services.dataip import casetypes, domain, objections, signing, tlog
from ipcity.services.dataip.numbering import NumberFormat
from ipcity.services.dataip.tables import DataEvidence, DataProduct, Objection
from ipcity.workflow import engine
from ipcity.workflow.tables import Case, CaseEvent

SUBJECT = "dataip.product"
SAMPLE_OWNER = "dataip.sample"
OBJECTION_OWNER = "dataip.objection"
CERTIFICATE_OWNER = "dataip.certificate"
SWEEP_JOB = "dataip.sweep"

RULES = domain.Rules.from_env()
NUMBERS = NumberFormat.from_env()
MAX_DATA_FILES = 20
MAX_DATA_BYTES = int(os.environ.get("IPCITY_DATAIP_MAX_DATA_BYTES", str(8 * 1024**3)))
SAMPLE_TYPES = {".csv": {"text/csv", "text/plain"}, ".txt": {"text/plain"}, ".json": {"application/json"},
                ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
                ".pdf": {"application/pdf"}}
EVIDENCE_TYPES = {".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"},
                  ".jpeg": {"image/jpeg"}, ".txt": {"text/plain"},
                  ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            "application/zip"}}
LIVE_STATES = frozenset(casetypes.BEFORE_REGISTRATION) | {"registered"}
PUBLIC_STATES = ("in_publicity", "objection_review", "registered", "cancelled", "revoked", "expired")
FACT_KINDS = ("registration", "change", "renewal")
STATUS_KINDS = {"registration": "registered", "change": "registered", "renewal": "registered",
                "cancellation": "cancelled", "revocation": "revoked", "expiry": "expired"}


# --- context --------------------------------------------------------------------------------------------

def signer_of(session: Session) -> signing.RegistrySigner:
    return signing.load_signer(signing.default_key_path(settings_of(session).data_dir))


def registry_unit(session: Session) -> Unit:
    """The registration body: the unit named by IPCITY_DATAIP_UNIT (its code), else the IP office."""
    return office_unit(session, "IPCITY_DATAIP_UNIT")


# --- facts, as the log and the certificate carry them ----------------------------------------------------

def _data(product: DataProduct, *, names: bool = True) -> list[dict]:
    out = []
    for e in product.data_files:
        item = {"sha256": e.sha256, "size": e.size, "mode": e.mode}
        if names:
            item["filename"] = e.filename
        out.append(item)
    return out


def publicity_facts(product: DataProduct) -> dict:
    industry = domain.industries().get(product.industry_code)
    return {"application_number": product.application_number, "name": product.name,
            "category": product.category, "category_label": domain.CATEGORY_ZH[product.category],
            "industry_code": product.industry_code, "industry_name": industry.name if industry else "",
            "holder_name": product.holder_name, "holder_type": product.holder_type,
            "holder_type_label": domain.HOLDER_TYPE_ZH[product.holder_type], "scenario": product.scenario,
            "data": _data(product)}


def certificate_facts(product: DataProduct, registry_name: str) -> dict:
    return {**publicity_facts(product), "certificate_number": product.certificate_number,
            "registration_number": product.registration_number,
            "registered_on": product.registered_on.isoformat() if product.registered_on else None,
            "valid_until": product.valid_until.isoformat() if product.valid_until else None,
            "revision": product.revision, "registry": registry_name, "scale": product.scale,
            "update_frequency": product.update_frequency}


def _filing_digest(product: DataProduct) -> str:
    """A commitment to the whole filing, private parts included, without publishing them."""
    record = {c.name: getattr(product, c.name) for c in DataProduct.__table__.columns
              if c.name in ("application_number", "name", "category", "industry_code", "scenario", "summary",
                            "source_kind", "source_description", "lawful_statement", "processing_rules",
                            "structure", "data_format", "scale", "update_frequency", "holder_name", "holder_type")}
    return hashlib.sha256(tlog.canonical(record)).hexdigest()


def _log(session: Session, product: DataProduct, kind: str, fields: dict) -> tlog.Appended:
    # Lock order on PostgreSQL: the product's case row, the product row, then the log (tlog.py). A transition
    # locks the case row before its hook appends; an objection appends and then fires a transition. Taking the
    # subject's rows first here means no transaction holds the log while waiting for them (no deadlock).
    session.execute(select(Case.id).where(Case.id == product.case_id).with_for_update())
    session.execute(select(DataProduct.id).where(DataProduct.id == product.id).with_for_update())
    return tlog.append(session, kind, product.application_number, fields)


# --- the case hooks -------------------------------------------------------------------------------------

def product_of_case(session: Session, case: Case) -> DataProduct:
    product = session.get(DataProduct, int(case.subject_id))
    if product is None:
        raise NotFound(Msg("No data product for case {number}", number=case.number))
    return product


def _deadline_due(session: Session, ct, case: Case, key: str) -> date | None:
    rule = next(r for r in ct.deadlines if r.key == key)
    running = [d for d in case.deadlines if d.rule_key == key]
    return rule.due(running[-1].started_on, cal.load(session)) if running else None


def publicity_ends(session: Session, case: Case) -> date | None:
    return _deadline_due(session, REGISTRATION, case, "publicity")


def _open_objections(session: Session, product: DataProduct) -> list[Objection]:
    # Only filed objections: an anonymous one whose contact is not confirmed blocks nothing.
    return list(session.scalars(select(Objection).where(Objection.product_id == product.id,
                                                        Objection.status == objections.FILED,
                                                        Objection.decision == "")))


def _guard(session: Session, case: Case, transition, actor: Actor):
    key = transition.key
    if key in ("register", "object"):
        ends = publicity_ends(session, case)
        if key == "register" and ends is not None and today() <= ends:
            return Msg("Publicity runs until {date}; registration is possible after it", date=ends.isoformat())
        if key == "object" and ends is not None and today() > ends:
            return Msg("The publicity period ended on {date}; objections are no longer accepted",
                       date=ends.isoformat())
    if key == "object" and not _open_objections(session, product_of_case(session, case)):
        return Msg("Objections are filed through the public objection form, with evidence")
    if key == "register" and _open_objections(session, product_of_case(session, case)):
        return Msg("An objection is still open; decide it first")
    if key == "expire":
        product = product_of_case(session, case)
        if product.valid_until is None or product.valid_until >= today():
            return Msg("The registration is valid until {date}", date=str(product.valid_until))
    if key == "deem_withdrawn":
        rule = "formal_correction" if case.state == "formal_correction" else "substantive_correction"
        due = _deadline_due(session, REGISTRATION, case, rule)
        if due is not None and today() <= due:
            return Msg("The applicant has until {date} to correct", date=due.isoformat())
    return None


def _next_serial(session: Session, column, prefix: str, width_from_end: int, end: int = 0) -> int:
    """The register's next serial under `prefix` from the one allocator, continuing numbers already issued."""
    def issued() -> int:
        numbers = session.scalars(select(column).where(column.like(f"{prefix}%"))).all()
        return max(([int(n[len(n) - width_from_end - end:len(n) - end]) for n in numbers if n]), default=0)

    return next_serial(session, f"dataip:{column.key}:{prefix}", issued)


def _assign_numbers(session: Session, product: DataProduct, on: date) -> None:
    cert_serial = _next_serial(session, DataProduct.certificate_number, f"{on.year:04d}",
                               NUMBERS.certificate_serial_width)
    product.certificate_number = NUMBERS.certificate_number(on.year, on.month, cert_serial)
    year = product.filed_at.year
    reg_serial = _next_serial(session, DataProduct.registration_number, f"{year:04d}",
                              NUMBERS.registration_serial_width, end=1)
    product.registration_number = NUMBERS.registration_number(year, product.source_kind, product.holder_type,
                                                              reg_serial)


def _publish_facts(session: Session, product: DataProduct, kind: str) -> None:
    appended = _log(session, product, kind, {"facts": certificate_facts(product, registry_unit(session).name_zh)})
    product.log_index = appended.index
    product.certificate_sha256 = None  # a new edition is rendered on the next download


def _grounds(event: CaseEvent) -> list:
    return list((event.values or {}).get("grounds") or [])


def _publicity_approved(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    product.public = True
    ends = publicity_ends(session, case)
    _log(session, product, "publicity",
         {"facts": publicity_facts(product), "until": ends.isoformat() if ends else None})


def _objection_decided(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    decision = "upheld" if event.transition == "uphold_objection" else "dismissed"
    decided = _open_objections(session, product)
    for o in decided:
        o.decision, o.decision_reason, o.decided_at, o.decided_by = decision, event.reason, now(), event.actor_name
    fields = {"decision": decision, "objections": [o.id for o in decided]}
    if decision == "upheld":
        product.public = False
        fields["grounds"] = _grounds(event)
    _log(session, product, "objection_decision" if decision == "dismissed" else "refusal", fields)


def _registered(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    product.registered_on = today()
    product.valid_until = domain.validity_end(product.registered_on, RULES.validity_years)
    _assign_numbers(session, product, product.registered_on)
    _publish_facts(session, product, "registration")


def _refused(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    _log(session, product, "refusal", {"grounds": _grounds(event)})


def _withdrawn(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    product.public = False
    voluntary = event.transition == "withdraw"
    if voluntary:  # the re-application lock of Shanghai Art 7(6) counts from this day
        case.data = {**case.data, "withdrawn_on": today().isoformat()}
    _log(session, product, "withdrawal", {"voluntary": voluntary})


def _ended(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    kind = {"cancel": "cancellation", "revoke": "revocation", "expire": "expiry"}[event.transition]
    _log(session, product, kind, {"registration_number": product.registration_number,
                                  "certificate_number": product.certificate_number, "grounds": _grounds(event)})


def _sign_the_log(session: Session, case: Case, event: CaseEvent) -> None:
    """Every step ends with a signed tree head over what it appended."""
    tlog.publish(session, signer_of(session))


REGISTRATION = dataclasses.replace(
    casetypes.registration_type(RULES), guard=_guard, record_of=product_of_case, after=_sign_the_log,
    on={"approve_publicity": _publicity_approved, "uphold_objection": _objection_decided,
        "dismiss_objection": _objection_decided, "register": _registered, "refuse": _refused,
        "withdraw": _withdrawn, "deem_withdrawn": _withdrawn, "cancel": _ended, "revoke": _ended, "expire": _ended})


def _amendment_approved(session: Session, case: Case, event: CaseEvent, _record) -> None:
    product = product_of_case(session, case)
    if product.state != "registered":
        raise DomainError(Msg("The registration is no longer in force ({state})",
                                  state=REGISTRATION.state(product.state).label))
    kind = case.data.get("kind")
    if kind == casetypes.RENEWAL:
        product.valid_until = domain.validity_end(product.valid_until + timedelta(days=1), RULES.validity_years)
    else:
        for name, value in (case.data.get("changes") or {}).items():
            setattr(product, name, value)
    product.revision += 1
    product.updated_at = now()
    _publish_facts(session, product, kind)
    tlog.publish(session, signer_of(session))


AMENDMENT = dataclasses.replace(casetypes.amendment_type(RULES), on={"approve": _amendment_approved})


# --- filing -----------------------------------------------------------------------------------------------

def hash_upload(upload: Upload, max_bytes: int = MAX_DATA_BYTES) -> tuple[str, int]:
    """The sha256 and size of an uploaded data file, streamed; the data are not kept (only the hash is)."""
    digest, size = hashlib.sha256(), 0
    while chunk := upload.stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise DomainError(Msg("Data file {name} is larger than {limit} GB; declare its sha256 instead",
                                  name=upload.filename, limit=max_bytes // 1024**3), field="data_files")
        digest.update(chunk)
    if size == 0:
        raise DomainError(Msg("Data file {name} is empty", name=upload.filename), field="data_files")
    return digest.hexdigest(), size


def _holder(session: Session, actor: Actor) -> tuple[str, str, User]:
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or actor.role not in casetypes.APPLICANTS:
        raise PermissionDenied(Msg("Only companies, organisations and individuals with an account may file a "
                                   "registration"))
    if not user.identity_verified:
        raise PermissionDenied(Msg("Your identity has not been verified yet; ask the administrator to verify your "
                                   "account before filing"))
    if actor.role == APPLICANT_INDIVIDUAL or user.unit is None:
        return user.display_name, "natural_person", user
    return user.unit.name_zh, "", user


def relock_until(session: Session, holder_user_id: int | None, holder_unit_id: int | None, name: str,
                 hashes: set[str]) -> tuple[date, str] | None:
    """If the same holder withdrew the same product (same name or a shared data hash) within the lock of
    Shanghai Art 7(6), the day the lock ends and the application withdrawn."""
    q = select(DataProduct).where(DataProduct.state == "withdrawn")
    q = q.where(DataProduct.holder_unit_id == holder_unit_id) if holder_unit_id else \
        q.where(DataProduct.holder_user_id == holder_user_id)
    for old in session.scalars(q):
        if old.name != name and not hashes & {e.sha256 for e in old.data_files}:
            continue
        withdrawn_on = session.get(Case, old.case_id).data.get("withdrawn_on")
        if not withdrawn_on:  # deemed withdrawn: not voluntary, no lock
            continue
        ends = domain.relock_ends(date.fromisoformat(withdrawn_on), RULES.relock_months)
        if today() < ends:
            return ends, old.application_number
    return None


def duplicates_of(session: Session, hashes: set[str], exclude_id: int | None = None) -> list[str]:
    """Applications in progress or in force that registered one of the same data hashes (Art 7(6) check)."""
    q = (select(DataProduct.application_number).join(DataEvidence).where(DataEvidence.sha256.in_(hashes))
         .where(DataProduct.state.in_(LIVE_STATES)))
    if exclude_id:
        q = q.where(DataProduct.id != exclude_id)
    return sorted(set(session.scalars(q)))


def file_application(session: Session, actor: Actor, values: dict, data_files: list[Upload],
                     declared_text: str, sample: Upload | None) -> DataProduct:
    """File a data product for registration; the sha256 of every data file is fixed now, in the log."""
    holder_name, holder_type, user = _holder(session, actor)
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if holder_type:  # an individual: fixed by the account
        values["holder_type"] = holder_type
    declared, declared_problems = domain.parse_declared(declared_text)
    uploads = [u for u in data_files if u.filename]
    problems = [("declared_hashes", m) for m in declared_problems]
    problems += domain.validate_filing(values, evidence_count=len(uploads) + len(declared),
                                       has_sample=sample is not None and bool(sample.filename))
    if len(uploads) + len(declared) > MAX_DATA_FILES:
        problems.append(("data_files", Msg("At most {n} data files per product", n=MAX_DATA_FILES)))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    evidence = [(u.filename, *hash_upload(u), "uploaded") for u in uploads]
    evidence += [(d.filename, d.sha256, d.size, "declared") for d in declared]
    hashes = {e[1] for e in evidence}
    lock = relock_until(session, user.id, actor.unit_id if holder_type != "natural_person" else None,
                        values["name"], hashes)
    if lock:
        raise DomainError(Msg("{number} was withdrawn less than {months} months ago; the same product may be filed "
                              "again from {date} (Shanghai measures Art 7(6))", number=lock[1],
                              months=RULES.relock_months, date=lock[0].isoformat()), field="name")
    unit = registry_unit(session)
    case = engine.open_case(session, REGISTRATION, actor, title=values["name"][:300],
                            applicant_unit_id=actor.unit_id if holder_type != "natural_person" else None,
                            assigned_unit_id=unit.id, subject_type=SUBJECT,
                            data={"duplicates": duplicates_of(session, hashes)})
    product = DataProduct(
        case_id=case.id, application_number=case.number, name=values["name"], category=values["category"],
        industry_code=domain.industry_code(values["industry_code"]), scenario=values["scenario"],
        summary=values["summary"], source_kind=values["source_kind"],
        source_description=values["source_description"], lawful_statement=values["lawful_statement"],
        processing_rules=values["processing_rules"], structure=values["structure"],
        data_format=values["data_format"], scale=values["scale"], update_frequency=values["update_frequency"],
        holder_name=holder_name, holder_type=values["holder_type"], holder_user_id=user.id,
        holder_unit_id=actor.unit_id if values["holder_type"] != "natural_person" else None,
        state=case.state, filed_at=now())
    product.data_files = [DataEvidence(position=i, filename=os.path.basename(n)[:255], sha256=h, size=size,
                                       mode=mode) for i, (n, h, size, mode) in enumerate(evidence)]
    session.add(product)
    session.flush()
    case.subject_id = str(product.id)
    files_of(session).attach(session, sample, SAMPLE_OWNER, product.id, actor.user_id, field="sample",
                             allowed=SAMPLE_TYPES)
    _log(session, product, "filing", {"data": _data(product, names=False), "filing_digest": _filing_digest(product)})
    tlog.publish(session, signer_of(session))
    audit.record(session, actor, "dataip.file", SUBJECT, product.id, summary=f"{product.application_number} "
                 f"{product.name}", detail={"data": sorted(hashes)})
    return product


# --- reading and acting -------------------------------------------------------------------------------

def get_product(session: Session, product_id: int) -> DataProduct:
    product = session.get(DataProduct, product_id)
    if product is None:
        raise NotFound(Msg("No data product number {id}", id=product_id))
    return product


def may_view(session: Session, actor: Actor, product: DataProduct) -> bool:
    """The holder, the registration body and administrators see the whole file; others the public record."""
    if actor.role == ADMIN:
        return True
    if actor.user_id is not None and product.holder_user_id == actor.user_id:
        return True
    if product.holder_unit_id is not None and product.holder_unit_id == actor.unit_id:
        return True
    case = session.get(Case, product.case_id)
    return actor.role in OFFICIAL_ROLES and case.assigned_unit_id == actor.unit_id


def visible_product(session: Session, actor: Actor, product_id: int) -> DataProduct:
    product = get_product(session, product_id)
    if not may_view(session, actor, product):
        raise PermissionDenied(Msg("You may not see this application"))
    return product


def act(session: Session, actor: Actor, product: DataProduct, transition: str, values: dict,
        reason: str) -> CaseEvent:
    case = session.get(Case, product.case_id)
    return engine.fire(session, REGISTRATION, case, transition, actor, values=values, reason=reason)


OBJECTOR = "异议人"  # the name the case history shows; the objector's identity stays in the Objection row


def public_actor() -> Actor:
    return Actor(None, "public", OBJECTOR, domain.PUBLIC, None, "")


def _objection_window(session: Session, product: DataProduct, case: Case) -> None:
    """Objections are accepted while the product is in publicity or objection review, until the publicity period
    ends (15 days: rules.md §1.2, Shanghai measures; still binding per §14.11)."""
    if product.state not in ("in_publicity", "objection_review"):
        raise DomainError(Msg("{number} is not in publicity; objections are not accepted",
                              number=product.application_number))
    ends = publicity_ends(session, case)
    if ends is not None and today() > ends:
        raise DomainError(Msg("The publicity period ended on {date}; objections are no longer accepted",
                              date=ends.isoformat()))


@dataclasses.dataclass
class ObjectionReceipt:
    """What the objector is told: the objection, and for an anonymous one the ticket that confirms it."""

    objection: Objection
    ticket: str = ""
    channel: str = ""

    @property
    def filed(self) -> bool:
        return self.objection.status == objections.FILED


def file_objection(session: Session, actor: Actor | None, product: DataProduct, *, name: str, contact: str,
                   grounds: list[str], statement: str, evidence: list[Upload], client: str = "") -> ObjectionReceipt:
    """An objection during publicity (Shanghai guide: anyone may object within the 15 days).

    A signed-in person's objection is filed at once. An anonymous one is kept pending, and a code is sent to the
    contact: it is filed (logged, shown, blocking registration) by confirm_objection. The evidence and rate
    limits of objections.py apply to both, before anything is stored."""
    case = session.get(Case, product.case_id)
    problems = []
    _objection_window(session, product, case)
    signed_in = actor is not None and actor.user_id is not None
    name, contact, statement = (name or "").strip(), (contact or "").strip(), (statement or "").strip()
    channel = ""
    if not name:
        problems.append(("objector_name", Msg("{field} is required", field=Msg("Your name or organisation"))))
    if not contact:
        problems.append(("objector_contact", Msg("{field} is required", field=Msg("Contact (phone or e-mail)"))))
    elif not signed_in:
        try:
            channel, contact = objections.contact_channel(contact)
        except DomainError as exc:
            problems.append((exc.field, exc.message))
    if not grounds:
        problems.append(("grounds", Msg("Choose at least one ground")))
    elif (err := domain.grounds_check(grounds)) is not None:
        problems.append(("grounds", err))
    if len(statement) < 10:
        problems.append(("statement", Msg("Explain the objection (at least 10 characters)")))
    uploads = [u for u in evidence if u.filename]
    if not uploads:
        problems.append(("evidence", Msg("Attach the evidence supporting the objection")))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    settings, store = settings_of(session), files_of(session)
    who = actor if signed_in else public_actor()
    objections.check_rate(session, settings, product.id, user_id=who.user_id, client=client[:64], contact=contact)
    objections.check_evidence(session, store, settings, uploads, EVIDENCE_TYPES)
    objection = Objection(product_id=product.id, objector_name=name[:200], objector_contact=contact[:200],
                          objector_user_id=who.user_id, grounds=list(grounds), statement=statement,
                          status=objections.FILED if signed_in else objections.PENDING, client_address=client[:64])
    session.add(objection)
    session.flush()
    for u in uploads:
        store.attach(session, u, OBJECTION_OWNER, objection.id, who.user_id, field="evidence", allowed=EVIDENCE_TYPES)
    if not signed_in:
        ticket = objections.issue_code(session, settings, objection, channel, contact, product.application_number)
        return ObjectionReceipt(objection, ticket, channel)
    _file(session, who, product, case, objection)
    return ObjectionReceipt(objection)


def confirm_objection(session: Session, product: DataProduct, ticket: str, code: str) -> Objection:
    """File an anonymous objection once the code sent to its contact is entered, if publicity still runs."""
    case = session.get(Case, product.case_id)
    _objection_window(session, product, case)
    objection = objections.redeem(session, settings_of(session), ticket, code)
    if objection is None or objection.product_id != product.id or objection.status != objections.PENDING:
        raise DomainError(Msg("This confirmation is unknown; file the objection again"), field="code")
    objection.status, objection.filed_at = objections.FILED, now()
    _file(session, public_actor(), product, case, objection)
    return objection


def _file(session: Session, who: Actor, product: DataProduct, case: Case, objection: Objection) -> None:
    """Log a filed objection and put the case under objection review (registration waits for the decision)."""
    appended = _log(session, product, "objection", {
        "objection": objection.id, "grounds": list(objection.grounds),
        "statement_digest": hashlib.sha256(objection.statement.encode()).hexdigest()})
    objection.log_index = appended.index
    if case.state == "in_publicity":
        # The history names no objector: the holder can read it; who objected is for the registration body.
        engine.fire(session, REGISTRATION, case, "object", public_actor(), reason=objection.statement[:500],
                    via_use_case=True)
    else:
        tlog.publish(session, signer_of(session))
    audit.record(session, who, "dataip.object", SUBJECT, product.id,
                 summary=f"{product.application_number} objection {objection.id}")


def request_amendment(session: Session, actor: Actor, product: DataProduct, kind: str, changes: dict,
                      reason: str) -> Case:
    """A change (变更) of the registered facts or a renewal (续展) before expiry, by the holder."""
    if product.state != "registered":
        raise DomainError(Msg("Only a registration in force can be changed or renewed"))
    if not may_view(session, actor, product) or actor.role not in casetypes.APPLICANTS:
        raise PermissionDenied(Msg("Only the right holder may apply for a change or renewal"))
    open_amendment = session.scalar(select(Case.number).where(
        Case.type_key == casetypes.AMENDMENT_KEY, Case.subject_id == str(product.id), Case.closed_at.is_(None)))
    if open_amendment:
        raise DomainError(Msg("{number} is still being reviewed", number=open_amendment))
    if kind == casetypes.RENEWAL:
        opens = domain.renewal_opens(product.valid_until, RULES.renewal_window_days)
        if today() < opens:
            raise DomainError(Msg("Renewal may be requested from {date} ({n} days before expiry)",
                                  date=opens.isoformat(), n=RULES.renewal_window_days), field="kind")
        changes = {}
    elif kind == casetypes.CHANGE:
        changes = {k: (v or "").strip() for k, v in changes.items() if k in casetypes.CHANGEABLE}
        changes = {k: v for k, v in changes.items() if v and v != getattr(product, k)}
        if not changes:
            raise DomainError(Msg("Enter at least one new value"), field="changes")
        if "update_frequency" in changes and changes["update_frequency"] not in domain.UPDATE_FREQUENCIES:
            raise DomainError(Msg("Choose the {field}", field=Msg("Update frequency")), field="update_frequency")
        for k, v in changes.items():
            if len(v) > domain.LIMITS.get(k, 2000):
                raise DomainError(Msg("{field} is longer than {n} characters", field=casetypes.CHANGE_LABELS[k],
                                      n=domain.LIMITS[k]), field=k)
    else:
        raise DomainError(Msg("Choose change or renewal"), field="kind")
    if not (reason or "").strip():
        raise DomainError(Msg("Give the reason for the request"), field="reason")
    case = session.get(Case, product.case_id)
    return engine.open_case(session, AMENDMENT, actor, title=f"{product.registration_number} {kind}",
                            applicant_unit_id=product.holder_unit_id, assigned_unit_id=case.assigned_unit_id,
                            subject_type=SUBJECT, subject_id=str(product.id),
                            data={"kind": kind, "changes": changes, "reason": reason.strip()})


def amendments_of(session: Session, product: DataProduct) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.type_key == casetypes.AMENDMENT_KEY,
                                                   Case.subject_id == str(product.id)).order_by(Case.id)))


def sweep(session: Session) -> dict:
    """Daily: register products whose publicity ended without an open objection; expire lapsed ones."""
    system = Actor.system("dataip.sweep")
    registered = expired = 0
    for product in session.scalars(select(DataProduct).where(DataProduct.state.in_(("in_publicity", "registered")))):
        case = session.get(Case, product.case_id)
        key = "register" if product.state == "in_publicity" else "expire"
        if _guard(session, case, REGISTRATION.transition(key), system) is None:
            engine.fire(session, REGISTRATION, case, key, system, reason="publicity ended without objection"
                        if key == "register" else "validity ended")
            registered += key == "register"
            expired += key == "expire"
    return {"registered": registered, "expired": expired}
