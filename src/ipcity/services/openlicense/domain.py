"""Pure domain of patent open licensing (专利开放许可): royalty terms, the eligibility grounds a declaration is
checked against, the licence-taking rules and the annual-fee effect.

Rules: ../shared/domain/rules.md §2 and §12.3–12.5.
- Patent Law 2020 Art 50 (declaration; evaluation report for utility models and designs; withdrawal does not
  affect licences already obtained), Art 51 (taking a licence by written notice; annual-fee reduction; no
  exclusive or sole licence while the open licence is in effect);
- Patent Law 2020 Art 14 (co-owned rights: beyond exploiting the patent oneself or granting an ordinary licence,
  exercising the right needs the consent of all co-owners, unless they agreed otherwise): an open licence
  offers a licence to anyone on published terms, binds the right to no exclusive or sole licence (Art 51) and
  changes its annual fees — so a co-owned patent is declared jointly by all its co-owners, each named and
  confirming with a signed joint declaration (rules.md states no open-licence rule of its own for co-owned
  patents; the platform applies Art 14's general rule, see docs/);
- Implementing Regulations 2023 Art 85 (only after the grant is announced; contents; no advertising language),
  Art 86 (no declaration while (1) an exclusive or sole licence is in force, (2) suspended or under a
  preservation order, (3) annual fees unpaid, (4) pledged without the pledgee's consent), Art 87 (recording);
- 国知发运字〔2024〕19号: royalty caps (fixed ≤ 20,000,000 yuan; running ≤ 20 % of net sales or ≤ 40 % of
  profit) — "generally", so configurable (IPCITY_OPENLICENSE_*);
- 财税〔2024〕23号: annual fees reduced by 15 % while an open licence is in effect, not stacked with other
  reductions (ipcity.patents.fees applies the most favourable one).
No I/O, no web, no SQL: values in, decisions out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from ipcity.core.config import Settings
from ipcity.core.forms import form_day
from ipcity.core.i18n import Msg
from ipcity.patents import fees
from ipcity.patents.position import Position
from ipcity.patents.record import DESIGN, INVENTION, UTILITY

# --- code tables -------------------------------------------------------------------------------------------

LUMP_SUM = "lump_sum"
RUNNING = "running"
ENTRY_PLUS_RUNNING = "entry_plus_running"
# 国知发运字〔2024〕19号: the payment modes to promote.
MODES: dict[str, Msg] = {
    LUMP_SUM: Msg("Lump sum (一次性付费)"),
    RUNNING: Msg("Running royalty (提成支付)"),
    ENTRY_PLUS_RUNNING: Msg("Entry fee plus royalty (入门费附加提成)"),
}
NET_SALES = "net_sales"
PROFIT = "profit"
RATE_BASES: dict[str, Msg] = {NET_SALES: Msg("% of net sales (净销售额)"), PROFIT: Msg("% of profit (利润)")}

# The holder's annual-fee reduction entitlement (费减, rules.md §12.5).
SMALL_ENTITY: dict[str, Msg] = {
    "none": Msg("No fee reduction"),
    "single": Msg("85 % reduction (one individual or small enterprise)"),
    "several": Msg("70 % reduction (several individuals or small enterprises)"),
}
SMALL_ENTITY_REDUCTION = {"none": None, "single": fees.SINGLE_SMALL, "several": fees.SEVERAL_SMALL}

PATENT_TYPES: dict[str, Msg] = {INVENTION: Msg("Invention (发明)"), UTILITY: Msg("Utility model (实用新型)"),
                                DESIGN: Msg("Design (外观设计)")}
NEEDS_REPORT = (UTILITY, DESIGN)  # Patent Law Art 50: 专利权评价报告

# Eligibility grounds: key -> (label, legal basis). The label names the ground; the findings say why.
GROUNDS: dict[str, Msg] = {
    "not_granted": Msg("Not granted or grant not announced (Implementing Regulations 2023 Art 85)"),
    "not_in_force": Msg("Patent right not in force (lapsed, invalidated or expired)"),
    "not_patentee": Msg("Declarant is not the recorded patentee (Patent Law Art 50)"),
    "exclusive_licence": Msg("Exclusive or sole licence in force (Implementing Regulations 2023 Art 86(1))"),
    "suspended": Msg("Suspension or preservation in force (Implementing Regulations 2023 Art 86(2))"),
    "fees_unpaid": Msg("Annual fee unpaid (Implementing Regulations 2023 Art 86(3))"),
    "pledged": Msg("Pledged without the pledgee's written consent (Implementing Regulations 2023 Art 86(4))"),
    "term_beyond_life": Msg("Licence term beyond the patent's term (Implementing Regulations 2023 Art 85; "
                            "Patent Law Art 42)"),
    "royalty_cap": Msg("Royalty above the caps of 国知发运字〔2024〕19号"),
    "already_open": Msg("An open licence declaration already exists for this patent (Patent Law Art 50)"),
    "report_missing": Msg("Evaluation report (专利权评价报告) missing for a utility model or design "
                          "(Patent Law Art 50)"),
    "advertising": Msg("Commercial advertising language in the declaration (Implementing Regulations 2023 "
                       "Art 85)"),
    "co_owned": Msg("Co-owned patent without the joint declaration of all co-owners (Patent Law Art 14)"),
}

DEFAULT_AD_WORDS = ("最佳", "最好", "最优", "第一", "顶级", "极品", "最先进", "最低价", "全网", "独家", "绝对",
                    "首选", "万能", "史无前例", "秒杀", "错过不再")


@dataclass(frozen=True)
class Rules:
    """Caps and the word list; the caps are 'generally' so the office may change them (documented)."""

    max_fixed_yuan: Decimal = Decimal(20_000_000)
    max_rate_net_sales: Decimal = Decimal(20)
    max_rate_profit: Decimal = Decimal(40)
    ad_words: tuple[str, ...] = DEFAULT_AD_WORDS

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        """The caps and words the installation's settings give (IPCITY_OPENLICENSE_*; the defaults above)."""
        words = settings.openlicense_ad_words
        return cls(max_fixed_yuan=settings.openlicense_max_fixed_yuan,
                   max_rate_net_sales=settings.openlicense_max_rate_net_sales,
                   max_rate_profit=settings.openlicense_max_rate_profit,
                   ad_words=DEFAULT_AD_WORDS if words is None else words)


