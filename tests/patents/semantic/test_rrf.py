"""Reciprocal rank fusion on small cases computed by hand (score = Σ w / (k + rank), rank from 1)."""

from __future__ import annotations

import pytest

from ipcity.patents.semantic.fusion import rrf


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
