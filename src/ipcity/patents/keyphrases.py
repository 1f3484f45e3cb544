"""Key phrases of a Chinese or English patent text: cluster labels, the "key terms" line, query suggestions.

    keyphrases("一种锂电池负极材料", abstract, k=5)          # e.g. ["负极", "锂电池", "石墨", "烯", "硅"]
    keyphrases("", english_abstract, k=5, lang="en")

**Chinese** (a supervised ranker, `KeyphraseModel`, fitted on the 3,024 annotated abstracts of KPPatent-ZH's
train split by `scripts/build_keyphrase_stats.py`; statistics and weights ship in
`data/keyphrase_stats.json.gz`). The gold key phrases of that set are the jieba words of each patent's key
phrases (低通滤波 → 低, 通滤波), so candidates are the words of jieba's own dictionary (rjieba, precise mode with
part-of-speech tags, plus the for-search sub-words), not the patent-term dictionary of the search index. Each
candidate gets document features (frequency, first position, in the first sentence/clause, length,
part of speech, the noun chunk it sits in) and corpus features (IDF; how often the word was a key phrase where
it occurred, "keyphraseness"; the same for its first and last character; how strongly the 20 most similar
training abstracts vote for it as a key phrase). A logistic regression on a piecewise-linear expansion of those
features ranks the words of the text. Words the text lacks are proposed too, from the key phrases of the most
similar training abstracts, and ranked by a second logistic regression; both give probabilities, and the
merged list is sorted by them. Measured by `bench/keyphrases.py` (5-fold cross-validation on the train split;
figures in bench/README.md).

**English** (no annotated set, so no fitted ranker): noun-phrase-like runs of words between stop words and
punctuation, sub-phrases of one to three words, grouped by their Snowball stems; scored by frequency times the
IDF of their stems over about 30,000 English patent titles (the demo landscapes) with a bonus for the title
and the first sentence; phrases inside a better one are dropped.

Input longer than `MAX_CHARS` is cut before any work; `k` is at most `MAX_K`.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from operator import itemgetter
from pathlib import Path

import numpy as np
import rjieba

from ipcity.patents.search.analysis import normalise_text, stem

MAX_CHARS = 20_000
MAX_K = 50
STATS_FILE = "keyphrase_stats.json.gz"
FORMAT = 1

# Never a key phrase: function words and the boilerplate of Chinese patent abstracts (the ranker never sees them).
ZH_STOP = frozenset((
    "的", "之", "及", "和", "与", "或", "其", "该", "了", "是", "在", "为", "于", "以", "并", "且", "由", "对",
    "将", "被", "从", "使", "中", "上", "下", "所", "述", "等", "个", "种", "而", "则", "即", "也", "又", "还",
    "所述", "一种", "一个", "包括", "包含", "其中", "本发明", "本申请", "本实用新型", "本公开", "发明", "申请",
    "实用新型", "涉及", "公开", "提供", "方法", "装置", "步骤", "用于", "通过", "进行", "具有", "设置", "设有",
    "至少", "多个", "第一", "第二", "第三", "以及", "可以", "能够", "所示", "上述", "如下", "采用", "利用",
    "实现", "得到", "从而", "使得", "根据", "分别", "相应", "有效", "之间", "一端", "另一端", "实用", "新型",
))
_WORDLIKE = re.compile(r"[\u3400-\u9fff]|[a-z]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_SENTENCE = re.compile(r"[。；;！!？?]")
_CLAUSE = re.compile(r"[，,。；;：:！!？?、]")
# Part-of-speech tags (jieba's) that get their own feature; a noun chunk is a run of the NOUNISH ones.
_TAGS = ("n", "nz", "v", "vn", "a", "ng", "j", "nr", "ns", "l", "d", "m", "x", "b", "h", "k", "q", "f", "eng")
_NOUN_CONTEXT = frozenset(("n", "nz", "vn", "ng", "j", "nr", "ns", "nt", "eng", "b"))
_NOUNISH = _NOUN_CONTEXT | {"a", "an", "h", "k", "l", "i"}
_ONE_HOT = {tag: tuple(tag == t for t in _TAGS) for tag in _TAGS}  # a word's most frequent tag, as features
_NO_TAG = (False,) * len(_TAGS)

NEIGHBOURS = 20  # similar training abstracts that vote
VOTE_POWER = 2.0  # a neighbour's vote is its cosine similarity squared: near-duplicates count most
ABSENT_PER_DOC = 10  # words the text lacks that may be proposed (the neighbours' best)
KNOTS = 6  # knots of the piecewise-linear feature expansion (quantiles of the training values)
C = 1.0  # inverse regularisation of both logistic regressions
WORD_FEATURES_CACHE = 200_000  # words whose corpus features a model keeps (then it starts again)

_jieba: rjieba.Jieba | None = None
_jieba_lock = threading.Lock()
_model: KeyphraseModel | None = None
_model_lock = threading.Lock()


def _tagger() -> rjieba.Jieba:
    """A jieba of its own with the stock dictionary only: the patent terms the search index adds to the shared
    one (analysis.py) glue words the gold segmentation keeps apart (非离子表面活性剂 → 非, 离子, 表面, 活性剂)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                _jieba = rjieba.Jieba()
    return _jieba


