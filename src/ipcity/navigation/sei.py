"""Strategic emerging industries (战略性新兴产业, SEI) ↔ IPC: which SEI branches a patent belongs to.

The table is CNIPA's 《战略性新兴产业分类与国际专利分类参照关系表（2021）（试行）》 (data/NOTICE.md):
303 rules, each "IPC patterns − exclusions (+ a keyword summary) → one of the 40 SEI branches 1.1 … 9.2".
Scoping a navigation project to an industry (rules.md §7, GB/T 39551: 信息检索 / 数据处理) starts here.

Pattern convention (the table's own, as documented with the transcription):

- `X*` is the code X and everything below it: `G16*` a whole class, `G06F*` a subclass, `H04L1*` the
  main group H04L1/ and all its subgroups — not H04L12/ (the digits are the main-group number).
- A symbol with a slash and no `*` is that exact group or subgroup and nothing below it:
  `H02J7/00` matches H02J7/00 only, not H02J7/02. (Subgroup hierarchy in the IPC goes by dots, not by
  the digits, so "below H02J7/34" cannot be read off a symbol; the table lists such subgroups one by one.)
- Exclusions follow the same convention and are applied after inclusion, within the same rule only.
- Two patterns carry neither `*` nor a slash: `G16H` (rule 1.5/7) and `H03M13` (rule 1.3/4). A patent's
  symbols are always groups, so read literally they would match nothing; we read them as `G16H*` and
  `H03M13*` (the table writes every other subclass and whole main group with a `*`).

The table is applied to each patent's own IPC symbols, in the edition they were given: codes retired
before IPC 2026.01 (H01L31/0224, G06K9/62 …) still match the rules that name them (H01L31*, G06K9*).

IPC membership alone over-counts: for 288 of the 303 rules the official table adds a keyword summary
(关键词概述) that the activity must also fit. `keyword_terms` returns those phrases so that a caller can
additionally require them in a patent's title or abstract; `fits` does so rule by rule.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ipcity.patents.ipc import IpcError, normalise_ipc

DATA_FILE = "sei_ipc_rules_2021.tsv"

# The 9 top-level groups are not in the concordance table (it lists branches only); their official
# names are those of 国家统计局《战略性新兴产业分类（2018）》(国家统计局令第 23 号).
GROUP_NAMES = {
    "1": "新一代信息技术产业",
    "2": "高端装备制造产业",
    "3": "新材料产业",
    "4": "生物产业",
    "5": "新能源汽车产业",
    "6": "新能源产业",
    "7": "节能环保产业",
    "8": "数字创意产业",
    "9": "相关服务业",
}


@dataclass(frozen=True, slots=True)
class SeiRule:
    """One row of the table: a patent is in `sei_code` if one of its symbols matches a pattern and no
    exclusion of this same rule."""

    sei_code: str  # branch, e.g. "5.3"
    sei_name: str  # 新能源汽车相关设施制造
    rule_no: int  # 1, 2 … within the branch
    patterns: tuple[str, ...]  # as written in the table: "H02J7*", "H02J7/00"
    exclusions: tuple[str, ...]
    keywords: str  # the 关键词概述 cell, "" for the IPC-only rules
    pdf_page: int = 0  # page of the official publication, for citing a rule


@dataclass(frozen=True, slots=True)
class RuleKeywords:
    """The keyword condition of one rule, split into phrases (see `keyword_terms`)."""

    sei_code: str
    rule_no: int
    terms: tuple[str, ...]  # phrases the text should contain (any one)
    excluded_terms: tuple[str, ...]  # from "不包括 …" / "不包含 …": phrases that rule the patent out
    text: str  # the whole cell, as published


# --- patterns -------------------------------------------------------------------------------------

# A pattern's key is the one string a matching symbol has among its `_symbol_keys`; keys of different
# levels cannot collide: "H" section, "H04" class, "H04L" subclass, "H04L1/" main group, "H04L1/00" exact.
_PREFIX = re.compile(r"([A-H])(?:(\d\d)(?:([A-Z])(\d{1,4})?)?)?")


def _pattern_key(pattern: str) -> str:
    """The key of one table pattern; ValueError on a form the convention does not define."""
    text = pattern.strip().upper()
    body = text.rstrip("*")
    starred = body != text
    if "/" in body:
        if starred:  # "H01M10/05*": subgroup ranges cannot be read off the digits (see module doc)
            raise ValueError(f"SEI pattern {pattern!r}: a starred subgroup is not part of the convention")
        return normalise_ipc(body)
    shape = _PREFIX.fullmatch(body)
    if not shape:
        raise ValueError(f"SEI pattern {pattern!r} is not an IPC code or prefix")
    section, cls, letter, main = shape.groups()
    if main is not None:
        main = main.lstrip("0")
        if not main:
            raise ValueError(f"SEI pattern {pattern!r}: main group 0")
        return f"{section}{cls}{letter}{main}/"  # H04L1* → "H04L1/", so H04L12/… does not match
    return body  # section, class or subclass; without "*" too (G16H: see module doc)


def _symbol_keys(symbol: str) -> tuple[str, ...]:
    """The keys a normalised symbol answers to: itself and each level above it."""
    if "/" not in symbol:
        return tuple(dict.fromkeys((symbol[:1], symbol[:3], symbol[:4])))  # H, H04, H04L (as far as it goes)
    main = symbol.split("/", 1)[0]
    return symbol[:1], symbol[:3], symbol[:4], main + "/", symbol


def matches(pattern: str, symbol: str) -> bool:
    """Whether an IPC symbol (any spelling `normalise_ipc` accepts) falls under one table pattern.

    `matches("H04L1*", "H04L1/00")` and `matches("H04L1*", "H04L1/1607")` are true,
    `matches("H04L1*", "H04L12/28")` is false; `matches("H02J7/00", "H02J7/02")` is false (exact group).
    Raises IpcError on a malformed symbol and ValueError on a malformed pattern.
    """
    return _pattern_key(pattern) in _symbol_keys(normalise_ipc(symbol))


# --- the table ------------------------------------------------------------------------------------


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split(";") if p.strip())


@lru_cache(maxsize=1)
def rules() -> tuple[SeiRule, ...]:
    """The 303 rules of the shipped table, in table order (loaded once per process)."""
    path = resources.files("ipcity.navigation") / "data" / DATA_FILE
    with path.open("r", encoding="utf-8", newline="") as fh:
        return tuple(
            SeiRule(sei_code=row["sei_code"], sei_name=row["sei_name"], rule_no=int(row["rule_no"]),
                    patterns=_split(row["ipc_patterns"]), exclusions=_split(row["ipc_exclusions"]),
                    keywords=row["keywords"].strip(), pdf_page=int(row["pdf_page"] or 0))
            for row in csv.DictReader(fh, delimiter="\t"))


def industries() -> list[tuple[str, str]]:
    """The 9 groups and 40 branches as (code, name), each group followed by its branches:
    [("1", "新一代信息技术产业"), ("1.1", "下一代信息网络产业"), …, ("9.2", "其他相关服务")]."""
    branches = dict.fromkeys((r.sei_code, r.sei_name) for r in rules())
    out: list[tuple[str, str]] = []
    for group, name in GROUP_NAMES.items():
        out.append((group, name))
        out.extend(b for b in branches if b[0].split(".", 1)[0] == group)
    return out


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return dict(industries())


def is_code(sei_code: str) -> bool:
    """Whether the text is a group ("5") or branch ("5.3") code of the table."""
    return isinstance(sei_code, str) and sei_code.strip() in _names()


def name_of(sei_code: str) -> str:
    """The official name of a group or branch, "" for anything else (an empty code included)."""
    return _names().get(sei_code.strip(), "") if isinstance(sei_code, str) else ""


@dataclass(frozen=True)
class _Index:
    by_key: dict[str, tuple[int, ...]]  # pattern key → indices of the rules that include it
    exclusions: tuple[frozenset[str], ...]  # per rule: the keys of its exclusions


@lru_cache(maxsize=1)
def _index() -> _Index:
    """The rules compiled once: a symbol's 5 keys look up its candidate rules directly, so classifying
    does not scan 303 rules × ~30 patterns per symbol."""
    by_key: dict[str, list[int]] = {}
    for i, rule in enumerate(rules()):
        for key in dict.fromkeys(map(_pattern_key, rule.patterns)):
            by_key.setdefault(key, []).append(i)
    return _Index({k: tuple(v) for k, v in by_key.items()},
                  tuple(frozenset(map(_pattern_key, r.exclusions)) for r in rules()))


@lru_cache(maxsize=1 << 18)
def _rules_of_symbol(symbol: str) -> tuple[int, ...]:
    """Indices of the rules one symbol satisfies (cached: a corpus repeats its symbols);
    () for a malformed symbol, which classifies as nothing rather than failing a whole batch."""
    try:
        keys = _symbol_keys(normalise_ipc(symbol))
    except IpcError:
        return ()
    index = _index()
    found: set[int] = set()
    for key in keys:
        for i in index.by_key.get(key, ()):
            if index.exclusions[i].isdisjoint(keys):
                found.add(i)
    return tuple(sorted(found))


@lru_cache(maxsize=1 << 18)
def _codes_of_symbol(symbol: str) -> frozenset[str]:
    table = rules()
    return frozenset(table[i].sei_code for i in _rules_of_symbol(symbol))


def matching_rules(ipc_symbols: Iterable[str]) -> list[SeiRule]:
    """The rules whose IPC condition one patent satisfies (any symbol), in table order; `rule_keywords`
    of these rules gives their keyword conditions (`fits` applies them)."""
    table = rules()
    found = set()
    for symbol in ipc_symbols:
        found.update(_rules_of_symbol(symbol))
    return [table[i] for i in sorted(found)]


def classify(ipc_symbols: Sequence[str]) -> set[str]:
    """The SEI branch codes ("5.3" …) one patent falls in, from all its IPC symbols (any edition).

    A branch counts when some symbol matches a pattern of one of its rules and no exclusion of that
    same rule. Malformed symbols are ignored. IPC only: see the module doc about keywords.
    """
    codes: set[str] = set()
    for symbol in ipc_symbols:
        codes |= _codes_of_symbol(symbol)
    return codes


def _known_code(sei_code: str) -> str:
    if not is_code(sei_code):
        raise ValueError(f"unknown SEI code {sei_code!r} (a group 1–9 or a branch such as 5.3)")
    return sei_code.strip()


def _in_code(branch: str, code: str) -> bool:
    """Whether a branch is the code itself or one of the branches of the group `code`."""
    return branch == code or branch.split(".", 1)[0] == code


def in_industry(ipc_symbols: Sequence[str], sei_code: str) -> bool:
    """Whether a patent is in a branch ("5.3") or in any branch of a group ("5"); ValueError on an
    unknown code."""
    code = _known_code(sei_code)
    return any(_in_code(branch, code) for branch in classify(ipc_symbols))


# --- keywords -------------------------------------------------------------------------------------

# List separators, and 等 of "A、B等(其他)C" (A and B are examples of C) — not the 等 that starts a word (等离子).
_SEPARATORS = re.compile(r"[；;、，,。]|等(?!离子|静压|温|轴|径|通道|效|级|同)")
_OTHER = re.compile(r"^其[他它]")
_EXCLUDING = re.compile(r"^不(?:包括|包含)")
_PLACEHOLDER = re.compile(r"相关关键词$")  # "稀土相关关键词": the table means "words about 稀土"
# The cells describe NBS industry activities ("锂离子电池制造"); a patent names the thing, not the activity.
_ACTIVITY = re.compile(r"(?<=..)(?:制造|加工|服务)$")


def _phrases(text: str) -> tuple[str, ...]:
    out = (_ACTIVITY.sub("", _OTHER.sub("", _PLACEHOLDER.sub("", p.strip()))) for p in _SEPARATORS.split(text))
    return tuple(dict.fromkeys(p for p in out if p))


def rule_keywords(rule: SeiRule) -> RuleKeywords:
    """One rule's 关键词概述 split into phrases at its list separators, the activity word of a phrase's end
    (制造, 加工, 服务) dropped: "高端路由器、单槽位处理路由器等其他计算机制造" → 高端路由器, 单槽位处理路由器,
    计算机. These are the official phrases, not a tuned search query: some cells are placeholders
    ("产品相关关键词" → 产品), some list items are elliptic ("水、大气污染治理" gives 水), and matching is
    literal, so the keyword filter is a heuristic aid, not the official judgement."""
    terms: list[str] = []
    excluded: list[str] = []
    for phrase in _phrases(rule.keywords):
        negated = _EXCLUDING.sub("", phrase)
        (excluded if negated != phrase else terms).append(negated)
    return RuleKeywords(rule.sei_code, rule.rule_no, tuple(terms), tuple(excluded), rule.keywords)


@lru_cache(maxsize=64)
def _rule_keywords_of(code: str) -> tuple[RuleKeywords, ...]:
    return tuple(rule_keywords(r) for r in rules() if r.keywords and _in_code(r.sei_code, code))


def keyword_terms(sei_code: str) -> tuple[str, ...]:
    """All keyword phrases of the rules of a branch ("5.3") or group ("5"), in table order, without
    repeats; the "不包括 …" phrases are left out (they exclude). A simple text filter: "in the industry
    by IPC and mentions one of these". `fits` applies the table's keywords rule by rule instead."""
    code = _known_code(sei_code)
    return tuple(dict.fromkeys(t for k in _rule_keywords_of(code) for t in k.terms))


def rules_keywords(sei_code: str) -> list[RuleKeywords]:
    """The keyword conditions of the rules of a branch or group that have one, in table order."""
    return list(_rule_keywords_of(_known_code(sei_code)))


def fits(ipc_symbols: Sequence[str], text: str, sei_code: str) -> bool:
    """Whether a patent is in a branch or group by IPC and keywords together, rule by rule: some rule of
    the code matches its IPC symbols and either has no keyword condition (the 15 IPC-only rules) or its
    text (title + abstract) contains one of that rule's terms and none of its excluded terms. Stricter
    and closer to the official table than IPC alone or than `keyword_terms` over the whole branch."""
    code = _known_code(sei_code)
    for rule in matching_rules(ipc_symbols):
        if not _in_code(rule.sei_code, code):
            continue
        if not rule.keywords:
            return True
        condition = rule_keywords(rule)
        if any(t in text for t in condition.excluded_terms):
            continue
        if not condition.terms or any(t in text for t in condition.terms):
            return True
    return False
