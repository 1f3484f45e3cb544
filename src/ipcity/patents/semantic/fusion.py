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
from itertools import zip_longest

from ipcity.patents.search.contract import Hit


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


# An English pasted text (a whole abstract) is ranked by its meaning, and the lexical half's first few (the patents
# sharing most of the text's rarest words) get a bonus. Measured through the service on bench/prior_art.py (real
# English abstracts as queries, 169 queries; r@10 / r@100 / MRR): semantic alone 0.483 / 0.764 / 0.356, lexical half
# 0.402 / 0.680 / 0.325; RRF 1:1 0.435 / 0.748 / 0.340 (below the better half, as the issue found on its held-out
# set); min-max scores with the whole lexical list weighted 0.02: 0.478 / 0.756 / 0.360; only the lexical top 10 at
# 0.02 or 0.05: 0.481 / 0.762 / 0.360 and 0.481 / 0.756 / 0.360; top 3 at 0.05: 0.481 / 0.762 / 0.357; top 5 at 0.1
# (shipped): 0.481 / 0.762 / 0.362. Deeper in its list the lexical half pushes documents across the page boundary:
# on these queries the two halves err on the same documents (both read the words). A Chinese pasted text is the
# other way round: the corpus encoder reads Chinese by characters, and on the demo corpus (mostly titles) a
# described drone battery-swap station found motor circuits by meaning while its words found drones, landing
# platforms and swap stations; it keeps RRF 1:1 (tests/patents/test_describe_invention.py).
TEXT_LEXICAL_WEIGHT = 0.1
TEXT_LEXICAL_TOP = 5


def minmax(hits: Sequence[Hit]) -> dict[str, float]:
    """Each hit's score scaled to [0, 1] within its list (1 for all when every score is equal)."""
    if not hits:
        return {}
    low, high = min(h.score for h in hits), max(h.score for h in hits)
    spread = high - low
    return {h.pub_number: (h.score - low) / spread if spread > 0 else 1.0 for h in reversed(hits)}


def hybrid(lexical: Sequence[Hit], semantic: Sequence[Hit], *, pasted_text: bool = False,
           chinese: bool = False) -> list[tuple[str, float]]:
    """The hybrid ranking of the search box: the lexical and the semantic half fused into one list.

    Plain words (a few terms) and a Chinese pasted text fuse by reciprocal rank, each half counted alike: there
    the words carry the intent. A pasted text in another language fuses by normalised score with the lexical
    half's first TEXT_LEXICAL_TOP weighted TEXT_LEXICAL_WEIGHT (measured above). Equal scores keep the semantic
    half's order."""
    if not pasted_text or chinese:
        return rrf([[h.pub_number for h in lexical], [h.pub_number for h in semantic]])
    meaning, words = minmax(semantic), minmax(list(lexical)[:TEXT_LEXICAL_TOP])
    order = list(dict.fromkeys([h.pub_number for h in semantic] + [h.pub_number for h in lexical]))
    fused = [(pub, meaning.get(pub, 0.0) + TEXT_LEXICAL_WEIGHT * words.get(pub, 0.0)) for pub in order]
    return sorted(fused, key=lambda item: -item[1])


def across_languages(own: Sequence[Hit], translated: Sequence[Hit]) -> list[Hit]:
    """The neighbours of a query and those of its translation, taking turns (own first; a patent in both lists
    keeps its first place).

    Encoding the query and its translation as one text lets the query's own language win: on the demo corpus
    a Chinese description of a drone battery-swap station, with its English translation appended, still
    found Chinese motor circuits and no drone; the translation's own neighbours were English drone patents.
    Reciprocal-rank sums were tried first: a patent near both the query and its translation then outranked the
    query's own best match (an English graphene anode above the Chinese one the words described)."""
    if not translated:
        return list(own)
    if not own:
        return list(translated)
    merged: dict[str, float] = {}
    for pair in zip_longest(own, translated):
        for hit in pair:
            if hit is not None and hit.pub_number not in merged:
                merged[hit.pub_number] = 1.0 / (1 + len(merged))  # decreasing with the place taken
    return [Hit(pub, score) for pub, score in merged.items()]
