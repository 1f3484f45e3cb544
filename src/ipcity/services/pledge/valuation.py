"""Patent valuation for financing (专利价值内部评估): the indicator model, the income approach and the pledge rate.

Pure: values in, decisions out; no SQL, no web. valuation_data.py reads the register and the corpus,
valuation_service.py runs the use cases.

**The model follows the organisation of GB/T 42748-2023 《专利评估指引》** (rules.md §3.2): three first-level
values — 法律价值 (legal), 技术价值 (technical), 经济价值 (economic) — with indicators chosen and weighted by
scenario (金融 finance, 许可 licensing, 转让 transfer here). The standard's own 14 second-level and 27
third-level indicator names were **not retrieved** (rules.md §3.2), so the indicators below are ours: each
has a Chinese and an English name and is mapped to one of the three values, and the whole tree is the
`INDICATORS` table (data, not code). Bank practice (the factors, the pledge rate 质押率) is **unverified**
general practice: the weights, the normalisers' anchors, the grades and the pledge-rate table are
configurable through the file named by IPCITY_VALUATION_WEIGHTS (JSON or TOML; docs/valuation.md).

This is an internal evaluation, not an asset-valuation report (资产评估报告) under the Asset Appraisal Law
(资产评估法); the report says so.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.patents.position import (
    INVALIDATION_REQUEST,
    LICENCE,
    PLEDGE,
    PRESERVATION,
    SUSPENSION,
    Position,
    RegisterEntry,
)
from ipcity.patents.record import DESIGN, INVENTION, UTILITY, PatentRecord

WEIGHTS_ENV = "IPCITY_VALUATION_WEIGHTS"

# --- the first-level values (GB/T 42748-2023: 法律价值, 技术价值, 经济价值) ---------------------------------------

LEGAL, TECHNICAL, ECONOMIC = "legal", "technical", "economic"
LEVELS: dict[str, tuple[str, str]] = {
    LEGAL: ("法律价值", "Legal value"),
    TECHNICAL: ("技术价值", "Technical value"),
    ECONOMIC: ("经济价值", "Economic value"),
}


# --- normalisers: raw value → 0–100 ----------------------------------------------------------------------

@dataclass(frozen=True)
class Piecewise:
    """Piecewise linear through the anchor points (x, score), x increasing; flat beyond the first and last."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self):
        xs = [x for x, _ in self.points]
        if len(self.points) < 2 or xs != sorted(xs) or len(set(xs)) != len(xs):
            raise ValueError("a piecewise normaliser needs two or more points with increasing x")
        if any(not 0 <= y <= 100 for _, y in self.points):
            raise ValueError("a piecewise normaliser's scores must lie between 0 and 100")

    def __call__(self, x: float) -> float:
        pts = self.points
        if x <= pts[0][0]:
            return float(pts[0][1])
        if x >= pts[-1][0]:
            return float(pts[-1][1])
        i = bisect_right([p[0] for p in pts], x)
        (x0, y0), (x1, y1) = pts[i - 1], pts[i]
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)

    def describe(self) -> str:
        return "piecewise linear through " + ", ".join(f"({_num(x)}, {_num(y)})" for x, y in self.points)

    def to_dict(self) -> dict:
        return {"kind": "piecewise", "points": [list(p) for p in self.points]}


@dataclass(frozen=True)
class Logistic:
    """100 / (1 + e^(−(x − midpoint) / scale)): 50 at the midpoint, 73.1 one scale above, 26.9 one below."""

    midpoint: float
    scale: float

    def __post_init__(self):
        if not self.scale > 0:
            raise ValueError("a logistic normaliser needs a positive scale")

    def __call__(self, x: float) -> float:
        z = (x - self.midpoint) / self.scale
        if z < -700:
            return 0.0
        return 100.0 / (1.0 + math.exp(-z))

    def describe(self) -> str:
        return f"logistic, midpoint {_num(self.midpoint)}, scale {_num(self.scale)}"

    def to_dict(self) -> dict:
        return {"kind": "logistic", "midpoint": self.midpoint, "scale": self.scale}


@dataclass(frozen=True)
class Categories:
    """A score per category; a category not listed scores `default` (None: the input counts as missing)."""

    scores: tuple[tuple[str, float], ...]
    default: float | None = None

    def __call__(self, x: str) -> float | None:
        return dict(self.scores).get(x, self.default)

    def describe(self) -> str:
        return "categories " + ", ".join(f"{k} → {_num(v)}" for k, v in self.scores)

    def to_dict(self) -> dict:
        return {"kind": "categories", "scores": dict(self.scores), "default": self.default}


Normaliser = Piecewise | Logistic | Categories


