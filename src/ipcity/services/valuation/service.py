"""Use cases of patent valuation for financing (专利价值内部评估): evaluate patents, summarise them for a pledge,
keep the report a bank files.

Who may value: access.py. Evaluating writes nothing; `record_report` keeps the PDF in the file store (attachment
owner REPORT_OWNER, one per patent right) and writes an audit entry whose detail holds the valuation as JSON
(as_data.as_dict) — the stored valuation until a table of its own exists (asked of the lead). The owner type and
the audit action keep the names they were first stored under ("pledge_valuation", "pledge.valuation"), from the
time valuation was part of the pledge service: existing databases hold them.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import today
from ipcity.core.context import files_of, settings_of
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.core.tables import Attachment, AuditEntry
from ipcity.patents import register
from ipcity.patents.record import PatentRecord
from ipcity.patents.register_check import Bar
from ipcity.services.valuation import inputs as valuation_inputs
from ipcity.services.valuation.access import ensure_user, may_value
from ipcity.services.valuation.as_data import as_dict
from ipcity.services.valuation.domain import FINANCE, Scenario
from ipcity.services.valuation.field_activity import FieldActivity
from ipcity.services.valuation.income import IncomeInputs, IncomeResult, income_value, validate_income
from ipcity.services.valuation.pledge_advice import PledgeAdvice, pledge_advice, refusal_bars
from ipcity.services.valuation.scorecard import ScoreCard, score
from ipcity.services.valuation.weights import Config, load_config

REPORT_OWNER = "pledge_valuation"  # attachment owner type (stored: keep); owner_id = the application number
AUDIT_ACTION = "pledge.valuation"  # audit action (stored: keep)
MAX_PATENTS = 20  # per request
PAGE = "/pledge/valuation"  # the pages' address, which users and the README know
REPORT_URL = PAGE + "/report.pdf"


@dataclass(frozen=True)
class Valuation:
    number: str  # 专利号 (ZL…)
    key: str  # register key (application number)
    record: PatentRecord
    inputs: valuation_inputs.Inputs
    card: ScoreCard
    income: IncomeResult | None
    advice: PledgeAdvice
    scenario: Scenario
    on: date
    config_source: str

    @property
    def position(self):
        return self.inputs.position

    @property
    def indicative_value(self) -> float | None:
        return self.income.present_value if self.income else None

    @property
    def activity_window(self) -> tuple[int, int] | None:
        """The application years field activity and growth were counted over (None without a corpus)."""
        return self.inputs.activity.window if self.inputs.activity is not None else None

    @property
    def activity_cut_short(self) -> bool:
        """The corpus ends before the years the valuation date asks for: the window ends with the corpus."""
        return self.inputs.activity is not None and self.inputs.activity.requested_last is not None


@dataclass(frozen=True)
class ValuationSummary:
    number: str
    title: str
    score: float | None  # 0–100
    grade: str
    indicative_value: float | None  # yuan: the income-approach value of the latest filed report, if any
    suggested_pledge_rate: float | None  # 0–1; None when the register check bars a pledge (`bars`)
    report_url: str
    bars: tuple[Bar, ...] = ()  # the refusal grounds the register shows (the pledge's own register check)


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


def config_of(session: Session) -> Config:
    """The weights, grades and pledge rates in force: the built-in defaults or the operator's file, and the
    share of the weight that needs data (the settings IPCITY_VALUATION_WEIGHTS and _MIN_COVERAGE)."""
    settings = settings_of(session)
    config = load_config(settings.valuation_weights)
    return dataclasses.replace(config, min_coverage=settings.valuation_min_coverage)


def evaluate_record(record: PatentRecord, inputs: valuation_inputs.Inputs, scenario: Scenario, config: Config,
                    income: IncomeInputs | None, on: date, own_reference: str = "") -> Valuation:
    card = score(inputs.values, scenario, config)
    remaining = inputs.position.remaining_years
    result = income_value(income, remaining) if income is not None else None
    advice = pledge_advice(card.overall, remaining, bars=refusal_bars(inputs.position, own_reference),
                           value=result.present_value if result else None, rules=config.pledge_rates,
                           coverage=card.coverage, min_coverage=config.min_coverage)
    return Valuation(inputs.position.patent_number, register.key_of(record), record, inputs, card, result, advice,
                     scenario, on, config.source)


def evaluate(session: Session, numbers: list[str] | str, *, scenario: str = FINANCE,
             income: IncomeInputs | dict | None = None, on: date | None = None, actor: Actor | None = None,
             activity: FieldActivity | None = None) -> list[Valuation]:
    """Value each patent: indicator score card, income-approach value (when income inputs are given, applied to
    each patent), suggested pledge rate. With `actor`, the access rule is applied. Writes nothing."""
    config = config_of(session)
    chosen = config.scenario(scenario or FINANCE)
    if isinstance(income, dict):
        income = validate_income(income)
    on = on or today()
    records = find_records(session, split_numbers(numbers), actor)
    found = valuation_inputs.inputs_for(session, records, on, activity)
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
    return validate_income(inputs["inputs"])


def report_url(number: str, scenario: str) -> str:
    return f"{REPORT_URL}?numbers={number}&scenario={scenario}"


def summaries(session: Session, numbers: list[str], *, scenario: str = FINANCE,
              on: date | None = None, own_reference: str = "") -> list[ValuationSummary]:
    """For a proposed pledge: each patent's score, grade, indicative value and suggested pledge rate.

    The indicative value is the income-approach value of the newest report filed for the patent under the
    scenario (None when none was filed: the income approach needs the borrower's revenue). `own_reference`: the
    registration number of the pledge the summary is for, whose own register entry is no bar. The caller checks
    who may see it (panels.pledge_panel: banks and officials on the pledge application page)."""
    if not numbers:
        return []
    on = on or today()
    config = config_of(session)
    chosen = config.scenario(scenario)
    records = find_records(session, split_numbers(numbers))
    found = valuation_inputs.inputs_for(session, records, on)
    out = []
    for record, inputs in zip(records, found, strict=True):
        income = stored_income(session, register.key_of(record), chosen.key)
        v = evaluate_record(record, inputs, chosen, config, income, on, own_reference)
        out.append(ValuationSummary(v.number, record.title, _round(v.card.overall), v.card.grade,
                                    _round(v.indicative_value, 2), None if v.advice.barred else v.advice.rate,
                                    report_url(v.number, chosen.key), v.advice.bars))
    return out


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


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
