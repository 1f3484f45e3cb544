"""Reciprocal rank fusion: one ranking out of several (keyword search + semantic search).

Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and individual Rank Learning
Methods", SIGIR 2009: a document's fused score is

    RRF(d) = Σ_i  w_i / (k + rank_i(d))

over the rankings i that contain d, with rank_i(d) counted from 1 and k = 60 (the paper's constant, which
damps the weight of the very top ranks). Only ranks are used, never the engines' scores, so BM25 scores
and cosines need no common scale. The weights w_i (default 1) are an extension of the paper's formula that
lets one engine count more than another.
"""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[str]], k: float = 60,
        weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Fuse rankings (ids, best first) into [(id, score)], highest score first.

    An id repeated within one ranking counts at its first (best) rank only. Equal scores keep the order
    in which the ids were first met, reading the rankings one after another, so the result is deterministic.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[str, float] = {}  # dicts keep insertion order: the first-met order breaks ties
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[str] = set()
        for rank, doc_id in enumerate(ranking, start=1):
            if doc_id in seen:
                continue
            seen.add(doc_id)
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])  # sorted() is stable