def normaliser_from(spec: Mapping) -> Normaliser:
    """A normaliser from its file form: {"kind": "piecewise", "points": [[x, y], ...]}, {"kind": "logistic",
    "midpoint": m, "scale": s} or {"kind": "categories", "scores": {...}, "default": d}."""
    kind = spec.get("kind")
    if kind == "piecewise":
        return Piecewise(tuple((float(x), float(y)) for x, y in spec["points"]))
    if kind == "logistic":
        return Logistic(float(spec["midpoint"]), float(spec["scale"]))
    if kind == "categories":
        default = spec.get("default")
        return Categories(tuple((str(k), float(v)) for k, v in dict(spec["scores"]).items()),
                          None if default is None else float(default))
    raise ValueError(f"unknown normaliser kind {kind!r} (piecewise, logistic, categories)")


def _num(x: float) -> str:
    return f"{x:g}"


# --- the indicator tree (data) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    key: str
    level: str  # LEGAL / TECHNICAL / ECONOMIC
    name_zh: str
    name_en: str
    unit: str  # what the raw value counts
    source: str  # where the value comes from
    normaliser: Normaliser


IN_FORCE, GRACE, ENCUMBERED, LAPSED_STATUS, NOT_GRANTED = "in_force", "fee_grace", "suspended", "lapsed", "not_granted"

# The tree: indicator → first-level value. Order is the report's order. Anchors are ours (unverified practice).
INDICATORS: tuple[Indicator, ...] = (
    Indicator("remaining_term", LEGAL, "剩余保护期限", "Remaining term", "years",
              "Patent Law Art 42 term from the filing date (patents.fees.term_end) less the valuation date",
              Piecewise(((0, 0), (2, 20), (5, 50), (10, 80), (15, 100)))),
    Indicator("legal_status", LEGAL, "法律状态", "Legal status", "status",
              "register position: in force; annual fee in its 6-month grace (Implementing Regulations Art 115); "
              "suspended or under preservation (Arts 103–104); lapsed",
              Categories(((IN_FORCE, 100.0), (GRACE, 50.0), (ENCUMBERED, 20.0), (LAPSED_STATUS, 0.0),
                          (NOT_GRANTED, 0.0)))),
    Indicator("status_history", LEGAL, "权利稳定性（法律状态变化）", "Stability of the right (status history)",
              "adverse events", "legal events: terminations for unpaid fees (restored or not), partial and full "
              "invalidations",
              Piecewise(((0, 100), (1, 60), (2, 35), (4, 10)))),
    Indicator("disputes", LEGAL, "涉诉与争议", "Litigation and disputes", "events",
              "register: preservation orders, suspensions (ownership disputes), invalidation requests, ever",
              Piecewise(((0, 100), (1, 55), (2, 30), (4, 10)))),
    Indicator("independent_claims", LEGAL, "独立权利要求数", "Independent claims", "claims",
              "claims text: claims that do not refer to an earlier claim",
              Piecewise(((1, 50), (2, 75), (3, 90), (5, 100)))),
    Indicator("first_claim_length", LEGAL, "首项权利要求长度（越短越宽）",
              "Length of the first claim (shorter is broader)", "characters",
              "claims text: characters of claim 1 (an English word counts as "
              "ENGLISH_WORD_CHARS characters)",
              Piecewise(((60, 100), (150, 80), (300, 50), (600, 20), (1000, 5)))),
    Indicator("family_size", LEGAL, "同族规模（地域保护范围）", "Family size (territorial coverage)", "publications",
              "record: family size, or the family members listed plus one",
              Piecewise(((1, 25), (2, 50), (4, 75), (8, 100)))),
    Indicator("cited_by", TECHNICAL, "被引次数", "Citations received", "citations",
              "record: times cited, where the source counts it",
              Piecewise(((0, 10), (1, 30), (5, 60), (15, 85), (40, 100)))),
    Indicator("claim_count", TECHNICAL, "权利要求数量", "Number of claims", "claims", "claims text",
              Piecewise(((1, 30), (3, 50), (6, 70), (10, 85), (20, 100)))),
    Indicator("field_activity", TECHNICAL, "技术领域活跃度", "Activity of the technical field", "percentile",
              "corpus: applications in the main IPC subclass over the last complete years, as a percentile "
              "among subclasses",
              Piecewise(((0, 0), (100, 100)))),
    Indicator("field_growth", TECHNICAL, "技术领域增长率", "Growth of the technical field", "per year",
              "corpus: yearly growth of the subclass's applications, recent three years against the three before",
              Logistic(0.0, 0.08)),
    Indicator("patent_type", TECHNICAL, "专利类型（创造性高度）", "Patent type (level of inventiveness)", "type",
              "record: invention, utility model or design (Patent Law Art 2)",
              Categories(((INVENTION, 100.0), (UTILITY, 60.0), (DESIGN, 40.0)))),
    Indicator("transfers", ECONOMIC, "转让次数", "Transfers", "transfers",
              "legal events: 专利权的转移", Piecewise(((0, 40), (1, 70), (2, 85), (4, 100)))),
    Indicator("licences", ECONOMIC, "许可备案", "Licences recorded", "licences",
              "legal events and register: licence contracts recorded (an exclusive or sole licence counts double)",
              Piecewise(((0, 30), (1, 70), (3, 90), (5, 100)))),
    Indicator("pledges", ECONOMIC, "质押融资记录", "Pledge financing history", "pledges",
              "legal events and register: pledges registered", Piecewise(((0, 40), (1, 70), (3, 90), (5, 100)))),
)
INDICATOR_KEYS = tuple(i.key for i in INDICATORS)
BY_KEY = {i.key: i for i in INDICATORS}
_KEYS = frozenset(INDICATOR_KEYS)
_MEMBERS = tuple((level, tuple(i.key for i in INDICATORS if i.level == level))
                 for level in (LEGAL, TECHNICAL, ECONOMIC))

