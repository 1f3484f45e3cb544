"""SEI ↔ IPC concordance (CNIPA 2021 试行): pattern convention, the shipped table, and a cross-check
against the independent expansion of the table over IPC 2026.01 in shared data."""

from __future__ import annotations

import csv
import gzip
import hashlib
import random
from importlib import resources

import pytest

from ipcity.navigation import sei
from ipcity.patents.ipc import IpcError
from tests.conftest import shared_data


def rule(code: str, no: int) -> sei.SeiRule:
    return next(r for r in sei.rules() if (r.sei_code, r.rule_no) == (code, no))


# --- pattern semantics ------------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "symbol", "expected"), [
    ("G16*", "G16H50/20", True),  # class
    ("G16*", "G06F16/00", False),
    ("G06F*", "G06F3/0488", True),  # subclass
    ("G06F*", "G06F", True),  # a bare subclass symbol is "that code" itself
    ("G06F*", "G06Q10/00", False),
    ("H04L1*", "H04L1/00", True),  # main group H04L1/ …
    ("H04L1*", "H04L1/1607", True),
    ("H04L1*", "H04L12/28", False),  # … not H04L12/ (the digits are the main-group number)
    ("H04L1*", "H04L", False),  # the subclass is above the main group, not below it
    ("H04L12*", "H04L12/28", True),
    ("H02J7/00", "H02J7/00", True),  # exact group
    ("H02J7/00", "H02J7/02", False),  # … and nothing below it
    ("G06K19/06", "G06K19/067", False),  # exact subgroup: 19/067 is not read as "below" 19/06
    ("H*", "H01M10/0525", True),  # section
    ("G16H", "G16H50/20", True),  # no star, no slash: read as G16H* (see sei module doc)
    ("H03M13", "H03M13/15", True),
    ("H03M13", "H03M1/12", False),
])
def test_pattern_convention(pattern, symbol, expected):
    assert sei.matches(pattern, symbol) is expected


def test_symbols_in_any_spelling():
    # the symbol is normalised first: spaces, edition suffix, full width, slash-less ST.8 form
    assert sei.matches("H04L1*", "H04L 1/00 (2006.01)")
    assert sei.matches("H01M10*", "Ｈ０１Ｍ１０／０５２５")
    assert sei.matches("H01M10/0525", "H01M0010052500")
    assert sei.matches("G06F9/54", "G06F 9/540")  # trailing zero of a subgroup is not significant


def test_malformed_pattern_or_symbol_raises():
    with pytest.raises(ValueError):
        sei.matches("H01M10/05*", "H01M10/0525")  # starred subgroups are outside the convention
    with pytest.raises(ValueError):
        sei.matches("1.1", "H01M10/0525")
    with pytest.raises(IpcError):
        sei.matches("H01M*", "not a symbol")


# --- the shipped table --------------------------------------------------------------------------------

def test_table_is_the_shared_copy_and_loads_303_rules():
    rules = sei.rules()
    assert len(rules) == 303
    assert all(r.patterns for r in rules)  # every rule has at least one IPC pattern
    assert all(r.sei_code == "1.1" or "." in r.sei_code for r in rules)
    # every pattern and exclusion compiles under the convention (raises otherwise)
    for r in rules:
        for p in r.patterns + r.exclusions:
            sei._pattern_key(p)
    assert sum(1 for r in rules if not r.keywords) == 15  # SOURCE.md: 15 IPC-only rules
    shipped = (resources.files("ipcity.navigation") / "data" / sei.DATA_FILE).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == (
        "0f9d667a355fd655d79df6c3813b203cbf66cb5b41659d9755c62b9e96bae1d9")


def test_forty_branches_and_nine_groups_in_order():
    table = sei.industries()
    groups = [c for c, _ in table if "." not in c]
    branches = [c for c, _ in table if "." in c]
    assert groups == [str(i) for i in range(1, 10)]
    assert len(branches) == 40 and len(set(branches)) == 40
    assert branches[0] == "1.1" and branches[-1] == "9.2"
    assert table[0] == ("1", "新一代信息技术产业")
    assert ("5", "新能源汽车产业") in table and ("5.3", "新能源汽车相关设施制造") in table
    # each group comes right before its own branches
    for i, (code, _) in enumerate(table):
        if "." in code:
            previous_group = next(c for c, _ in reversed(table[:i]) if "." not in c)
            assert code.split(".")[0] == previous_group


def test_rule_5_3_h02j7_with_its_exclusion():
    r = rule("5.3", 4)
    assert r.patterns == ("H02J7*",) and r.exclusions == ("H02J7/35",)
    assert "5.3" in sei.classify(["H02J7/00"])
    assert "5.3" in sei.classify(["H02J7/0013"])
    assert "5.3" not in sei.classify(["H02J7/35"])  # excluded by the same rule; no other 5.3 rule has it
    assert r not in sei.matching_rules(["H02J7/35"])
    # another symbol of the same patent can still bring it in
    assert "5.3" in sei.classify(["H02J7/35", "H02J7/00"])


def test_exclusion_applies_within_its_rule_only():
    # rule 1.1/1 is G06F11*;G06F21*;H04L1* minus G06F11/14 …; rule 1.1/2 (G06F* minus G06F11* …) does
    # not include G06F11/14 either, so G06F11/14 leaves 1.1 through neither rule
    assert rule("1.1", 1) not in sei.matching_rules(["G06F11/14"])
    assert rule("1.1", 1) in sei.matching_rules(["G06F11/30"])
    assert rule("1.1", 1) in sei.matching_rules(["H04L1/00"])
    assert rule("1.1", 1) not in sei.matching_rules(["H04L12/28"])