# --------------------------------------------------------------------------------------------------- the API


def keyphrases(title: str, text: str, k: int = 5, lang: str | None = None, *, merge: bool = False) -> list[str]:
    """The `k` best key phrases of a patent's title and text (abstract, claims …), best first.

    `lang`: "zh", "en", or None to tell from the script (Chinese when the text has Han characters at least a
    quarter as many as Latin letters). Phrases come out in the normalised form of the text (NFKC, lower case).
    Nothing to read gives []; `k` above `MAX_K` is an error.

    Chinese key phrases are jieba words, the unit the model was fitted and measured on (石墨烯 comes out as
    石墨 and 烯). `merge=True` is for people: chosen words next to each other in the text are joined into one
    phrase (石墨烯, 锂离子电池) and a single character left alone is dropped; use it for labels, the key-terms
    line and suggestions. English phrases are whole already; `merge` changes nothing there.
    """
    if not 0 <= k <= MAX_K:
        raise ValueError(f"k must be between 0 and {MAX_K}, not {k}")
    title = (title or "")[:MAX_CHARS]
    text = (text or "")[:MAX_CHARS]
    if k == 0 or not (title.strip() or text.strip()):
        return []
    language = detect_language(title + "\n" + text) if lang is None else _language(lang)
    if language == "zh":
        return default_model().extract(title, text, k, merge=merge)
    return english_keyphrases(title, text, k, default_model().english_df, default_model().english_docs)


def detect_language(text: str) -> str:
    han = len(_HAN.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "zh" if han and han * 4 >= latin else "en"


def _language(lang: str) -> str:
    code = lang.strip().lower()
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    raise ValueError(f"unsupported language {lang!r}: use 'zh', 'en' or None")


def default_model() -> KeyphraseModel:
    """The shipped model (loaded once per process); an empty one, which still ranks by frequency and position
    rules, if the data file is missing."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                data = resources.files("ipcity.patents") / "data" / STATS_FILE
                _model = KeyphraseModel.load(data) if data.is_file() else KeyphraseModel.empty()
    return _model


# ------------------------------------------------------------------------------------------ Chinese analysis


@dataclass
class _Doc:
    """One text's candidate words and the features that do not depend on the corpus."""

    text: str
    words: list[str]
    counts: list[int]  # occurrences as a substring of the text
    local: np.ndarray  # (words, local features)
    tokens: list[tuple[str, str]] = field(default_factory=list)  # the text's jieba words and tags, in order


def _document(title: str, text: str) -> str:
    title, text = normalise_text(title or "").strip(), normalise_text(text or "").strip()
    if title and text:
        return title + "。" + text
    return title or text


def analyse(document: str) -> _Doc:
    """Candidate words of a normalised Chinese text (the title, if any, as its first sentence)."""
    tags = [(w.strip(), tag) for w, tag in _tagger().tag(document)] if document else []
    sentences = _SENTENCE.split(document)
    first_sentence = sentences[0] if sentences else ""
    clauses = [c for c in _CLAUSE.split(document) if c]
    first_clause = clauses[0] if clauses else ""
    chunk_of = [-1] * len(tags)
    chunks: list[list[int]] = []
    run: list[int] = []
    for i, (w, tag) in enumerate(tags):
        if w and tag in _NOUNISH and w not in ZH_STOP:
            run.append(i)
        elif run:
            chunks.append(run)
            run = []
    if run:
        chunks.append(run)
    for c, members in enumerate(chunks):
        for i in members:
            chunk_of[i] = c

    seen: dict[str, dict] = {}
    offset = 0
    for i, (w, tag) in enumerate(tags):
        if _candidate(w):
            info = seen.get(w)
            if info is None:
                info = seen[w] = {"tok": 0, "tags": Counter(), "first": offset, "context": 0, "head": 0,
                                  "in_chunk": 0, "chunk_len": 0, "chunks": set()}
            info["tok"] += 1
            info["tags"][tag] += 1
            before = tags[i - 1][1] if i else ""
            after = tags[i + 1][1] if i + 1 < len(tags) else ""
            info["context"] += (before in _NOUN_CONTEXT) + (after in _NOUN_CONTEXT)
            c = chunk_of[i]
            if c >= 0:
                members = chunks[c]
                info["in_chunk"] += 1
                info["head"] += members[-1] == i
                info["chunk_len"] = max(info["chunk_len"], len(members))
                info["chunks"].add("".join(tags[j][0] for j in members))
        offset += len(w) if w else 1
    for w in _tagger().cut_for_search(document) if document else ():
        w = w.strip()
        if _candidate(w) and w not in seen:
            seen[w] = {"tok": 0, "tags": Counter(), "first": max(document.find(w), 0), "context": 0, "head": 0,
                       "in_chunk": 0, "chunk_len": 0, "chunks": set()}

    words = list(seen)
    counts = [max(document.count(w), 1) for w in words]
    n = max(len(document), 1)
    holders = _holders(words)
    rows = []
    for w, tf in zip(words, counts, strict=True):
        info = seen[w]
        length = len(w)
        tok = max(info["tok"], 1)
        # most_common(1), without its heapq call: the first of the most frequent, as nlargest(1) takes it
        top = max(info["tags"].items(), key=itemgetter(1))[0] if info["tags"] else ""
        inside = holders[w]
        chunk_tf = max((document.count(c) for c in info["chunks"]), default=0)
        rows.append([
            math.log1p(tf), math.log1p(info["tok"]), info["tok"] / tf, info["first"] / n, w in first_sentence,
            length == 1, length == 2, length == 3, length >= 4, math.log1p(inside), info["context"] / tok,
            *_ONE_HOT.get(top, _NO_TAG),
            w in first_clause, info["in_chunk"] / tok, info["head"] / tok, min(info["chunk_len"], 6),
            math.log1p(chunk_tf), sum(w in c for c in clauses) / max(len(clauses), 1),
        ])
    local = np.array(rows, dtype=float) if rows else np.zeros((0, 17 + len(_TAGS)))
    return _Doc(document, words, counts, local, tags)


def _holders(words: list[str]) -> Counter:
    """For each of the (distinct) words, how many of the others hold it (`w in other`): each word's substrings
    looked up among the words, rather than every word searched in every other (words are short: few substrings)."""
    known = set(words)
    holders: Counter = Counter()
    for other in words:
        size = len(other)
        parts = {other[i:j] for i in range(size) for j in range(i + 1, size + 1)}
        parts.discard(other)
        holders.update(parts & known)
    return holders


def _candidate(word: str) -> bool:
    return bool(word) and word not in ZH_STOP and not word.isdigit() and _WORDLIKE.search(word) is not None


# ------------------------------------------------------------------------------------------------- the model


@dataclass
class _Ranker:
    """Logistic regression over features, expanded piecewise-linearly at `knots` (or standardised)."""

    coef: np.ndarray
    intercept: float
    knots: list[np.ndarray] | None = None
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        z = self._knots.expand(x) if self.knots is not None else (x - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(z @ self.coef + self.intercept)))

    @cached_property
    def _knots(self) -> _Knots:
        return _Knots(self.knots)

    def as_json(self) -> dict:
        out = {"coef": _floats(self.coef), "intercept": round(float(self.intercept), 6)}
        if self.knots is not None:
            out["knots"] = [_floats(k) for k in self.knots]
        else:
            out["mean"], out["scale"] = _floats(self.mean), _floats(self.scale)
        return out

    @classmethod
    def from_json(cls, data: dict) -> _Ranker:
        knots = [np.array(k, dtype=float) for k in data["knots"]] if "knots" in data else None
        mean = np.array(data["mean"], dtype=float) if "mean" in data else None
        scale = np.array(data["scale"], dtype=float) if "scale" in data else None
        return cls(np.array(data["coef"], dtype=float), float(data["intercept"]), knots, mean, scale)