# --- the terms of a declaration ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Terms:
    """Royalty mode and standard (Art 50), licence term (Art 85(4)), other terms, contact, fee status."""

    mode: str
    lump_sum: Decimal | None = None  # yuan, LUMP_SUM
    rate: Decimal | None = None  # percent, RUNNING and ENTRY_PLUS_RUNNING
    rate_basis: str = NET_SALES
    entry_fee: Decimal | None = None  # yuan, ENTRY_PLUS_RUNNING
    term_start: date | None = None
    term_end: date | None = None
    other_terms: str = ""
    contact: str = ""
    small_entity: str = "none"

    @property
    def fixed_fee(self) -> Decimal:
        """What a licensee pays up front: the lump sum or the entry fee (0 for a pure running royalty)."""
        if self.mode == LUMP_SUM:
            return self.lump_sum or Decimal(0)
        if self.mode == ENTRY_PLUS_RUNNING:
            return self.entry_fee or Decimal(0)
        return Decimal(0)


def _decimal(text: str, fieldname: str, problems: list) -> Decimal | None:
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems.append((fieldname, Msg("'{value}' is not a number", value=text[:20])))
        return None
    if not value.is_finite() or value <= 0:
        problems.append((fieldname, Msg("Enter an amount greater than zero")))
        return None
    return value