def test_retired_codes_still_match():
    # H01L31* (solar cells, 6.3) is gone from IPC 2026.01 (→ H10F); an older patent's own symbol matches
    assert "6.3" in sei.classify(["H01L31/0224"])
    assert any("H01L31*" in r.patterns for r in sei.matching_rules(["H01L31/0224"]))
    assert "1.5" in sei.classify(["G06K9/62"])  # G06K9* (pattern recognition, → G06V) under AI


def test_group_level_in_industry():
    assert sei.in_industry(["H02J7/00"], "5.3")
    assert sei.in_industry(["H02J7/00"], "5")  # any branch of group 5
    assert not sei.in_industry(["H02J7/35"], "5")
    assert not sei.in_industry(["A47J27/00"], "5")  # cooking vessels: no SEI rule at all
    assert sei.classify(["A47J27/00"]) == set()
    with pytest.raises(ValueError):
        sei.in_industry(["H02J7/00"], "10")


def test_malformed_symbols_classify_as_nothing():
    assert sei.classify(["??", "H02J7/00", ""]) == sei.classify(["H02J7/00"])
    assert sei.classify([]) == set()


def test_codes_and_names():
    assert sei.is_code("5") and sei.is_code("5.3") and sei.is_code(" 5.3 ")
    assert not sei.is_code("") and not sei.is_code("10") and not sei.is_code("5.9")
    assert sei.name_of("5.3") == "新能源汽车相关设施制造"
    assert sei.name_of("9") == "相关服务业"
    assert sei.name_of("") == "" and sei.name_of("10") == ""


def test_keyword_phrases_of_a_rule():
    # 1.1/3: "高端路由器、单槽位处理路由器等其他计算机制造；新一代移动通信基站设备、数字程控交换机等通信系统设备制造"
    # split at 、 ； and 等(其他); the activity word 制造 at a phrase's end dropped
    assert sei.rule_keywords(rule("1.1", 3)).terms == (
        "高端路由器", "单槽位处理路由器", "计算机", "新一代移动通信基站设备", "数字程控交换机", "通信系统设备")
    # 等 that starts a word is not a separator: 2.1 "自动半自动电弧、等离子弧焊接机等金属切割及焊接设备制造"
    assert "等离子弧焊接机" in sei.keyword_terms("2.1")
    # "不包括航天相关设备制造" is an exclusion; "汽车相关关键词" a placeholder for 汽车
    two_two = sei.rules_keywords("2.2")
    assert [(k.rule_no, k.terms, k.excluded_terms) for k in two_two] == [
        (1, ("飞机", "航空器"), ()), (2, (), ("航天相关设备",))]  # rule 2.2/3 is IPC-only: absent
    assert "汽车" in sei.keyword_terms("5.3")


def test_keyword_terms_flat_for_a_branch_or_group():
    assert sei.keyword_terms("2.2") == ("飞机", "航空器")  # the exclusion is not a term
    assert sei.keyword_terms("1.1")[0] == "计算机和辅助设备修理"  # rule 1.1/1, first in table order
    group = sei.keyword_terms("5")
    assert set(sei.keyword_terms("5.3")) <= set(group) and len(group) == len(set(group))
    with pytest.raises(ValueError):
        sei.keyword_terms("5.9")


def test_fits_applies_keywords_rule_by_rule():
    # 2.2/1: B21D53/92; B29L31/30; H01Q1* − H01Q1/32, keywords 飞机等航空器制造 → terms 飞机, 航空器
    assert [m.rule_no for m in sei.matching_rules(["H01Q1/28"]) if m.sei_code == "2.2"] == [1]
    assert sei.in_industry(["H01Q1/28"], "2.2")
    assert sei.fits(["H01Q1/28"], "一种飞机机载天线", "2.2")
    assert not sei.fits(["H01Q1/28"], "一种手机天线", "2.2")  # IPC in, but none of the rule's terms
    assert sei.fits(["H01Q1/28"], "一种飞机机载天线", "2")  # group level
    assert not sei.fits(["A47J27/00"], "一种飞机机载天线", "2.2")  # the words without the IPC
    # 2.2/2: B64C25* … with only an exclusion, 不包括航天相关设备制造
    assert sei.fits(["B64C25/00"], "一种起落架", "2.2")
    assert not sei.fits(["B64C25/00"], "用于航天相关设备的起落架", "2.2")
    # 5.3/4 (H02J7* − H02J7/35): 地面交流、地下交流充电桩等其他输配电及控制设备制造
    assert sei.fits(["H02J7/00"], "一种地下交流充电桩", "5.3")
    assert not sei.fits(["H02J7/00"], "一种手机充电器", "5.3")


# --- cross-check against the expansion over IPC 2026.01 ----------------------------------------------

def test_agrees_with_the_expanded_table_on_a_sample():
    path = shared_data("sei-ipc-concordance-2021") / "ipc2026_to_sei_expanded.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) == 33_621
    sample = random.Random(20210).sample(rows, 2_000)
    disagree = [(r["ipc_code"], r["sei_code"]) for r in sample if r["sei_code"] not in sei.classify([r["ipc_code"]])]
    assert disagree == []
    # rule level too: the row's own rule is among those the code matches
    for r in sample[:300]:
        assert (r["sei_code"], int(r["rule_no"])) in {(m.sei_code, m.rule_no)
                                                      for m in sei.matching_rules([r["ipc_code"]])}