def _floats(values) -> list[float]:
    return [float(f"{v:.6g}") for v in np.asarray(values, dtype=float)]


def _expand(x: np.ndarray, knots: list[np.ndarray]) -> np.ndarray:
    """Degree-1 B-spline ("hat") basis of each column at its knots: a piecewise-linear function per feature.

    All columns at once (`_Knots`): the same numbers as expanding them one by one, for a column's basis is
    1 - t and t at the knot interval its value falls in, each element computed by the same operations."""
    return _Knots(knots).expand(x)


class _Knots:
    """The knots of every column of `_expand`, padded into one array, with where each column's basis begins."""

    def __init__(self, knots: list[np.ndarray]):
        sizes = np.array([len(k) for k in knots])
        self.width = int(sizes.sum())
        self.start = (np.cumsum(sizes) - sizes).astype(np.intp)
        self.single = sizes == 1  # a column with one knot is a constant 1
        self.last = np.maximum(sizes - 2, 0)  # the last interval of each column
        padded = np.full((len(knots), max(sizes.max(initial=1), 2)), np.inf)
        for j, k in enumerate(knots):
            padded[j, :len(k)] = k
            if len(k) == 1:
                padded[j, 1] = k[0]
        self.padded = padded
        self.low = np.array([k[0] for k in knots], dtype=float)
        self.high = np.array([k[-1] for k in knots], dtype=float)

    def expand(self, x: np.ndarray) -> np.ndarray:
        n, columns = len(x), np.arange(len(self.start))
        out = np.zeros((n, self.width))
        if not n:
            return out
        v = np.clip(x[:, :len(self.start)], self.low, self.high)
        # searchsorted(k, v, side="right") - 1: the knots at or below v, less one (the inf pads are never below)
        i = (self.padded[None, :, :] <= v[:, :, None]).sum(axis=2) - 1
        i = np.where(np.isnan(v), self.padded.shape[1] - 1, i)  # searchsorted puts NaN after every knot
        i = np.clip(i, 0, self.last)
        k_i = self.padded[columns, i]
        with np.errstate(invalid="ignore"):  # a single knot: 0 / 0, replaced below
            t = (v - k_i) / (self.padded[columns, i + 1] - k_i)
        t[:, self.single] = 0.0  # a single knot: 1 - 0 = 1, the constant column, and + 0 to it
        rows = np.arange(n)[:, None]
        out[rows, self.start + i] = 1 - t
        out[rows, np.where(self.single, self.start, self.start + i + 1)] += t
        return out


