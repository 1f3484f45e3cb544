"""The valuation model as data (专利价值内部评估): the three first-level values, the indicator tree, the scenarios
and their weights, the grades.

Pure: no SQL, no web. The computations on this model are small modules of their own, pure as well:
normalisers.py (raw value → 0–100), weights.py (the weights file), scorecard.py (weighted sums, missing inputs),
history.py and indicators.py (raw values from a record and its register position; claims are read by
ipcity.patents.claims), field_activity.py (the technical field's activity and growth), income.py (the income
approach) and pledge_advice.py (the pledge rate). inputs.py reads the register and the corpus, service.py runs the
use cases.

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

from dataclasses import dataclass

from ipcity.patents.record import DESIGN, INVENTION, UTILITY
from ipcity.services.valuation.normalisers import Categories, Logistic, Normaliser, Piecewise

# --- the first-level values (GB/T 42748-2023: 法律价值, 技术价值, 经济价值) ---------------------------------------

LEGAL, TECHNICAL, ECONOMIC = "legal", "technical", "economic"
LEVELS: dict[str, tuple[str, str]] = {
    LEGAL: ("法律价值", "Legal value"),
    TECHNICAL: ("技术价值", "Technical value"),
    ECONOMIC: ("经济价值", "Economic value"),
}


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


# The legal-status categories (indicators.status_of reads them from the register position).
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
# Each first-level value with the keys of its indicators, in the tree's order.
MEMBERS = tuple((level, tuple(i.key for i in INDICATORS if i.level == level)) for level in (LEGAL, TECHNICAL, ECONOMIC))

# --- scenarios and grades ----------------------------------------------------------------------------------

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
