"""The embedded search backend: a tantivy index in a folder of the data directory.

Text fields hold the pre-analysed tokens (analysis.py) and use tantivy's whitespace tokenizer, so
the index and the query see exactly the same tokens; keyword fields are `raw` fast fields, which
also serve the facet counts (tantivy's terms aggregation). Embeddings live beside the index in a
`VectorIndex` (exact cosine search).

tantivy 0.27 lets go of Python's GIL while it searches and aggregates, so a search's facet counts (a second
pass over the matching documents) run on another thread beside its ranked page, and threads of one process
search at once. Only one writer may hold the index at a time, across processes; the writer is opened for a
batch of writes and released at `commit`.
"""

from __future__ import annotations

import difflib
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import tantivy

from ipcity.patents.search import fields as F
from ipcity.patents.search import threads
from ipcity.patents.search.analysis import node_tokens, query_tokens
from ipcity.patents.search.ast import And, BestMatch, DateRange, MatchAll, Node, Not, Or, Phrase, Prefix, Term
from ipcity.patents.search.contract import FACETS, MAX_WITHIN, FacetCount, Hit, IndexDoc, SearchPage, SearchRequest
from ipcity.patents.search.document import yyyymmdd
from ipcity.patents.search.keywords import NAME_FIELDS, normalise_keyword
from ipcity.patents.semantic.vectors import VectorIndex

TEXT_FIELDS = ("title", "abstract", "claims", "description")
KEYWORD_FIELDS = ("applicant", "inventor", "agency", "ipc", "ipc_main", "cpc", "locarno", "app_number",
                  "pub_number_keys", "type", "status", "region", "office", "ipc_section", "ipc_class",
                  "ipc_subclass", "year", "province", "city", "district")
NAME_TEXT = {name: f"{name}_text" for name in NAME_FIELDS}  # names are also searchable word by word
DATE_FIELDS = ("app_date", "pub_date", "grant_date")
_TOTAL = "__total"  # the aggregation counting the matches beside the facets (no facet has this name)
# A query field that is stored under another index field.
KEYWORD_INDEX_FIELD = {"pub_number": "pub_number_keys"}
SORT_FIELDS = {"pub_date_desc": ("pub_date", tantivy.Order.Desc), "pub_date_asc": ("pub_date", tantivy.Order.Asc),
               "app_date_desc": ("app_date", tantivy.Order.Desc), "app_date_asc": ("app_date", tantivy.Order.Asc)}
WRITER_HEAP = 256 * 1024 * 1024
# Best match of plain words: each matched word adds this constant, far above any BM25 difference, so documents
# with every word rank first, then those with most words, BM25 deciding within each group.
COORDINATION = 1000.0
PROXIMITY_SLOP = 3  # words this close in the title or abstract count as the phrase typed
PROXIMITY_BOOST = 2.0
PROXIMITY_FIELDS = ("title", "abstract")
SPELL_FIELDS = ("title", "abstract")
SPELL_WORDS = 12  # words of one query looked at for a "did you mean"
SPELL_CANDIDATES = 2000  # most frequent index words sharing the first two letters, compared with a missing word
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$#&\-~])")


_ANY = r"[\x{0}-\x{10FFFF}]"


def _after(text: str) -> str:
    """A regex (tantivy matches whole terms) for every string that sorts after `text` by code point:
    text + more, or a common prefix, then a greater character, then anything."""
    pattern = _ANY + "+"
    for char in reversed(text):
        code = ord(char)
        pattern = f"\\x{{{code:x}}}({pattern})"
        if code < 0x10FFFF:
            low = 0xE000 if 0xD800 <= code + 1 <= 0xDFFF else code + 1  # no surrogate is a character
            pattern = f"[\\x{{{low:x}}}-\\x{{10FFFF}}]{_ANY}*|{pattern}"
    return pattern


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pub_number", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in NAME_TEXT.values():
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in DATE_FIELDS:
        builder.add_integer_field(name, fast=True, indexed=True)
    return builder.build()


