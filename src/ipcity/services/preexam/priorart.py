"""The prior-art hint and the suggested classes of a submitted case, from the patent search.

The case's title, abstract and first claims are searched as a pasted text (lexical, with meaning where the
installation has an encoder: `patents.service.search`). The examiner gets the nearest documents, each with the
sentences of its abstract and claims that share most of the case's words. The same neighbours suggest IPC
subclasses (a nearest-neighbour vote, weighted by rank): the field check flags a case whose proposed classes share
no subclass with them. Plain values only, so the result is stored with the case and shown without searching again.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ipcity.core.context import settings_of
from ipcity.core.errors import DomainError
from ipcity.patents import service as patent_search
from ipcity.patents.engine import engine_for
from ipcity.patents.search.analysis import query_tokens, spans

HITS = 8  # documents shown to the examiner
VOTERS = 20  # neighbours that vote on the classes
PASSAGES = 2  # sentences per document
SUGGESTED = 3  # subclasses suggested at most
MIN_SHARE = 0.15  # of the vote, for a subclass to be suggested
MAX_TERMS = 60
_SENTENCE = re.compile(r"(?<=[。；;！？!?])|(?<=\.)\s+|\n+")


@dataclass(frozen=True)
class Hint:
    hits: list[dict]  # {"pub_number", "title", "score", "ipc", "passages": [sentence, ...]}
    suggested: list[tuple[str, float]]  # (IPC subclass, share of the vote)
    terms: list[str]  # the case's words, to mark in the passages
    error: str = ""  # why there is no hint (the search could not read the text)

    def as_dict(self) -> dict:
        return {"hits": self.hits, "suggested": [list(s) for s in self.suggested], "terms": self.terms,
                "error": self.error}


def query_text(title: str, abstract: str, claims: str, limit: int) -> str:
    """What is searched: title, abstract and the start of the claims, within the search's query limit."""
    text = "\n".join(t.strip() for t in (title, abstract, claims) if t and t.strip())
    return text[:limit]


def passages(text: str, terms: set[str], k: int = PASSAGES) -> list[str]:
    """The `k` sentences of `text` with the most marked words, in their order in the text."""
    sentences = [s.strip() for s in _SENTENCE.split(text or "") if s and s.strip()]
    scored = [(len(spans(s, terms)), i, s) for i, s in enumerate(sentences)]
    best = sorted((x for x in scored if x[0]), key=lambda x: (-x[0], x[1]))[:k]
    return [s[:300] for _, _, s in sorted(best, key=lambda x: x[1])]


def vote(ipc_lists: list[list[str]]) -> list[tuple[str, float]]:
    """Subclasses of the neighbours' IPC symbols, each neighbour's vote weighted 1/rank and split over its own
    subclasses; those with at least MIN_SHARE of the vote, best first."""
    votes: Counter[str] = Counter()
    for rank, symbols in enumerate(ipc_lists, start=1):
        subclasses = list(dict.fromkeys(s[:4].upper() for s in symbols if len(s) >= 4))
        for sub in subclasses:
            votes[sub] += 1.0 / rank / len(subclasses)
    total = sum(votes.values())
    if not total:
        return []
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(sub, round(v / total, 3)) for sub, v in ranked if v / total >= MIN_SHARE][:SUGGESTED]


def hint(session: Session, title: str, abstract: str, claims: str) -> Hint:
    """The nearest documents of the register to the case and the classes they suggest."""
    settings = settings_of(session)
    engine = engine_for(settings)
    text = query_text(title, abstract, claims, settings.search_max_query_chars)
    if not text:
        return Hint([], [], [])
    try:
        result = patent_search.search(session, engine, text, mode="hybrid", per_page=VOTERS, facets=(),
                                      translate=False)
    except DomainError as exc:
        return Hint([], [], [], error=exc.message.render("zh"))
    terms = set(query_tokens(text))
    hits = [{"pub_number": row.record.pub_number, "title": row.record.title, "score": round(float(row.score), 4),
             "ipc": list(row.record.ipc[:5]),
             "passages": passages("\n".join(t for t in (row.record.abstract, row.record.claims) if t), terms)}
            for row in result.rows[:HITS]]
    suggested = vote([list(row.record.ipc or ([row.record.ipc_main] if row.record.ipc_main else []))
                      for row in result.rows])
    return Hint(hits, suggested, sorted(terms)[:MAX_TERMS])
