"""The parsed form of a search query: a small tree both backends compile.

Produced by `ipcity.patents.search.query.parse`. Positions (`pos`) are offsets into the query text,
so that later errors (an unknown IPC code, a bad date) can still point at the right place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Term:
    field: str  # canonical field name (fields.FIELDS); text fields get analysed, keyword fields normalised
    value: str
    pos: int = field(default=0, compare=False)  # where it was typed; not part of what it means


@dataclass(frozen=True)
class Phrase:
    field: str  # a text field
    value: str  # the words in order
    pos: int = field(default=0, compare=False)  # where it was typed; not part of what it means


@dataclass(frozen=True)
class Prefix:
    field: str  # a keyword field (IPC H01M*, number CN1234*, applicant 华为*)
    value: str  # without the trailing *
    pos: int = field(default=0, compare=False)  # where it was typed; not part of what it means


@dataclass(frozen=True)
class DateRange:
    field: str  # a date field
    low: date | None  # inclusive; None = open
    high: date | None  # inclusive; None = open
    pos: int = field(default=0, compare=False)  # where it was typed; not part of what it means


@dataclass(frozen=True)
class BestMatch:
    """Plain words or a pasted text ranked by best match: any word may match, none is required.

    Not written in the expression language: `understand.py` makes it from input that is no expression.
    `coordinate` (plain words): documents with every word first, then with most words, BM25 within each, an
    adjacent-words boost; without it (a long text) the plain BM25 sum over its distinctive words ranks.
    """

    field: str  # a text field
    value: str  # the words as typed
    coordinate: bool = True
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Term | Phrase | Prefix | DateRange | BestMatch | And | Or | Not | MatchAll
