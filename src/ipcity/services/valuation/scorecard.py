"""The score card: each indicator normalised, weighted sums per first-level value and overall, the grade.

Pure. A missing input is shown missing and its weight shared among the present ones — never scored 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ipcity.services.valuation.domain import DEFAULT_GRADES, INDICATOR_KEYS, INDICATORS, LEVELS, MEMBERS, Scenario
from ipcity.services.valuation.weights import DEFAULT_CONFIG, Config

_KEYS = frozenset(INDICATOR_KEYS)


@dataclass(slots=True)  # not frozen: built 15 times a patent, and frozen dataclasses construct slowly
class IndicatorScore:
    key: str
    level: str
    name_zh: str
    name_en: str
    value: Any  # the raw input; None = missing in the source
    score: float | None  # 0–100; None when missing
    weight: float  # the scenario's weight within the level
    effective_weight: float  # within the level, after missing inputs' weight is redistributed
    overall_weight: float  # share of the overall score (effective level weight × effective weight)

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass(slots=True)
class LevelScore:
    key: str
    name_zh: str
    name_en: str
    score: float | None
    weight: float
    effective_weight: float
    missing: tuple[str, ...]  # indicators of the level with weight whose input is missing


@dataclass(frozen=True)
class ScoreCard:
    scenario: str
    indicators: tuple[IndicatorScore, ...]
    levels: tuple[LevelScore, ...]
    overall: float | None
    grade: str
    coverage: float  # share of the scenario's weight (level weight × indicator weight) backed by present inputs

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.indicators if i.missing and i.weight > 0)


def grade_of(score: float | None, grades: tuple[tuple[str, float], ...] = DEFAULT_GRADES) -> str:
    if score is None:
        return "—"
    for name, floor in grades:
        if score >= floor - 1e-9:
            return name
    return grades[-1][0]


def score(values: Mapping[str, Any], scenario: Scenario, config: Config = DEFAULT_CONFIG) -> ScoreCard:
    """Normalise each indicator, take the weighted sums per level and overall.

    Missing inputs (None) are shown as missing and their weight is shared among the level's other indicators
    in proportion to their weights (never scored 0); a level whose weighted inputs are all missing is left out
    and its weight shared among the other levels the same way.
    """
    if not _KEYS.issuperset(values):
        raise ValueError(f"unknown indicator(s): {', '.join(sorted(set(values) - _KEYS))}")
    weights, norms = scenario.weights, config.normalisers
    raw: dict[str, float | None] = {}
    for key in INDICATOR_KEYS:
        value = values.get(key)
        raw[key] = None if value is None else norms[key](value)
    level_scores: dict[str, float | None] = {}
    in_level: dict[str, float] = dict.fromkeys(INDICATOR_KEYS, 0.0)
    missing_of: dict[str, tuple[str, ...]] = {}
    for level, members in MEMBERS:
        present = [k for k in members if raw[k] is not None and weights.get(k, 0) > 0]
        total = sum(weights[k] for k in present)
        missing_of[level] = tuple(k for k in members if raw[k] is None and weights.get(k, 0) > 0)
        if total > 0:
            for k in present:
                in_level[k] = weights[k] / total
            level_scores[level] = sum(in_level[k] * raw[k] for k in present)
        else:
            level_scores[level] = None
    level_total = sum(w for lv, w in scenario.levels.items() if level_scores.get(lv) is not None)
    level_eff = {lv: (scenario.levels.get(lv, 0) / level_total if level_scores[lv] is not None and level_total > 0
                      else 0.0) for lv in LEVELS}
    overall = (sum(level_eff[lv] * level_scores[lv] for lv in LEVELS if level_scores[lv] is not None)
               if level_total > 0 else None)
    indicators = tuple(IndicatorScore(i.key, i.level, i.name_zh, i.name_en, values.get(i.key), raw[i.key],
                                      weights.get(i.key, 0.0), in_level[i.key], level_eff[i.level] * in_level[i.key])
                       for i in INDICATORS)
    levels = tuple(LevelScore(lv, zh, en, level_scores[lv], scenario.levels.get(lv, 0.0), level_eff[lv],
                              missing_of[lv]) for lv, (zh, en) in LEVELS.items())
    coverage = sum(scenario.levels.get(i.level, 0.0) * weights.get(i.key, 0.0)
                   for i in INDICATORS if raw[i.key] is not None)
    return ScoreCard(scenario.key, indicators, levels, overall, grade_of(overall, config.grades), coverage)
