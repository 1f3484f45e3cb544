"""Use cases of patent valuation for financing (专利价值内部评估): evaluate patents, summarise them for a pledge,
keep the report a bank files.

Who may value (rules.md §3.2; the pledge pages' users): banks, officials and administrators any patent in the
register; a company only patents its unit holds. Evaluating writes nothing; `record_report` keeps the PDF in the
file store (attachment owner REPORT_OWNER, one per patent right) and writes an audit entry whose detail holds the
valuation as JSON — the stored valuation until a table of its own exists (asked of the lead).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import today
from ipcity.core.context import files_of
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Attachment, AuditEntry
from ipcity.patents import register
from ipcity.patents.record import PatentRecord
from ipcity.services.pledge import valuation, valuation_data
from ipcity.services.pledge.valuation import FieldActivity, IncomeInputs, IncomeResult, PledgeAdvice, ScoreCard

USERS = frozenset({BANK, APPLICANT_COMPANY, ADMIN}) | OFFICIAL_ROLES
ANY_PATENT = frozenset({BANK, ADMIN}) | OFFICIAL_ROLES
REPORT_OWNER = "pledge_valuation"  # attachment owner type; owner_id = the patent right's application number
AUDIT_ACTION = "pledge.valuation"
MAX_PATENTS = 20  # per request
REPORT_URL = "/pledge/valuation/report.pdf"


@dataclass(frozen=True)
class Valuation:
    number: str  # 专利号 (ZL…)
    key: str  # register key (application number)
    record: PatentRecord
    inputs: valuation_data.Inputs
    card: ScoreCard
    income: IncomeResult | None
    advice: PledgeAdvice
    scenario: valuation.Scenario
    on: date
    config_source: str

    @property
    def position(self):
        return self.inputs.position

    @property
    def indicative_value(self) -> float | None:
        return self.income.present_value if self.income else None


@dataclass(frozen=True)
class ValuationSummary:
    number: str
    title: str
    score: float | None  # 0–100
    grade: str
    indicative_value: float | None  # yuan: the income-approach value of the latest filed report, if any
    suggested_pledge_rate: float  # 0–1
    report_url: str


# --- access ----------------------------------------------------------------------------------------------

def ensure_user(actor: Actor) -> None:
    if actor.role not in USERS:
        raise PermissionDenied(Msg("Patent valuation is for banks, officials, companies (their own patents) and "
                                   "administrators"))


def may_value(actor: Actor, record: PatentRecord) -> bool:
    if actor.role in ANY_PATENT:
        return True
    return actor.role == APPLICANT_COMPANY and bool(actor.unit_name) and actor.unit_name in record.applicants


def may_see_report(session: Session, actor: Actor, owner_id: str) -> bool:
    """file_access hook for REPORT_OWNER attachments: whoever may value the patent."""
    if actor.role not in USERS:
        return False
    try:
        return may_value(actor, register.find(session, owner_id))
    except DomainError:
        return False


# --- evaluation ------------------------------------------------------------------------------------------

def split_numbers(text: str | list[str]) -> list[str]:
    parts = text if isinstance(text, list) else re.split(r"[\s,，;；、]+", text or "")
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def find_records(session: Session, numbers: list[str], actor: Actor | None = None) -> list[PatentRecord]:
    """The records of the numbers given; one DomainError (field "numbers") naming every number not found or not
    the person's to value."""
    if not numbers:
        raise DomainError(Msg("Give one or more patent numbers"), field="numbers")
    if len(numbers) > MAX_PATENTS:
        raise DomainError(Msg("At most {n} patents at a time", n=MAX_PATENTS), field="numbers")
    records, problems = [], []
    for number in numbers:
        try:
            record = register.find(session, number)
        except DomainError as exc:
            problems.append(("numbers", exc.message))
            continue
        if actor is not None and not may_value(actor, record):
            problems.append(("numbers", Msg("{number}: a company may value only the patents it holds",
                                            number=number[:40])))
            continue
        records.append(record)
    if problems:
        status = NotFound if all(p[1].msgid.startswith("No patent") for p in problems) else DomainError
        raise status(problems[0][1], field="numbers", problems=problems)
    return records