@dataclass
class KeyphraseModel:
    """Corpus statistics, a similar-abstract index and the two rankers of the Chinese extractor.

    `vocab[i]` is a word; `df[i]` the training abstracts it is a candidate of, `kp[i]` of those where it is a gold
    key phrase, `gold[i]` the abstracts that have it as a gold key phrase at all (present or not). `doc_words` and
    `doc_gold` (vocab indices) are the training abstracts the neighbours are found among.
    """

    n_docs: int = 0
    vocab: list[str] = field(default_factory=list)
    df: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    kp: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    gold: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    affix: dict[str, tuple[int, int]] = field(default_factory=dict)
    doc_words: list[list[int]] = field(default_factory=list)
    doc_gold: list[list[int]] = field(default_factory=list)
    present: _Ranker | None = None
    absent: _Ranker | None = None
    english_df: dict[str, int] = field(default_factory=dict)
    english_docs: int = 0
    source: str = ""

    def __post_init__(self):
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self._neighbours = self._neighbour_matrix()
        self._idf_values = self._idf()  # df is fixed once the model is made
        self._word_features: dict[str, tuple[float, ...]] = {}  # `_ranking_features` of each word seen

    # -- fitting ------------------------------------------------------------------------------------------

    @classmethod
    def fit(cls, texts: Sequence[str], golds: Sequence[Iterable[str]], *, source: str = "",
            english_df: dict[str, int] | None = None, english_docs: int = 0,
            docs: Sequence[_Doc] | None = None) -> KeyphraseModel:
        """Fit statistics and both rankers on abstracts and their gold key phrases. The rankers learn from the
        training abstracts themselves with leave-one-out statistics (each abstract's own contribution taken out),
        so that a word's keyphraseness is never its own label. `docs`: `analyse` results, if already at hand."""
        from sklearn.linear_model import LogisticRegression

        docs = list(docs) if docs is not None else [analyse(_document("", t)) for t in texts]
        gold_sets = [{normalise_text(g).strip() for g in gs} - {""} for gs in golds]
        if len(docs) != len(gold_sets):
            raise ValueError("texts and golds differ in length")
        df, kp, gold_count = Counter(), Counter(), Counter()
        for doc, gold in zip(docs, gold_sets, strict=True):
            words = set(doc.words)
            df.update(words)
            kp.update(words & gold)
            gold_count.update(gold)
        vocab = sorted(set(df) | set(gold_count))
        index = {w: i for i, w in enumerate(vocab)}
        affix: Counter = Counter()
        affix_kp: Counter = Counter()
        for w, c in df.items():
            for key in (w[-1], "^" + w[0]):
                affix[key] += c
                affix_kp[key] += kp[w]
        model = cls(
            n_docs=len(docs), vocab=vocab,
            df=np.array([df[w] for w in vocab], dtype=np.int64),
            kp=np.array([kp[w] for w in vocab], dtype=np.int64),
            gold=np.array([gold_count[w] for w in vocab], dtype=np.int64),
            affix={key: (affix[key], affix_kp[key]) for key in sorted(affix)},
            doc_words=[sorted(index[w] for w in set(doc.words)) for doc in docs],
            doc_gold=[sorted(index[g] for g in gold) for gold in gold_sets],
            english_df=dict(english_df or {}), english_docs=english_docs, source=source,
        )
        present_x, present_y, absent_x, absent_y = [], [], [], []
        for i, (doc, gold) in enumerate(zip(docs, gold_sets, strict=True)):
            votes = model._votes(doc, leave_out=i)
            x, words = model._present_features(doc, votes, own=gold)
            present_x.append(x)
            present_y.extend(w in gold for w in words)
            x, words = model._absent_features(doc, votes, own=gold)
            absent_x.append(x)
            absent_y.extend(w in gold for w in words)
        px, ax = np.vstack(present_x), np.vstack(absent_x)
        knots = [np.unique(np.quantile(px[:, j], np.linspace(0, 1, KNOTS))) for j in range(px.shape[1])]
        lr = LogisticRegression(C=C, max_iter=5000).fit(_expand(px, knots), np.array(present_y))
        model.present = _Ranker(lr.coef_[0], float(lr.intercept_[0]), knots=knots)
        if len(ax) and len(set(absent_y)) == 2:
            mean, scale = ax.mean(axis=0), ax.std(axis=0)
            scale[scale == 0] = 1.0
            lr = LogisticRegression(C=C, max_iter=5000).fit((ax - mean) / scale, np.array(absent_y))
            model.absent = _Ranker(lr.coef_[0], float(lr.intercept_[0]), mean=mean, scale=scale)
        return model

    # -- ranking --------------------------------------------------------------------------------------------

    def extract(self, title: str, text: str, k: int = 5, *, merge: bool = False) -> list[str]:
        """The `k` most probable key phrases of a Chinese title and text (`merge`: see `keyphrases`)."""
        if not merge:
            return [w for w, _ in self.ranked(title, text)[:k]]
        document = _document((title or "")[:MAX_CHARS], (text or "")[:MAX_CHARS])
        if not document:
            return []
        doc = analyse(document)
        return merged(doc, self._ranked_doc(doc), k)

    def ranked(self, title: str, text: str) -> list[tuple[str, float]]:
        """Every candidate with its probability of being a key phrase, most probable first."""
        document = _document((title or "")[:MAX_CHARS], (text or "")[:MAX_CHARS])
        if not document:
            return []
        return self._ranked_doc(analyse(document))

    def _ranked_doc(self, doc: _Doc) -> list[tuple[str, float]]:
        if self.present is None:  # no statistics: the first, most frequent nouns
            order = sorted(range(len(doc.words)), key=lambda i: (-doc.counts[i], doc.local[i, 3]))
            return [(doc.words[i], 0.0) for i in order]
        votes = self._votes(doc)
        x, words = self._present_features(doc, votes)
        scored = list(zip(words, self.present.probabilities(x), strict=True))
        if self.absent is not None:
            x, extra = self._absent_features(doc, votes)
            scored += zip(extra, self.absent.probabilities(x), strict=True)
        scored.sort(key=lambda pair: -pair[1])  # stable: ties keep the text's words first, in order
        return [(w, round(float(p), 4)) for w, p in scored]

    # -- features -------------------------------------------------------------------------------------------

    def _stats(self, word: str, own: set[str] | None, present: bool) -> tuple[int, int, int, int]:
        """(training abstracts, those with `word` as a candidate, as a candidate and a gold key phrase, as a gold
        key phrase): while fitting (`own` is the abstract's gold), less the abstract's own share."""
        i = self.index.get(word)
        n, d, kp, g = self.n_docs, 0, 0, 0
        if i is not None:
            d, kp, g = int(self.df[i]), int(self.kp[i]), int(self.gold[i])
        if own is not None:
            n -= 1
            d -= present
            if word in own:
                kp, g = kp - present, g - 1
        return n, d, kp, g

    def _present_features(self, doc: _Doc, votes: tuple[Counter, float], own: set[str] | None = None):
        if own is None:
            return self._ranking_features(doc, votes), doc.words
        counts, total = votes
        rows = []
        for w, tf, local in zip(doc.words, doc.counts, doc.local, strict=True):
            n, d, kp, g = self._stats(w, own, present=True)
            idf = math.log((n + 1) / (d + 1))
            affixes = []
            for key in (w[-1], "^" + w[0]):
                c, ck = self.affix.get(key, (0, 0))
                if own is not None:
                    c, ck = max(c - 1, 0), max(ck - (w in own), 0)
                affixes.append(math.log((ck + 1) / (c + 4)))
            vote = counts.get(w, 0.0)
            rows.append([*local, idf, tf * idf, math.log((kp + 0.5) / (d + 2)), math.log1p(g), math.log1p(d),
                         math.log((g + 0.5) / (n + 1)), *affixes, vote / (total + 1e-6), math.log(vote + 0.01)])
        return np.array(rows, dtype=float).reshape(len(rows), doc.local.shape[1] + 10), doc.words

    def _ranking_features(self, doc: _Doc, votes: tuple[Counter, float]) -> np.ndarray:
        """`_present_features` of a text being ranked (not one of the training abstracts): the same numbers, with
        the corpus features of each word, which depend on the word only, computed once per model."""
        counts, total = votes
        known = self._word_features
        if len(known) > WORD_FEATURES_CACHE:
            known.clear()
        rows = []
        for w, tf in zip(doc.words, doc.counts, strict=True):
            word = known.get(w)
            if word is None:
                n, d, kp, g = self._stats(w, None, present=True)
                affixes = [math.log((ck + 1) / (c + 4))
                           for c, ck in (self.affix.get(key, (0, 0)) for key in (w[-1], "^" + w[0]))]
                word = known[w] = (math.log((n + 1) / (d + 1)), math.log((kp + 0.5) / (d + 2)), math.log1p(g),
                                   math.log1p(d), math.log((g + 0.5) / (n + 1)), *affixes)
            idf = word[0]
            vote = counts.get(w, 0.0)
            rows.append((idf, tf * idf, *word[1:], vote / (total + 1e-6), math.log(vote + 0.01)))
        corpus = np.array(rows, dtype=float).reshape(len(rows), 10)
        return np.hstack([doc.local.reshape(len(rows), doc.local.shape[1]), corpus])

    def _absent_features(self, doc: _Doc, votes: tuple[Counter, float], own: set[str] | None = None):
        counts, total = votes
        rows, words = [], []
        for w, vote in counts.most_common(3 * ABSENT_PER_DOC):
            if w in doc.text or w in ZH_STOP:
                continue
            n, d, kp, g = self._stats(w, own, present=False)
            if g <= 0:
                continue
            share = vote / (total + 1e-6)
            length = len(w)
            rows.append([share, math.log(share + 1e-3), math.log(vote + 0.01), math.log1p(g),
                         math.log((kp + 0.5) / (d + 2)), length == 1, length == 2, length == 3, length >= 4,
                         math.log((n + 1) / (d + 1))])
            words.append(w)
            if len(words) >= ABSENT_PER_DOC:
                break
        return np.array(rows, dtype=float).reshape(len(rows), 10), words

    def _idf(self) -> np.ndarray:
        return np.log((self.n_docs + 1) / (self.df + 1))

    def _neighbour_matrix(self):
        """Training abstracts as L2-normalised binary TF-IDF rows (scipy CSR), for cosine similarity."""
        if not self.doc_words:
            return None
        from scipy import sparse

        idf = self._idf()
        rows, cols, vals = [], [], []
        for r, words in enumerate(self.doc_words):
            weights = idf[words]
            norm = float(np.linalg.norm(weights)) or 1.0
            rows.extend([r] * len(words))
            cols.extend(words)
            vals.extend(weights / norm)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(self.doc_words), len(self.vocab)))

    def _votes(self, doc: _Doc, leave_out: int | None = None) -> tuple[Counter, float]:
        """Gold key phrases of the most similar training abstracts, each weighted by similarity squared, and the
        total weight."""
        votes: Counter = Counter()
        if self._neighbours is None:
            return votes, 0.0
        ids = sorted({self.index[w] for w in doc.words if w in self.index})
        if not ids:
            return votes, 0.0
        weights = self._idf_values[ids]
        # the text's words as a vector over the whole vocabulary: each row's sum runs over its words in the same
        # order as over the text's columns alone, the other terms adding exactly 0, so the same similarities
        query = np.zeros(len(self.vocab))
        query[ids] = weights / (float(np.linalg.norm(weights)) or 1.0)
        similarity = self._neighbours @ query
        if leave_out is not None:
            similarity[leave_out] = -1.0
        top = np.argsort(-similarity, kind="stable")[:NEIGHBOURS]
        total = 0.0
        for j in top:
            s = float(similarity[j])
            if s <= 0:
                continue
            weight = s ** VOTE_POWER
            total += weight
            for g in self.doc_gold[j]:
                votes[self.vocab[g]] += weight
        return votes, total

    # -- storage --------------------------------------------------------------------------------------------

    @classmethod
    def empty(cls) -> KeyphraseModel:
        return cls()

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT, "source": self.source, "n_docs": self.n_docs, "vocab": self.vocab,
            "df": self.df.tolist(), "kp": self.kp.tolist(), "gold": self.gold.tolist(),
            "affix": {key: list(v) for key, v in self.affix.items()},
            "doc_words": self.doc_words, "doc_gold": self.doc_gold,
            "present": self.present.as_json() if self.present else None,
            "absent": self.absent.as_json() if self.absent else None,
            "english_docs": self.english_docs, "english_df": dict(sorted(self.english_df.items())),
        }
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # no file name and no time stamp in the gzip header: a rebuild gives the same bytes
        with open(path, "wb") as out, gzip.GzipFile("", "wb", 9, out, mtime=0) as gz:
            gz.write(raw)

    @classmethod
    def load(cls, path) -> KeyphraseModel:
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT:
            raise ValueError(f"{STATS_FILE}: format {data.get('format')} is not {FORMAT}")
        return cls(
            n_docs=data["n_docs"], vocab=data["vocab"], df=np.array(data["df"], dtype=np.int64),
            kp=np.array(data["kp"], dtype=np.int64), gold=np.array(data["gold"], dtype=np.int64),
            affix={key: (v[0], v[1]) for key, v in data["affix"].items()},
            doc_words=data["doc_words"], doc_gold=data["doc_gold"],
            present=_Ranker.from_json(data["present"]) if data["present"] else None,
            absent=_Ranker.from_json(data["absent"]) if data["absent"] else None,
            english_df=data.get("english_df", {}), english_docs=data.get("english_docs", 0),
            source=data.get("source", ""),
        )