class _NameWords(dict):
    """A name -> its words for the *_text fields, for the first CACHED_NAMES names (applicants and agencies repeat
    across a load; jieba's precise cut of each costs more than the rest of its document)."""

    def __missing__(self, name: str) -> str:
        words = " ".join(query_tokens(name))
        if len(self) < CACHED_NAMES:
            self[name] = words
        return words


CACHED_NAMES = 200_000
_name_words = _NameWords()


class TantivyBackend:
    name = "tantivy"
    concurrent_reads = True  # searches from several threads at once (the GIL is let go while tantivy works)

    def __init__(self, path: Path, dim: int | None = None) -> None:
        self.path = Path(path)
        (self.path / "index").mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(self.path / "index"), reuse=True)
        self._writer: tantivy.IndexWriter | None = None
        self.vectors = VectorIndex.load(self.path / "vectors") if (self.path / "vectors").exists() else None
        self._vectors_dirty = False
        self.dim = dim

    # -- writing -------------------------------------------------------------------------------------
    def _writing(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=2)
        return self._writer

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        writer = self._writing()
        count = 0
        ids, vecs = [], []
        for doc in docs:
            writer.delete_documents_by_term("pub_number", doc.pub_number)
            writer.add_document(self._document(doc))
            if doc.vector is not None:
                ids.append(doc.pub_number)
                vecs.append(doc.vector)
            count += 1
        if ids:
            if self.vectors is None:
                self.vectors = VectorIndex(len(vecs[0]))
            self.vectors.add(ids, vecs)
            self._vectors_dirty = True
        return count

    @staticmethod
    def _document(doc: IndexDoc) -> tantivy.Document:
        return tantivy.Document(**TantivyBackend.document_values(doc))

    @staticmethod
    def document_values(doc: IndexDoc) -> dict[str, object]:
        """The field values of `doc`'s tantivy document: plain data, so that the process preparing a load makes
        them (the name tokens are jieba's work) and the writing process only builds the Document."""
        values: dict[str, object] = {"pub_number": doc.pub_number}
        for name in TEXT_FIELDS:
            values[name] = getattr(doc, name)
        for name, text_field in NAME_TEXT.items():
            values[text_field] = " ".join(map(_name_words.__getitem__, getattr(doc, name)))
        for name in KEYWORD_FIELDS:
            field_values = getattr(doc, name)
            if field_values:
                values[name] = list(field_values)
        for name in DATE_FIELDS:
            values[name] = getattr(doc, name)
        return values

    def upsert_prepared(self, documents: Sequence[dict[str, object]], vectors: Sequence | None = None) -> int:
        """`upsert` of `document_values` made elsewhere (the bulk ingest); `vectors` beside them when embedded."""
        writer = self._writing()
        for values in documents:
            writer.delete_documents_by_term("pub_number", values["pub_number"])
            writer.add_document(tantivy.Document(**values))
        if vectors is not None and len(documents):
            if self.vectors is None:
                self.vectors = VectorIndex(len(vectors[0]))
            self.vectors.add([values["pub_number"] for values in documents], vectors)
            self._vectors_dirty = True
        return len(documents)

    def replace_vectors(self, batches: Iterable[tuple[list[str], Sequence[Sequence[float]]]]) -> int:
        """Swap in new embeddings for every document (a retrained encoder) without re-indexing the text."""
        fresh: VectorIndex | None = None
        count = 0
        for ids, vectors in batches:
            if len(ids):
                fresh = fresh or VectorIndex(len(vectors[0]))
                fresh.add(ids, vectors)
                count += len(ids)
        self.vectors, self._vectors_dirty = fresh, fresh is not None
        if fresh is None:
            shutil.rmtree(self.path / "vectors", ignore_errors=True)
        return count

    def delete(self, pub_numbers: Iterable[str]) -> None:
        writer = self._writing()
        removed = []
        for pub_number in pub_numbers:
            writer.delete_documents_by_term("pub_number", pub_number)
            removed.append(pub_number)
        if self.vectors is not None and removed:
            self.vectors.remove(removed)
            self._vectors_dirty = True

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()  # releases the index lock for other processes
            self._writer = None
        if self._vectors_dirty and self.vectors is not None:
            self.vectors.save(self.path / "vectors")
            self._vectors_dirty = False
        self.index.reload()

    def clear(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None
        writer = self._writing()
        writer.delete_all_documents()
        self.commit()
        self.vectors = None
        shutil.rmtree(self.path / "vectors", ignore_errors=True)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer.wait_merging_threads()
            self._writer = None

    # -- reading -------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.index.searcher().num_docs

    def present(self, pub_numbers: Sequence[str]) -> list[str]:
        """The pub_number of every document among `pub_numbers` (one indexed twice appears twice). The ids
        come from the fast field, not the stored documents."""
        ids = list(pub_numbers)
        if not ids:
            return []
        searcher = self.index.searcher()
        query = tantivy.Query.term_set_query(self.schema, "pub_number", ids)
        limit = len(ids)
        while True:
            result = searcher.search(query, limit, count=True, order_by_field="pub_number", order=tantivy.Order.Asc)
            if result.count <= limit:
                return [key for key, _ in result.hits]
            limit = result.count

    def ids(self, batch: int = 10_000) -> Iterator[list[str]]:
        """Every document's pub_number in ascending order, `batch` at a time, from one snapshot of the index:
        keyset paging (a regex for "after the last id"), so memory and each page's work stay bounded — an
        offset would make each page cost everything before it."""
        searcher = self.index.searcher()
        last: str | None = None
        while True:
            query = (tantivy.Query.all_query() if last is None
                     else tantivy.Query.regex_query(self.schema, "pub_number", _after(last)))
            result = searcher.search(query, batch, count=False, order_by_field="pub_number", order=tantivy.Order.Asc)
            keys = [key for key, _ in result.hits]
            if keys:
                yield keys
            if len(keys) < batch:
                return
            last = keys[-1]

    def search(self, request: SearchRequest) -> SearchPage:
        query = self._with_filters(self.compile(request.query), request.filters, request.within)
        searcher = self.index.searcher()
        if request.limit == 0 and any(f in FACETS for f in request.facets):
            # Counts and facets only: one pass, the total counted by the aggregation beside the facets.
            total, facets = self._counted_facets(searcher, query, request)
            return SearchPage(total=total, hits=[], facets=facets)
        kwargs: dict[str, object] = {"offset": request.offset}
        if request.sort in SORT_FIELDS:
            kwargs["order_by_field"], kwargs["order"] = SORT_FIELDS[request.sort]
        # The facet counts are a pass of their own over the matching documents: on another core meanwhile.
        facets = threads.submit(self._facets, searcher, query, request) if request.facets else None
        # tantivy refuses limit 0; a request for counts and facets only still gets no hits.
        result = searcher.search(query, max(request.limit, 1), count=True, **kwargs)
        hits = [Hit(searcher.doc(address)["pub_number"][0], float(key) if request.sort == "relevance" else 0.0)
                for key, address in result.hits][:request.limit]
        return SearchPage(total=result.count, hits=hits, facets=facets.result() if facets else {})

    def _facets(self, searcher, query, request: SearchRequest) -> dict[str, list[FacetCount]]:
        wanted = [f for f in request.facets if f in FACETS]
        if not wanted:
            return {}
        return self._buckets(searcher.aggregate(query, self._facet_spec(wanted, request)), wanted)

    def _counted_facets(self, searcher, query, request: SearchRequest) -> tuple[int, dict[str, list[FacetCount]]]:
        """The matching documents' count and facets in one aggregation: every document has one pub_number (a
        fast field), so its value count is the number of matches."""
        wanted = [f for f in request.facets if f in FACETS]
        spec = self._facet_spec(wanted, request) | {_TOTAL: {"value_count": {"field": "pub_number"}}}
        result = searcher.aggregate(query, spec)
        return int(result.get(_TOTAL, {}).get("value") or 0), self._buckets(result, wanted)

    @staticmethod
    def _facet_spec(wanted: list[str], request: SearchRequest) -> dict:
        return {f: {"terms": {"field": f, "size": request.facet_size}} for f in wanted}

    @staticmethod
    def _buckets(result: dict, wanted: list[str]) -> dict[str, list[FacetCount]]:
        return {f: [FacetCount(str(b["key"]), int(b["doc_count"])) for b in result.get(f, {}).get("buckets", [])]
                for f in wanted}

    def similar(self, vector: Sequence[float], limit: int, request: SearchRequest | None = None) -> list[Hit]:
        if self.vectors is None or len(self.vectors) == 0:
            return []
        allowed = None
        if request is not None and (request.filters or not isinstance(request.query, MatchAll)):
            allowed = self.matching(request)
        return [Hit(pub, score) for pub, score in self.vectors.search(vector, limit, allowed=allowed)]

    def vector_of(self, pub_number: str) -> Sequence[float] | None:
        if self.vectors is None or pub_number not in self.vectors:
            return None
        return self.vectors.vector(pub_number)

    def matching(self, request: SearchRequest) -> set[str]:
        query = self._with_filters(self.compile(request.query), request.filters, request.within)
        searcher = self.index.searcher()
        result = searcher.search(query, max(searcher.num_docs, 1), count=False)
        return {searcher.doc(address)["pub_number"][0] for _, address in result.hits}

    def spelling(self, words: str) -> str:
        """`words` with each word the text fields hold nowhere replaced by the closest word they do hold, for a
        "did you mean" (Latin words only: a Chinese miss is cut into characters and rarely a typo); "" when
        every word is found or none has a close neighbour. Bounded: at most SPELL_CANDIDATES terms per word."""
        searcher = self.index.searcher()
        out, changed = [], False
        for word in words.split()[:SPELL_WORDS]:
            token = (query_tokens(word) or [""])[0]
            if not token or not token.isascii() or not token.isalpha() or len(token) < 4 or any(
                    searcher.doc_freq(f, token) for f in SPELL_FIELDS):
                out.append(word)
                continue
            candidates = {t for f in SPELL_FIELDS
                          for t, _ in searcher.terms_with_prefix(f, token[:2], limit=SPELL_CANDIDATES)}
            close = difflib.get_close_matches(token, sorted(candidates), n=1, cutoff=0.75)
            out.append(close[0] if close else word)
            changed = changed or bool(close)
        return " ".join(out + words.split()[SPELL_WORDS:]) if changed else ""

    # -- query compilation ---------------------------------------------------------------------------
    def _with_filters(self, query, filters: dict[str, tuple[str, ...]], within: tuple[str, ...] = ()):
        clauses = [(tantivy.Occur.Must, query)]
        if within:
            if len(within) > MAX_WITHIN:
                raise ValueError(f"at most {MAX_WITHIN} publication numbers in `within`")
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "pub_number", list(within))))
        for name, values in filters.items():
            if name not in FACETS:
                raise ValueError(f"unknown facet {name!r}")
            if values:
                clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, name, list(values))))
        return query if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def compile(self, node: Node):
        Q = tantivy.Query
        if isinstance(node, MatchAll):
            return Q.all_query()
        if isinstance(node, And):
            positive = [self.compile(c) for c in node.children if not isinstance(c, Not)]
            negative = [self.compile(c.child) for c in node.children if isinstance(c, Not)]
            clauses = [(tantivy.Occur.Must, q) for q in positive or [Q.all_query()]]
            clauses += [(tantivy.Occur.MustNot, q) for q in negative]
            return Q.boolean_query(clauses)
        if isinstance(node, Or):
            return Q.boolean_query([(tantivy.Occur.Should, self.compile(c)) for c in node.children])
        if isinstance(node, Not):
            return Q.boolean_query([(tantivy.Occur.Must, Q.all_query()),
                                    (tantivy.Occur.MustNot, self.compile(node.child))])
        if isinstance(node, DateRange):
            # 0 stands for an unknown date: an open "up to" range must not take it in.
            low = yyyymmdd(node.low) or 1
            high = yyyymmdd(node.high) or None
            return Q.range_query(self.schema, node.field, tantivy.FieldType.Integer, low, high)
        if isinstance(node, BestMatch):
            return self._best_match(node)
        kind = F.BY_NAME[node.field].kind
        if kind == F.TEXT:
            return self._text(node)
        return self._keyword(node)

    def _in_subfields(self, token: str, subfields: tuple[str, ...]):
        """One word in any of `subfields`, each hit weighted by its field's boost (title counts most)."""
        Q = tantivy.Query
        parts = []
        for f in subfields:
            q = Q.term_query(self.schema, f, token)
            boost = F.BOOSTS.get(f, 1.0) if len(subfields) > 1 else 1.0
            parts.append((tantivy.Occur.Should, q if boost == 1.0 else Q.boost_query(q, boost)))
        return parts[0][1] if len(parts) == 1 else Q.boolean_query(parts)

    def _best_match(self, node: BestMatch):
        Q = tantivy.Query
        subfields = F.COMPOSITE.get(node.field, (node.field,))
        searcher = self.index.searcher()
        tokens = node_tokens(node.value, node.coordinate,
                             doc_freq=lambda t: max(searcher.doc_freq(f, t) for f in subfields))
        if not tokens:
            return Q.empty_query()
        clauses = []
        for token in tokens:
            word = self._in_subfields(token, subfields)
            clauses.append((tantivy.Occur.Should, word))
            if node.coordinate:
                clauses.append((tantivy.Occur.Should, Q.const_score_query(word, COORDINATION)))
        if node.coordinate and len(tokens) > 1:
            for f in subfields:
                if f in PROXIMITY_FIELDS:
                    near = Q.phrase_query(self.schema, f, tokens, slop=PROXIMITY_SLOP)
                    clauses.append((tantivy.Occur.Should, Q.boost_query(near, PROXIMITY_BOOST * F.BOOSTS.get(f, 1.0))))
        return Q.boolean_query(clauses)

    def _text(self, node: Term | Phrase | Prefix):
        Q = tantivy.Query
        subfields = F.COMPOSITE.get(node.field, (node.field,))
        tokens = query_tokens(node.value)
        if not tokens:
            return Q.empty_query()

        def boosted(q, subfield):
            boost = F.BOOSTS.get(subfield, 1.0) if len(subfields) > 1 else 1.0
            return q if boost == 1.0 else Q.boost_query(q, boost)

        if isinstance(node, Phrase) and len(tokens) > 1:
            return Q.boolean_query([(tantivy.Occur.Should, boosted(Q.phrase_query(self.schema, f, tokens), f))
                                    for f in subfields])
        per_token = [self._in_subfields(t, subfields) for t in tokens]
        return per_token[0] if len(per_token) == 1 else Q.boolean_query(
            [(tantivy.Occur.Must, q) for q in per_token])

    def _keyword(self, node: Term | Phrase | Prefix):
        Q = tantivy.Query
        index_field = KEYWORD_INDEX_FIELD.get(node.field, node.field)
        value = normalise_keyword(node.field, node.value)
        if isinstance(node, Prefix) or (node.field in ("ipc", "ipc_main", "cpc") and "/" not in value):
            # IPC=H01M means the whole subclass, as in the CNIPA system; H01M* says so explicitly.
            return Q.regex_query(self.schema, index_field, _REGEX_SPECIAL.sub(r"\\\1", value) + ".*")
        if isinstance(node, Term) and node.field in NAME_TEXT:
            # PA=华为 finds 华为技术有限公司: names match word by word unless quoted (PA="…" is exact).
            tokens = query_tokens(node.value)
            if not tokens:
                return Q.empty_query()
            if len(tokens) == 1:
                return Q.term_query(self.schema, NAME_TEXT[node.field], tokens[0])
            return Q.phrase_query(self.schema, NAME_TEXT[node.field], tokens)
        return Q.term_query(self.schema, index_field, value)
