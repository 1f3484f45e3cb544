"""Use cases of data-IP registration: file, review (through the case engine), object, register, change, renew,
cancel, revoke, expire; the transparency-log entries each of them leaves; certificates; and the checks that
the registry and the log still agree.

Each function works in the caller's transaction: a refused step raises before anything is written, and the
log entries of a step are appended in the same transaction as the step itself. Each entry has its signed
inclusion promise at once; the tree head over it is signed in the step's transaction too (inline) or by the
process's log signer within `dataip_log_sign_ms` (deferred: sequencer.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ipcity.core import audit
from ipcity.core import calendar as cal
from ipcity.core.clock import now, today
from ipcity.core.config import Settings
from ipcity.core.context import files_of, office_unit, settings_of
from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.files import CHUNK, Upload
from ipcity.core.i18n import N_, Msg
from ipcity.core.roles import APPLICANT_INDIVIDUAL, Actor
from ipcity.core.serials import serial_after_issued
from ipcity.core.tables import Unit, User
from ipcity.services.dataip import casetypes, domain, objections, promise, sequencer, signing, tlog
from ipcity.services.dataip.numbering import NumberFormat
from ipcity.services.dataip.tables import DataAmendment, DataEvidence, DataProduct, Objection
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

SUBJECT = "dataip.product"
AMENDMENT_SUBJECT = "dataip.amendment"  # the subject of a change or renewal case: its DataAmendment row
SAMPLE_OWNER = "dataip.sample"
OBJECTION_OWNER = "dataip.objection"
CERTIFICATE_OWNER = "dataip.certificate"
SWEEP_JOB = "dataip.sweep"

MAX_DATA_FILES = 20
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
    settings = settings_of(session)
    return signing.load_signer(signing.default_key_path(settings.data_dir, settings.dataip_key_file))


def rules_of(session: Session) -> domain.Rules:
    """The time limits in force: the installation's IPCITY_DATAIP_* settings."""
    return domain.Rules.from_settings(settings_of(session))


def numbers_of(session: Session) -> NumberFormat:
    """Certificate and registration numbers with the registration body's code (IPCITY_DATAIP_BODY_CODE)."""
    return NumberFormat.from_settings(settings_of(session))


def max_data_bytes(settings: Settings) -> int:
    """The largest data file hashed at filing (IPCITY_DATAIP_MAX_DATA_BYTES)."""
    return settings.dataip_max_data_bytes


def registry_unit(session: Session) -> Unit:
    """The registration body: the unit named by IPCITY_DATAIP_UNIT (its code), else the IP office."""
    return office_unit(session, "dataip_unit")


def sign_log(session: Session) -> None:
    """The end of a step: a head over its entries, signed in this transaction (inline) or left to this process's
    log signer, which signs within `dataip_log_sign_ms` (deferred); the entries' promises hold either way."""
    signer = signer_of(session)
    if sequencer.ensure(session, signer) is None:
        tlog.publish(session, signer)


def include_now(session: Session, index: int) -> None:
    """Make sure a signed head covers log entry `index`, signing in this transaction if the log signer has not
    yet (a certificate carries its proof the moment it is downloaded); the caller commits."""
    if tlog.signed_size(session) <= index:
        sequencer.sign_now(session, signer_of(session))


def promise_of(session: Session, index: int) -> promise.Promise | None:
    """The signed inclusion promise of log entry `index` (None: no such entry)."""
    leaf = tlog.leaf(session, index)
    return promise.of_entry(signer_of(session), leaf.idx, leaf.entry) if leaf is not None else None


def merge_delay(session: Session) -> int:
    """The maximum merge delay the promises state, in seconds (IPCITY_DATAIP_LOG_MERGE_DELAY_SECONDS)."""
    return settings_of(session).dataip_log_merge_delay_seconds


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

def _deadline_due(session: Session, ct, case: Case, key: str) -> date | None:
    rule = engine.rules_in_force(session, ct)[key]
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
    if key == "object" and not _open_objections(session, PRODUCTS.of_case(session, case)):
        return Msg("Objections are filed through the public objection form, with evidence")
    if key == "register" and _open_objections(session, PRODUCTS.of_case(session, case)):
        return Msg("An objection is still open; decide it first")
    if key == "expire":
        product = PRODUCTS.of_case(session, case)
        if product.valid_until is None or product.valid_until >= today():
            return Msg("The registration is valid until {date}", date=str(product.valid_until))
    if key == "deem_withdrawn":
        rule = "formal_correction" if case.state == "formal_correction" else "substantive_correction"
        due = _deadline_due(session, REGISTRATION, case, rule)
        if due is not None and today() <= due:
            return Msg("The applicant has until {date} to correct", date=due.isoformat())
    return None


def _next_serial(session: Session, column, year: int, width: int, check_digits: int = 0) -> int:
    """The register's next serial of `year` (the last `width` digits before any check characters)."""
    return serial_after_issued(session, f"dataip:{column.key}:{year:04d}", column, column.like(f"{year:04d}%"),
                               start=-width - check_digits, end=-check_digits or None)