# --- scenarios and configuration ---------------------------------------------------------------------------

FINANCE, LICENSING, TRANSFER = "finance", "licensing", "transfer"


@dataclass(frozen=True)
class Scenario:
    key: str
    name_zh: str
    name_en: str
    levels: dict[str, float]  # first-level weights, summing to 1
    weights: dict[str, float]  # indicator weights, summing to 1 within each level


def _scenario(key, zh, en, levels, weights) -> Scenario:
    return Scenario(key, zh, en, dict(zip((LEGAL, TECHNICAL, ECONOMIC), levels, strict=True)),
                    dict(zip(INDICATOR_KEYS, weights, strict=True)))


# Weights in INDICATORS order: 7 legal, 5 technical, 3 economic. Unverified practice: configurable.
DEFAULT_SCENARIOS: dict[str, Scenario] = {s.key: s for s in (
    _scenario(FINANCE, "金融", "Finance (pledge financing)", (0.45, 0.25, 0.30),
              (0.25, 0.20, 0.10, 0.15, 0.08, 0.12, 0.10, 0.30, 0.15, 0.20, 0.20, 0.15, 0.25, 0.45, 0.30)),
    _scenario(LICENSING, "许可", "Licensing", (0.30, 0.35, 0.35),
              (0.25, 0.15, 0.10, 0.10, 0.10, 0.20, 0.10, 0.30, 0.15, 0.20, 0.25, 0.10, 0.20, 0.60, 0.20)),
    _scenario(TRANSFER, "转让", "Transfer", (0.40, 0.30, 0.30),
              (0.25, 0.15, 0.10, 0.15, 0.10, 0.15, 0.10, 0.30, 0.20, 0.20, 0.20, 0.10, 0.50, 0.30, 0.20)),
)}
DEFAULT_GRADES: tuple[tuple[str, float], ...] = (("A", 80.0), ("B", 65.0), ("C", 50.0), ("D", 35.0), ("E", 0.0))


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
TOLERANCE = 1e-6
# Below this share of the weight backed by present inputs, no pledge rate is suggested (configurable, unverified).
MIN_COVERAGE = float(os.environ.get("IPCITY_VALUATION_MIN_COVERAGE", "0.6"))


class ValuationConfigError(ValueError):
    """The weights file (or a scenario given in code) is not valid; `problems` lists every fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("valuation configuration: " + "; ".join(problems))


@dataclass(frozen=True)
class Config:
    scenarios: dict[str, Scenario]
    normalisers: dict[str, Normaliser]
    grades: tuple[tuple[str, float], ...]
    pledge_rates: tuple[RateRule, ...]
    source: str = "built-in defaults"

    def scenario(self, key: str) -> Scenario:
        try:
            return self.scenarios[key]
        except KeyError:
            raise DomainError(Msg("Unknown valuation scenario '{key}'; choose one of {known}", key=str(key)[:40],
                                  known=", ".join(self.scenarios)), field="scenario") from None


DEFAULT_CONFIG = Config(DEFAULT_SCENARIOS, {i.key: i.normaliser for i in INDICATORS}, DEFAULT_GRADES,
                        DEFAULT_PLEDGE_RATES)


def validate_scenario(scenario: Scenario) -> list[str]:
    """Every fault of a scenario's weights: unknown levels or indicators, negative weights, sums other than 1."""
    problems = []
    name = scenario.key
    unknown_levels = set(scenario.levels) - set(LEVELS)
    if unknown_levels:
        problems.append(f"scenario {name}: unknown first-level value(s) {', '.join(sorted(unknown_levels))} "
                        f"(known: {', '.join(LEVELS)})")
    unknown = set(scenario.weights) - set(BY_KEY)
    if unknown:
        problems.append(f"scenario {name}: unknown indicator(s) {', '.join(sorted(unknown))} "
                        f"(known: {', '.join(INDICATOR_KEYS)})")
    for key, w in [*scenario.levels.items(), *scenario.weights.items()]:
        if not isinstance(w, int | float) or isinstance(w, bool) or not math.isfinite(w) or w < 0:
            problems.append(f"scenario {name}: weight of {key} must be a number ≥ 0, not {w!r}")
    if problems:
        return problems
    if abs(sum(scenario.levels.values()) - 1) > TOLERANCE:
        problems.append(f"scenario {name}: first-level weights sum to {sum(scenario.levels.values()):.6g}, not 1")
    for level in LEVELS:
        weights = [w for k, w in scenario.weights.items() if BY_KEY[k].level == level]
        total = sum(weights)
        if scenario.levels.get(level, 0) == 0 and total == 0:
            continue
        if abs(total - 1) > TOLERANCE:
            problems.append(f"scenario {name}: indicator weights of {level} ({LEVELS[level][0]}) sum to "
                            f"{total:.6g}, not 1")
    return problems


