"""Labels of text clusters from the key-phrase extractor (`ipcity.patents.keyphrases`).

A cluster's label says what its patents are about, so it is made of the patents' own key phrases:

1. Key phrases of members: of at most `LABEL_MEMBERS` members per cluster, those closest to its centroid,
   each text cut to `LABEL_CHARS` first (the extractor costs 5–25 ms a text, so the work is bounded whatever
   the cluster's size). Chinese: the extractor's `UNITS_PER_MEMBER` most probable words, each weighted by its
   probability; English: its phrases, weighted by rank (the first 1, the last 0.5), compared by their stems.
2. Support: the summed weights over those members, as a share of them. Specificity: how much more often the
   word occurs in the cluster's texts than in the whole set (occurrences per text, texts cut as above), as a
   lift; a word as common everywhere as in the cluster (控制, 数据) says little about this cluster, and one
   its texts never write (proposed from similar abstracts) nothing. Score = support × log2(1 + lift).
3. Chinese phrases for people: the extractor's unit is jieba's word (石墨 + 烯, 飞行 + 控制), so words of the
   cluster's best `JOIN_POOL` that the members' texts write together (飞行控制, up to `MAX_JOINED` words)
   become one phrase when at least `JOIN_SHARE` of the members that have its most frequent word have the
   whole phrase; the phrase takes the place of its words, with the best of their scores times that share. A
   word written almost only inside a longer one of the pool (电池 in 锂电池) is folded into it, and a word
   whose texts nearly always write a suffix such as 体, 器, 剂 after it is shown with it (前驱 → 前驱体).
4. Each phrase labels only the cluster where it scores highest (so labels are distinct); a cluster left with
   fewer than `MIN_TERMS` is topped up with its best shared ones. In a label no phrase sits inside another
   (光伏 beside 光伏组件); a single character is never a label, nor a boilerplate word of the clustering
   (`stop`).

Measured against the gold key phrases of KPPatent-ZH by `bench/cluster_labels.py`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence

import numpy as np

from ipcity.patents.keyphrases import default_model, detect_language, english_keyphrases, english_stem_key
from ipcity.patents.search.analysis import normalise_text

LABEL_MEMBERS = 20  # members per cluster whose key phrases are extracted (closest to the centroid first)
UNITS_PER_MEMBER = 10  # the extractor's best words (Chinese) or phrases (English) of each
LABEL_CHARS = 600  # each text is cut to this many characters before any work
MIN_TERMS = 3
JOIN_POOL = 15  # a cluster's best words that may be joined into phrases …
MAX_JOINED = 3  # … at most this many into one …
JOIN_SHARE = 0.5  # … when the members write them together at least this share of the time
FOLD_SHARE = 0.8  # a word inside a longer one (电池 in 锂电池) that is mostly written in it is folded into it
MAX_PHRASE_CHARS = 12
SMOOTHING = 0.5  # added to occurrence counts for the lift
LIFT_POOL = 40  # a cluster's best supported words whose lift is computed (each is a count over all texts)
COMPLETE_CHARS = 1  # a label word takes the character its texts write after it …
COMPLETE_SHARE = 0.8  # … this share of the time or more (前驱 → 前驱体)
# … if it is one that ends words of things (体 器 剂 …): 羧甲基 before 纤维素 does not become 羧甲基纤
_SUFFIXES = frozenset("体器剂机物仪素烯酶酸盐醇酯胺烷苯酚醛酮计池炉泵阀")

Unit = tuple[str, float]  # a key word or phrase of one text and its weight
Extract = Callable[[str], list[Unit]]
_HAN = re.compile(r"[\u3400-\u9fff]")
_EN_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def extractor(model=None, k: int = UNITS_PER_MEMBER) -> Extract:
    """Key words (Chinese) or phrases (English) of one text, language told from its script, with their
    weights, from `model` (default: the shipped `KeyphraseModel`)."""

    def extract(text: str) -> list[Unit]:
        text = (text or "")[:LABEL_CHARS]
        if not text.strip():
            return []
        m = model or default_model()
        if detect_language(text) == "zh":
            ranked = m.ranked("", text)[:k]
            if m.present is None:  # no statistics, no probabilities: by rank
                return [(w, _rank_weight(i, len(ranked))) for i, (w, _) in enumerate(ranked)]
            return ranked
        phrases = english_keyphrases("", text, k, m.english_df, m.english_docs)
        return [(p, _rank_weight(i, len(phrases))) for i, p in enumerate(phrases)]

    return extract


def _rank_weight(rank: int, n: int) -> float:
    return 1.0 - 0.5 * rank / max(n - 1, 1)


def _key(unit: str) -> str:
    """What units are compared by: Chinese as written, English by their stems (battery = batteries)."""
    return unit if _HAN.search(unit) else english_stem_key(unit)


def _english_form(text: str) -> str:
    return " " + " ".join(english_stem_key(w) for w in _EN_WORD.findall(text)) + " "


class _Texts:
    """The cut, normalised texts, joined (one `str.count` per phrase and group, not one per text), and (only once
    an English unit asks) their stemmed form."""

    def __init__(self, texts: Sequence[str]):
        self.zh = [normalise_text((t or "")[:LABEL_CHARS]) for t in texts]
        self._en: list[str] | None = None
        self._joined: dict[tuple[str, int], str] = {}

    def _pool(self, english: bool) -> list[str]:
        if not english:
            return self.zh
        if self._en is None:
            self._en = [_english_form(t) for t in self.zh]
        return self._en

    def _text(self, english: bool, ids: Sequence[int] | None, group: int) -> str:
        joined = self._joined.get((("en" if english else "zh"), group))
        if joined is None:
            pool = self._pool(english)
            joined = "\n".join(pool if ids is None else (pool[i] for i in ids))
            self._joined[("en" if english else "zh"), group] = joined
        return joined

    def count(self, key: str, ids: Sequence[int] | None = None, group: int = -1) -> int:
        """Occurrences of a unit's key in the texts `ids` (all by default; `group` names them for the cache)."""
        english = not _HAN.search(key)
        return self._text(english, ids, group).count(f" {key} " if english else key)

    def count_all(self, keys: Collection[str], ids: Sequence[int] | None = None, group: int = -1) -> dict[str, int]:
        """`count(key, ids, group)` for each key, the same numbers, most of them in one pass.

        A `str.count` reads all the texts (some 2 M characters for 5,000 cut abstracts, ~1.6 ms); a few hundred
        keys counted over all of them made that the largest part of labelling. Chinese keys of up to `_GRAM_CHARS`
        characters that cannot overlap themselves (so that every place one starts is an occurrence str.count
        counts) are looked up together among the texts' n-grams of code points (numpy); any other key is counted
        by `count`."""
        out: dict[str, int] = {}
        by_length: dict[int, list[str]] = {}
        for key in keys:
            if _HAN.search(key) and len(key) <= _GRAM_CHARS and "\n" not in key and not _overlaps_itself(key):
                by_length.setdefault(len(key), []).append(key)
            else:
                out[key] = self.count(key, ids, group)
        if not by_length:
            return out
        text = np.frombuffer(self._text(False, ids, group).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        text = text.astype(np.int64)
        for length, same_length in by_length.items():
            starts = len(text) - length + 1
            if starts <= 0:
                out.update(dict.fromkeys(same_length, 0))
                continue
            first = np.zeros(max(int(text.max()), *(ord(key[0]) for key in same_length)) + 1, dtype=bool)
            first[[ord(key[0]) for key in same_length]] = True
            at = np.flatnonzero(first[text[:starts]])  # where one of the keys may start
            grams = text[at]
            for j in range(1, length):
                grams = (grams << _CODE_BITS) | text[at + j]
            codes = np.array([_gram_code(key) for key in same_length], dtype=np.int64)
            order = np.argsort(codes, kind="stable")
            codes = codes[order]
            index = np.minimum(np.searchsorted(codes, grams), len(codes) - 1)
            found = np.bincount(index[codes[index] == grams], minlength=len(codes))
            out.update((same_length[i], int(n)) for i, n in zip(order, found, strict=True))
        return out


_GRAM_CHARS = 3  # keys of up to 3 characters are counted as n-grams: 3 code points of 21 bits fit an int64
_CODE_BITS = 21  # bits of a Unicode code point (at most U+10FFFF)


def _gram_code(key: str) -> int:
    code = 0
    for ch in key:
        code = (code << _CODE_BITS) | ord(ch)
    return code


def _overlaps_itself(key: str) -> bool:
    """Whether two occurrences of key can overlap (哈哈, 阿拉阿): then str.count counts fewer than the starts."""
    return any(key[:j] == key[-j:] for j in range(1, len(key)))


def cluster_labels(texts: Sequence[str], members: Sequence[Sequence[int]], *, max_terms: int = 5,
                   extract: Extract | None = None, stop: Collection[str] = ()) -> list[tuple[list[str], list[float]]]:
    """Per cluster, (label phrases, their scores), best first; see the module doc.

    `members[c]`: indices into `texts` of cluster c's documents, the most central first (only the first
    `LABEL_MEMBERS` are read by the extractor). `extract`: text → weighted key words (default: `extractor()`).
    `stop`: words that are never a label.
    """
    extract = extract or extractor()
    corpus = _Texts(texts)
    n = max(len(texts), 1)
    extracted = []
    for group in members:
        sample = list(group[:LABEL_MEMBERS])
        support: Counter = Counter()
        surfaces: dict[str, Counter] = {}
        for i in sample:
            seen: dict[str, float] = {}
            for unit, weight in extract(texts[i]):
                unit = unit.strip()
                if not unit or unit.isdigit() or unit in stop:
                    continue
                key = _key(unit)
                seen[key] = max(seen.get(key, 0.0), weight)
                surfaces.setdefault(key, Counter())[unit] += 1
            support.update(seen)
        # only the best supported are counted in the texts
        extracted.append((sample, support.most_common(LIFT_POOL), surfaces))
    everywhere = corpus.count_all({key for _, pool, _ in extracted for key, _ in pool})
    scores: list[dict[str, float]] = []
    for c, (group, (sample, pool, surfaces)) in enumerate(zip(members, extracted, strict=True)):
        size = max(len(group), 1)
        scored: dict[str, float] = {}
        counts = corpus.count_all([key for key, _ in pool], group, c)
        for key, total in pool:
            inside = counts[key]
            if not inside:  # proposed from similar abstracts, but not what these texts say
                continue
            lift = ((inside + SMOOTHING) / size) / ((everywhere[key] + SMOOTHING) / n)
            scored[key] = _score(total / max(len(sample), 1), lift)
        scored = _join(scored, [corpus.zh[i] for i in sample])
        surfaces = {key: spellings for key, spellings in surfaces.items() if not _HAN.search(key)}
        sample_texts = [corpus.zh[i] for i in sample]
        display = {key: surfaces[key].most_common(1)[0][0] if key in surfaces else _complete(key, sample_texts)
                   for key in scored}
        scores.append({display[key]: s for key, s in scored.items() if _label_like(display[key])})

    owner: dict[str, int] = {}
    for c, scored in enumerate(scores):
        for phrase, score in scored.items():
            if phrase not in owner or score > scores[owner[phrase]][phrase]:
                owner[phrase] = c
    out = []
    for c, scored in enumerate(scores):
        ranked = sorted(scored, key=lambda p: (-scored[p], p))
        chosen = _not_nested([p for p in ranked if owner[p] == c], max_terms)
        if len(chosen) < min(MIN_TERMS, max_terms):  # too few of its own: topped up with shared ones
            chosen = _not_nested(ranked, min(MIN_TERMS, max_terms), chosen)
        out.append((chosen, [round(scored[p], 4) for p in chosen]))
    return out


def _score(support: float, lift: float) -> float:
    return support * math.log2(1.0 + lift)


def _join(scored: dict[str, float], sample_texts: list[str]) -> dict[str, float]:
    """Chinese words of the best `JOIN_POOL` that the sample's texts write together, as phrases (module doc,
    step 3): the phrase is added and its words are dropped."""
    pool = [w for w in sorted(scored, key=lambda w: (-scored[w], w)) if _HAN.search(w)][:JOIN_POOL]
    if len(pool) < 2 or not sample_texts:
        return scored

    known: dict[str, int] = {}  # the same phrase is tried from several of its words

    def df(phrase: str) -> int:
        count = known.get(phrase)
        if count is None:
            count = known[phrase] = sum(phrase in t for t in sample_texts)
        return count

    word_df = {w: df(w) for w in pool}
    scored = dict(scored)
    for w in list(pool):  # a sub-word written almost only inside a longer word of the pool is that word
        longer = [u for u in pool if u != w and w in u and word_df[u] >= FOLD_SHARE * word_df[w]]
        if longer:
            u = max(longer, key=lambda u: (word_df[u], u))
            scored[u] = max(scored[u], scored.pop(w))
            pool.remove(w)
    least = 2 if len(sample_texts) >= 3 else 1
    joined: dict[str, tuple[str, ...]] = {}
    frontier = [(w,) for w in pool]
    for _ in range(MAX_JOINED - 1):
        grown = []
        for words in frontier:
            for w in pool:
                if w in words:
                    continue
                for candidate in ((*words, w), (w, *words)):
                    phrase = "".join(candidate)
                    if phrase in joined or len(phrase) > MAX_PHRASE_CHARS:
                        continue
                    count = df(phrase)
                    if count >= least and count >= JOIN_SHARE * max(word_df[x] for x in candidate):
                        joined[phrase] = candidate
                        grown.append(candidate)
        frontier = grown
    if not joined:
        return scored
    out = dict(scored)
    # longest first: a phrase absorbs its words, and a shorter phrase inside it
    for phrase in sorted(joined, key=lambda p: (-len(joined[p]), -df(p), p)):
        words = joined[phrase]
        share = df(phrase) / max(word_df[w] for w in words)
        best = max(scored[w] for w in words)
        if any(phrase in other for other in out if other != phrase and len(other) > len(phrase)):
            continue
        out[phrase] = best * share
        for w in words:
            out.pop(w, None)
    return out


def _complete(word: str, texts: list[str]) -> str:
    """A Chinese word with the character the texts nearly always write after it, if that one ends words of things
    (jieba cuts 前驱体 into 前驱 + 体, 传感器 into 传感 + 器): at most `COMPLETE_CHARS` of them."""
    if not _HAN.search(word):
        return word
    for _ in range(COMPLETE_CHARS):
        after: Counter = Counter()
        for text in texts:
            start = text.find(word)
            while start >= 0:
                after[text[start + len(word):start + len(word) + 1]] += 1
                start = text.find(word, start + 1)
        total = sum(after.values())
        if total < 2:
            break
        char, n = after.most_common(1)[0]
        if n < COMPLETE_SHARE * total or char not in _SUFFIXES:
            break
        word += char
    return word


def _label_like(phrase: str) -> bool:
    return len(phrase) >= 2 and not phrase.isdigit() and (len(phrase) <= MAX_PHRASE_CHARS or not _HAN.search(phrase))


def _nested(a: str, b: str) -> bool:
    if _HAN.search(a) or _HAN.search(b):
        return a in b or b in a
    ka, kb = f" {_key(a)} ", f" {_key(b)} "
    return ka in kb or kb in ka


def _not_nested(ranked: list[str], limit: int, chosen: list[str] | None = None) -> list[str]:
    """`chosen` (none by default), then the first of `ranked` that neither sit inside nor hold one taken."""
    chosen = list(chosen or [])
    for phrase in ranked:
        if len(chosen) >= limit:
            break
        if not any(_nested(phrase, other) for other in chosen):
            chosen.append(phrase)
            if len(chosen) == limit:
                break
    return chosen
