"""Text analysis shared by indexing and querying, so that both see the same tokens.

Chinese is cut with jieba (the `rjieba` binding: same output as `jieba`, 25× faster) with a
patent-terms user dictionary built from the IPC titles; the index uses the for-search mode, which
adds the sub-words of long words (锂离子 → 离子, 锂离子). Latin words are lower-cased and stemmed with
the Snowball English stemmer. Numbers and codes are kept whole.
"""

from __future__ import annotations

import bisect
import gzip
import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources

import rjieba
import Stemmer

_STOP = frozenset((
    "的", "之", "及", "和", "与", "或", "其", "该", "了", "是", "在", "为", "于",
    "以", "所述", "一种", "一个", "包括", "其中", "并", "且", "由", "对", "将", "被",
    "从", "使", "中", "上", "下",
    "a", "an", "the", "of", "and", "or", "to", "in", "for", "with", "by", "on", "at", "as", "is", "are",
    "be", "from", "that", "this", "which", "said", "wherein",
))
_WORD = re.compile(r"\w", re.UNICODE)
_LATIN = re.compile(r"[a-z]")
_lock = threading.Lock()
_stemmer = threading.local()


_loaded: int | None = None


def _dictionary_loaded() -> int:
    """Load the shipped patent-term dictionary into jieba once per process; returns how many terms.

    rjieba's dictionary is one Rust object: `add_word` borrows it mutably, so a cut running at the same time
    fails with "Already borrowed". Every caller therefore waits here until the whole dictionary is in, and
    it is loaded exactly once (double-checked under the lock; a plain `@cache` let a second thread add words
    again while others were already cutting).
    """
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load_dictionary()
    return _loaded


def _load_dictionary() -> int:
    count = 0
    data = resources.files("ipcity.patents") / "data" / "patent_terms.txt.gz"
    if not data.is_file():
        return 0
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as terms:
        for line in terms:
            term = line.strip()
            if term:
                rjieba.add_word(term, None, None)  # rjieba 0.2 takes (word, freq, tag)
                count += 1
    return count


def stem(word: str) -> str:
    """The Snowball English stem of one lower-case word (the index's form of English words)."""
    stemmer = getattr(_stemmer, "english", None)
    if stemmer is None:  # PyStemmer objects are not thread-safe: one per thread
        stemmer = _stemmer.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


def normalise_text(text: str) -> str:
    """Full-width to half-width, lower case (NFKC folds ＡＢＣ１２３ and full-width punctuation).

    Exactly `unicodedata.normalize("NFKC", text).lower()`, five times faster on patent text: CPython normalises
    the whole string once one character needs it (a full-width comma in every sentence), so the full-width
    forms are replaced by their half-width ones first (their NFKC mapping: one starter for one starter), and
    what is still not normalised is normalised only in the runs of characters that need it (_unstable)."""
    if not unicodedata.is_normalized("NFKC", text):
        for char in set(_FULL_WIDTH.findall(text)):
            text = text.replace(char, chr(ord(char) - 0xFEE0) if char != "\u3000" else " ")
        if not unicodedata.is_normalized("NFKC", text):
            text = _normalise_runs(text)
    return text.lower()


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


@lru_cache(maxsize=1)
def _unstable() -> re.Pattern:
    """Runs of characters NFKC may change or combine: those it maps, combining marks, the second character of a
    canonical pair, Hangul vowel and final jamo, and (for a small table) every character beyond the BMP. A
    character outside the runs is a starter NFKC keeps and composes with nothing before it, so a run and the one
    character before it normalise apart from the rest of the text."""
    seconds = set()
    for code in range(0x30000):  # no character from U+30000 on has a decomposition (Unicode 15)
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    ranges: list[list[int]] = []
    for code in range(0x10000):
        char = chr(code)
        if (0xD800 <= code <= 0xDFFF or unicodedata.combining(char) or code in seconds or 0x1160 <= code <= 0x11FF
                or unicodedata.normalize("NFKC", char) != char):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    parts = [f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges]
    return re.compile("[" + "".join(parts) + "\\U00010000-\\U0010ffff]+")


def _normalise_runs(text: str) -> str:
    out, last = [], 0
    for run in _unstable().finditer(text):
        start = max(run.start() - 1, last)  # the starter a run may compose with
        out += (text[last:start], unicodedata.normalize("NFKC", text[start:run.end()]))
        last = run.end()
    out.append(text[last:])
    return "".join(out)


def _clean_token(token: str) -> str:
    """The index form of one token, or "" to drop it."""
    token = token.strip()
    if not token or not _WORD.search(token) or token in _STOP:
        return ""
    return stem(token) if _LATIN.match(token) else token


class _TokenCache(dict):
    """token -> its index form, for the first CACHED_TOKENS distinct tokens (a corpus repeats its words); a plain
    dict so that a text's tokens are looked up in C (`map(cache.__getitem__, tokens)`), not one call each."""

    def __missing__(self, token: str) -> str:
        clean = _clean_token(token)
        if len(self) < CACHED_TOKENS:
            self[token] = clean
        return clean


