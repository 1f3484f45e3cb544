"""Key phrases for people on patent pages: a patent's key terms (关键词 on its page) and the related terms of a
search (相关检索词: the key phrases the best hits share), both from `ipcity.patents.keyphrases`.

Both are bounded: a patent's title and abstract are cut to `KEY_TERMS_CHARS` together, a search reads at most
`RELATED_RECORDS` records, each cut to `RELATED_CHARS`; extraction costs some 5–25 ms a text, and a text seen
before (the same page again, a record in the next search) comes from a cache.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from ipcity.patents.keyphrases import MAX_K, detect_language, english_stem_key, keyphrases
from ipcity.patents.search.analysis import normalise_text

if TYPE_CHECKING:
    from ipcity.patents.record import PatentRecord

KEY_TERMS = 8  # phrases on a patent's page, at most
KEY_TERMS_CHARS = 2_000  # title + abstract read for them
RELATED_RECORDS = 10  # top-ranked records a search's related terms are drawn from, at most
RELATED_CHARS = 600  # title + abstract read of each
PER_RECORD = 8  # key phrases taken from each record
MIN_RECORDS = 2  # a related term is a key phrase of at least this many of the records read (when there are)
CACHE = 4_096  # texts whose key phrases are remembered

# Words of patent titles that the extractor may keep but that say nothing about the technology.
GENERIC = frozenset(("制备", "制备方法", "用途", "应用", "工艺", "系统", "设备", "组件", "结构", "及其"))
_HAN = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=CACHE)
def _phrases(title: str, text: str, k: int, lang: str | None) -> tuple[str, ...]:
    return tuple(p for p in keyphrases(title, text, k=k, lang=lang, merge=True) if p not in GENERIC)


def _cut(title: str, abstract: str, limit: int) -> tuple[str, str]:
    title = (title or "")[:limit]
    return title, (abstract or "")[:max(limit - len(title), 0)]


def key_terms(record: PatentRecord, k: int = KEY_TERMS) -> list[str]:
    """The key phrases of one patent's title and abstract (language told from the text), best first."""
    title, text = _cut(record.title, record.abstract, KEY_TERMS_CHARS)
    return list(_phrases(title, text, min(k, MAX_K), None))


def _key(phrase: str) -> str:
    return phrase if _HAN.search(phrase) else english_stem_key(phrase)


def _own_words(phrase: str, query_words: list[str]) -> bool:
    """A phrase the query already says: one of its words, inside one, or nothing but them (锂 left of 锂电池
    after 电池 is nothing)."""
    if _HAN.search(phrase):
        rest = phrase
        for word in query_words:
            if phrase in word:
                return True
            rest = rest.replace(word, "")
        return len(rest) < 2
    stems = _key(phrase).split()
    query_stems = {s for word in query_words for s in _key(word).split()}
    return all(s in query_stems for s in stems)


def related_terms(records: Sequence[PatentRecord], query_words: Iterable[str], lang: str | None,
                  k: int = 8) -> list[str]:
    """Key phrases that most of a search's top-ranked `records` have (in rank order; at most
    `RELATED_RECORDS` are read), leaving out the query's own words, best first; only phrases of at least
    `MIN_RECORDS` of the records read (so none where the hits share nothing).

    `lang`: "zh" or "en" for suggestions in that language (records written in the other are skipped), None for
    every record in its own language. A phrase counts for a record that has it or a longer phrase holding it;
    ties go to the phrase of the better-ranked records.
    """
    wanted = None if lang is None else ("zh" if lang.lower().startswith("zh") else "en")
    query = [w for w in (normalise_text(q).strip() for q in query_words) if w]
    per_record: list[tuple[str, ...]] = []
    for record in list(records)[:RELATED_RECORDS]:
        title, text = _cut(record.title, record.abstract, RELATED_CHARS)
        language = detect_language(title + "\n" + text)
        if wanted is not None and language != wanted:
            continue
        per_record.append(_phrases(title, text, PER_RECORD, language))
    seen: dict[str, str] = {}  # key -> the phrase as first written (best-ranked record first)
    keyed = []
    for phrases in per_record:
        keys = {_key(p): p for p in phrases}
        for key, phrase in keys.items():
            seen.setdefault(key, phrase)
        keyed.append(keys)
    records_with: dict[str, int] = {}
    rank_sum: dict[str, float] = {}
    for rank, keys in enumerate(keyed):
        # a record has its own phrases, and every shorter phrase (of any record) inside one of them
        held = set(keys) | {key for key in seen if any(_inside(key, longer) for longer in keys)}
        for key in held:
            records_with[key] = records_with.get(key, 0) + 1
            rank_sum[key] = rank_sum.get(key, 0.0) + rank
    order = sorted(records_with, key=lambda key: (-records_with[key], rank_sum[key] / records_with[key], key))
    least = min(MIN_RECORDS, len(keyed))
    out: list[str] = []
    for key in order:
        if records_with[key] < least:
            break
        phrase = seen[key]
        if len(phrase) < 2 or _own_words(phrase, query) or any(_nested(phrase, p) for p in out):
            continue
        out.append(phrase)
        if len(out) >= k:
            break
    return out


def _inside(short: str, long: str) -> bool:
    if short == long:
        return False
    if _HAN.search(short):
        return short in long
    return f" {short} " in f" {long} "


def _nested(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    return ka == kb or _inside(ka, kb) or _inside(kb, ka)
