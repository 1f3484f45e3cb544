"""Pure domain of data-IP registration (数据知识产权登记): code tables, the rules' time limits, validation
of a filing, and the two case types (registration; change or renewal of a registration).

Rules: ../shared/domain/rules.md §1. Shanghai: 《上海市数据产品知识产权登记存证暂行办法》 (SIPA and
上海市数据局, effective 2024-12-08) — objects (Art 3), refusal grounds (Art 7), cancellation (Art 12);
its official guide for the 15-day publicity and the 3-year validity. Beijing 《北京市数据知识产权登记管理办法
(试行)》 Art 13 for validity counted from the registration announcement. Every time limit the sources do not
fix (review times, correction time, renewal window) is a configurable service commitment, marked so.
No I/O here except reading the shipped GB/T 4754 table.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from dateutil.relativedelta import relativedelta

from ipcity.core.config import Settings
from ipcity.core.i18n import Msg

# --- code tables -------------------------------------------------------------------------------------

# Shanghai measures Art 3: three categories of data product.
CATEGORIES: dict[str, Msg] = {
    "collection": Msg("数据加工集合 (processed data collection)"),
    "product": Msg("数据加工产品 (processed data product)"),
    "algorithm": Msg("数据技术算法 (data technical algorithm)"),
}
CATEGORY_ZH = {"collection": "数据加工集合", "product": "数据加工产品", "algorithm": "数据技术算法"}

# Shanghai measures Art 2: who may apply. The one-character code is the 登记主体类型代码 of the
# registration number (规发〔2024〕79号); the code table was not retrieved, so these codes are ours (configurable).
HOLDER_TYPES: dict[str, Msg] = {
    "legal_person": Msg("法人 (legal person)"),
    "unincorporated": Msg("非法人组织 (unincorporated organisation)"),
    "natural_person": Msg("自然人 (natural person)"),
}
HOLDER_TYPE_ZH = {"legal_person": "法人", "unincorporated": "非法人组织", "natural_person": "自然人"}

# How the data were obtained (Beijing Q&A: self-collected → channel and method; licensed or purchased →
# authorisation or contract). The two-character code is the 数据来源代码 of the registration number (unverified).
SOURCE_KINDS: dict[str, Msg] = {
    "self_collected": Msg("自行采集 (collected by the applicant)"),
    "licensed": Msg("授权获取 (licensed from the right holder)"),
    "purchased": Msg("交易购买 (purchased)"),
    "public_data": Msg("公共数据授权运营 (authorised public data)"),
    "other": Msg("其他 (other)"),
}

UPDATE_FREQUENCIES: dict[str, Msg] = {
    "realtime": Msg("Real time"), "daily": Msg("Daily"), "weekly": Msg("Weekly"), "monthly": Msg("Monthly"),
    "quarterly": Msg("Quarterly"), "yearly": Msg("Yearly"), "irregular": Msg("Irregular"),
    "static": Msg("Not updated"),
}

# Shanghai measures Art 7: 不予登记情形 (grounds for refusal; also the grounds of a later revocation).
REFUSAL_GROUNDS: dict[str, Msg] = {
    "security": Msg("Art 7(1): involves national security, state secrets or harms the public interest"),
    "privacy": Msg("Art 7(2): infringes personal information or privacy"),
    "unlawful": Msg("Art 7(3): data obtained illegally, or infringes others' IP"),
    "ownership": Msg("Art 7(4): ownership unclear or disputed"),
    "deception": Msg("Art 7(5): the applicant concealed facts or gave false information"),
    "duplicate": Msg("Art 7(6): duplicate application, or re-application within the lock after a withdrawal"),
    "other": Msg("Art 7(7): other cases not conforming to laws and regulations"),
}

PUBLIC = "public"  # the role of someone not signed in who files an objection during publicity

SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Industry:
    code: str
    level: str
    name: str


@cache
def industries() -> dict[str, Industry]:
    """GB/T 4754-2017, all four levels, shipped in data/gbt4754_2017.tsv (see data/NOTICE.md)."""
    with resources.files("ipcity.services.dataip").joinpath("data/gbt4754_2017.tsv").open(encoding="utf-8") as fh:
        return {r["code"]: Industry(r["code"], r["level"], r["name"]) for r in csv.DictReader(fh, delimiter="\t")}


def industry_code(text: str) -> str:
    """'I6450 互联网数据服务' or 'i6450' → 'I6450' (the form offers 'code name' suggestions)."""
    return (text or "").strip().split(" ")[0].upper()


# --- the rules' numbers, configurable ---------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Time limits. `basis` texts say where each comes from; unsourced ones are service commitments."""

    publicity_days: int = 15  # Shanghai official guide [S13]: 15-day publicity
    publicity_unit: str = "calendar_days"
    objection_decision_days: int = 60  # Shanghai measures, objection decision within 60 days [S10], unverified
    formal_review_days: int = 5  # working days; not in the sources — service commitment
    substantive_review_days: int = 20  # working days; not in the sources — service commitment
    expert_opinion_days: int = 10  # working days; not in the sources — service commitment
    correction_days: int = 15  # working days; not in the sources — service commitment
    amendment_review_days: int = 10  # working days; not in the sources — service commitment
    validity_years: int = 3  # Shanghai guide [S13]; Beijing Art 13 counts it from the registration announcement
    renewal_window_days: int = 90  # renewal may be filed this many days before expiry — unverified
    relock_months: int = 3  # Shanghai Art 7(6): no re-application within 3 months of a voluntary withdrawal

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        """The limits the installation's settings give (IPCITY_DATAIP_*; the defaults are those above)."""
        return cls(**{name: getattr(settings, setting) for name, setting in RULE_SETTINGS.items()})