CACHED_TOKENS = 1 << 20
_tokens = _TokenCache()


def _clean(tokens: list[str]) -> list[str]:
    return [c for c in map(_tokens.__getitem__, tokens) if c]


def index_tokens(text: str) -> list[str]:
    """Tokens for the index: jieba for-search mode (words and their sub-words), stemmed, no stop words."""
    if not text:
        return []
    _dictionary_loaded()
    return _clean(rjieba.cut_for_search(normalise_text(text)))


def query_tokens(text: str) -> list[str]:
    """Tokens of a query term or phrase: jieba precise mode, so a word is one token, in order."""
    if not text:
        return []
    _dictionary_loaded()
    return _clean(rjieba.cut(normalise_text(text)))


# The most distinct words a best-match query ranks by: a pasted abstract has a few hundred, and each word is
# one more posting list to score, so the work stays bounded whatever is pasted.
MAX_BEST_MATCH_TOKENS = 48
# A pasted text ranks by its 32 rarest words: 16 lost a quarter of the prior-art recall (bench/prior_art.py:
# lexical recall@100 0.545 with 16, 0.680 with 32, 0.705 with 48), and each more word widens the set to score
# (bench/search.py variant e, 200,000 records, CPU p95: 3.6 ms with 16, 8.4 with 32, 16.5 with 48).
MAX_TEXT_TOKENS = 32


def node_tokens(value: str, coordinate: bool, doc_freq=None) -> list[str]:
    """The words a BestMatch node ranks by: plain words (coordinate) up to 48, a pasted text its 32 rarest."""
    return best_match_tokens(value, MAX_BEST_MATCH_TOKENS if coordinate else MAX_TEXT_TOKENS, doc_freq)


def best_match_tokens(text: str, limit: int = MAX_BEST_MATCH_TOKENS, doc_freq=None) -> list[str]:
    """The distinct query tokens of a plain-words or pasted-text query, at most `limit`. Beyond the limit,
    `doc_freq` (token -> documents holding it), where the backend can tell, keeps the rarest words that
    occur at all (what distinguishes a pasted abstract); without it, the first ones."""
    tokens = list(dict.fromkeys(query_tokens(text)))
    if len(tokens) <= limit:
        return tokens
    if doc_freq is None:
        return tokens[:limit]
    counts = {t: doc_freq(t) for t in tokens}
    kept = set(sorted((t for t in tokens if counts[t] > 0), key=lambda t: counts[t])[:limit])
    return [t for t in tokens if t in kept]


def analysed(text: str) -> str:
    """The index form of a text field: its tokens joined by spaces (the backends split on whitespace)."""
    return " ".join(index_tokens(text))


def spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Character spans of `text` whose tokens are among `terms` (for highlighted snippets)."""
    if not text or not terms:
        return []
    _dictionary_loaded()
    folded = normalise_text(text)
    if len(folded) != len(text):  # NFKC changed the length (rare ligatures): highlight nothing rather than wrongly
        return []
    if "" in terms:  # a blank token is never a match
        terms = terms - {""}
    latin = any("a" <= term[:1] <= "z" for term in terms)
    # A token equal to a term holds it as a substring; a stem need not be one ("happi" of "happy"), so a text
    # with no term in it is skipped without cutting it only when no term is a Latin stem.
    if not latin and not any(term in folded for term in terms):
        return []
    # One comprehension over the tokens (a result page highlights some forty texts): a Latin token is stemmed only
    # when some term is a Latin stem, since a stem keeps its word's first letter.
    if latin:
        found = [(start, end) for word, start, end in rjieba.tokenize(folded, mode="search")
                 if (token := word.strip()) in terms or ("a" <= token[:1] <= "z" and stem(token) in terms)]
    else:  # only the clauses that hold a term are cut
        found = [(first + start, first + end) for first, last in _clauses_holding(folded, terms)
                 for word, start, end in rjieba.tokenize(folded[first:last], mode="search") if word.strip() in terms]
    return _merge(found)


# Characters jieba never joins into a word (outside its blocks of word characters): it cuts each block apart, so a
# clause between two of them is cut as it would be within the whole text.
_CLAUSE_BREAK = re.compile(r"[,;:!?\s、。]")


def _clauses_holding(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """(start, end) of the clauses of `text` holding one of `terms`, merged, in order."""
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
    clauses = []
    for term in terms:
        at = text.find(term)
        while at >= 0:
            before = bisect.bisect_left(breaks, at)
            after = bisect.bisect_left(breaks, at + len(term))
            end = breaks[after] if after < len(breaks) else len(text)
            clauses.append((breaks[before - 1] + 1 if before else 0, end))
            at = text.find(term, at + 1)
    return _merge(clauses)


def _merge(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
