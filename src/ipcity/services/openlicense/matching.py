"""Matchmaking (供需对接): a company describes its need or its products in plain words and gets the published open
licences ranked, each with the passages of the patent (title, abstract, claims) that match best.

With the patent engine's encoder (ipcity.patents.engine; corpus TF-IDF+SVD or a sentence-transformers model):
exact cosine between the need and each declared patent's text, and between the need and each sentence for the
passages. Without one (none configured, or not trained yet): lexical overlap of the need's words
(ipcity.patents.search.analysis.query_tokens) with the patent's words. Published declarations number thousands
at most, so an exact scan is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.patents import register
from ipcity.patents.search.analysis import query_tokens
from ipcity.patents.service import highlight_html
from ipcity.services.openlicense.tables import Declaration

TAKEABLE = ("published", "withdrawal_requested")
_SENTENCES = re.compile(r"(?<=[。；;！？!?])|\n+")
MIN_SCORE = 0.05


@dataclass
class Match:
    declaration: Declaration
    score: float
    passages: list[Markup]
    matched: list[str]  # the need's words found in the patent (lexical), or [] (semantic only)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text or "") if s and len(s.strip()) >= 4]


def encoder_of(settings):
    """The installation's encoder, or None (then matching is lexical)."""
    if settings is None:
        return None
    try:
        from ipcity.patents.engine import engine_for

        return engine_for(settings).encoder
    except Exception:  # a broken or missing model must not break matchmaking: fall back to words
        return None


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return rows / norms


def _terms(text: str) -> set[str]:
    return {t for t in query_tokens(text) if len(t) > 1 or not t.isascii()}


def match(session: Session, need: str, *, encoder=None, limit: int = 20) -> list[Match]:
    need = (need or "").strip()
    if not need:
        return []
    decls = list(session.scalars(select(Declaration).where(Declaration.state.in_(TAKEABLE))
                                 .order_by(Declaration.id)))
    if not decls:
        return []
    texts = []
    for d in decls:
        try:
            claims = register.find(session, d.app_number).claims
        except Exception:  # the patent left the register: match on the snapshot
            claims = ""
        texts.append((d, [d.title, *sentences(d.abstract), *sentences(claims)[:12]]))
    need_terms = _terms(need)
    out: list[Match] = []
    if encoder is not None:
        flat = [s for _, parts in texts for s in parts]
        docs = ["\n".join(parts) for _, parts in texts]
        vectors = _unit(np.asarray(encoder.encode([need, *docs, *flat]), dtype=np.float32))
        q, doc_vecs, sent_vecs = vectors[0], vectors[1:1 + len(docs)], vectors[1 + len(docs):]
        doc_scores, sent_scores = doc_vecs @ q, sent_vecs @ q
        at = 0
        for (d, parts), doc_score in zip(texts, doc_scores, strict=True):
            own = sent_scores[at:at + len(parts)]
            at += len(parts)
            best = sorted(range(len(parts)), key=lambda i: -own[i])[:2]
            score = float(0.6 * doc_score + 0.4 * (own.max() if len(own) else 0.0))
            if score >= MIN_SCORE:
                found = sorted(need_terms & _terms("\n".join(parts)))
                out.append(Match(d, score, [highlight_html(parts[i], need_terms, 160) for i in best], found))
    else:
        if not need_terms:
            return []
        for d, parts in texts:
            per = [(len(need_terms & _terms(p)), i) for i, p in enumerate(parts)]
            found = sorted(need_terms & _terms("\n".join(parts)))
            if not found:
                continue
            score = len(found) / len(need_terms)
            best = [i for n, i in sorted(per, key=lambda x: (-x[0], x[1])) if n > 0][:2]
            out.append(Match(d, score, [highlight_html(parts[i], need_terms, 160) for i in best], found))
    out.sort(key=lambda m: (-m.score, m.declaration.id))
    return out[:limit]