MERGE_POOL = 3  # merge=True joins words among the best k * MERGE_POOL …
MERGE_MIN_PROBABILITY = 0.05  # … that are at least this probable
MERGE_MIN_ABSENT = 0.25  # a word the text lacks must be this probable to be shown
MAX_MERGED_WORDS = 4


def merged(doc: _Doc, ranked: list[tuple[str, float]], k: int) -> list[str]:
    """Phrases for people from word probabilities: runs of chosen words adjacent in the text, each scored by its
    best word; the words the text lacks (two characters or more, probability at least MERGE_MIN_ABSENT) in their
    place; a lone single character never."""
    pool = {w: p for w, p in ranked[:k * MERGE_POOL] if p >= MERGE_MIN_PROBABILITY}
    scores: dict[str, float] = {}
    run: list[tuple[str, str]] = []
    for token, tag in [*doc.tokens, ("", "")]:
        if token in pool and len(run) < MAX_MERGED_WORDS:
            run.append((token, tag))
            continue
        for piece in _pieces(run, doc.text):
            phrase = "".join(piece)
            scores[phrase] = max(scores.get(phrase, 0.0), max(pool[w] for w in piece))
        run = [(token, tag)] if token in pool else []
    for word, p in pool.items():
        if word not in doc.text and p >= MERGE_MIN_ABSENT:
            scores.setdefault(word, p)
    out: list[str] = []
    for phrase in sorted(scores, key=lambda phrase: -scores[phrase]):  # stable: text order among equals
        if len(phrase) < 2 or any(phrase in chosen for chosen in out):
            continue
        inside = [i for i, chosen in enumerate(out) if chosen in phrase]
        if inside:  # a longer phrase takes the place of the best of the words it holds
            out[inside[0]] = phrase
            out = [chosen for i, chosen in enumerate(out) if i not in inside[1:]]
        else:
            out.append(phrase)
        if len(out) >= k:
            break
    return out