def parse_config(data: Mapping, source: str = "file") -> Config:
    """The configuration from a weights file's contents, over the defaults (see docs/valuation.md).

    A scenario in the file replaces the built-in one of that key entirely (or adds a new one); normalisers
    replace the built-in one per indicator; `grades` and `pledge_rates` replace theirs. Every fault is reported.
    """
    problems: list[str] = []
    known_top = {"scenarios", "normalisers", "grades", "pledge_rates"}
    for key in set(data) - known_top:
        problems.append(f"unknown section {key!r} (known: {', '.join(sorted(known_top))})")
    scenarios = dict(DEFAULT_SCENARIOS)
    for key, spec in dict(data.get("scenarios") or {}).items():
        if not isinstance(spec, Mapping):
            problems.append(f"scenario {key}: expected a table with levels and indicators")
            continue
        base = DEFAULT_SCENARIOS.get(key)
        for part in set(spec) - {"levels", "indicators", "name_zh", "name_en"}:
            problems.append(f"scenario {key}: unknown entry {part!r} (levels, indicators, name_zh, name_en)")
        if "levels" not in spec or "indicators" not in spec:
            problems.append(f"scenario {key}: give both levels and indicators")
            continue
        scenario = Scenario(str(key), str(spec.get("name_zh") or (base.name_zh if base else key)),
                            str(spec.get("name_en") or (base.name_en if base else key)),
                            dict(spec["levels"]), dict(spec["indicators"]))
        found = validate_scenario(scenario)
        problems += found
        if not found:
            scenarios[key] = scenario
    normalisers = dict(DEFAULT_CONFIG.normalisers)
    for key, spec in dict(data.get("normalisers") or {}).items():
        if key not in BY_KEY:
            problems.append(f"normaliser for unknown indicator {key!r}")
            continue
        try:
            normalisers[key] = normaliser_from(spec)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"normaliser of {key}: {exc}")
    grades = DEFAULT_GRADES
    if "grades" in data:
        try:
            grades = tuple(sorted(((str(g), float(v)) for g, v in dict(data["grades"]).items()),
                                  key=lambda g: -g[1]))
            if not grades or grades[-1][1] > 0:
                problems.append("grades: the lowest grade must start at 0")
        except (TypeError, ValueError) as exc:
            problems.append(f"grades: {exc}")
    rates = DEFAULT_PLEDGE_RATES
    if "pledge_rates" in data:
        try:
            rates = tuple(RateRule(float(r["min_score"]), float(r["min_remaining_years"]), float(r["rate"]))
                          for r in data["pledge_rates"])
            if any(not 0 <= r.rate <= 1 for r in rates):
                problems.append("pledge_rates: each rate must lie between 0 and 1")
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"pledge_rates: each rule needs min_score, min_remaining_years and rate ({exc})")
    if problems:
        raise ValuationConfigError(problems)
    return Config(scenarios, normalisers, grades, rates, source)


_loaded: dict[tuple[str, float], Config] = {}


def load_config(path: str | Path | None = None) -> Config:
    """The configuration: the defaults, overridden by the file named by IPCITY_VALUATION_WEIGHTS (.json or
    .toml), re-read when the file changes. A faulty file raises ValuationConfigError naming every fault."""
    name = str(path) if path is not None else os.environ.get(WEIGHTS_ENV, "").strip()
    if not name:
        return DEFAULT_CONFIG
    file = Path(name)
    try:
        stamp = file.stat().st_mtime
    except OSError as exc:
        raise ValuationConfigError([f"{WEIGHTS_ENV}={name}: cannot read the file ({exc.strerror})"]) from None
    hit = _loaded.get((name, stamp))
    if hit is not None:
        return hit
    try:
        if file.suffix.lower() == ".toml":
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        else:
            data = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValuationConfigError([f"{name}: not valid {'TOML' if file.suffix.lower() == '.toml' else 'JSON'}: "
                                    f"{exc}"]) from None
    if not isinstance(data, dict):
        raise ValuationConfigError([f"{name}: expected an object at the top"])
    config = parse_config(data, source=name)
    _loaded[(name, stamp)] = config
    return config


# --- scoring ---------------------------------------------------------------------------------------------

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
    for level, members in _MEMBERS:
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


# --- indicator extraction from a record, its register position and the corpus -----------------------------

