"""The valuation configuration: scenarios and their weights, normalisers, grades and the pledge-rate table —
the built-in defaults, overridden by the file named by IPCITY_VALUATION_WEIGHTS (JSON or TOML;
docs/valuation.md), checked with every fault named.

Pure but for reading that one file (re-read when it changes).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.services.valuation.domain import (
    BY_KEY,
    DEFAULT_GRADES,
    DEFAULT_SCENARIOS,
    INDICATOR_KEYS,
    INDICATORS,
    LEVELS,
    Scenario,
)
from ipcity.services.valuation.normalisers import Normaliser, normaliser_from
from ipcity.services.valuation.pledge_advice import DEFAULT_PLEDGE_RATES, RateRule

WEIGHTS_ENV = "IPCITY_VALUATION_WEIGHTS"
TOLERANCE = 1e-6


class ValuationConfigError(ValueError):
    """The weights file (or a scenario given in code) is not valid; `problems` lists every fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("valuation configuration: " + "; ".join(problems))


DEFAULT_SOURCE = "built-in defaults"


@dataclass(frozen=True)
class Config:
    scenarios: dict[str, Scenario]
    normalisers: dict[str, Normaliser]
    grades: tuple[tuple[str, float], ...]
    pledge_rates: tuple[RateRule, ...]
    source: str = "built-in defaults"  # DEFAULT_SOURCE, or the operator's file: for the operator, not users
    min_coverage: float = 0.6  # the share of the weight that needs data before a pledge rate is suggested

    @property
    def source_label(self) -> Msg:
        """What users read about where the parameters come from: never a file name."""
        if self.source == DEFAULT_SOURCE:
            return Msg("the platform's standard parameters (indicators as GB/T 42748 organises them; pledge rates "
                       "after common bank practice)")
        return Msg("parameters set by the office")

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
    """The configuration: the defaults, overridden by the file at `path` (the setting IPCITY_VALUATION_WEIGHTS;
    .json or .toml), re-read when the file changes. A faulty file raises ValuationConfigError naming every fault."""
    name = str(path).strip() if path is not None else ""
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