def parse_terms(values: dict, today: date) -> tuple[Terms, list[tuple[str, Msg]]]:
    """The posted form as Terms, and every problem of form (each with its field)."""
    problems: list[tuple[str, Msg]] = []
    mode = (values.get("mode") or "").strip()
    if mode not in MODES:
        problems.append(("mode", Msg("Choose the royalty payment mode")))
    basis = (values.get("rate_basis") or NET_SALES).strip()
    if basis not in RATE_BASES:
        problems.append(("rate_basis", Msg("Choose what the rate is a percentage of")))
    lump = _decimal(values.get("lump_sum", ""), "lump_sum", problems)
    rate = _decimal(values.get("rate", ""), "rate", problems)
    entry = _decimal(values.get("entry_fee", ""), "entry_fee", problems)
    if rate is not None and rate >= 100:
        problems.append(("rate", Msg("A rate is a percentage below 100")))
    if mode == LUMP_SUM and lump is None and not any(f == "lump_sum" for f, _ in problems):
        problems.append(("lump_sum", Msg("{field} is required", field=Msg("Lump sum (yuan)"))))
    if mode in (RUNNING, ENTRY_PLUS_RUNNING) and rate is None and not any(f == "rate" for f, _ in problems):
        problems.append(("rate", Msg("{field} is required", field=Msg("Royalty rate (%)"))))
    if mode == ENTRY_PLUS_RUNNING and entry is None and not any(f == "entry_fee" for f, _ in problems):
        problems.append(("entry_fee", Msg("{field} is required", field=Msg("Entry fee (yuan)"))))
    start = form_day(values.get("term_start", ""), "term_start", problems)
    end = form_day(values.get("term_end", ""), "term_end", problems)
    if start is None and not any(f == "term_start" for f, _ in problems):
        problems.append(("term_start", Msg("{field} is required", field=Msg("Licence term from"))))
    if end is None and not any(f == "term_end" for f, _ in problems):
        problems.append(("term_end", Msg("{field} is required", field=Msg("Licence term until"))))
    if start and end and end <= start:
        problems.append(("term_end", Msg("The licence term must end after it starts")))
    if end and end < today:
        problems.append(("term_end", Msg("The licence term has already ended")))
    other = (values.get("other_terms") or "").strip()
    contact = (values.get("contact") or "").strip()
    if len(other) > 4000:
        problems.append(("other_terms", Msg("{field} is longer than {n} characters", field=Msg("Other terms"),
                                             n=4000)))
    if not contact:
        problems.append(("contact", Msg("{field} is required", field=Msg("Contact"))))
    elif len(contact) > 200:
        problems.append(("contact", Msg("{field} is longer than {n} characters", field=Msg("Contact"), n=200)))
    small = (values.get("small_entity") or "none").strip()
    if small not in SMALL_ENTITY:
        problems.append(("small_entity", Msg("Choose the fee-reduction status")))
    # The terms as far as they could be read, so that the register grounds and the caps are checked in the same
    # pass as the form (every problem named at once); only a problem-free result may be stored.
    return Terms(mode=mode, lump_sum=lump if mode == LUMP_SUM else None,
                 rate=rate if mode in (RUNNING, ENTRY_PLUS_RUNNING) else None,
                 rate_basis=basis if basis in RATE_BASES else NET_SALES,
                 entry_fee=entry if mode == ENTRY_PLUS_RUNNING else None, term_start=start, term_end=end,
                 other_terms=other, contact=contact, small_entity=small), problems


# --- eligibility -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ground:
    key: str  # a key of GROUNDS
    field: str  # the form field it concerns
    message: Msg  # why, with the facts

    def as_problem(self) -> tuple[str, Msg]:
        return self.field, self.message


@dataclass(frozen=True)
class Declarant:
    name: str  # the declaring unit's name (position.owners must hold it)
    consents: frozenset[str] = field(default_factory=frozenset)  # pledgees whose written consent is uploaded
    has_report: bool = False  # 专利权评价报告 uploaded
    # The other co-owners of a co-owned patent who join the declaration, each with a signed joint declaration
    # uploaded (Patent Law Art 14): a co-owned patent is declared by all its co-owners together.
    co_declarants: frozenset[str] = field(default_factory=frozenset)


def other_co_owners(position: Position, declarant: str) -> list[str]:
    """The co-owners the register names besides the declarant (empty for a patent with one owner)."""
    me = _norm(declarant)
    return [o for o in position.owners if _norm(o) != me] if position.co_owned else []


