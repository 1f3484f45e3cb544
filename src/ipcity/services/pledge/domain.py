"""Pure rules of patent pledge registration (专利权质押登记): the contract's mandatory items and the refusal
grounds (不予登记) the platform can decide from the patent register.

Sources (rules.md §3.1):
- 《专利权质押登记办法》 (CNIPA Announcement No. 461, 2021-11-15) — joint application, documents, refusal grounds
  as listed in a protection centre's service guide [S40];
- contract items: 2010 measures Art 9, believed unchanged as 2021 Art 8 (**unverified**) [S41];
- Implementing Regulations 2023 Art 103/104 (suspension, court preservation) and Art 105 (pledge procedures
  frozen during a suspension) [S28]; terms: Patent Law Art 42 (rules.md §12.4); fees: rules.md §12.5.

No database, no web: every function takes plain values (a `Position` from ipcity.patents.position for the
register facts) and returns findings or (field, Msg) problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from ipcity.core.i18n import Msg
from ipcity.core.numbers import INVENTION, UTILITY
from ipcity.patents import register_check
from ipcity.patents.position import Position

# --- refusal grounds ----------------------------------------------------------------------------------------

NOT_PATENTEE = "not_patentee"
TERMINATED = "terminated"
NOT_GRANTED = "not_granted"
FEES_UNPAID = "fees_unpaid"
SUSPENDED = "suspended"
DEBT_BEYOND_TERM = "debt_beyond_term"
CONTRACT_INCOMPLETE = "contract_incomplete"
NO_CO_OWNER_CONSENT = "no_co_owner_consent"
ALREADY_PLEDGED = "already_pledged"
SAME_DAY_DOUBLE = "same_day_double"
INVALIDATION_PENDING = "invalidation_pending"
OTHER = "other"

SOURCE_2021 = "专利权质押登记办法 (2021) refusal grounds, per a protection centre's service guide [S40]"

# key → (number in the 2021 list, label)
GROUNDS: dict[str, tuple[int, Msg]] = {
    NOT_PATENTEE: (1, Msg("The pledgor is not the patentee recorded in the register (出质人非登记簿记载的专利权人)")),
    TERMINATED: (2, Msg("The patent right has terminated or been invalidated (专利权已终止或者已被宣告无效)")),
    NOT_GRANTED: (3, Msg("The application has not been granted (专利申请尚未被授予专利权)")),
    FEES_UNPAID: (4, Msg("Annual fees are unpaid (专利权没有按照规定缴纳年费)")),
    SUSPENDED: (5, Msg("Procedures suspended for an ownership dispute or court preservation (专利权被中止或者被保全)")),
    DEBT_BEYOND_TERM: (6, Msg("The debt performance period ends after the patent term (债务履行期限超过专利权有效期)")),
    CONTRACT_INCOMPLETE: (7, Msg("The pledge contract lacks a mandatory item (质押合同不具备必要条款)")),
    NO_CO_OWNER_CONSENT: (8, Msg("Co-owned patent without all co-owners' consent (共有专利权未经全体共有人同意)")),
    ALREADY_PLEDGED: (9, Msg("The patent is already pledged and in its pledge period (专利权已被质押且处于质押期间)")),
    SAME_DAY_DOUBLE: (10, Msg("Same-day utility model and invention by the same applicant (同日申请实用新型和发明)")),
    INVALIDATION_PENDING: (11, Msg("Invalidation proceedings have started (专利权已被启动无效宣告程序)")),
    OTHER: (12, Msg("Other (其他)")),
}
# Grounds 10 and 11: registration is allowed when the parties insist after being told (rules.md §3.1).
CONFIRMABLE = (SAME_DAY_DOUBLE, INVALIDATION_PENDING)


def grounds_check(value) -> Msg | None:
    """The case engine's check of the examiner's chosen refusal grounds."""
    values = value if isinstance(value, list | tuple) else [value]
    unknown = [v for v in values if v not in GROUNDS]
    return Msg("Unknown refusal ground: {g}", g=", ".join(map(str, unknown))[:80]) if unknown else None


BLOCKING = "blocking"
WARNING = "warning"  # needs the parties' confirmation that they insist (grounds 10, 11)


@dataclass(frozen=True)
class Finding:
    ground: str  # a key of GROUNDS
    severity: str  # BLOCKING or WARNING
    message: Msg
    patent: str = ""  # patent number, "" for the application as a whole
    confirmed: bool = False  # a WARNING the parties insist on (no longer stands in the way)
    source: str = SOURCE_2021

    @property
    def number(self) -> int:
        return GROUNDS[self.ground][0]

    @property
    def label(self) -> Msg:
        return GROUNDS[self.ground][1]

    @property
    def stands_in_the_way(self) -> bool:
        return self.severity == BLOCKING or not self.confirmed


# --- the contract (2010 Art 9, believed 2021 Art 8, unverified) -------------------------------------------------

CLAIM_TYPES = {"loan": Msg("Loan (借款合同债权)"), "credit_line": Msg("Credit line (授信额度)"),
               "guarantee": Msg("Counter-guarantee (反担保)"), "other": Msg("Other claim (其他债权)")}
FEE_PAYERS = {"pledgor": Msg("The pledgor (出质人)"), "pledgee": Msg("The pledgee (质权人)"),
              "other": Msg("Otherwise agreed (另行约定)")}
YES_NO = {"yes": Msg("Allowed with the pledgee's consent (经质权人同意可以)"), "no": Msg("Not allowed (不得)")}

CONTRACT_ITEMS: dict[str, Msg] = {
    "pledgor_name": Msg("Pledgor's name (出质人名称)"),
    "pledgor_address": Msg("Pledgor's address (出质人地址)"),
    "pledgee_name": Msg("Pledgee's name (质权人名称)"),
    "pledgee_address": Msg("Pledgee's address (质权人地址)"),
    "claim_type": Msg("Type of the secured claim (被担保债权的种类)"),
    "amount": Msg("Amount of the secured claim (被担保债权的数额, yuan)"),
    "debt_start": Msg("Debt performance period: start (债务履行期限起)"),
    "debt_end": Msg("Debt performance period: end (债务履行期限止)"),
    "patents": Msg("Patents pledged (质押专利)"),
    "guarantee_scope": Msg("Scope of the guarantee (质押担保的范围)"),
}
OPTIONAL_ITEMS: dict[str, Msg] = {
    "debtor_name": Msg("Debtor, if not the pledgor (债务人)"),
    "annual_fee_payer": Msg("Who pays the annual fees during the pledge (质押期间年费缴纳)"),
    "transfer_allowed": Msg("Transfer during the pledge (质押期间专利权转让)"),
    "licensing_allowed": Msg("Licensing during the pledge (质押期间专利权许可)"),
    "agent_name": Msg("Agent (patent agency), if one is used (代理机构)"),
}
CONTRACT_SOURCE = "专利权质押登记办法 2010 Art 9 (believed 2021 Art 8, unverified) [S41]"
MAX_PATENTS = 50  # per application: the default; an installation's own is Settings.pledge_max_patents
LIMITS = {"pledgor_name": 200, "pledgee_name": 200, "pledgor_address": 300, "pledgee_address": 300,
          "debtor_name": 200, "guarantee_scope": 2000, "agent_name": 200}
MAX_AMOUNT = Decimal("1000000000000")  # a trillion yuan: anything above is a typing error


def parse_amount(text: str) -> Decimal | None:
    """A yuan amount with at most two decimals ("1,000,000.00" accepted); None if it is not one."""
    cleaned = (text or "").replace(",", "").replace("，", "").replace("¥", "").replace("元", "").strip()
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{fen // 100:,}.{fen % 100:02d}"


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def split_numbers(text: str) -> list[str]:
    """Patent numbers typed one a line or separated by commas, semicolons or spaces; duplicates once."""
    out: list[str] = []
    for part in re.split(r"[\s,，;；、]+", text or ""):
        part = part.strip()
        if part and part.upper() not in (p.upper() for p in out):
            out.append(part)
    return out


def contract_problems(values: dict, max_patents: int = MAX_PATENTS) -> list[tuple[str, Msg]]:
    """Every missing or malformed mandatory contract item, by field (ground 7's source, 2010 Art 9); at most
    `max_patents` patents (the registering office's limit, IPCITY_PLEDGE_MAX_PATENTS)."""
    problems: list[tuple[str, Msg]] = []
    for name in ("pledgor_name", "pledgor_address", "pledgee_name", "pledgee_address", "guarantee_scope"):
        value = str(values.get(name) or "").strip()
        if not value:
            problems.append((name, Msg("{field} is required", field=CONTRACT_ITEMS[name])))
        elif len(value) > LIMITS[name]:
            problems.append((name, Msg("{field} is longer than {n} characters", field=CONTRACT_ITEMS[name],
                                       n=LIMITS[name])))
    if values.get("claim_type") not in CLAIM_TYPES:
        problems.append(("claim_type", Msg("Choose the {field}", field=CONTRACT_ITEMS["claim_type"])))
    raw_amount = str(values.get("amount") or "").strip()
    amount = parse_amount(raw_amount)
    if not raw_amount:
        problems.append(("amount", Msg("{field} is required", field=CONTRACT_ITEMS["amount"])))
    elif amount is None or amount <= 0 or amount > MAX_AMOUNT:
        problems.append(("amount", Msg("Write the amount in yuan, e.g. 5000000 or 5,000,000.00")))
    start, end = parse_day(str(values.get("debt_start") or "")), parse_day(str(values.get("debt_end") or ""))
    for name, day in (("debt_start", start), ("debt_end", end)):
        if not str(values.get(name) or "").strip():
            problems.append((name, Msg("{field} is required", field=CONTRACT_ITEMS[name])))
        elif day is None:
            problems.append((name, Msg("'{value}' is not a date; write it YYYY-MM-DD",
                                       value=str(values.get(name))[:20])))
    if start and end and end <= start:
        problems.append(("debt_end", Msg("The debt performance period must end after it starts")))
    numbers = values.get("patents")
    if isinstance(numbers, str):
        numbers = split_numbers(numbers)
    if not numbers:
        problems.append(("patents", Msg("Give at least one patent number")))
    elif len(numbers) > max_patents:
        problems.append(("patents", Msg("At most {n} patents per application", n=max_patents)))
    if values.get("annual_fee_payer") and values["annual_fee_payer"] not in FEE_PAYERS:
        problems.append(("annual_fee_payer", Msg("Choose who pays the annual fees")))
    for name in ("transfer_allowed", "licensing_allowed"):
        if values.get(name) and values[name] not in YES_NO:
            problems.append((name, Msg("Choose an answer or leave it empty")))
    for name in ("debtor_name", "agent_name"):
        if len(str(values.get(name) or "")) > LIMITS[name]:
            problems.append((name, Msg("{field} is longer than {n} characters", field=OPTIONAL_ITEMS[name],
                                       n=LIMITS[name])))
    return problems


def contract_findings(values: dict, max_patents: int = MAX_PATENTS) -> list[Finding]:
    """Ground 7 as findings, for the examiner's panel (the filing form refuses these before anything is stored)."""
    return [Finding(CONTRACT_INCOMPLETE, BLOCKING, msg, source=CONTRACT_SOURCE) for _field, msg in
            contract_problems(values, max_patents)]


# --- refusal grounds from the register, per patent ------------------------------------------------------------

@dataclass(frozen=True)
class PatentFacts:
    """What the checks need besides the register position."""

    pledgor: str  # the pledgor's name as filed
    debt_end: date | None
    at_filing: Position | None = None  # the position on the filing day (ground 1 is judged then)
    consents: frozenset[str] = frozenset()  # co-owners whose written consent is on file
    same_day_other: tuple[str, ...] = ()  # numbers of same-day filings of the other type by the same applicant
    own_reference: str = ""  # this pledge's registration number: its own entry is not "another pledge"
    insist_same_day: bool = False
    insist_invalidation: bool = False


def _norm(name: str) -> str:
    return re.sub(r"[\s()（）]", "", name or "")


def is_owner(name: str, owners: tuple[str, ...]) -> bool:
    return _norm(name) in {_norm(o) for o in owners}


# Sources of the grounds the register check (patents/register_check.py) decides.
_REGISTER_SOURCES = {TERMINATED: f"{SOURCE_2021}; legal status, rules.md §12.3",
                     FEES_UNPAID: f"{SOURCE_2021}; Implementing Regulations Art 115",
                     SUSPENDED: f"{SOURCE_2021}; Implementing Regulations 2023 Art 103, Art 104, Art 105"}


def patent_findings(pos: Position, facts: PatentFacts) -> list[Finding]:
    """Every refusal ground decidable from the register for one patent, on `pos.on` (ground 1 at filing)."""
    number = pos.patent_number
    out: list[Finding] = []

    def add(ground: str, message: Msg, severity: str = BLOCKING, confirmed: bool = False,
            source: str = SOURCE_2021) -> None:
        out.append(Finding(ground, severity, message, number, confirmed, source))

    # (1) recorded patentee at the time of application
    owners_then = (facts.at_filing or pos).owners
    if not is_owner(facts.pledgor, owners_then):
        add(NOT_PATENTEE, Msg("{pledgor} is not among the recorded patentees of {number} ({owners})",
                              pledgor=facts.pledgor, number=number, owners="、".join(owners_then) or "—"))
    # (2)–(5), (9), (11): what the register alone decides — the one register check, which the valuation's suggested
    # pledge rate reads too (patents/register_check.py)
    for bar in register_check.pledge_bars(pos, own_reference=facts.own_reference):
        add(bar.key, bar.message, WARNING if bar.confirmable else BLOCKING,
            facts.insist_invalidation if bar.confirmable else False, _REGISTER_SOURCES.get(bar.key, SOURCE_2021))
    # (6) debt term beyond the patent term (Patent Law Art 42)
    if facts.debt_end and pos.term_end and facts.debt_end > pos.term_end:
        add(DEBT_BEYOND_TERM, Msg("The debt period ends on {end}, after the term of {number} ends on {term}",
                                  end=str(facts.debt_end), number=number, term=str(pos.term_end)),
            source=f"{SOURCE_2021}; Patent Law Art 42")
    # (8) co-owned: every other co-owner's written consent
    if pos.co_owned:
        missing = [o for o in pos.owners if not is_owner(o, (facts.pledgor,))
                   and _norm(o) not in {_norm(c) for c in facts.consents}]
        if missing:
            add(NO_CO_OWNER_CONSENT, Msg("{number} is co-owned; no written consent on file from: {names}",
                                         number=number, names="、".join(missing)),
                source=f"{SOURCE_2021}; 专利权质押登记办法 2021 (co-owners' consent)")
    # (10) same-day utility model + invention by the same applicant (Patent Law Art 9(1)); may proceed if insisted
    if facts.same_day_other:
        add(SAME_DAY_DOUBLE, Msg("The same applicant filed {others} on the same day as {number} (utility model and "
                                 "invention)", others=", ".join(facts.same_day_other), number=number),
            WARNING, facts.insist_same_day, f"{SOURCE_2021}; Patent Law Art 9(1)")
    return sorted(out, key=lambda f: f.number)


def other_type(patent_type: str | None) -> str | None:
    """Ground 10 pairs a utility model with an invention."""
    return {INVENTION: UTILITY, UTILITY: INVENTION}.get(patent_type or "")


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.stands_in_the_way]


# --- time limit ----------------------------------------------------------------------------------------------

# The default; the engine applies an installation's own, IPCITY_PLEDGE_DECISION_DAYS (DeadlineRule.setting).
DECISION_DAYS = 5
DECISION_SETTING = "pledge_decision_days"
# What users read is the rule and that the limit is the office's own; the provenance stays here (rules.md §3.1):
# the 2010 rule gave 7 working days, a local CNIPA window states 3 from the cure of defects, the 2021 text is
# reported as 5 (unverified) — so the limit is the registering office's setting.
DECISION_BASIS = Msg("Measures for Patent Pledge Registration (专利权质押登记办法, CNIPA Announcement No. 461): "
                     "the registering office decides within the time limit it has set").msgid

# --- change and cancellation (变更 / 注销) ------------------------------------------------------------------

CHANGE = "change"
CANCELLATION = "cancellation"
CHANGEABLE: dict[str, Msg] = {
    "amount": CONTRACT_ITEMS["amount"], "debt_start": CONTRACT_ITEMS["debt_start"],
    "debt_end": CONTRACT_ITEMS["debt_end"], "pledgor_name": CONTRACT_ITEMS["pledgor_name"],
    "pledgor_address": CONTRACT_ITEMS["pledgor_address"], "pledgee_name": CONTRACT_ITEMS["pledgee_name"],
    "pledgee_address": CONTRACT_ITEMS["pledgee_address"], "guarantee_scope": CONTRACT_ITEMS["guarantee_scope"],
}
CANCELLATION_REASONS = {"repaid": Msg("The debt has been repaid (债务已清偿)"),
                        "extinguished": Msg("The pledge is otherwise extinguished (质权已消灭)"),
                        "realised": Msg("The pledge has been realised (质权已实现)")}


def change_problems(current: dict, changes: dict, term_ends: list[date]) -> tuple[dict, list[tuple[str, Msg]]]:
    """The changes that differ from `current`, checked like the contract; problems by field."""
    wanted = {k: str(v).strip() for k, v in changes.items() if k in CHANGEABLE and str(v or "").strip()}
    wanted = {k: v for k, v in wanted.items() if v != str(current.get(k) or "")}
    problems: list[tuple[str, Msg]] = []
    if not wanted:
        return {}, [("changes", Msg("Enter at least one new value"))]
    merged = {**current, **wanted, "patents": ["x"], "claim_type": current.get("claim_type") or "loan"}
    problems = [(f, m) for f, m in contract_problems(merged) if f in wanted or
                (f == "debt_end" and ("debt_start" in wanted or "debt_end" in wanted))]
    end = parse_day(merged.get("debt_end", ""))
    if end and "debt_end" in wanted and any(end > t for t in term_ends):
        problems.append(("debt_end", Msg("The new end {end} is after the term of a pledged patent ends ({term})",
                                         end=str(end), term=str(min(term_ends)))))
    return wanted, problems