# The Settings field (core/config.py) that configures each limit; the case types' deadlines name them too.
RULE_SETTINGS = {
    "publicity_days": "dataip_publicity_days", "publicity_unit": "dataip_publicity_unit",
    "objection_decision_days": "dataip_objection_days", "formal_review_days": "dataip_formal_review_days",
    "substantive_review_days": "dataip_substantive_review_days", "expert_opinion_days": "dataip_expert_days",
    "correction_days": "dataip_correction_days", "amendment_review_days": "dataip_amendment_days",
    "validity_years": "dataip_validity_years", "renewal_window_days": "dataip_renewal_window_days",
    "relock_months": "dataip_relock_months",
}


def add_years(day: date, years: int) -> date:
    return day + relativedelta(years=years)  # 29 February → 28 February


def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)  # 30 November + 3 months → 28 February


def validity_end(start: date, years: int) -> date:
    """The last day of validity: `years` after `start`, less one day (3 years from 2026-01-10 → 2029-01-09)."""
    return add_years(start, years) - timedelta(days=1)


def relock_ends(withdrawn_on: date, months: int) -> date:
    """The first day a product withdrawn on `withdrawn_on` may be filed again (Shanghai Art 7(6))."""
    return add_months(withdrawn_on, months)


def renewal_opens(valid_until: date, window_days: int) -> date:
    return valid_until - timedelta(days=window_days)


# --- validating a filing ----------------------------------------------------------------------------

LIMITS = {"name": 100, "scenario": 2000, "summary": 4000, "source_description": 4000, "lawful_statement": 2000,
          "processing_rules": 8000, "structure": 8000, "data_format": 100, "scale": 200, "holder_name": 200}
REQUIRED_TEXT = {
    "name": Msg("Data product name"),
    "summary": Msg("Summary of the data product"),
    "scenario": Msg("Application scenario"),
    "source_description": Msg("Data source"),
    "lawful_statement": Msg("Lawful-acquisition statement"),
    "processing_rules": Msg("Processing rules or algorithm"),
    "structure": Msg("Data structure (fields and formats)"),
    "data_format": Msg("Data format"),
    "scale": Msg("Scale"),
}
CHOICES = {
    "category": (CATEGORIES, Msg("Category")),
    "source_kind": (SOURCE_KINDS, Msg("How the data were obtained")),
    "update_frequency": (UPDATE_FREQUENCIES, Msg("Update frequency")),
    "holder_type": (HOLDER_TYPES, Msg("Type of right holder")),
}


@dataclass(frozen=True)
class DeclaredHash:
    filename: str
    sha256: str
    size: int | None = None


def parse_declared(text: str) -> tuple[list[DeclaredHash], list[Msg]]:
    """Declared hashes, one per line: `<sha256> <file name>` (the output of `sha256sum`), or the hash alone."""
    out, problems = [], []
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        digest, _, name = line.partition(" ")
        digest = digest.lower()
        if not SHA256.match(digest):
            problems.append(Msg("Line {n}: '{value}' is not a sha256 (64 hexadecimal characters)", n=n,
                                value=digest[:70]))
            continue
        out.append(DeclaredHash(name.strip().lstrip("*") or f"declared-{n}", digest))
    return out, problems


def validate_filing(values: dict, *, evidence_count: int, has_sample: bool) -> list[tuple[str, Msg]]:
    """Every problem of a filing, by field; empty when it may be filed."""
    problems: list[tuple[str, Msg]] = []
    for name, label in REQUIRED_TEXT.items():
        value = (values.get(name) or "").strip()
        if not value:
            problems.append((name, Msg("{field} is required", field=label)))
        elif len(value) > LIMITS[name]:
            problems.append((name, Msg("{field} is longer than {n} characters", field=label, n=LIMITS[name])))
    for name, (choices, label) in CHOICES.items():
        if values.get(name) not in choices:
            problems.append((name, Msg("Choose the {field}", field=label)))
    code = industry_code(values.get("industry_code", ""))
    if not code:
        problems.append(("industry_code", Msg("Choose the industry (GB/T 4754-2017)")))
    elif code not in industries():
        problems.append(("industry_code", Msg("{code} is not a GB/T 4754-2017 industry code", code=code)))
    if evidence_count == 0:
        problems.append(("data_files", Msg("Upload the data files or declare their sha256 hashes")))
    if not has_sample:
        problems.append(("sample", Msg("Attach a data sample")))
    if not values.get("accept_undertaking"):
        problems.append(("accept_undertaking",
                         Msg("Confirm the undertaking that the product infringes no personal information or IP")))
    return problems


def grounds_check(value) -> Msg | None:
    """A transition field: one or more refusal grounds of Shanghai measures Art 7."""
    items = value if isinstance(value, list) else [value]
    unknown = [g for g in items if g not in REFUSAL_GROUNDS]
    if unknown:
        return Msg("Unknown ground(s): {grounds}", grounds=", ".join(map(str, unknown)))
    return None