def co_owner_problems(position: Position, declarant: Declarant) -> list[Ground]:
    """Patent Law Art 14: every other co-owner joins the declaration; a name that is no co-owner is refused."""
    others = other_co_owners(position, declarant.name)
    known = {_norm(o) for o in others}
    out = [Ground("co_owned", "co_owners", Msg(
        "{name} is not a co-owner of {number} in the register; the register names: {owners}",
        name=n, number=position.patent_number, owners="、".join(position.owners) or "—"))
        for n in sorted(declarant.co_declarants) if _norm(n) not in known]
    joined = {_norm(n) for n in declarant.co_declarants}
    missing = [o for o in others if _norm(o) not in joined]
    if missing:
        out.append(Ground("co_owned", "co_owners", Msg(
            "{number} is co-owned: an open licence declaration needs the joint declaration of all co-owners; "
            "missing the signed joint declaration of: {names} (Patent Law Art 14)",
            number=position.patent_number, names="、".join(missing))))
    return out


ENDED_BY: dict[str, Msg] = {
    "fee_lapse": Msg("terminated for unpaid annual fees"), "expiry": Msg("term expired"),
    "surrender": Msg("surrendered"), "invalidation": Msg("invalidated"), "rejection": Msg("rejected"),
    "withdrawal": Msg("withdrawn"),
}


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name or "").replace("(", "（").replace(")", "）")


def royalty_problems(terms: Terms, rules: Rules) -> list[Ground]:
    """国知发运字〔2024〕19号: fixed royalty ≤ 20 M yuan; running ≤ 20 % of net sales or ≤ 40 % of profit."""
    out = []
    for name, value in (("lump_sum", terms.lump_sum), ("entry_fee", terms.entry_fee)):
        if value is not None and value > rules.max_fixed_yuan:
            out.append(Ground("royalty_cap", name, Msg(
                "A fixed royalty of {amount} yuan is above the cap of {cap} yuan (国知发运字〔2024〕19号)",
                amount=f"{value:,}", cap=f"{rules.max_fixed_yuan:,}")))
    if terms.rate is not None:
        cap = rules.max_rate_profit if terms.rate_basis == PROFIT else rules.max_rate_net_sales
        if terms.rate > cap:
            out.append(Ground("royalty_cap", "rate", Msg(
                "A running royalty of {rate} % of {basis} is above the cap of {cap} % (国知发运字〔2024〕19号)",
                rate=f"{terms.rate}", basis=RATE_BASES[terms.rate_basis], cap=f"{cap}")))
    return out


def advertising_words(text: str, rules: Rules) -> list[str]:
    """The words of the configured list found in the text (Implementing Regulations 2023 Art 85)."""
    return [w for w in rules.ad_words if w and w in (text or "")]


