"""The search facade's contract: what a request asks, what a backend answers.

Every backend (tantivy embedded, Milvus at scale) implements `SearchBackend` and passes the same
contract test suite (tests/patents/search/test_contract.py). Documents arrive already analysed
(`IndexDoc`, built once in `document.py`), so both backends see the same tokens and keywords.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ipcity.patents.search.ast import MatchAll, Node

# Facets a request may ask for, each a keyword field of IndexDoc.
FACETS = ("ipc_section", "ipc_class", "ipc_subclass", "year", "applicant", "province", "city", "district",
          "type", "status", "office")

SORTS = ("relevance", "pub_date_desc", "pub_date_asc", "app_date_desc", "app_date_asc")


@dataclass(frozen=True)
class SearchRequest:
    query: Node = MatchAll()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet name -> accepted values (OR)
    facets: tuple[str, ...] = ()
    facet_size: int = 10
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    # Only these publication numbers (empty: all). What a saved search's alert asks of the records loaded since
    # it last ran; the caller bounds its length (MAX_WITHIN).
    within: tuple[str, ...] = ()


MAX_WITHIN = 1000


@dataclass(frozen=True)
class Hit:
    pub_number: str
    score: float


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass
class SearchPage:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)


@dataclass
class IndexDoc:
    """One patent as both backends index it (see document.py for how it is built)."""

    pub_number: str
    # Analysed text: space-separated, lower-cased tokens (jieba for-search + English stems).
    title: str = ""
    abstract: str = ""
    claims: str = ""
    description: str = ""
    # The raw text, for backends that analyse for themselves (Milvus BM25 with its jieba analyzer).
    raw_text: str = ""
    # Keyword fields: normalised values, several per patent where the record has several.
    applicant: list[str] = field(default_factory=list)  # normalised names (names.normalise_applicant)
    inventor: list[str] = field(default_factory=list)
    agency: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)  # full symbols, e.g. H01M10/0525
    ipc_main: list[str] = field(default_factory=list)
    cpc: list[str] = field(default_factory=list)
    locarno: list[str] = field(default_factory=list)
    app_number: list[str] = field(default_factory=list)  # the number in every accepted spelling
    pub_number_keys: list[str] = field(default_factory=list)  # e.g. CN218751475U, CN218751475
    type: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)  # every level of the code: 31, 3101, 310115
    office: list[str] = field(default_factory=list)
    # Facet values (keyword, exactly as shown).
    ipc_section: list[str] = field(default_factory=list)
    ipc_class: list[str] = field(default_factory=list)
    ipc_subclass: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)  # application year (filing year), 4 digits
    province: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    district: list[str] = field(default_factory=list)
    # Dates as YYYYMMDD integers; 0 where unknown.
    app_date: int = 0
    pub_date: int = 0
    grant_date: int = 0
    vector: Sequence[float] | None = None  # semantic embedding, when an encoder is configured


class SearchBackend(Protocol):
    name: str
    concurrent_reads: bool  # searches from several threads of one process at once (PatentEngine.search_each)

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace documents (by pub_number); returns how many. Visible after `commit`."""

    def delete(self, pub_numbers: Iterable[str]) -> None: ...

    def commit(self) -> None:
        """Make every upsert and delete so far visible to searches."""

    def search(self, request: SearchRequest) -> SearchPage: ...

    def similar(self, vector: Sequence[float], limit: int, request: SearchRequest | None = None) -> list[Hit]:
        """Nearest documents by embedding (cosine), restricted by the request's query and filters."""

    def vector_of(self, pub_number: str) -> Sequence[float] | None:
        """The stored embedding of one document (None: none stored): "more like this" without re-encoding."""

    def matching(self, request: SearchRequest) -> set[str]:
        """The publication numbers of every document the request's query and filters match (no ranking,
        no limit): what a navigation topic defined by a query covers."""

    def count(self) -> int: ...

    def present(self, pub_numbers: Sequence[str]) -> list[str]:
        """The pub_number of every committed document among `pub_numbers`, once per document (an id indexed
        twice appears twice): what `ipcity patents check` compares with the register."""

    def ids(self, batch: int = ...) -> Iterator[list[str]]:
        """Every committed document's pub_number, at most `batch` at a time (bounded memory)."""

    def clear(self) -> None:
        """Remove every document (for a full rebuild)."""

    def close(self) -> None: ...
