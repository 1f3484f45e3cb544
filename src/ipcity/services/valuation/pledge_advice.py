"""The suggested pledge rate (质押率): a table of rules on the overall score and the remaining term, with the
register facts that bar a pledge and too thin an input as reasons for a rate of 0.

What bars a pledge is the register check the pledge registration itself applies (patents/register_check.py:
refusal grounds 2, 3, 4, 5, 9 and 11 of the Measures for Patent Pledge Registration): a patent that fails one
gets no suggested rate, with the ground named and its legal basis — valuation and pledge never disagree.

Pure. Unverified bank practice (rules.md §3.2: "a fraction of appraised value"): the table is configurable
through the weights file (weights.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ipcity.core.i18n import Msg
from ipcity.patents.position import Position
from ipcity.patents.register_check import Bar, pledge_bars


@dataclass(frozen=True)
class RateRule:
    """A pledge rate (质押率) for an overall score and a remaining term at least these (first match wins)."""

    min_score: float
    min_remaining_years: float
    rate: float


# Unverified bank practice (rules.md §3.2: "a fraction of appraised value"; 0.3–0.5 is what is commonly quoted).
DEFAULT_PLEDGE_RATES: tuple[RateRule, ...] = (
    RateRule(80, 5, 0.50), RateRule(65, 5, 0.45), RateRule(50, 3, 0.40), RateRule(35, 3, 0.30),
)
# Below this share of the weight backed by present inputs, no pledge rate is suggested (the default of the
# setting IPCITY_VALUATION_MIN_COVERAGE; unverified practice).
MIN_COVERAGE = 0.6


@dataclass(frozen=True)
class PledgeAdvice:
    rate: float  # 0–1
    reasons: tuple[Msg, ...]  # why the rate is 0 or limited; empty when a rule matched cleanly
    rule: RateRule | None
    loan: float | None  # indicative value × rate, when there is a value
    bars: tuple[Bar, ...] = ()  # refusal grounds of the register check: no rate is suggested at all

    @property
    def barred(self) -> bool:
        return bool(self.bars)


def refusal_bars(position: Position, own_reference: str = "") -> list[Bar]:
    """The refusal grounds the register shows against pledging the patent (the pledge's own register check);
    `own_reference`: the registration number of the pledge being looked at, whose own entry does not count."""
    return pledge_bars(position, own_reference=own_reference)


def bar_reason(bar: Bar) -> Msg:
    """A ground as one line: its number and name, the facts, the legal basis."""
    return Msg("Refusal ground {n}, {label}: {facts} ({basis})", n=bar.ground, label=bar.label, facts=bar.message,
               basis=bar.basis)


def refusal_reasons(position: Position) -> list[Msg]:
    """The register's refusal grounds as reasons (a rate of 0)."""
    return [bar_reason(b) for b in refusal_bars(position)]


def pledge_advice(overall: float | None, remaining_years: float, *, refusals: list[Msg] | None = None,
                  value: float | None = None, rules: tuple[RateRule, ...] = DEFAULT_PLEDGE_RATES,
                  coverage: float = 1.0, min_coverage: float = MIN_COVERAGE,
                  bars: list[Bar] | tuple[Bar, ...] = ()) -> PledgeAdvice:
    """The suggested pledge rate: the first rule whose score and remaining-term floors are met; 0 when none is,
    when a refusal ground applies (`bars`, from the register check, or other `refusals`), or when inputs behind
    less than `min_coverage` of the weight were present (a score redistributed from a few inputs is no basis for
    a loan). Unverified bank practice: configurable."""
    if bars:
        return PledgeAdvice(0.0, tuple(bar_reason(b) for b in bars), None, 0.0 if value is not None else None,
                            tuple(bars))
    reasons = list(refusals or [])
    if not reasons and coverage < min_coverage - 1e-9:
        reasons.append(Msg("Too few inputs: those present carry {share} of the weight, under {floor}",
                           share=f"{coverage:.0%}", floor=f"{min_coverage:.0%}"))
    if reasons:
        return PledgeAdvice(0.0, tuple(reasons), None, 0.0 if value is not None else None)
    if overall is None:
        return PledgeAdvice(0.0, (Msg("No indicator could be scored"),), None, 0.0 if value is not None else None)
    for rule in rules:
        if overall >= rule.min_score - 1e-9 and remaining_years >= rule.min_remaining_years - 1e-9:
            return PledgeAdvice(rule.rate, (), rule, value * rule.rate if value is not None else None)
    return PledgeAdvice(0.0, (Msg("The score or the remaining term is below every pledge-rate rule"),), None,
                        0.0 if value is not None else None)