@dataclass(frozen=True)
class Claims:
    count: int
    independent: int
    first_length: float  # characters (English words × ENGLISH_WORD_CHARS)
    lang: str  # zh / en


ENGLISH_WORD_CHARS = 1.5  # an English word of a claim counts as this many Chinese characters (a rough ratio)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A claim starts at the beginning or after a line break or sentence end: "1." "1．" "1、" "1)" "1 ." …
_START = re.compile(r"(?:^|(?<=[\n\r。；;:：]))[ \t\u3000]*(?:权利要求\s*)?(\d{1,3})[ \t]*[.．、):：](?!\d)")
_REF_ZH = re.compile(r"权利要求\s*\d")
_REF_EN = re.compile(r"\bclaims?\s+\d", re.IGNORECASE)
_HEAD_EN = re.compile(r"^\s*(?:what\s+is\s+claimed\s+is|we\s+claim|i\s+claim|claims)\s*[:：]?\s*", re.IGNORECASE)
_OPENERS_INDEPENDENT = ("一种", "一个", "一类", "a ", "an ", "one ")


def split_claims(text: str) -> list[str]:
    """The claims of a claims text, in order: a numbered start counts only if it is the next number
    (so "20%~60%", "1.5 mm" or "权利要求1" inside a claim never start one). Unnumbered text is one claim."""
    text = _HEAD_EN.sub("", (text or "").strip())
    if not text:
        return []
    starts: list[tuple[int, int]] = []  # (start of the number, start of the body)
    expected = 1
    for m in _START.finditer(text):
        if int(m.group(1)) == expected:
            starts.append((m.start(), m.end()))
            expected += 1
    if not starts:
        return [text]
    out = []
    for i, (_, body) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        claim = text[body:end].strip()
        if claim:
            out.append(claim)
    return out


def is_dependent(claim: str) -> bool:
    """A dependent claim refers to an earlier one ("根据权利要求1所述的…", "The method of claim 1, …"); a claim of
    another category that refers to one but opens as an independent one does ("一种权利要求1所述…的制备方法")
    counts as independent, as Chinese examination practice treats it."""
    head = claim.strip()
    low = head.lower()
    if low.startswith(_OPENERS_INDEPENDENT):
        return False
    return bool(_REF_ZH.search(head[:40]) or _REF_EN.search(head[:200]))


