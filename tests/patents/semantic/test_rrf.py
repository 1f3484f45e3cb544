"""Reciprocal rank fusion on small cases computed by hand (score = Σ w / (k + rank), rank from 1)."""

from __future__ import annotations

import pytest

from ipcity.patents.search.contract import Hit
from ipcity.patents.semantic.fusion import across_languages, hybrid, rrf


def test_two_rankings_with_the_papers_k():
    fused = rrf([["a", "b", "c"], ["b", "c", "a"]])
    # a: 1/61 + 1/63, b: 1/62 + 1/61, c: 1/63 + 1/62
    assert [doc for doc, _ in fused] == ["b", "a", "c"]
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert scores["b"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 62 + 1 / 63)


def test_a_document_in_one_ranking_only():
    fused = dict(rrf([["x", "y"], ["y", "z"]], k=0))
    assert fused == pytest.approx({"x": 1.0, "y": 1 / 2 + 1, "z": 1 / 2})


def test_weights():
    fused = rrf([["a", "b"], ["b"]], k=60, weights=[1, 2])
    assert fused[0] == ("b", pytest.approx(1 / 62 + 2 / 61))
    assert fused[1] == ("a", pytest.approx(1 / 61))


def test_repeats_count_once_and_ties_keep_first_met_order():
    assert dict(rrf([["a", "a", "b"]], k=1)) == pytest.approx({"a": 1 / 2, "b": 1 / 4})
    assert [doc for doc, _ in rrf([["p"], ["q"], ["r"]])] == ["p", "q", "r"]
    assert rrf([]) == [] and rrf([[], []]) == []


def test_bad_arguments():
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1, 2])
    with pytest.raises(ValueError):
        rrf([["a"]], k=-1)


def _hits(*pairs):
    return [Hit(pub, score) for pub, score in pairs]


def test_hybrid_of_plain_words_counts_both_halves_alike():
    lexical, semantic = _hits(("A", 9.0), ("B", 5.0)), _hits(("B", 0.9), ("C", 0.8))
    assert [pub for pub, _ in hybrid(lexical, semantic)] == ["B", "A", "C"]
    assert hybrid(lexical, semantic, pasted_text=True, chinese=True) == hybrid(lexical, semantic)


def test_a_pasted_text_is_ranked_by_meaning_and_only_the_best_word_matches_move_it():
    semantic = _hits(*((f"S{i}", 1.0 - i / 100) for i in range(50)))
    lexical = _hits(("S40", 40.0), ("S1", 30.0), *((f"L{i}", 20.0 - i) for i in range(10)))
    fused = [pub for pub, _ in hybrid(lexical, semantic, pasted_text=True)]
    assert fused[:3] == ["S1", "S0", "S2"]  # near-equal meanings are tipped by the words
    assert 10 < fused.index("S40") < 40  # the best word match far from the meaning moves up, not to the top
    assert fused.index("L0") < fused.index("L5")  # lexical-only patents follow the ranked meaning...
    assert "L3" not in fused[:len(semantic)] and "L5" in fused  # ...beyond the top few they only fill in
    assert set(fused) == {h.pub_number for h in semantic + lexical}


def test_neighbours_across_languages_take_turns_and_stand_alone_when_one_side_is_empty():
    own, other = _hits(("CN1", 0.9), ("CN2", 0.8)), _hits(("US1", 0.7), ("US2", 0.6))
    assert [h.pub_number for h in across_languages(own, other)] == ["CN1", "US1", "CN2", "US2"]
    assert across_languages(own, []) == own and across_languages([], other) == other
    both = across_languages(own, _hits(("CN2", 0.95), ("US1", 0.7)))  # near both: keeps its first place only
    assert [h.pub_number for h in both] == ["CN1", "CN2", "US1"]
    assert [h.score for h in both] == sorted((h.score for h in both), reverse=True)