def _pieces(run: list[tuple[str, str]], text: str) -> list[list[str]]:
    """A run of adjacent chosen words as phrases: whole, if the text repeats it or a verb only leads it
    (散热风扇); else cut before each later verb (卷积神经网络 | 提取图像)."""
    words = [w for w, _ in run]
    if len(run) <= 1 or text.count("".join(words)) >= 2:
        return [words] if words else []
    for i in range(1, len(run)):
        if run[i][1].startswith("v") and run[i][1] != "vn":
            return [words[:i], *_pieces(run[i:], text)]
    return [words]


# ------------------------------------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class ScoresAtK:
    precision: float
    recall: float
    f1: float


def scores_at_k(predicted: Sequence[Sequence[str]], golds: Sequence[Iterable[str]], k: int) -> ScoresAtK:
    """Exact-match P@k, R@k and F1@k averaged over documents (macro), the keyphrase literature's convention:
    P@k = hits in the first k / k (a list shorter than k is not rewarded), R@k = hits / gold phrases, F1@k the
    harmonic mean per document. Both sides are compared in normalised form (NFKC, lower case)."""
    p_sum = r_sum = f_sum = 0.0
    n = 0
    for guess, gold in zip(predicted, golds, strict=True):
        gold_set = {normalise_text(g).strip() for g in gold} - {""}
        hits = len({normalise_text(g) for g in guess[:k]} & gold_set)
        precision = hits / k
        recall = hits / len(gold_set) if gold_set else 0.0
        p_sum += precision
        r_sum += recall
        f_sum += 2 * precision * recall / (precision + recall) if hits else 0.0
        n += 1
    return ScoresAtK(p_sum / max(n, 1), r_sum / max(n, 1), f_sum / max(n, 1))