def evaluate_record(record: PatentRecord, inputs: valuation_data.Inputs, scenario: valuation.Scenario,
                    config: valuation.Config, income: IncomeInputs | None, on: date) -> Valuation:
    card = valuation.score(inputs.values, scenario, config)
    remaining = inputs.position.remaining_years
    result = valuation.income_value(income, remaining) if income is not None else None
    advice = valuation.pledge_advice(card.overall, remaining, refusals=valuation.refusal_reasons(inputs.position),
                                     value=result.present_value if result else None, rules=config.pledge_rates,
                                     coverage=card.coverage)
    return Valuation(inputs.position.patent_number, register.key_of(record), record, inputs, card, result, advice,
                     scenario, on, config.source)


def evaluate(session: Session, numbers: list[str] | str, *, scenario: str = valuation.FINANCE,
             income: IncomeInputs | dict | None = None, on: date | None = None, actor: Actor | None = None,
             activity: FieldActivity | None = None) -> list[Valuation]:
    """Value each patent: indicator score card, income-approach value (when income inputs are given, applied to
    each patent), suggested pledge rate. With `actor`, the access rule is applied. Writes nothing."""
    config = valuation.load_config()
    chosen = config.scenario(scenario or valuation.FINANCE)
    if isinstance(income, dict):
        income = valuation.validate_income(income)
    on = on or today()
    records = find_records(session, split_numbers(numbers), actor)
    found = valuation_data.inputs_for(session, records, on, activity)
    return [evaluate_record(r, i, chosen, config, income, on) for r, i in zip(records, found, strict=True)]


def latest_stored(session: Session, key: str, scenario: str) -> dict | None:
    """The valuation of the newest report filed for the patent right under `scenario` (audit detail), if any."""
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION,
                                                    AuditEntry.object_type == REPORT_OWNER,
                                                    AuditEntry.object_id == key)
                           .order_by(AuditEntry.seq.desc()).limit(20))
    for row in rows:
        detail = json.loads(row.detail or "{}")
        if detail.get("scenario") == scenario:
            return detail | {"audit_seq": row.seq, "at": row.at, "by": row.actor_name}
    return None


def stored_income(session: Session, key: str, scenario: str) -> IncomeInputs | None:
    found = latest_stored(session, key, scenario)
    inputs = (found or {}).get("income", {}) or {}
    if not inputs.get("inputs"):
        return None
    return valuation.validate_income(inputs["inputs"])


def report_url(number: str, scenario: str) -> str:
    return f"{REPORT_URL}?numbers={number}&scenario={scenario}"


def summaries(session: Session, numbers: list[str], *, scenario: str = valuation.FINANCE,
              on: date | None = None) -> list[ValuationSummary]:
    """For a proposed pledge: each patent's score, grade, indicative value and suggested pledge rate.

    The indicative value is the income-approach value of the newest report filed for the patent under the
    scenario (None when none was filed: the income approach needs the borrower's revenue). The caller checks
    who may see it (banks and officials on the pledge application page)."""
    if not numbers:
        return []
    on = on or today()
    config = valuation.load_config()
    chosen = config.scenario(scenario)
    records = find_records(session, split_numbers(numbers))
    found = valuation_data.inputs_for(session, records, on)
    out = []
    for record, inputs in zip(records, found, strict=True):
        income = stored_income(session, register.key_of(record), chosen.key)
        v = evaluate_record(record, inputs, chosen, config, income, on)
        out.append(ValuationSummary(v.number, record.title, _round(v.card.overall), v.card.grade,
                                    _round(v.indicative_value, 2), v.advice.rate, report_url(v.number, chosen.key)))
    return out


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# --- what a valuation looks like as data (API, audit detail, report) ------------------------------------------