def eligibility(position: Position, terms: Terms | None, declarant: Declarant, *, rules: Rules,
                other_declaration: str = "") -> list[Ground]:
    """Every ground on which the declaration may not be published now (empty: it may).

    `position` is the patent's register position on the day; `other_declaration` the number of another open
    licence declaration of the same patent that is in effect or being examined.
    """
    out: list[Ground] = []
    if not position.granted or position.grant_date is None:
        # Implementing Regulations 2023 Art 85: only after the grant is announced (公告授予专利权后).
        out.append(Ground("not_granted", "patent_number", Msg(
            "{number}: the grant of the patent right has not been announced (Implementing Regulations 2023 "
            "Art 85)", number=position.patent_number)))
    elif not position.in_force:
        why = ENDED_BY.get(position.ended_by, Msg("not in force"))
        out.append(Ground("not_in_force", "patent_number", Msg(
            "{number}: the patent right is not in force ({why})", number=position.patent_number, why=why)))
    if _norm(declarant.name) not in {_norm(o) for o in position.owners}:
        # Patent Law Art 50: the patentee (专利权人) declares.
        out.append(Ground("not_patentee", "patent_number", Msg(
            "{name} is not the recorded patentee; the register names: {owners} (Patent Law Art 50)",
            name=declarant.name, owners="、".join(position.owners) or "—")))
    else:
        out.extend(co_owner_problems(position, declarant))  # Patent Law Art 14: all co-owners declare
    for e in position.exclusive_licences:  # Art 86(1)
        out.append(Ground("exclusive_licence", "patent_number", Msg(
            "An {kind} licence is in force until {end} ({reference}) (Implementing Regulations 2023 Art 86(1))",
            kind=Msg("exclusive") if e.detail.get("licence_type") == "exclusive" else Msg("sole"),
            end=e.end.isoformat() if e.end else "—", reference=e.reference or "—")))
    for e in position.suspensions:  # Art 86(2)
        kind = Msg("court preservation order") if e.kind == "preservation" else Msg("suspension (ownership dispute)")
        out.append(Ground("suspended", "patent_number", Msg(
            "The patent is under {kind} since {start} (Implementing Regulations 2023 Art 86(2))", kind=kind,
            start=e.start.isoformat() if e.start else "—")))
    if position.fees is not None and position.fees.unpaid:  # Art 86(3)
        out.append(Ground("fees_unpaid", "patent_number", Msg(
            "The annual fee for patent year {year} (due {due}) is unpaid (Implementing Regulations 2023 Art 86(3))",
            year=position.fees.current_year, due=position.fees.due_on.isoformat() if position.fees.due_on else "—")))
    consents = {_norm(c) for c in declarant.consents}
    for e in position.pledges:  # Art 86(4): each pledgee in force must have consented in writing
        pledgee = str(e.detail.get("pledgee") or "").strip()
        if not pledgee or _norm(pledgee) not in consents:
            out.append(Ground("pledged", "consents", Msg(
                "The patent is pledged to {pledgee} ({reference}); upload that pledgee's written consent "
                "(Implementing Regulations 2023 Art 86(4))", pledgee=pledgee or Msg("an unnamed pledgee"),
                reference=e.reference or "—")))
    if terms is not None and terms.term_end and position.term_end and terms.term_end > position.term_end:
        out.append(Ground("term_beyond_life", "term_end", Msg(
            "The licence term ends on {end}, after the patent's term ends on {life} (Patent Law Art 42)",
            end=terms.term_end.isoformat(), life=position.term_end.isoformat())))
    if terms is not None:
        out.extend(royalty_problems(terms, rules))
    if other_declaration:
        out.append(Ground("already_open", "patent_number", Msg(
            "Open licence declaration {number} already exists for this patent (Patent Law Art 50)",
            number=other_declaration)))
    elif position.open_licence is not None:
        out.append(Ground("already_open", "patent_number", Msg(
            "An open licence is already in effect for this patent ({reference}) (Patent Law Art 50)",
            reference=position.open_licence.reference or "—")))
    if position.patent_type in NEEDS_REPORT and not declarant.has_report:
        out.append(Ground("report_missing", "evaluation_report", Msg(
            "A {kind} needs its patent-right evaluation report (专利权评价报告) (Patent Law Art 50)",
            kind=PATENT_TYPES[position.patent_type])))
    if terms is not None:
        words = advertising_words(f"{terms.other_terms}\n{terms.contact}", rules)
        if words:
            out.append(Ground("advertising", "other_terms", Msg(
                "Advertising language is not allowed in the declaration: {words} (Implementing Regulations 2023 "
                "Art 85)", words="、".join(words))))
    return out


def problems_of(grounds: list[Ground]) -> list[tuple[str, Msg]]:
    return [g.as_problem() for g in grounds]


# --- taking a licence --------------------------------------------------------------------------------------

TAKEABLE_STATES = ("published", "withdrawal_requested")  # in effect until the withdrawal is published