TRAIN_FILE = "train_abstract_keyphrases.jsonl.gz"  # KPPatent-ZH's annotated split, one JSON object a line


def read_annotated(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """The abstracts and gold key phrases of a KPPatent-ZH file (or its folder): what the model is trained and
    measured on (scripts/build_keyphrase_stats.py, bench/keyphrases.py, bench/cluster_labels.py, the tests)."""
    path = Path(path)
    if path.is_dir():
        path = path / TRAIN_FILE
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [row["abstract"] for row in rows], [row["keyphrases"] for row in rows]


def cross_validate(texts: Sequence[str], golds: Sequence[Iterable[str]], folds: int = 5, seed: int = 0,
                   k: int = MAX_K, only: int | None = None, docs: Sequence[_Doc] | None = None,
                   progress=None) -> list[list[tuple[str, float]]]:
    """Out-of-fold rankings (the best `k` words and their probabilities per text) of models fitted on the other
    folds (KFold, shuffled with `seed`). `only`: stop after that many folds (the texts of the other folds get
    []). `docs`: `analyse` of each text, if already at hand."""
    from sklearn.model_selection import KFold

    docs = list(docs) if docs is not None else [analyse(_document("", t)) for t in texts]
    golds = [list(g) for g in golds]
    predicted: list[list[tuple[str, float]]] = [[] for _ in texts]
    for fold, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(texts)):
        if only is not None and fold >= only:
            break
        model = KeyphraseModel.fit([texts[i] for i in train], [golds[i] for i in train],
                                   docs=[docs[i] for i in train])
        for i in test:
            predicted[i] = model._ranked_doc(docs[i])[:k]
        if progress is not None:
            progress(fold)
    return predicted


# ------------------------------------------------------------------------------------------------- English


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EN_STOP = _words("""
a about above according across after again against all almost along also although among an and another any are
as at be because been before being below between both but by can could did do does done during each either
enough etc even every for from further had has have having he her here hers him his how however i if in into
is it its itself just least less like many may might more most much must my near neither no nor not of off on
once one only onto or other others otherwise our out over own per rather said same several she should since
so some such than that the their them then there thereby therefore therein thereof these they this those
through thus to too toward towards under until upon us very via was we were what when where whereby wherein
whether which while who whom whose why will with within without would yet you your
first second third fourth fifth plurality respective corresponding certain particular predetermined given
additional various new novel improved present conventional known least two three four five six seven eight
nine ten wherein whereby herein thereto therefrom
comprise comprises comprised comprising include includes included including contain contains contained
containing consist consists consisting provide provides provided providing disclose discloses disclosed
describe describes described relate relates related relating configure configured adapt adapted arrange
arranged use uses used using make makes made allow allows allowing enable enables enabling obtain obtained
obtaining form formed forming carry carried perform performed performing based associated coupled connected
located disposed positioned mounted thereby effectively easily simply substantially generally respectively
""")
# Generic heads of patent language: inside a phrase ("braking system") but never a key phrase alone, nor its start.
EN_GENERIC = _words("""
method methods process processes apparatus apparatuses system systems device devices invention inventions
embodiment embodiments means step steps example examples portion portions part parts member members unit units
element elements structure structures assembly assemblies way ways type types kind kinds set sets end ends side
sides thereof same use result results variety number amount
""")
_EN_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*|\S")
MAX_EN_WORDS = 3


