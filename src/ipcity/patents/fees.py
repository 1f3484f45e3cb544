"""Patent terms and annual fees (年费): the schedule, late payment, and which reduction applies.

Pure functions on dates and amounts (yuan). Sources, rules.md §12.4–12.5 and §2.3:
- term: Patent Law Art 42 — invention 20, utility model 10, design 15 years from filing (designs filed before
  2021-06-01 keep 10; the cut-off detail is unverified);
- annual fees by patent year: CNIPA fee schedule [S136][S137];
- late payment: Implementing Regulations 2023 Art 115 — within 6 months of the due date with a surcharge of 5 % of
  the full fee for each month late (none under one month), else the patent terminates from the due date;
- reductions: 85 % (one individual or small firm) / 70 % (several) under the fee-reduction measures, for the
  first years after grant (10 since the 2024 change: unverified, so configurable); 15 % while an open licence is
  in effect (财税〔2024〕23号); reductions do not stack — the most favourable applies (same notice).
The patent engine's open licensing and pledge services build on this (issue 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from ipcity.patents.record import DESIGN, INVENTION, UTILITY

DESIGN_15_YEARS_FROM = date(2021, 6, 1)  # Patent Law 2020 in force; unverified cut-off detail
TERM_YEARS = {INVENTION: 20, UTILITY: 10, DESIGN: 15}

# (first patent year, last patent year, yuan per year)
ANNUAL_FEES: dict[str, tuple[tuple[int, int, int], ...]] = {
    INVENTION: ((1, 3, 900), (4, 6, 1200), (7, 9, 2000), (10, 12, 4000), (13, 15, 6000), (16, 20, 8000)),
    UTILITY: ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000)),
    DESIGN: ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000), (11, 15, 3000)),
}
GRACE_MONTHS = 6  # Implementing Regulations Art 115
SURCHARGE_PER_MONTH = 0.05  # of the full annual fee, per month late


def term_years(patent_type: str, filing_date: date) -> int:
    if patent_type == DESIGN and filing_date < DESIGN_15_YEARS_FROM:
        return 10
    try:
        return TERM_YEARS[patent_type]
    except KeyError:
        raise ValueError(f"unknown patent type {patent_type!r}") from None


def term_end(patent_type: str, filing_date: date) -> date:
    """The last day of protection: the term counts from the filing date (Art 42)."""
    return filing_date + relativedelta(years=term_years(patent_type, filing_date)) - timedelta(days=1)


def year_start(filing_date: date, year: int) -> date:
    """Patent year n runs from the (n-1)th anniversary of the filing date."""
    return filing_date + relativedelta(years=year - 1)


def patent_year(filing_date: date, on: date) -> int:
    """The patent year `on` falls in (1 from the filing date)."""
    if on < filing_date:
        raise ValueError("the day is before the filing date")
    year = on.year - filing_date.year + 1
    if year_start(filing_date, year) > on:
        year -= 1
    return year


def annual_fee(patent_type: str, year: int, filing_date: date | None = None) -> int:
    """The full annual fee of patent year `year`, in yuan."""
    last = term_years(patent_type, filing_date) if filing_date else TERM_YEARS[patent_type]
    if not 1 <= year <= last:
        raise ValueError(f"a {patent_type} has no patent year {year} (term {last} years)")
    return next(fee for first, end, fee in ANNUAL_FEES[patent_type] if first <= year <= end)


def months_late(due: date, paid_on: date) -> int:
    """Whole months from the due date to payment (0 if on time or less than a month late)."""
    months = 0
    while due + relativedelta(months=months + 1) <= paid_on:
        months += 1
    return months


def grace_end(due: date) -> date:
    """The last day a late annual fee may still be paid, with the surcharge (Art 115: six months)."""
    return due + relativedelta(months=GRACE_MONTHS)


def due_date(filing_date: date, year: int) -> date:
    """The fee of patent year n is paid before year n begins: its due date is the day before."""
    return year_start(filing_date, year) - timedelta(days=1)


def surcharge(full_fee: int, due: date, paid_on: date) -> int:
    """Late-payment surcharge (Art 115); ValueError once the 6-month grace period has passed."""
    grace_ends = grace_end(due)
    if paid_on > grace_ends:
        raise ValueError(f"the grace period ended on {grace_ends.isoformat()}: "
                         "the patent terminated from the due date")
    return round(full_fee * SURCHARGE_PER_MONTH * months_late(due, paid_on))


@dataclass(frozen=True)
class Reduction:
    key: str
    rate: float  # share of the fee that is waived
    basis: str


# The default; an installation's own is Settings.fee_reduction_years_after_grant (from
# IPCITY_FEE_REDUCTION_YEARS_AFTER_GRANT), passed to schedule().
REDUCTION_YEARS_AFTER_GRANT = 10
SINGLE_SMALL = Reduction("small_single", 0.85, "费减办法: one individual or small enterprise, 85 %")
SEVERAL_SMALL = Reduction("small_several", 0.70, "费减办法: several individuals or small enterprises, 70 %")
OPEN_LICENCE = Reduction("open_licence", 0.15, "财税〔2024〕23号: open licence in effect, 15 %")


def fee_reduction_applies(grant_date: date | None, year_start_day: date,
                          years: int = REDUCTION_YEARS_AFTER_GRANT) -> bool:
    """The 减缴 reduction covers the annual fees of the first `years` years after grant (unverified: 10)."""
    return grant_date is not None and year_start_day < grant_date + relativedelta(years=years)


def best_reduction(candidates: list[Reduction]) -> Reduction | None:
    """Reductions do not stack: the most favourable one applies (财税〔2024〕23号)."""
    return max(candidates, key=lambda r: r.rate, default=None)


def payable(full_fee: int, candidates: list[Reduction]) -> tuple[int, Reduction | None]:
    chosen = best_reduction(candidates)
    return (round(full_fee * (1 - chosen.rate)) if chosen else full_fee), chosen


@dataclass(frozen=True)
class FeeYear:
    year: int
    starts: date
    due: date  # the fee of year n is paid before year n begins (the first with the grant formalities)
    full: int
    payable: int
    reduction: Reduction | None


def schedule(patent_type: str, filing_date: date, grant_date: date | None, *, small_entity: Reduction | None = None,
             open_licence_years: set[int] = frozenset(),
             reduction_years: int = REDUCTION_YEARS_AFTER_GRANT) -> list[FeeYear]:
    """Every patent year from grant to the end of the term, with the reduction that applies to each.

    `open_licence_years` are the patent years during which an open licence is in effect; `small_entity` is the
    holder's 减缴 entitlement (SINGLE_SMALL or SEVERAL_SMALL), if any, which covers the first `reduction_years` years
    after grant. The first fee (the year of grant) is due with the grant registration formalities (Art 114); here,
    on the grant date.
    """
    if grant_date is None:
        return []
    first = patent_year(filing_date, grant_date)
    out = []
    for year in range(first, term_years(patent_type, filing_date) + 1):
        starts = year_start(filing_date, year)
        candidates = []
        if small_entity and fee_reduction_applies(grant_date, starts, reduction_years):
            candidates.append(small_entity)
        if year in open_licence_years:
            candidates.append(OPEN_LICENCE)
        full = annual_fee(patent_type, year, filing_date)
        amount, chosen = payable(full, candidates)
        due = grant_date if year == first else due_date(filing_date, year)
        out.append(FeeYear(year, starts, due, full, amount, chosen))
    return out
