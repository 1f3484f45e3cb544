"""IPC symbols, the shipped IPC 2026.01 scheme, and the patent-term dictionary built from its titles."""

from __future__ import annotations

import csv
import gzip
import io
import re
from importlib import resources

import pytest
import rjieba

from ipcity.patents.ipc import (
    CLASS,
    MAIN_GROUP,
    SECTION,
    SUBCLASS,
    SUBGROUP,
    IpcError,
    IpcScheme,
    IpcStatus,
    clean_title,
    normalise_ipc,
    parts,
    scheme,
)
from tests.conftest import shared_data


@pytest.mark.parametrize(("text", "canonical"), [
    ("H01M 10/0525", "H01M10/0525"),
    ("H01M10/0525", "H01M10/0525"),
    ("h01m 10 / 0525", "H01M10/0525"),
    ("Ｈ０１Ｍ１０／０５２５", "H01M10/0525"),
    ("H01M0010052500", "H01M10/0525"),  # WIPO ST.8 fixed width: 4-digit main group, 6-digit subgroup
    ("A01B0001000000", "A01B1/00"),
    ("H01M 10/05 (2010.01)", "H01M10/05"),
    ("H01M10/05(2010.01)", "H01M10/05"),
    ("A61K 39/02 [2006.01]", "A61K39/02"),
    ("H01M 10/0525 20100101 AFI", "H01M10/0525"),
    ("H01M 10/050", "H01M10/05"),
    ("G06F 16/00", "G06F16/00"),
    # ritonavir landscape export: subclass + 3-digit main group + subgroup digits
    ("C07D41700", "C07D417/00"),
    ("H01J04900", "H01J49/00"),
    ("G01N03072", "G01N30/72"),
    ("A61K031426", "A61K31/426"),
    ("A61K0317072", "A61K31/7072"),
    ("A61K00912", "A61K9/12"),
    # …and the same export with a 4-digit main group, told apart by the scheme
    ("G01N003353", "G01N33/53"),
    ("G01N0033573", "G01N33/573"),
    ("C12N000510", "C12N5/10"),
    ("H01M", "H01M"),
    ("h01", "H01"),
    ("H", "H"),
    ("Y02E 10/50", "Y02E10/50"),  # CPC symbols normalise the same way
])
def test_normalise(text, canonical):
    assert normalise_ipc(text) == canonical


@pytest.mark.parametrize("text", [
    "", "   ", "I01M10/00", "H1M10/00", "H01M10", "H01M 0/00", "H01M10/0525X", "H01M10/0525 H01M10/0526",
    "H01M10/05/25", "7C 07D 235:00 J", "H01MM", "H01M 10/", "H01M123",
])
def test_malformed_symbols(text):
    with pytest.raises(IpcError) as info:
        normalise_ipc(text)
    assert " / " in str(info.value) and any("\u4e00" <= c <= "\u9fff" for c in str(info.value))


def test_parts():
    p = parts("H01M 10/0525")
    assert (p.section, p.ipc_class, p.subclass, p.main_group, p.full, p.level) == (
        "H", "H01", "H01M", "H01M10/00", "H01M10/0525", SUBGROUP)
    assert parts("H01M10/00").level == MAIN_GROUP
    assert (parts("H01M").subclass, parts("H01M").main_group, parts("H01M").level) == ("H01M", "", SUBCLASS)
    assert (parts("H01").ipc_class, parts("H01").subclass, parts("H01").level) == ("H01", "", CLASS)
    assert (parts("H").section, parts("H").level) == ("H", SECTION)


def test_scheme_size_and_levels():
    ipc = scheme()
    assert ipc is scheme()  # loaded once per process
    assert len(ipc) == 77249  # SOURCE.md of ipc-zh-2026
    levels = [ipc.level(code) for code in ipc.codes()]
    assert levels.count(SECTION) == 8 and levels.count(CLASS) == 131 and levels.count(SUBCLASS) == 643
    # E01D101/00 comes as a subgroup row in the source and is a main group (see test_repaired_source_rows)
    assert levels.count(MAIN_GROUP) == 7476 + 1 and levels.count(SUBGROUP) == 68991 - 1
    assert all(normalise_ipc(code) == code for code in ipc.codes())  # the shipped symbols are canonical