def claim_length(claim: str) -> tuple[float, str]:
    cjk = len(_CJK.findall(claim))
    if cjk >= 0.3 * max(len(claim.replace(" ", "")), 1):
        return float(len("".join(claim.split()))), "zh"
    return len(re.findall(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*", claim)) * ENGLISH_WORD_CHARS, "en"


def parse_claims(text: str) -> Claims | None:
    """Count, independent claims and the first claim's length; None when the record has no claims text."""
    claims = split_claims(text)
    if not claims:
        return None
    length, lang = claim_length(claims[0])
    independent = sum(1 for c in claims if not is_dependent(c))
    return Claims(len(claims), max(independent, 1), length, lang)


@dataclass(frozen=True)
class FieldActivity:
    """Applications per main IPC subclass and application year in the corpus (valuation_data builds it with one
    aggregate query). Recent window: the three years ending `last_year`; earlier window: the three before.
    `last_year` is two years before the valuation year: applications publish 18 months after filing, so the
    latest years are still incomplete in any corpus."""

    last_year: int
    counts: dict[str, dict[int, int]]  # subclass → year → applications
    min_earlier: int = 10  # fewer earlier applications than this: growth is not reliable, counted missing
    _ranked: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def build(cls, rows: Iterable[tuple[str, int, int]], last_year: int, min_earlier: int = 10) -> FieldActivity:
        counts: dict[str, dict[int, int]] = {}
        for subclass, year, n in rows:
            if subclass and year is not None:
                by_year = counts.setdefault(str(subclass).upper(), {})
                by_year[int(year)] = by_year.get(int(year), 0) + int(n)
        made = cls(last_year, counts, min_earlier)
        ranked = tuple(sorted(made.recent(s) for s in counts if made.recent(s) > 0))
        return replace(made, _ranked=ranked)

    @property
    def recent_years(self) -> range:
        return range(self.last_year - 2, self.last_year + 1)

    @property
    def earlier_years(self) -> range:
        return range(self.last_year - 5, self.last_year - 2)

    @property
    def first_year(self) -> int:
        return self.last_year - 5

    def recent(self, subclass: str) -> int:
        by_year = self.counts.get(subclass, {})
        return sum(by_year.get(y, 0) for y in self.recent_years)

    def earlier(self, subclass: str) -> int:
        by_year = self.counts.get(subclass, {})
        return sum(by_year.get(y, 0) for y in self.earlier_years)

    def activity(self, subclass: str) -> float | None:
        """Percentile (0–100) of the subclass's recent applications among the subclasses with any: the share of
        those subclasses with as many or fewer. None when the corpus has none in the window."""
        if not self._ranked or not subclass:
            return None
        n = self.recent(subclass)
        return 100.0 * bisect_right(self._ranked, n) / len(self._ranked)

    def growth(self, subclass: str) -> float | None:
        """Yearly growth: (recent ÷ earlier)^(1/3) − 1; None with fewer than `min_earlier` earlier applications."""
        earlier = self.earlier(subclass) if subclass else 0
        if earlier < self.min_earlier:
            return None
        return (self.recent(subclass) / earlier) ** (1 / 3) - 1


def subclass_of(ipc_main: str) -> str:
    """The IPC subclass (H01M) of a main symbol (H01M10/0525); '' when the record has none."""
    text = (ipc_main or "").strip().upper()
    return text[:4] if re.match(r"^[A-H]\d\d[A-Z]", text) else ""


@dataclass(frozen=True)
class History:
    """Counts from the legal events and the register entries (open and closed) of one patent right."""

    known: bool  # False: the source gave no legal events and the register holds nothing — counts unknown
    transfers: int = 0
    licences: int = 0  # exclusive and sole licences count double
    pledges: int = 0
    lapses: int = 0  # terminations for unpaid fees (a restored patent keeps its lapse here)
    invalidations: int = 0  # partial or full invalidation decisions
    preservations: int = 0
    suspensions: int = 0
    invalidation_requests: int = 0

    @property
    def disputes(self) -> int:
        return self.preservations + self.suspensions + self.invalidation_requests

    @property
    def adverse(self) -> int:
        return self.lapses + self.invalidations


def history_of(record: PatentRecord, entries: Iterable[RegisterEntry]) -> History:
    """Licences and pledges from the publication's events (生效 opens one; 变更/注销 are not new ones) and from the
    platform's register entries; a register entry that repeats an event (same kind and start) counts once."""
    entries = list(entries)
    events = record.events or []
    counts = {"transfer": 0, LICENCE: 0, PLEDGE: 0, "fee_lapse": 0, "invalidation": 0}
    seen: set[tuple[str, date | None]] = set()
    for e in events:
        text, code = e.text or "", e.code or ""
        if e.kind in (LICENCE, PLEDGE):
            if "注销" in text or "变更" in text or code in ("PC01", "PM01", "EC01", "EM01"):
                continue
            seen.add((e.kind, e.date))
            weight = 2 if e.kind == LICENCE and ("独占" in text or "排他" in text) else 1
            counts[e.kind] += weight
        elif e.kind == "transfer":
            counts["transfer"] += 1
        elif e.kind == "fee_lapse":
            counts["fee_lapse"] += 1
        elif e.kind in ("invalidation", "partial_invalidation"):
            counts["invalidation"] += 1
    kinds = {PRESERVATION: 0, SUSPENSION: 0, INVALIDATION_REQUEST: 0}
    for entry in entries:
        if entry.kind in (LICENCE, PLEDGE):
            if (entry.kind, entry.start) in seen:
                continue
            exclusive = entry.detail.get("licence_type") in ("exclusive", "sole")
            counts[entry.kind] += 2 if entry.kind == LICENCE and exclusive else 1
        elif entry.kind in kinds:
            kinds[entry.kind] += 1
    return History(bool(events) or bool(entries), counts["transfer"], counts[LICENCE], counts[PLEDGE],
                   counts["fee_lapse"], counts["invalidation"], kinds[PRESERVATION], kinds[SUSPENSION],
                   kinds[INVALIDATION_REQUEST])


def status_of(position: Position) -> str | None:
    if not position.granted:
        return NOT_GRANTED
    if not position.in_force:
        return LAPSED_STATUS
    if position.suspended:
        return ENCUMBERED
    if position.fees is not None and position.fees.unpaid:
        return GRACE
    return IN_FORCE


def family_of(record: PatentRecord) -> int | None:
    if record.family_size is not None:
        return max(int(record.family_size), 1)
    if record.family:
        return len(record.family) + 1
    return None


def indicator_values(record: PatentRecord, position: Position, history: History, claims: Claims | None,
                     activity: FieldActivity | None) -> dict[str, Any]:
    """The raw input of every indicator; None where the source does not give it (shown as missing)."""
    sub = subclass_of(record.ipc_main)
    known = history.known
    return {
        "remaining_term": round(position.remaining_years, 2) if position.term_end is not None else None,
        "legal_status": status_of(position),
        "status_history": history.adverse if known else None,
        "disputes": history.disputes if known else None,
        "independent_claims": claims.independent if claims else None,
        "first_claim_length": claims.first_length if claims else None,
        "family_size": family_of(record),
        "cited_by": record.cited_by,
        "claim_count": claims.count if claims else None,
        "field_activity": activity.activity(sub) if activity is not None and sub else None,
        "field_growth": activity.growth(sub) if activity is not None and sub else None,
        "patent_type": record.patent_type,
        "transfers": history.transfers if known else None,
        "licences": history.licences if known else None,
        "pledges": history.pledges if known else None,
    }


# --- income approach (收益法), relief-from-royalty form -----------------------------------------------------

@dataclass(frozen=True)
class IncomeInputs:
    revenue: tuple[float, ...]  # yuan per year: one figure (grown at growth_rate) or a forecast, year 1 first
    royalty_rate: float  # royalty rate / share of the revenue attributable to the patent (提成率/分成率)
    discount_rate: float  # 折现率
    economic_life: float  # years of remaining economic life (capped by the remaining legal term)
    growth_rate: float = 0.0  # per year, after the last forecast figure
    tax_rate: float = 0.0  # on the attributable income
    mid_year: bool = False  # discount each year's cash from its middle rather than its end

    def to_dict(self) -> dict:
        return {"revenue": list(self.revenue), "royalty_rate": self.royalty_rate,
                "discount_rate": self.discount_rate, "economic_life": self.economic_life,
                "growth_rate": self.growth_rate, "tax_rate": self.tax_rate, "mid_year": self.mid_year}


@dataclass(frozen=True)
class IncomeYear:
    year: int
    fraction: float  # share of the year counted (the last year may be part of one)
    revenue: float
    income: float  # revenue × fraction × royalty rate
    after_tax: float
    discount_factor: float
    present_value: float


@dataclass(frozen=True)
class IncomeResult:
    inputs: IncomeInputs
    life: float  # years used: min(economic life, remaining legal term)
    capped_by_term: bool
    years: tuple[IncomeYear, ...]
    present_value: float


INCOME_FIELDS = ("revenue", "royalty_rate", "discount_rate", "economic_life", "growth_rate", "tax_rate", "mid_year")
MAX_LIFE = 30.0


def _rate(raw: Any, name: str, label: Msg, problems: list, *, low: float, high: float, low_open: bool = False,
          required: bool = True, default: float = 0.0) -> float:
    text = str(raw if raw is not None else "").strip().replace("％", "%").replace(",", "")
    if not text:
        if required:
            problems.append((name, Msg("Give the {label}", label=label)))
        return default
    percent = text.endswith("%")
    try:
        value = float(text[:-1] if percent else text)
    except ValueError:
        problems.append((name, Msg("The {label} must be a number such as 0.12 or 12%, not '{value}'",
                                   label=label, value=text[:30])))
        return default
    if percent:
        value /= 100
    if not math.isfinite(value) or value < low or value > high or (low_open and value <= low):
        problems.append((name, Msg("The {label} must lie between {low} and {high} (write 12% as 0.12 or 12%)",
                                   label=label, low=_num(low), high=_num(high))))
        return default
    return value


def validate_income(raw: Mapping[str, Any]) -> IncomeInputs:
    """IncomeInputs from form or JSON values; DomainError naming every bad field (field names INCOME_FIELDS)."""
    problems: list[tuple[str, Msg]] = []
    revenue_raw = raw.get("revenue")
    if isinstance(revenue_raw, list | tuple):
        parts = [str(p) for p in revenue_raw]
    else:
        # "1,000,000" is one figure (a comma before exactly three digits groups thousands); spaces, other
        # commas, semicolons and 、 separate the figures of a forecast.
        text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", str(revenue_raw or "").strip())
        parts = [p for p in re.split(r"[\s,，;；、]+", text) if p]
    revenue: list[float] = []
    label = Msg("revenue (营业收入, yuan per year)")
    if not parts:
        problems.append(("revenue", Msg("Give the revenue of the product using the patent (营业收入, yuan per year); "
                                        "several figures are a forecast, year 1 first")))
    for part in parts[:int(MAX_LIFE)]:
        try:
            value = float(part.replace("_", ""))
        except ValueError:
            problems.append(("revenue", Msg("The {label} must be a number of yuan, not '{value}'", label=label,
                                            value=part[:30])))
            break
        if not math.isfinite(value) or value < 0:
            problems.append(("revenue", Msg("The {label} cannot be negative", label=label)))
            break
        revenue.append(value)
    if len(parts) > MAX_LIFE:
        problems.append(("revenue", Msg("A revenue forecast covers at most {n} years", n=int(MAX_LIFE))))
    royalty = _rate(raw.get("royalty_rate"), "royalty_rate", Msg("royalty rate or attribution share (提成率/分成率)"),
                    problems, low=0, high=1, low_open=True)
    discount = _rate(raw.get("discount_rate"), "discount_rate", Msg("discount rate (折现率)"), problems,
                     low=0, high=1, low_open=True)
    growth = _rate(raw.get("growth_rate"), "growth_rate", Msg("growth rate (增长率)"), problems, low=-0.5, high=1,
                   required=False)
    tax = _rate(raw.get("tax_rate"), "tax_rate", Msg("tax rate (所得税率)"), problems, low=0, high=0.99,
                required=False)
    life_text = str(raw.get("economic_life") if raw.get("economic_life") is not None else "").strip()
    life = 0.0
    if not life_text:
        problems.append(("economic_life", Msg("Give the remaining economic life in years (剩余经济寿命)")))
    else:
        try:
            life = float(life_text)
            if not math.isfinite(life) or not 0 < life <= MAX_LIFE:
                problems.append(("economic_life", Msg("The remaining economic life must be more than 0 and at most "
                                                      "{n} years", n=int(MAX_LIFE))))
        except ValueError:
            problems.append(("economic_life", Msg("The remaining economic life must be a number of years, not "
                                                  "'{value}'", value=life_text[:30])))
    mid = raw.get("mid_year")
    mid_year = mid is True or str(mid or "").strip().lower() in ("1", "true", "on", "yes")
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    return IncomeInputs(tuple(revenue), royalty, discount, life, growth, tax, mid_year)


def income_value(inputs: IncomeInputs, remaining_years: float) -> IncomeResult:
    """Present value = Σ cash_t / (1 + r)^t, over the economic life capped by the remaining legal term.

    cash_t = revenue_t × fraction_t × royalty rate × (1 − tax); revenue_t is the forecast's figure for year t, or
    the last figure grown at the growth rate for each year beyond it. A life of 7.4 years is 7 whole years and a
    last year counted 0.4, discounted at t = 7.4 (end of the period); with mid_year, each period is discounted
    from its middle (t − fraction/2).
    """
    life = min(inputs.economic_life, max(remaining_years, 0.0))
    capped = remaining_years < inputs.economic_life
    whole = int(math.floor(life + 1e-9))
    periods = [(t, 1.0) for t in range(1, whole + 1)]
    rest = life - whole
    if rest > 1e-9:
        periods.append((whole + 1, rest))
    years = []
    forecast = inputs.revenue
    for t, fraction in periods:
        if t <= len(forecast):
            revenue = forecast[t - 1]
        else:
            revenue = forecast[-1] * (1 + inputs.growth_rate) ** (t - len(forecast))
        income = revenue * fraction * inputs.royalty_rate
        after_tax = income * (1 - inputs.tax_rate)
        at = (t - 1) + (fraction / 2 if inputs.mid_year else fraction)
        factor = 1 / (1 + inputs.discount_rate) ** at
        years.append(IncomeYear(t, fraction, revenue, income, after_tax, factor, after_tax * factor))
    return IncomeResult(inputs, life, capped, tuple(years), sum(y.present_value for y in years))


# --- pledge rate (质押率) --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PledgeAdvice:
    rate: float  # 0–1
    reasons: tuple[Msg, ...]  # why the rate is 0 or limited; empty when a rule matched cleanly
    rule: RateRule | None
    loan: float | None  # indicative value × rate, when there is a value


def refusal_reasons(position: Position) -> list[Msg]:
    """Facts that bar a pledge registration (专利权质押登记办法 2021, refusal grounds 2, 3, 5, 9): a rate of 0."""
    out = []
    if not position.granted:
        out.append(Msg("Not granted: an application cannot be pledged (质押登记办法 ground 3)"))
    elif not position.in_force:
        out.append(Msg("Not in force: the patent has terminated or been invalidated (质押登记办法 ground 2)"))
    if position.suspended:
        out.append(Msg("Suspended or under court preservation (质押登记办法 ground 5)"))
    if position.pledges:
        out.append(Msg("Already pledged and still in its pledge period (质押登记办法 ground 9)"))
    return out


def pledge_advice(overall: float | None, remaining_years: float, *, refusals: list[Msg] | None = None,
                  value: float | None = None, rules: tuple[RateRule, ...] = DEFAULT_PLEDGE_RATES,
                  coverage: float = 1.0) -> PledgeAdvice:
    """The suggested pledge rate: the first rule whose score and remaining-term floors are met; 0 when none is,
    when a refusal ground applies, or when inputs behind less than MIN_COVERAGE of the weight were present (a
    score redistributed from a few inputs is no basis for a loan). Unverified bank practice: configurable."""
    reasons = list(refusals or [])
    if not reasons and coverage < MIN_COVERAGE - 1e-9:
        reasons.append(Msg("Too few inputs: those present carry {share} of the weight, under {floor}",
                           share=f"{coverage:.0%}", floor=f"{MIN_COVERAGE:.0%}"))
    if reasons:
        return PledgeAdvice(0.0, tuple(reasons), None, 0.0 if value is not None else None)
    if overall is None:
        return PledgeAdvice(0.0, (Msg("No indicator could be scored"),), None, 0.0 if value is not None else None)
    for rule in rules:
        if overall >= rule.min_score - 1e-9 and remaining_years >= rule.min_remaining_years - 1e-9:
            return PledgeAdvice(rule.rate, (), rule, value * rule.rate if value is not None else None)
    return PledgeAdvice(0.0, (Msg("The score or the remaining term is below every pledge-rate rule"),), None,
                        0.0 if value is not None else None)