def english_stem_key(phrase: str) -> str:
    return " ".join(stem(w) for w in phrase.split())


# Nouns that look like adverbs by their ending.
_LY_NOUNS = _words("assembly subassembly supply family anomaly jelly belly butterfly firefly monopoly")
# Verbs common in abstracts that are not also nouns of things (support, display, control, process are left in).
_VERBS = _words("""
improve execute receive locate incorporate show separate identify create determine generate perform utilize
increase reduce store transmit select produce prevent ensure maintain achieve apply operate convert define
represent require memorize facilitate establish implement detect estimate calculate compare send attach insert
remove replace cause affect assign extend enhance minimize maximize optimize reside occur exhibit improve
""")
_ADJECTIVE_ENDINGS = ("ional", "ous", "ical")


def _verb_forms(verbs: frozenset[str]) -> frozenset[str]:
    forms = set()
    for verb in verbs:
        stem = verb[:-1] if verb.endswith("e") else verb
        forms |= {verb, verb + "s", stem + "ing"}
        if verb.endswith("y"):
            forms |= {verb[:-1] + "ies"}
    return frozenset(forms)


_VERB_FORMS = _verb_forms(_VERBS)


def _content_word(token: str) -> bool:
    """A word that may be part of a noun phrase: not a stop word, and (without a tagger) not shaped like an
    adverb (-ly), a participle (-ed), a verb in -ize or a common verb of abstracts."""
    if len(token) < 2 or not token[0].isalpha() or token in EN_STOP or token in _VERB_FORMS:
        return False
    if len(token) > 4 and token.endswith("ly") and token not in _LY_NOUNS:
        return False
    if len(token) > 5 and token.endswith("ed") and not token.endswith("eed"):
        return False
    return not (len(token) > 5 and token.endswith(("ize", "izes")))


def _english_runs(text: str) -> list[list[str]]:
    """Runs of content words: anything else (stop words, numbers, punctuation) ends a run."""
    runs: list[list[str]] = [[]]
    for token in _EN_TOKEN.findall(text):
        if _content_word(token):
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _english_phrases(text: str):
    """Every sub-phrase of one to three words of each run that neither starts with a generic word nor ends with
    an adjective-shaped one (-ional, -ous, -ical)."""
    for run in _english_runs(text):
        for size in range(1, MAX_EN_WORDS + 1):
            for start in range(len(run) - size + 1):
                words = run[start:start + size]
                if words[0] not in EN_GENERIC and not words[-1].endswith(_ADJECTIVE_ENDINGS):
                    yield " ".join(words)


def english_keyphrases(title: str, text: str, k: int = 5, df: dict[str, int] | None = None,
                       n_docs: int = 0) -> list[str]:
    """Key phrases of an English patent title and text (see the module's docstring); `df`: stem -> number of
    `n_docs` reference titles holding it."""
    title = normalise_text((title or "")[:MAX_CHARS])
    text = normalise_text((text or "")[:MAX_CHARS])
    df = df or {}
    tf: Counter = Counter()
    surfaces: dict[str, Counter] = {}
    first: dict[str, int] = {}
    lead: set[str] = set()
    first_sentence = re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0]
    for part, weight, leading in ((title, 2, True), (first_sentence, 0, True), (text, 1, False)):
        for phrase in _english_phrases(part):
            key = english_stem_key(phrase)
            if leading:
                lead.add(key)
            if weight:
                tf[key] += weight
                surfaces.setdefault(key, Counter())[phrase] += 1
                first.setdefault(key, len(first))
    if not tf:
        return []
    generic = {stem(w) for w in EN_GENERIC}

    def idf(stem: str) -> float:
        if stem in generic:
            return 0.0
        return math.log((n_docs + 1) / (df.get(stem, 0) + 1)) + 1.0 if n_docs else 1.0

    scores = {}
    for key, count in tf.items():
        stems = key.split()
        weight = sum(idf(s) for s in stems) / math.sqrt(len(stems))
        position = 1.0 + 1.0 / (1.0 + first[key] / 10)
        scores[key] = math.log1p(count) * weight * position * (1.5 if key in lead else 1.0)
    chosen: list[str] = []
    for key in sorted(scores, key=lambda key: (-scores[key], first[key])):
        # a phrase that only ever occurs inside a longer candidate is that candidate's part, not a phrase
        if any(_inside(key, other) and tf[other] >= tf[key] for other in tf):
            continue
        if any(_inside(key, c) or _inside(c, key) for c in chosen):
            continue
        chosen.append(key)
        if len(chosen) >= k:
            break
    return [surfaces[key].most_common(1)[0][0] for key in chosen]


def _inside(short: str, long: str) -> bool:
    return len(short) < len(long) and f" {short} " in f" {long} "