def test_titles_with_fallback():
    ipc = scheme()
    assert ipc.title("H01M 10/0525") == "摇椅式电池，即其两个电极均插入或嵌入有锂的电池；锂离子电池"  # SOURCE.md sample
    assert ipc.title("G06F16/33") == "查询"
    assert ipc.title("G06F16/339999") == ipc.title("G06F16/00")  # unknown subgroup: its main group's title
    assert ipc.title("H01L21/00") == ipc.title("H01")  # H01L is gone from 2026.01: the class title
    assert ipc.title("G06F16/339999", fallback=False) == ""
    assert ipc.title("B64U", lang="en").startswith("UNMANNED AERIAL VEHICLES")
    assert ipc.title("B64U10/00", lang="en") == ipc.title("B64U", lang="en")  # English stops at subclass
    assert ipc.title("H01L21/00", lang="en").startswith("SEMICONDUCTOR DEVICES")
    # notes appended to titles in the source are not part of the title
    assert ipc.title("B64U") == "无人驾驶飞行器[UAV]；为此的设备"
    assert "注意" not in ipc.title("A24")
    with pytest.raises(ValueError):
        ipc.title("H01M", lang="fr")


def test_repaired_source_rows():
    ipc = scheme()
    assert ipc.exists("E01D101/00") and ipc.title("E01D101/00") == "桥梁的材料组成"
    assert ipc.level("E01D101/00") == MAIN_GROUP and "E01D101/00" in ipc.children("E01D")
    assert ipc.children("E01D101/00")[:2] == ["E01D101/10", "E01D101/20"]  # were E01D101/1 "0", E01D101/2 "0"
    assert ipc.title("E01D101/10") == "桥梁的材料组成"  # no own title: its main group's
    assert "G01N23/20008" in ipc.children("G01N23/00")  # was G01N23/2000 "8"


def test_exists_and_validate():
    ipc = scheme()
    assert ipc.exists("H01M10/0525") and ipc.exists("H01M 10/0525 (2010.01)")
    assert not ipc.exists("H01L21/00") and not ipc.exists("not a symbol")
    assert ipc.validate("H01M 10/0525") == IpcStatus.VALID == "valid"
    assert ipc.validate("H01M") == IpcStatus.VALID
    assert ipc.validate("H01L 21/00") == IpcStatus.OLD_EDITION  # replaced by H10* in 2026.01
    assert ipc.validate("H01L") == IpcStatus.OLD_EDITION
    assert ipc.validate("H01M10/0599") == IpcStatus.UNKNOWN  # main group exists, subgroup does not
    assert ipc.validate("G06F17/30") == IpcStatus.UNKNOWN  # removed group of an older edition
    assert ipc.validate("H99Z1/00") == IpcStatus.UNKNOWN
    with pytest.raises(IpcError):
        ipc.validate("H01M10")


def test_children():
    ipc = scheme()
    assert ipc.children() == list("ABCDEFGH")
    assert "H01M" in ipc.children("H01") and all(c.startswith("H01") and len(c) == 4 for c in ipc.children("H01"))
    main_groups = ipc.children("H01M")
    assert main_groups[:4] == ["H01M4/00", "H01M6/00", "H01M8/00", "H01M10/00"]
    subgroups = ipc.children("H01M 10/00")
    assert "H01M10/0525" in subgroups and all(s.startswith("H01M10/") for s in subgroups)
    assert ipc.children("H01M10/0525") == [] and ipc.children("H01L") == []


def test_search_titles():
    ipc = scheme()
    assert ipc.search_titles("石墨烯")[:2] == ["C01B32/182", "C01B32/198"]
    assert ipc.search_titles(["锂离子", "电池"]) == ["H01M10/0525"]
    assert ipc.search_titles("unmanned aerial", lang="en") == ["B64U"]
    assert len(ipc.search_titles("电池", limit=3)) == 3
    assert ipc.search_titles("   ") == []