def licence_problems(values: dict, *, terms: Terms, published_on: date | None, today: date,
                     licensee: str, owners: tuple[str, ...]) -> tuple[date | None, list[tuple[str, Msg]]]:
    """Patent Law Art 51: the notice names the payment mode of the published terms, the start, the products or
    field of use and a contact; the patentee cannot take its own licence."""
    problems: list[tuple[str, Msg]] = []
    if _norm(licensee) in {_norm(o) for o in owners}:
        problems.append((None, Msg("The patentee cannot take a licence of its own patent")))
    mode = (values.get("mode") or "").strip()
    if mode != terms.mode:
        problems.append(("mode", Msg("Choose the payment mode of the published terms: {mode}",
                                     mode=MODES[terms.mode])))
    start = form_day(values.get("start_on", ""), "start_on", problems)
    if start is None and not any(f == "start_on" for f, _ in problems):
        problems.append(("start_on", Msg("{field} is required", field=Msg("Licence starts on"))))
    elif start is not None:
        first = max(d for d in (published_on, terms.term_start, today) if d is not None)
        if start < first:
            problems.append(("start_on", Msg("The licence may start from {date}", date=first.isoformat())))
        elif terms.term_end and start > terms.term_end:
            problems.append(("start_on", Msg("The open licence term ends on {date}",
                                             date=terms.term_end.isoformat())))
    for name, label, limit in (("products", Msg("Products or field of use"), 2000), ("contact", Msg("Contact"), 200)):
        text = (values.get(name) or "").strip()
        if not text:
            problems.append((name, Msg("{field} is required", field=label)))
        elif len(text) > limit:
            problems.append((name, Msg("{field} is longer than {n} characters", field=label, n=limit)))
    return start, problems


def payment_problems(values: dict, today: date) -> tuple[tuple[Decimal, date] | None, list[tuple[str, Msg]]]:
    problems: list[tuple[str, Msg]] = []
    amount = _decimal(values.get("amount", ""), "amount", problems)
    if amount is None and not any(f == "amount" for f, _ in problems):
        problems.append(("amount", Msg("{field} is required", field=Msg("Amount (yuan)"))))
    paid = form_day(values.get("paid_on", ""), "paid_on", problems)
    if paid is None and not any(f == "paid_on" for f, _ in problems):
        problems.append(("paid_on", Msg("{field} is required", field=Msg("Paid on"))))
    elif paid is not None and paid > today:
        problems.append(("paid_on", Msg("The payment date is in the future")))
    if len((values.get("period") or "").strip()) > 100:
        problems.append(("period", Msg("{field} is longer than {n} characters", field=Msg("Period"), n=100)))
    if problems:
        return None, problems
    return (amount, paid), []


# --- the annual-fee effect ---------------------------------------------------------------------------------

def open_licence_years(filing_date: date, periods: list[tuple[date, date | None]], last_year: int) -> set[int]:
    """Patent years whose fee falls due while an open licence is in effect (财税〔2024〕23号: the 15 % applies
    while the open licence is in effect). A year counts when its first day lies within a period; the fee of a
    year is due before it begins, so this is the reading most favourable to the patentee that the sources
    allow without more detail (unverified; documented)."""
    years = set()
    for year in range(1, last_year + 1):
        starts = fees.year_start(filing_date, year)
        for begin, end in periods:
            if begin <= starts and (end is None or starts <= end):
                years.add(year)
    return years


def fee_schedule(position: Position, small_entity: str, periods: list[tuple[date, date | None]],
                 reduction_years: int = fees.REDUCTION_YEARS_AFTER_GRANT) -> list[fees.FeeYear]:
    """The annual-fee schedule with the reduction of each year: 减缴 85/70 % or the open licence's 15 %, the most
    favourable only (财税〔2024〕23号: they do not stack); 减缴 for the first `reduction_years` years after grant."""
    if position.app_date is None or position.patent_type is None or position.grant_date is None:
        return []
    last = fees.term_years(position.patent_type, position.app_date)
    years = open_licence_years(position.app_date, periods, last)
    return fees.schedule(position.patent_type, position.app_date, position.grant_date,
                         small_entity=SMALL_ENTITY_REDUCTION.get(small_entity), open_licence_years=years,
                         reduction_years=reduction_years)
