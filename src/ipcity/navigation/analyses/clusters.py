"""Technology clusters from patent text (title + abstract), labelled with keywords, with their growth.

A navigation report (rules.md §7, GB/T 39551: 分析评估 — technology direction, hot spots) shows which
technical themes a topic is made of and which of them grow. The method, deliberately plain so that it
can be explained in the report:

1. Tokens: jieba words with the project's patent-term dictionary, in the search index's mode
   (`ipcity.patents.search.analysis.index_tokens`: a long word and its sub-words, 光伏组件 → 光伏, 组件,
   光伏组件 — titles are short, and the sub-words let 光伏组件 and 光伏支架 share something); Chinese words
   of at least 2 characters; English words stemmed (labels show each stem's most frequent spelling);
   patent boilerplate (一种, 方法, 装置, 存储介质 …, method, apparatus …) and bare numbers dropped.
2. TF-IDF (sublinear tf, l2 rows); terms in fewer than 2 documents are dropped, and from 100 documents on
   so are terms in more than half of them (boilerplate the stop list missed).
3. With more than `SVD_ABOVE` terms, LSA: TruncatedSVD to at most `SVD_COMPONENTS` dimensions, rows
   re-normalised (cosine geometry). On short texts k-means over the sparse TF-IDF puts most documents
   into one catch-all cluster: on 1,710 titles of 4 IPC subclasses (k=4, seeds 0–5), purity was
   0.66–0.74 with whole words and no LSA, 0.75 for every seed with sub-words and LSA
   (tests/navigation/test_clusters.py). Then k-means (`N_INIT`
   fixed, `random_state=seed`: deterministic; MiniBatchKMeans above `MINIBATCH_ABOVE` documents).
4. k, when not given: of k = 2..10 (capped by the number of distinct documents), the smallest whose
   silhouette (cosine) is at least 90 % of the best one — the best alone favours splitting a tight theme
   into near-duplicate groups; candidates are fitted on a sample of at most `K_SAMPLE` documents. On
   well-separated themes this finds their number; on real patent titles the silhouette rises steadily
   with k (measured 0.06 at k=2 to 0.15 at k=10 on 1,710 titles), so real corpora get 9 or 10, about
   the most a report chart shows legibly.
5. Labels: key phrases of the cluster's patents (`cluster_labels`: the key-phrase extractor of
   `ipcity.patents.keyphrases` over the members closest to the centroid, phrases weighted by how many of them
   have each and by how much more often it occurs in the cluster than in the whole set; each phrase labels
   one cluster only, and no phrase sits inside another of the same label). On KPPatent-ZH (5 folds, 38
   clusters, bench/cluster_labels.py) they score F1@5 0.228 exact / 0.271 partial against each cluster's most
   common gold key phrases, the highest-mean-TF-IDF words used before 0.204 / 0.230; they cost about 20
   extractions per cluster (some 2–5 s for 10 clusters, against ~1 s for the TF-IDF words).
   Representative: the document closest to the centroid.
6. Growth: documents in the last 3 complete application years over those in the 3 years before, minus 1
   (0.5 = half as many again). By default the 2 latest years in the data count as incomplete: invention
   applications are published 18 months after filing (Patent Law Art. 34), so the latest years are
   always under-counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import pairwise_distances_chunked, silhouette_samples, silhouette_score
from sklearn.preprocessing import normalize
from sklearn.utils import check_array, check_random_state

from ipcity.core.i18n import Msg
from ipcity.navigation.analyses.cluster_labels import cluster_labels, extractor
from ipcity.patents.search.analysis import index_tokens, query_tokens

K_RANGE = range(2, 11)  # candidates when k is None
K_TOLERANCE = 0.9  # … the smallest k whose silhouette is at least this share of the best
K_SAMPLE = 2_000  # documents used to choose k (fits), for speed on large sets
SILHOUETTE_SAMPLE = 2_000  # documents the silhouette is computed on (it is quadratic)
SVD_ABOVE = 300  # vocabulary size from which the TF-IDF matrix is reduced with TruncatedSVD
SVD_COMPONENTS = 100
MINIBATCH_ABOVE = 20_000  # documents from which the final fit uses MiniBatchKMeans
N_INIT = 4  # restarts of the final fit: 10 cost 0.7 s on 5,000 texts for no change in the test corpora
N_INIT_CHOOSE = 3  # restarts per candidate k while choosing k: 9 candidates × 10 restarts dominated the time
N_INIT_MINIBATCH = 3
GROWTH_WINDOW = 3  # years per window
INCOMPLETE_YEARS = 2  # latest application years treated as incomplete by default (18-month publication)

# Patent boilerplate: words of titles and abstracts that say nothing about the technology.
_ZH_STOP_TEXT = """
一种 方法 装置 系统 及其 用于 包括 所述 设置 本发明 实用新型 发明 公开 涉及 具有 其中 通过 进行 采用 一个
以及 连接 结构 基于 制备 制备方法 应用 用途 设备 机构 组件 部件 单元 模块 相关 提供 实现 能够 可以 提高 有效
方便 使用 利用 技术 领域 本申请 申请 属于 上述 相应 第一 第二 多个 至少 之间 主体 本体 位于 固定 安装 所示
一端 另一端 两端 内部 外部 表面 相连 设于 设有 以便 从而 用以 使得 该种 其它 其他 一体 新型 方式 过程 工艺
存储介质 可读存储介质 电子设备 计算机设备 终端设备 介质 可读 计算机程序 程序产品
"""
ZH_STOP = frozenset(_ZH_STOP_TEXT.split())
EN_STOP = frozenset(ENGLISH_STOP_WORDS | {
    "method", "methods", "apparatus", "system", "systems", "device", "devices", "invention", "thereof",
    "therefor", "comprising", "comprises", "comprise", "using", "based", "use", "used", "provided", "provides",
    "disclosed", "present", "wherein", "said", "having", "includes", "including", "plurality", "unit", "module",
    "first", "second", "least", "utility", "model", "relates", "related",
})
_HAN = re.compile(r"[\u3400-\u9fff]")
_LETTER = re.compile(r"[^\W\d_]")


# --- results -------------------------------------------------------------------------------------

@dataclass
class Cluster:
    id: int  # 0 = the largest cluster
    size: int
    share: float  # size / n_docs
    terms: list[str]  # label: key phrases, most characteristic first
    term_weights: list[float]  # score of each label phrase (support × specificity, cluster_labels)
    representative: int  # index (in the input) of the document closest to the centroid
    year_counts: list[int]  # documents per year, aligned with ClusterResult.years
    recent: int = 0  # documents in the last GROWTH_WINDOW complete years
    previous: int = 0  # documents in the GROWTH_WINDOW years before those
    growth: float | None = None  # recent / previous - 1; None where previous is 0 or years are unknown


@dataclass
class ClusterResult:
    n_docs: int
    k: int
    method: str  # how the clusters were made, one sentence, in the requested language
    clusters: list[Cluster] = field(default_factory=list)
    assignments: list[int] = field(default_factory=list)  # cluster id of each input document
    years: list[int] = field(default_factory=list)  # every year from the first to the last seen
    growth_years: list[int] = field(default_factory=list)  # the 2 × 3 years growth compares, oldest first
    silhouette: float | None = None  # of the chosen k on the sample, when k was chosen here
    n_terms: int = 0  # vocabulary size after min_df / max_df


# --- tokens --------------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def _stem_of(word: str) -> str:
    tokens = query_tokens(word)
    return tokens[0] if len(tokens) == 1 else ""


@lru_cache(maxsize=1)
def _en_stop_stems() -> frozenset[str]:
    return frozenset(filter(None, map(_stem_of, EN_STOP))) | EN_STOP


@lru_cache(maxsize=1 << 18)
def _keep(token: str) -> bool:  # cached: tokens repeat, and this ran 3.4 M times for 10,000 texts
    if not _LETTER.search(token):  # numbers, codes of digits, punctuation
        return False
    if _HAN.search(token):
        return len(token) >= 2 and token not in ZH_STOP
    return len(token) >= 2 and token not in _en_stop_stems()


def tokens(text: str) -> list[str]:
    """The clustering tokens of one text (see the module doc, step 1): words and their sub-words."""
    return [t for t in index_tokens(text) if _keep(t)]


def _all_tokens(texts: Sequence[str]) -> list[list[str]]:
    """`tokens` of each text, each distinct token judged once (a set lookup per token, not a cached call)."""
    found = [index_tokens(t) for t in texts]
    kept = {t for t in set().union(*found) if _keep(t)} if found else set()
    return [[t for t in words if t in kept] for words in found]


# --- clustering ----------------------------------------------------------------------------------

def _vectorise(docs_tokens: list[list[str]]):
    n = len(docs_tokens)
    for min_df in (2, 1):  # tiny corpora may share no term at all
        vectoriser = TfidfVectorizer(analyzer=_identity, min_df=min_df if n >= 2 else 1,
                                     max_df=0.5 if n >= 100 else 1.0, sublinear_tf=True)
        try:
            return vectoriser, vectoriser.fit_transform(docs_tokens)
        except ValueError:  # empty vocabulary
            continue
    return None, None


def _identity(tokens_: list[str]) -> list[str]:
    return tokens_


def _space(x, seed: int):
    """The space k-means runs in: TF-IDF rows, or their LSA projection when the vocabulary is large."""
    n, m = x.shape
    if m > SVD_ABOVE and n > SVD_COMPONENTS:
        svd = TruncatedSVD(n_components=min(SVD_COMPONENTS, m - 1, n - 1), random_state=seed)
        return normalize(svd.fit_transform(x)), svd.n_components
    return x, 0


def _distinct_rows(x, cap: int) -> int:
    """How many different rows x has, counting no further than cap (k-means cannot find more clusters)."""
    seen: set = set()
    if sparse.issparse(x):
        x = x.tocsr()
        rows = (tuple(x.indices[a:b]) + tuple(np.round(x.data[a:b], 6))
                for a, b in zip(x.indptr[:-1], x.indptr[1:], strict=True))
    else:
        rows = (tuple(np.round(row, 6)) for row in np.asarray(x))
    for row in rows:
        seen.add(row)
        if len(seen) >= cap:
            break
    return len(seen)


def _kmeans(k: int, seed: int, n: int):
    if n > MINIBATCH_ABOVE:
        return MiniBatchKMeans(n_clusters=k, n_init=N_INIT_MINIBATCH, random_state=seed, batch_size=4096)
    return KMeans(n_clusters=k, n_init=N_INIT, random_state=seed)


def _choose_k(space, seed: int, max_k: int) -> tuple[int, float | None]:
    """The smallest k in K_RANGE whose silhouette reaches K_TOLERANCE of the best one (module doc, step 4)."""
    n = space.shape[0]
    rng = np.random.default_rng(seed)
    sample = space[np.sort(rng.choice(n, K_SAMPLE, replace=False))] if n > K_SAMPLE else space
    scores: dict[int, float] = {}
    silhouette = _Silhouette(sample, seed)
    for k in K_RANGE:
        if k > max_k or k >= sample.shape[0]:
            break
        labels = KMeans(n_clusters=k, n_init=N_INIT_CHOOSE, random_state=seed).fit_predict(sample)
        if len(set(labels)) > 1:
            scores[k] = silhouette(labels)
    if not scores:
        return 1, None
    best = max(scores.values())
    k = min(k for k, score in scores.items() if score >= K_TOLERANCE * best)
    return k, scores[k]


class _Silhouette:
    """`silhouette_score(sample, labels, metric="cosine", random_state=seed, sample_size=…)` for one sample and
    many labellings, the same number to the last bit, with the cosine distances computed once.

    silhouette_score draws the same rows for every candidate k (the permutation depends only on the seed and the
    sample's size) and computes their distances afresh each time, in the chunks of `pairwise_distances_chunked`;
    here those chunks are computed once and handed to silhouette_samples as "precomputed" (which reads them as
    they are). Where sklearn would refuse them as precomputed (a diagonal further from 0 than it tolerates), each
    call goes through silhouette_score itself."""

    def __init__(self, sample, seed: int):
        self.sample, self.seed = sample, seed
        self.size = min(SILHOUETTE_SAMPLE, sample.shape[0])
        self.rows = check_random_state(seed).permutation(sample.shape[0])[:self.size]
        self._distances: np.ndarray | None = None
        self._precomputed = True

    def __call__(self, labels: np.ndarray) -> float:
        if self._precomputed and self._distances is None:
            # the rows silhouette_score draws, as silhouette_samples receives them, and their distances
            drawn = check_array(check_array(self.sample, accept_sparse=["csc", "csr"])[self.rows],
                                accept_sparse=["csr"])
            distances = np.vstack([np.asarray(chunk) for chunk in pairwise_distances_chunked(drawn, metric="cosine")])
            self._precomputed = not np.any(np.abs(distances.diagonal()) > np.finfo(distances.dtype).eps * 100)
            self._distances = distances if self._precomputed else None
        if not self._precomputed:
            return float(silhouette_score(self.sample, labels, metric="cosine", random_state=self.seed,
                                          sample_size=self.size))
        return float(np.mean(silhouette_samples(self._distances, np.asarray(labels)[self.rows],
                                                metric="precomputed")))


def _central_first(space, assignments: np.ndarray, k: int) -> list[list[int]]:
    """Per cluster, its members by similarity to the centroid, closest (the representative) first."""
    out = []
    for c in range(k):
        members = np.flatnonzero(assignments == c)
        rows = space[members]
        centroid = np.asarray(rows.mean(axis=0)).ravel()
        sims = np.asarray(rows @ centroid).ravel()
        out.append([int(members[i]) for i in np.argsort(-sims, kind="stable")])
    return out


def _growth_years(years: Sequence[int | None], last_complete_year: int | None) -> list[int]:
    known = [y for y in years if y is not None]
    if not known:
        return []
    last = last_complete_year if last_complete_year is not None else max(known) - INCOMPLETE_YEARS
    return list(range(last - 2 * GROWTH_WINDOW + 1, last + 1))


def _method(lang: str, k: int, chosen: bool, reduced: int, n_terms: int, growth_years: list[int]) -> str:
    locale = "en" if lang == "en" else "zh_Hans"
    k_rule = (Msg("k chosen by silhouette over k = 2–10") if chosen else Msg("k given"))
    space = (Msg("reduced to {n} dimensions by truncated SVD", n=reduced) if reduced
             else Msg("no dimension reduction"))
    growth = (Msg("growth: applications in {a}–{b} against {c}–{d}", a=growth_years[GROWTH_WINDOW],
                  b=growth_years[-1], c=growth_years[0], d=growth_years[GROWTH_WINDOW - 1])
              if growth_years else Msg("growth: no application years"))
    return Msg("TF-IDF of title and abstract words ({n} terms), {space}, k-means with k = {k} ({k_rule}); "
               "labels: the key phrases most members share; {growth}.", n=n_terms, space=space, k=k, k_rule=k_rule,
               growth=growth).render(locale)


def text_clusters(docs: Sequence[tuple[int | None, str]], k: int | None = None, seed: int = 0,
                  lang: str = "zh", max_terms: int = 5, *, last_complete_year: int | None = None,
                  label_model=None) -> ClusterResult:
    """Cluster documents given as (application year or None, title + abstract); see the module doc.

    `k` None chooses it (module doc, step 4); any k is capped by the number of distinct documents.
    `last_complete_year` is the last application year counted as complete for growth (default: the
    latest year in the data minus 2). `label_model`: the `KeyphraseModel` labels are extracted with (default:
    the shipped one; the benchmark passes one fitted without the texts it labels). Deterministic for a given seed.
    """
    n = len(docs)
    years = [y for y, _ in docs]
    texts = [text or "" for _, text in docs]
    growth_years = _growth_years(years, last_complete_year)
    known = [y for y in years if y is not None]
    year_axis = list(range(min(known), max(known) + 1)) if known else []
    vectoriser, x = _vectorise(_all_tokens(texts)) if n else (None, None)
    silhouette, reduced, n_terms = None, 0, 0
    if x is None:  # no documents, or no usable word at all: everything in one cluster
        assignments = np.zeros(n, dtype=int)
    else:
        n_terms = len(vectoriser.vocabulary_)
        space, reduced = _space(x, seed)
        if k is None:
            k_chosen, silhouette = _choose_k(space, seed, _distinct_rows(space, max(K_RANGE)))
        else:
            k_chosen = _distinct_rows(space, max(1, int(k)))
        assignments = _kmeans(k_chosen, seed, n).fit_predict(space) if k_chosen > 1 else np.zeros(n, dtype=int)
        assignments = _by_size(assignments)
    k_final = int(assignments.max()) + 1 if n else 0
    if x is not None:
        central = _central_first(space, assignments, k_final)
        labels = cluster_labels(texts, central, max_terms=max_terms, extract=extractor(label_model),
                                stop=ZH_STOP | EN_STOP)
        reps = [members[0] for members in central]
    else:
        labels, reps = [([], [])] * k_final, [0] * k_final
    clusters = [_cluster(c, np.flatnonzero(assignments == c), n, years, year_axis, growth_years, labels[c], reps[c])
                for c in range(k_final)]
    return ClusterResult(
        n_docs=n, k=k_final, method=_method(lang, k_final, k is None, reduced, n_terms, growth_years),
        clusters=clusters, assignments=assignments.tolist(), years=year_axis, growth_years=growth_years,
        silhouette=None if silhouette is None else round(silhouette, 4), n_terms=n_terms)


def _by_size(assignments: np.ndarray) -> np.ndarray:
    """Clusters renumbered by size, largest first (ties: by first member), so ids are stable."""
    sizes = Counter(assignments.tolist())
    first = {c: int(np.argmax(assignments == c)) for c in sizes}
    order = sorted(sizes, key=lambda c: (-sizes[c], first[c]))
    renumber = np.zeros(max(order) + 1, dtype=int)
    renumber[order] = np.arange(len(order))
    return renumber[assignments]


def _cluster(c: int, members: np.ndarray, n: int, years: list[int | None], year_axis: list[int],
             growth_years: list[int], label: tuple[list[str], list[float]], representative: int) -> Cluster:
    per_year = Counter(years[i] for i in members if years[i] is not None)
    recent = sum(per_year[y] for y in growth_years[GROWTH_WINDOW:])
    previous = sum(per_year[y] for y in growth_years[:GROWTH_WINDOW])
    return Cluster(id=c, size=len(members), share=round(len(members) / n, 4), terms=label[0],
                   term_weights=label[1], representative=representative,
                   year_counts=[per_year[y] for y in year_axis], recent=recent, previous=previous,
                   growth=round(recent / previous - 1, 4) if previous else None)