def test_small_scheme_from_rows():
    ipc = IpcScheme([("H", SECTION, "电学"), ("H01", CLASS, "电气元件"), ("H01M", SUBCLASS, "电池注意：略")],
                    [("H01M", "BATTERIES")])
    assert ipc.children("H01") == ["H01M"] and ipc.title("H01M") == "电池"
    assert ipc.title("H01M10/00", lang="en") == "BATTERIES"


def test_clean_title():
    assert clean_title("化妆品的特定用途 1．该小类用于…") == "化妆品的特定用途"
    assert clean_title("材料或消毒的一般方法（…入A61K）〔4〕") == "材料或消毒的一般方法（…入A61K）"
    assert clean_title("利用拉曼散射") == "利用拉曼散射"


def test_cn_titles_data_set_subclasses_exist():
    """Every subclass assigned in a real CN corpus is a 2026.01 subclass or one of an older edition."""
    path = shared_data("cn-patent-titles-ipc") / "cn_titles_ipc_subclasses.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read()), delimiter="\t"))
    ipc = scheme()
    subclasses = {s for r in rows for s in r["ipc_subclasses"].split("|")}
    assert len(subclasses) > 300
    statuses = {s: ipc.validate(s) for s in subclasses}
    assert IpcStatus.UNKNOWN not in statuses.values()
    assert statuses.get("H01L", IpcStatus.OLD_EDITION) == IpcStatus.OLD_EDITION


def test_ritonavir_export_symbols_normalise():
    path = shared_data("patent-landscape-wipo-manual") / "ritonavir_wipo_landscape_804.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    symbols = [s.strip() for r in rows for s in r["ipc classes"].split("|") if s.strip() not in ("", "None")]
    ipc = scheme()
    normalised, failed = [], []
    for symbol in symbols:
        try:
            normalised.append(normalise_ipc(symbol))
        except IpcError:
            failed.append(symbol)
    assert len(symbols) > 4000
    # refused: only the old indexing-code form (7C 07D 235:00 J) and truncated values (A61K000)
    assert failed and all(":" in s or re.fullmatch(r"[A-H]\d\d[A-Z]0+", s) for s in failed)
    known = sum(ipc.validate(s) != IpcStatus.UNKNOWN for s in normalised)
    assert known / len(normalised) > 0.9


# -- patent-term dictionary (scripts/build_patent_terms.py) -------------------------------------------

@pytest.fixture(scope="module")
def terms() -> list[str]:
    data = resources.files("ipcity.patents") / "data" / "patent_terms.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def test_terms_file_shape(terms):
    assert len(terms) > 1000
    assert terms == sorted(set(terms))
    assert all(2 <= len(t) <= 8 and t.strip() == t for t in terms)
    assert {"石墨烯", "拉曼光谱", "磷酸铁锂", "锂离子电池"} <= set(terms)
    assert not {"方法", "装置", "设备", "系统"} & set(terms)


def test_terms_keep_words_whole_in_jieba(terms):
    plain = rjieba.Jieba()
    assert plain.cut("石墨烯") == ["石墨", "烯"]  # the problem the dictionary solves (NOTES.md)
    jieba = rjieba.Jieba()
    for term in terms:
        jieba.add_word(term, None, None)
    assert "石墨烯" in jieba.cut("一种石墨烯复合材料的制备方法")
    assert "拉曼光谱" in jieba.cut("基于拉曼光谱的检测装置")
    assert "拉曼" in jieba.cut_for_search("拉曼光谱检测")
    assert "磷酸铁锂" in jieba.cut("一种磷酸铁锂电池")
    assert "氧化石墨烯" in jieba.cut("氧化石墨烯改性环氧树脂")


def test_terms_rebuild_is_reproducible(terms):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_patent_terms.py"
    spec = importlib.util.spec_from_file_location("build_patent_terms", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build_terms() == terms


def test_english_titles_carry_no_scraped_markup():
    from ipcity.patents.ipc import scheme

    title = scheme().title("A21D", "en")
    assert title.startswith("TREATMENT") and "href" not in title and "onclick" not in title and '"' not in title
