"""Highlight spans (analysis.spans).

`spans` skips texts that hold no term, cuts only the clauses that hold one, and reads the tokens in one
comprehension; the reference below is the token-by-token loop over the whole text it replaced, and both must mark
the same characters on Chinese, English, full-width, mixed and punctuation-heavy texts, with terms that are words,
sub-words, stems or blank.
"""

from __future__ import annotations

import pytest
import rjieba

from ipcity.patents.search import analysis
from ipcity.patents.search.analysis import index_tokens, query_tokens, spans

TEXTS = [
    "一种锂离子电池隔膜及其制备方法，所述隔膜包括聚乙烯基膜和陶瓷涂层。",
    "本发明公开了一种拖拉机发动机散热片，散热片设置在发动机的两侧，提高散热效率。",
    "A lithium-ion battery separator comprising a polyethylene film; the batteries are charged by running pumps.",
    "Running   cooled PUMPS\n\tand 电池 系统: happy users, agreed terms.",
    "ＡＢＣ　ｒｕｎｎｉｎｇ　电池　ｓｙｓｔｅｍ",
    "无人机的飞行控制系统与方法",
    "电池包括正极、负极和隔膜；隔膜为多孔膜。电池壳体,电池盖:电池!隔膜?电池\n隔膜 电池\t锂电池组",
    "散热片1.5mm、散热片-2;散热片_3,发动机#4 发动机&散热片 100%散热片",
    "",
]


def reference(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """The former loop: every search-mode token, stripped, matched as it is or by its English stem."""
    if not text or not terms:
        return []
    analysis._dictionary_loaded()
    folded = analysis.normalise_text(text)
    if len(folded) != len(text):
        return []
    found = []
    for word, start, end in rjieba.tokenize(folded, mode="search"):
        token = word.strip()
        if token and (token in terms or (analysis._LATIN.match(token) and analysis.stem(token) in terms)):
            found.append((start, end))
    return analysis._merge(found)


def term_sets(text: str) -> list[set[str]]:
    words = index_tokens(text)
    sets = [set(words[:1]), set(words[1:4]), set(words), {"电池"}, {"batteri", "pump"}, {"happi"}, {"离子"},
            {"隔膜", "电池"}, {"散热片", "发动机"}, {"1.5", "mm"}, {"锂电池"},
            set(query_tokens("隔膜 running")), {"", "散热片"}, {""}, set()]
    return sets


@pytest.mark.parametrize("text", TEXTS)
def test_spans_mark_what_the_token_loop_marked(text):
    for terms in term_sets(text):
        assert spans(text, terms) == reference(text, terms), terms


def test_spans_find_words_stems_and_sub_words():
    text = TEXTS[0]
    assert [text[a:b] for a, b in spans(text, {"隔膜"})] == ["隔膜", "隔膜"]
    assert [text[a:b] for a, b in spans(text, {"离子"})] == ["离子"]  # a sub-word of 锂离子, marked as itself
    english = TEXTS[2]
    assert [english[a:b] for a, b in spans(english, {"batteri"})] == ["battery", "batteries"]
    assert spans(text, {"拖拉机"}) == []  # a term the text does not hold: nothing, without cutting it
    assert spans(text, {""}) == []  # a blank term matches no gap between words