def as_dict(v: Valuation) -> dict:
    pos = v.position
    return {
        "number": v.number, "application_number": pos.app_number, "publication_number": v.record.pub_number,
        "title": v.record.title, "owners": list(pos.owners), "patent_type": pos.patent_type,
        "filed": _iso(pos.app_date), "granted": _iso(pos.grant_date), "term_end": _iso(pos.term_end),
        "in_force": pos.in_force, "ended_by": pos.ended_by, "remaining_years": round(pos.remaining_years, 2),
        "on": v.on.isoformat(), "scenario": v.scenario.key, "config": v.config_source,
        "register": {
            "licences": [_entry(e) for e in pos.licences], "pledges": [_entry(e) for e in pos.pledges],
            "suspensions": [_entry(e) for e in pos.suspensions],
            "invalidation_requests": [_entry(e) for e in pos.invalidation_requests],
            "open_licence": pos.open_licence is not None,
            "fees": None if pos.fees is None else {
                "current_year": pos.fees.current_year, "paid_through": pos.fees.paid_through,
                "unpaid": pos.fees.unpaid, "due_on": _iso(pos.fees.due_on), "grace_ends": _iso(pos.fees.grace_ends)},
        },
        "indicators": [{"key": i.key, "level": i.level, "name_zh": i.name_zh, "name_en": i.name_en,
                        "value": i.value, "score": _round(i.score, 2), "weight": i.weight,
                        "effective_weight": round(i.effective_weight, 6), "missing": i.missing}
                       for i in v.card.indicators],
        "levels": [{"key": lv.key, "name_zh": lv.name_zh, "name_en": lv.name_en, "score": _round(lv.score, 2),
                    "weight": lv.weight, "effective_weight": round(lv.effective_weight, 6),
                    "missing": list(lv.missing)} for lv in v.card.levels],
        "score": _round(v.card.overall, 2), "grade": v.card.grade, "missing": list(v.card.missing),
        "coverage": round(v.card.coverage, 4),
        "income": None if v.income is None else {
            "inputs": v.income.inputs.to_dict(), "life_years": round(v.income.life, 4),
            "capped_by_term": v.income.capped_by_term, "present_value": round(v.income.present_value, 2),
            "years": [{"year": y.year, "fraction": round(y.fraction, 4), "revenue": round(y.revenue, 2),
                       "income": round(y.income, 2), "after_tax": round(y.after_tax, 2),
                       "discount_factor": round(y.discount_factor, 6), "present_value": round(y.present_value, 2)}
                      for y in v.income.years]},
        "pledge": {"suggested_rate": v.advice.rate, "reasons": [m.render() for m in v.advice.reasons],
                   "indicative_loan": _round(v.advice.loan, 2)},
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _entry(e) -> dict:
    return {"start": _iso(e.start), "end": _iso(e.end), "reference": e.reference,
            **{k: v for k, v in e.detail.items() if k in ("licence_type", "licensee", "pledgee", "debt_end")}}


# --- filing the report -------------------------------------------------------------------------------------

def record_report(session: Session, actor: Actor, valuations: list[Valuation], pdf: bytes) -> list[Attachment]:
    """Keep the report PDF once per patent right valued (FileStore, content-addressed) with an audit entry per
    patent whose detail is the valuation as JSON. In the caller's transaction."""
    ensure_user(actor)
    out = []
    stamp = valuations[0].on.isoformat() if valuations else today().isoformat()
    for v in valuations:
        if not may_value(actor, v.record):
            raise PermissionDenied(Msg("A company may value only the patents it holds"))
        name = f"valuation-{v.number}-{v.scenario.key}-{stamp}.pdf"
        att = files_of(session).attach(session, Upload(name, io.BytesIO(pdf)), REPORT_OWNER, v.key, actor.user_id)
        detail = as_dict(v) | {"attachment_id": att.id, "sha256": att.sha256}
        audit.record(session, actor, AUDIT_ACTION, REPORT_OWNER, v.key,
                     summary=f"{v.number} {v.scenario.key} score {detail['score']} grade {v.card.grade}",
                     detail=detail)
        out.append(att)
    return out


def reports_of(session: Session, key: str) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.owner_type == REPORT_OWNER,
                                                         Attachment.owner_id == key).order_by(Attachment.id)))