def _assign_numbers(session: Session, product: DataProduct, on: date) -> None:
    numbers = numbers_of(session)
    cert_serial = _next_serial(session, DataProduct.certificate_number, on.year,
                               numbers.certificate_serial_width)
    product.certificate_number = numbers.certificate_number(on.year, on.month, cert_serial)
    year = product.filed_at.year
    reg_serial = _next_serial(session, DataProduct.registration_number, year,
                              numbers.registration_serial_width, check_digits=1)
    product.registration_number = numbers.registration_number(year, product.source_kind, product.holder_type,
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
    product.valid_until = domain.validity_end(product.registered_on, rules_of(session).validity_years)
    _assign_numbers(session, product, product.registered_on)
    _publish_facts(session, product, "registration")


def _refused(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    _log(session, product, "refusal", {"grounds": _grounds(event)})


def _withdrawn(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    product.public = False
    voluntary = event.transition == "withdraw"
    if voluntary:  # the re-application lock of Shanghai Art 7(6) counts from this day
        product.withdrawn_on = today()
    _log(session, product, "withdrawal", {"voluntary": voluntary})


def text_of(value: object) -> str:
    """A posted value as the text a column keeps (the API may post a list of names where the form posts text)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v).strip() for v in value if str(v).strip())
    return str(value).strip()


def _expert_requested(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    """A new consultation: who is asked. An earlier consultation's opinion stays in the history only."""
    product.experts = text_of((event.values or {}).get("experts"))
    product.expert_opinion = product.expert_conclusion = ""


def _expert_opinion(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    values = event.values or {}
    product.expert_opinion = text_of(values.get("expert_opinion"))
    product.expert_conclusion = text_of(values.get("expert_conclusion"))[:16]


def _ended(session: Session, case: Case, event: CaseEvent, product: DataProduct) -> None:
    kind = {"cancel": "cancellation", "revoke": "revocation", "expire": "expiry"}[event.transition]
    _log(session, product, kind, {"registration_number": product.registration_number,
                                  "certificate_number": product.certificate_number, "grounds": _grounds(event)})


def _sign_the_log(session: Session, case: Case, event: CaseEvent) -> None:
    """Every step ends with a signed tree head over what it appended (now, or from the log signer)."""
    sign_log(session)


REGISTRATION = dataclasses.replace(
    casetypes.registration_type(), guard=_guard, record=DataProduct, record_number="application_number",
    after=_sign_the_log,
    on={"request_expert": _expert_requested, "record_expert_opinion": _expert_opinion,
        "approve_publicity": _publicity_approved, "uphold_objection": _objection_decided,
        "dismiss_objection": _objection_decided, "register": _registered, "refuse": _refused,
        "withdraw": _withdrawn, "deem_withdrawn": _withdrawn, "cancel": _ended, "revoke": _ended, "expire": _ended})


def _amendment_approved(session: Session, case: Case, event: CaseEvent, request: DataAmendment) -> None:
    """Apply what the request's row says (filed and checked by request_amendment), and nothing else."""
    product = request.product
    if product.state != "registered":
        raise DomainError(Msg("The registration is no longer in force ({state})",
                                  state=REGISTRATION.state(product.state).label))
    if request.kind == casetypes.RENEWAL:
        product.valid_until = domain.validity_end(product.valid_until + timedelta(days=1),
                                                  rules_of(session).validity_years)
    elif request.kind == casetypes.CHANGE:
        for name, value in (request.changes or {}).items():
            if name in casetypes.CHANGEABLE:
                setattr(product, name, value)
    else:
        raise DomainError(Msg("Choose change or renewal"), field="kind")
    product.revision += 1
    product.updated_at = now()
    _publish_facts(session, product, request.kind)
    sign_log(session)


def _request_link(case: Case) -> str:
    """The page of the product a change or renewal case is on (the case's subject is its request row)."""
    session = object_session(case)
    product_id = session.scalar(select(DataAmendment.product_id).where(DataAmendment.case_id == case.id)) \
        if session is not None and case.id is not None else None
    return f"/dataip/{product_id}" if product_id else ""


AMENDMENT = dataclasses.replace(casetypes.amendment_type(), record=DataAmendment, link=_request_link,
                                on={"approve": _amendment_approved})


# --- filing -----------------------------------------------------------------------------------------------

def hash_upload(upload: Upload, max_bytes: int) -> tuple[str, int]:
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
        raise PermissionDenied(Msg("Your identity has not been verified yet: send your business licence or identity "
                                   "document from your account page, and file once the office has verified it"))
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
        if old.withdrawn_on is None:  # deemed withdrawn: not voluntary, no lock
            continue
        ends = domain.relock_ends(old.withdrawn_on, rules_of(session).relock_months)
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
    limit = max_data_bytes(settings_of(session))
    evidence = [(u.filename, *hash_upload(u, limit), "uploaded") for u in uploads]
    evidence += [(d.filename, d.sha256, d.size, "declared") for d in declared]
    hashes = {e[1] for e in evidence}
    lock = relock_until(session, user.id, actor.unit_id if holder_type != "natural_person" else None,
                        values["name"], hashes)
    if lock:
        raise DomainError(Msg("{number} was withdrawn less than {months} months ago; the same product may be filed "
                              "again from {date} (Shanghai measures Art 7(6))", number=lock[1],
                              months=rules_of(session).relock_months, date=lock[0].isoformat()), field="name")
    duplicates = duplicates_of(session, hashes)
    unit = registry_unit(session)
    product = DataProduct(
        name=values["name"], category=values["category"],
        industry_code=domain.industry_code(values["industry_code"]), scenario=values["scenario"],
        summary=values["summary"], source_kind=values["source_kind"],
        source_description=values["source_description"], lawful_statement=values["lawful_statement"],
        processing_rules=values["processing_rules"], structure=values["structure"],
        data_format=values["data_format"], scale=values["scale"], update_frequency=values["update_frequency"],
        holder_name=holder_name, holder_type=values["holder_type"], holder_user_id=user.id,
        holder_unit_id=actor.unit_id if values["holder_type"] != "natural_person" else None,
        duplicates=duplicates, filed_at=now())
    product.data_files = [DataEvidence(position=i, filename=os.path.basename(n)[:255], sha256=h, size=size,
                                       mode=mode) for i, (n, h, size, mode) in enumerate(evidence)]
    PRODUCTS.open(session, actor, product, title=values["name"], subject_type=SUBJECT,
                  applicant_unit_id=actor.unit_id if holder_type != "natural_person" else None,
                  assigned_unit_id=unit.id)
    files_of(session).attach(session, sample, SAMPLE_OWNER, product.id, actor.user_id, field="sample",
                             allowed=SAMPLE_TYPES)
    _log(session, product, "filing", {"data": _data(product, names=False), "filing_digest": _filing_digest(product)})
    sign_log(session)
    audit.record(session, actor, "dataip.file", SUBJECT, product.id, summary=f"{product.application_number} "
                 f"{product.name}", detail={"data": sorted(hashes)})
    return product


# --- reading and acting -------------------------------------------------------------------------------

def _holds(actor: Actor, product: DataProduct) -> bool:
    """The holder (the person, or the members of the holding unit) sees the whole file; others the public
    record. The registration body's officials and administrators see it too (the kit's rule)."""
    if actor.user_id is not None and product.holder_user_id == actor.user_id:
        return True
    return product.holder_unit_id is not None and product.holder_unit_id == actor.unit_id


PRODUCTS = RecordKind(REGISTRATION, missing=N_("No data product number {id}"),
                      denied=N_("You may not see this application"), parties=_holds)
# A change or renewal request is seen by whoever sees the product's whole file.
AMENDMENTS = RecordKind(AMENDMENT, missing=N_("No request number {id}"), denied=N_("You may not see this application"),
                        parties=lambda actor, request: _holds(actor, request.product),
                        officials_case=lambda session, request: PRODUCTS.case_of(session, request.product))


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
        sign_log(session)
    audit.record(session, who, "dataip.object", SUBJECT, product.id,
                 summary=f"{product.application_number} objection {objection.id}")


def request_amendment(session: Session, actor: Actor, product: DataProduct, kind: str, changes: dict,
                      reason: str) -> Case:
    """A change (变更) of the registered facts or a renewal (续展) before expiry, by the holder."""
    if product.state != "registered":
        raise DomainError(Msg("Only a registration in force can be changed or renewed"))
    if not PRODUCTS.may_view(session, actor, product) or actor.role not in casetypes.APPLICANTS:
        raise PermissionDenied(Msg("Only the right holder may apply for a change or renewal"))
    open_amendment = session.scalar(select(Case.number).join(DataAmendment, DataAmendment.case_id == Case.id).where(
        DataAmendment.product_id == product.id, Case.closed_at.is_(None)))
    if open_amendment:
        raise DomainError(Msg("{number} is still being reviewed", number=open_amendment))
    if kind == casetypes.RENEWAL:
        window = rules_of(session).renewal_window_days
        opens = domain.renewal_opens(product.valid_until, window)
        if today() < opens:
            raise DomainError(Msg("Renewal may be requested from {date} ({n} days before expiry)",
                                  date=opens.isoformat(), n=window), field="kind")
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
    request = DataAmendment(product=product, kind=kind, changes=changes, reason=reason.strip())
    return AMENDMENTS.open(session, actor, request, title=f"{product.registration_number} {kind}",
                           applicant_unit_id=product.holder_unit_id,
                           assigned_unit_id=PRODUCTS.case_of(session, product).assigned_unit_id,
                           subject_type=AMENDMENT_SUBJECT)


def amendments_of(session: Session, product: DataProduct) -> list[DataAmendment]:
    """The change and renewal requests on a product, oldest first."""
    return list(session.scalars(select(DataAmendment).where(DataAmendment.product_id == product.id)
                                .order_by(DataAmendment.id)))


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
