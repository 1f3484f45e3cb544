"""The scale search backend: one Milvus collection (a Milvus server, or milvus-lite for one machine).

The query tree is compiled into a Milvus *filter expression* that decides exactly which documents
match (`_Compiler`); BM25 only ranks what the filter lets through. Milvus's own `text_match` is not
used: milvus-lite ignores the jieba analyzer in it, and the adapter must see the very tokens tantivy
sees. So every field is stored in the form its tests need:

- a text field as `<f>_tokens`, its DISTINCT pre-analysed tokens (IndexDoc, analysis.py) as
  ARRAY<VARCHAR>, and `<f>_text`, the same tokens in order, space-separated and padded with a space
  at each end, so that a word is the substring " w " and a phrase the substring " a b "; title,
  abstract and claims also get `<f>_bm25`, the sparse BM25 vector Milvus derives from `<f>_text` with
  its jieba analyzer (ranking only: documents and query words pass the same analyzer);
- names (applicant, inventor, agency) the same way as `<n>_tokens` and `<n>_text`, like the tantivy
  backend's `<n>_text`: PA=华为 matches word by word;
- every keyword field as ARRAY<VARCHAR>, and all of them once more in `keyword_text`
  ("␞field=value␞…") for prefixes (IPC=H01M, PA=华为*);
- dates as INT64 YYYYMMDD; the embedding (when `dim` is given) as FLOAT_VECTOR with COSINE.

Relevance is a weighted hybrid search, one BM25 request per text field with the field's boost
(fields.BOOSTS): the sum tantivy computes. Facets and date sorts have no Milvus aggregation or ORDER
BY to lean on: they read the matching rows. docs/milvus.md gives the costs and lists every
difference from the tantivy backend.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, WeightedRanker

from ipcity.patents.search import fields as F
from ipcity.patents.search.analysis import node_tokens, query_tokens
from ipcity.patents.search.ast import And, BestMatch, DateRange, MatchAll, Node, Not, Or, Phrase, Prefix, Term
from ipcity.patents.search.contract import FACETS, MAX_WITHIN, FacetCount, Hit, IndexDoc, SearchPage, SearchRequest
from ipcity.patents.search.document import yyyymmdd
from ipcity.patents.search.keywords import NAME_FIELDS, normalise_keyword

COLLECTION = "ipcity_patents"
LITE_FILE = "milvus.db"  # pymilvus starts milvus-lite for a URI ending in .db

TEXT_FIELDS = ("title", "abstract", "claims", "description")
# A Milvus server allows 4 vector fields per collection by default (proxy.maxVectorFieldNum): BM25 for
# these three and the embedding. The description is matched exactly but adds nothing to relevance.
BM25_FIELDS = ("title", "abstract", "claims")
KEYWORD_FIELDS = ("applicant", "inventor", "agency", "ipc", "ipc_main", "cpc", "locarno", "app_number",
                  "pub_number_keys", "type", "status", "region", "office", "ipc_section", "ipc_class",
                  "ipc_subclass", "year", "province", "city", "district")
KEYWORD_INDEX_FIELD = {"pub_number": "pub_number_keys"}  # a query field stored under another field
DATE_FIELDS = ("app_date", "pub_date", "grant_date")
DATE_SORTS = {"pub_date_desc": ("pub_date", True), "pub_date_asc": ("pub_date", False),
              "app_date_desc": ("app_date", True), "app_date_asc": ("app_date", False)}
IPC_FIELDS = ("ipc", "ipc_main", "cpc")
# Order of hits that no BM25 request ranks (no text words, or matched through a keyword only).
UNRANKED_ORDER = ("pub_date", True)

# Milvus limits (the same on a server and in milvus-lite): VARCHAR ≤ 65,535 bytes, ARRAY ≤ 4,096
# elements, top-k and offset+limit ≤ 16,384. Longer values are cut here, never rejected.
MAX_VARCHAR = 65_535
MAX_TOKENS = 4_096
TOKEN_BYTES = 256
NAME_TEXT_BYTES = 8_192
KEYWORD_VALUES = 256
KEYWORD_BYTES = 512
TOPK = 16_384
PK_BYTES = 64
SEP = "\u241e"  # ␞ separates keyword_text entries; never part of a stored value
ANALYZER = {"tokenizer": "jieba"}  # the one Chinese analyzer milvus-lite and a server share

UPSERT_ROWS = 256
UPSERT_BYTES = 8 * 1024 * 1024  # well under gRPC's 64 MB message limit
DELETE_IDS = 1_000
SCAN_BATCH = 4_096
DIRECT_SCAN = TOPK  # up to this many matches a date-sorted page reads them all (one query); beyond, it narrows
ONE_QUERY_ROWS = TOPK  # rows read with one query; more go through query_iterator
LATEST_DATE = 99_991_231

ARRAYS, STRINGS = "arrays", "strings"  # filter styles (_Compiler): a server, milvus-lite

TRUE = 'pub_number != ""'  # the primary key is never empty
FALSE = 'pub_number == ""'


class MilvusBackend:
    name = "milvus"
    concurrent_reads = False  # one client connection: its searches go one after the other

    def __init__(self, path: Path, uri: str | None = None, dim: int | None = None, token: str = "") -> None:
        """`token`: "user:password" or an API key, for a server with authentication (IPCITY_MILVUS_TOKEN)."""
        self.path = Path(path)
        self.filter_style = ARRAYS if uri else STRINGS
        if uri:
            self.client = MilvusClient(uri=uri, token=token)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self.client = MilvusClient(uri=str(self.path / LITE_FILE))
        self.dim = dim
        try:
            if self.client.has_collection(COLLECTION):
                self._adopt_existing()
            else:
                self._create()
        except BaseException:
            self.client.close()
            raise

    # -- collection ----------------------------------------------------------------------------------
    def _create(self) -> None:
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pub_number", DataType.VARCHAR, is_primary=True, max_length=PK_BYTES)
        index = self.client.prepare_index_params()
        for name in TEXT_FIELDS:
            ranked = name in BM25_FIELDS
            analyzer = {"enable_analyzer": True, "analyzer_params": ANALYZER} if ranked else {}
            schema.add_field(f"{name}_text", DataType.VARCHAR, max_length=MAX_VARCHAR, **analyzer)
            schema.add_field(f"{name}_tokens", DataType.ARRAY, element_type=DataType.VARCHAR,
                             max_capacity=MAX_TOKENS, max_length=TOKEN_BYTES)
            if ranked:
                schema.add_field(f"{name}_bm25", DataType.SPARSE_FLOAT_VECTOR)
                schema.add_function(Function(name=f"{name}_bm25_fn", function_type=FunctionType.BM25,
                                             input_field_names=[f"{name}_text"],
                                             output_field_names=[f"{name}_bm25"]))
                index.add_index(f"{name}_bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        for name in NAME_FIELDS:
            schema.add_field(f"{name}_text", DataType.VARCHAR, max_length=NAME_TEXT_BYTES)
            schema.add_field(f"{name}_tokens", DataType.ARRAY, element_type=DataType.VARCHAR,
                             max_capacity=KEYWORD_VALUES, max_length=TOKEN_BYTES)
        for name in KEYWORD_FIELDS:
            schema.add_field(name, DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=KEYWORD_VALUES,
                             max_length=KEYWORD_BYTES)
        schema.add_field("keyword_text", DataType.VARCHAR, max_length=MAX_VARCHAR)
        for name in DATE_FIELDS:
            schema.add_field(name, DataType.INT64)
        # BM25's sparse vectors already satisfy Milvus's "at least one vector field": no dummy vector needed.
        if self.dim:
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
            schema.add_field("has_vector", DataType.BOOL)
            index.add_index("vector", index_type="FLAT", metric_type="COSINE")
        self.client.create_collection(COLLECTION, schema=schema, index_params=index, consistency_level="Strong")

    def _adopt_existing(self) -> None:
        stored = next((f for f in self.client.describe_collection(COLLECTION)["fields"] if f["name"] == "vector"),
                      None)
        stored_dim = int(stored["params"]["dim"]) if stored else None
        if self.dim and stored_dim != self.dim:
            raise ValueError(f"Milvus 集合 {COLLECTION} 的向量维度是 {stored_dim}，配置的是 {self.dim}：请重建索引。 / "
                             f"collection {COLLECTION} stores vectors of dimension {stored_dim}, the encoder gives "
                             f"{self.dim}: rebuild the index.")
        self.dim = stored_dim
        self.client.load_collection(COLLECTION)

    # -- writing -------------------------------------------------------------------------------------
    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        count, batch, size = 0, [], 0
        for doc in docs:
            row = self._row(doc)
            batch.append(row)
            size += sum(len(v) for v in row.values() if isinstance(v, str))
            count += 1
            if len(batch) >= UPSERT_ROWS or size >= UPSERT_BYTES:
                self.client.upsert(COLLECTION, batch)
                batch, size = [], 0
        if batch:
            self.client.upsert(COLLECTION, batch)
        return count

    def _row(self, doc: IndexDoc) -> dict[str, object]:
        row: dict[str, object] = {"pub_number": doc.pub_number}
        for name in TEXT_FIELDS:
            tokens = getattr(doc, name).split()
            row[f"{name}_text"] = _padded(tokens, MAX_VARCHAR)
            row[f"{name}_tokens"] = _distinct(tokens, MAX_TOKENS, TOKEN_BYTES)
        for name in NAME_FIELDS:
            # the same token sequence as the tantivy backend's <name>_text: all names, one after another
            tokens = [t for value in getattr(doc, name) for t in query_tokens(value)]
            row[f"{name}_text"] = _padded(tokens, NAME_TEXT_BYTES)
            row[f"{name}_tokens"] = _distinct(tokens, KEYWORD_VALUES, TOKEN_BYTES)
        entries = []
        for name in KEYWORD_FIELDS:
            values = _distinct(getattr(doc, name), KEYWORD_VALUES, KEYWORD_BYTES)
            row[name] = values
            entries += [f"{name}={v.replace(SEP, '')}" for v in values]
        row["keyword_text"] = _fit(SEP + SEP.join(entries) + SEP if entries else "", MAX_VARCHAR, SEP)
        for name in DATE_FIELDS:
            row[name] = int(getattr(doc, name) or 0)
        if self.dim:
            row["vector"], row["has_vector"] = self._vector(doc), doc.vector is not None
        elif doc.vector is not None:
            raise ValueError("Milvus 后端打开时没有给出向量维度（dim），无法存储向量。 / "
                             "the Milvus backend was opened without dim, so it cannot store vectors.")
        return row

    def _vector(self, doc: IndexDoc) -> list[float]:
        if doc.vector is None:  # a unit placeholder (cosine of a zero vector is undefined); has_vector hides it
            return [1.0] + [0.0] * (self.dim - 1)
        vector = [float(x) for x in doc.vector]
        if len(vector) != self.dim:
            raise ValueError(f"{doc.pub_number} 的向量维度是 {len(vector)}，应为 {self.dim}。 / "
                             f"vector of {doc.pub_number} has dimension {len(vector)}, expected {self.dim}.")
        return vector

    def delete(self, pub_numbers: Iterable[str]) -> None:
        ids = list(pub_numbers)
        for start in range(0, len(ids), DELETE_IDS):
            self.client.delete(COLLECTION, ids=ids[start:start + DELETE_IDS])

    def commit(self) -> None:
        # Reads are Strong-consistent, so writes are already visible; flush makes them durable.
        self.client.flush(COLLECTION)

    def clear(self) -> None:
        self.client.drop_collection(COLLECTION)
        self._create()

    def close(self) -> None:
        self.client.close()

    # -- reading -------------------------------------------------------------------------------------
    def count(self) -> int:
        return self._count(TRUE)

    def present(self, pub_numbers: Sequence[str]) -> list[str]:
        """The pub_number of every document among `pub_numbers` (the primary key: never twice)."""
        ids = list(pub_numbers)
        found: list[str] = []
        for start in range(0, len(ids), DELETE_IDS):
            part = ids[start:start + DELETE_IDS]
            rows = self.client.query(COLLECTION, filter=_filter(f"pub_number in {_list(part)}"),
                                     output_fields=["pub_number"], limit=len(part))
            found += [row["pub_number"] for row in rows]
        return found

    def ids(self, batch: int = SCAN_BATCH) -> Iterator[list[str]]:
        """Every document's pub_number, `batch` at a time (query_iterator: bounded memory; no order)."""
        chunk: list[str] = []
        for row in self._scan(TRUE, ["pub_number"], self.count()):
            chunk.append(row["pub_number"])
            if len(chunk) >= batch:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _count(self, expr: str) -> int:
        rows = self.client.query(COLLECTION, filter=_filter(expr), output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def search(self, request: SearchRequest) -> SearchPage:
        expr = _and([self.compile(request.query), self._filters(request.filters), _within(request.within)])
        total = self._count(expr) if expr != FALSE else 0
        facets = self._facets(expr, request, total)
        want = request.offset + request.limit
        if request.limit <= 0 or request.offset >= total:
            return SearchPage(total=total, hits=[], facets=facets)
        if request.sort in DATE_SORTS:
            field, descending = DATE_SORTS[request.sort]
            ids = self._sorted_ids(expr, field, descending, want, total)
            hits = [Hit(pub, 0.0) for pub in ids[request.offset:want]]
        else:  # "relevance", and (as in the tantivy backend) any sort it does not know
            hits = self._relevance_page(request.query, expr, request.offset, want, total)
        return SearchPage(total=total, hits=hits, facets=facets)

    def _relevance_page(self, query: Node, expr: str, offset: int, want: int, total: int) -> list[Hit]:
        if isinstance(query, BestMatch) and query.coordinate and len(node_tokens(query.value, True)) > 1:
            # Documents with every word first (tantivy goes further: then those with most words).
            compiler, subfields = _Compiler(self.filter_style), F.COMPOSITE.get(query.field, (query.field,))
            every = _and([_or([compiler.word(f, t) for f in subfields]) for t in node_tokens(query.value, True)])
            first_expr = _and([expr, every])
            first_total = self._count(first_expr)
            first = self._ranked_page(query, first_expr, 0, min(want, first_total), first_total)
            if len(first) >= want:
                return first[offset:want]
            rest_expr = _and([expr, _not(every)])
            rest = self._ranked_page(query, rest_expr, 0, want - len(first), total - first_total)
            return (first + rest)[offset:want]
        return self._ranked_page(query, expr, offset, want, total)

    def _ranked_page(self, query: Node, expr: str, offset: int, want: int, total: int) -> list[Hit]:
        if want <= 0 or total <= 0:
            return []
        groups = _ranking_groups(query)
        ranked: list[Hit] = self._bm25(groups, expr, min(want, TOPK)) if groups else []
        if len(ranked) >= want:
            return ranked[offset:want]
        if len(ranked) >= TOPK:
            raise ValueError(f"Milvus 只能按相关度排到第 {TOPK} 条；请缩小检索范围或按日期排序。 / "
                             f"Milvus ranks at most {TOPK} hits by relevance: narrow the search or sort by date.")
        # Fewer ranked hits than asked, so `ranked` holds every BM25 match; the rest follow, newest first.
        rest_expr = _and([expr, f"not (pub_number in {_list([h.pub_number for h in ranked])})"]) if ranked else expr
        field, descending = UNRANKED_ORDER
        rest = self._sorted_ids(rest_expr, field, descending, want - len(ranked), total - len(ranked))
        return (ranked + [Hit(pub, 0.0) for pub in rest])[offset:want]

    def _bm25(self, groups: dict[tuple[str, float], list[str]], expr: str, limit: int) -> list[Hit]:
        requests, weights = [], []
        for (subfield, weight), tokens in groups.items():
            requests.append(AnnSearchRequest(data=[" ".join(tokens)], anns_field=f"{subfield}_bm25",
                                             param={"metric_type": "BM25"}, limit=min(TOPK, max(4 * limit, 100)),
                                             expr=_filter(expr) or None))
            weights.append(weight)
        # norm_score=False: the fused score is Σ weight × BM25, the sum tantivy's boosted boolean query gives.
        result = self.client.hybrid_search(COLLECTION, requests, WeightedRanker(*weights, norm_score=False),
                                           limit=limit, output_fields=["pub_number"])
        return [Hit(h["pub_number"], float(h["distance"])) for h in result[0]]

    def _sorted_ids(self, expr: str, field: str, descending: bool, want: int, total: int) -> list[str]:
        """The first `want` ids of `expr` ordered by date field `field` (ties by pub_number)."""
        scope, size = expr, total
        if total > max(want, DIRECT_SCAN):
            scope = _and([expr, self._date_bound(expr, field, descending, want)])
            size = self._count(scope)
        rows = list(self._scan(scope, ["pub_number", field], size))
        sign = -1 if descending else 1
        rows.sort(key=lambda r: (sign * int(r[field]), r["pub_number"]))
        return [r["pub_number"] for r in rows[:want]]

    def _date_bound(self, expr: str, field: str, descending: bool, want: int) -> str:
        """The narrowest date condition that still keeps the first `want` matches (a binary search),
        so that a date-sorted page reads about `want` rows instead of every match."""
        low, high = -1, LATEST_DATE + 1  # descending: the largest T with at least `want` rows at field >= T
        while high - low > 1:
            mid = (low + high) // 2
            condition = f"{field} >= {mid}" if descending else f"{field} <= {mid}"
            enough = self._at_least(_and([expr, condition]), want)
            if descending == enough:
                low = mid
            else:
                high = mid
        return f"{field} >= {low}" if descending else f"{field} <= {high}"

    def _at_least(self, expr: str, n: int) -> bool:
        """Whether `expr` matches `n` rows or more: n ids are cheaper to read than a count (milvus-lite's
        count(*) with a filter reads every matching row)."""
        if n > ONE_QUERY_ROWS:
            return self._count(expr) >= n
        return len(self.client.query(COLLECTION, filter=_filter(expr), output_fields=["pub_number"], limit=n)) >= n

    def _scan(self, expr: str, output_fields: list[str], total: int) -> Iterator[dict]:
        """Every row matching `expr` (`total` of them): one query when Milvus allows, else an iterator."""
        if total <= ONE_QUERY_ROWS:
            yield from self.client.query(COLLECTION, filter=_filter(expr), output_fields=output_fields, limit=TOPK)
            return
        iterator = self.client.query_iterator(COLLECTION, batch_size=SCAN_BATCH, filter=_filter(expr),
                                              output_fields=output_fields)
        try:
            while batch := iterator.next():
                yield from batch
        finally:
            iterator.close()

    def _facets(self, expr: str, request: SearchRequest, total: int) -> dict[str, list[FacetCount]]:
        # Milvus has no terms aggregation: count the values over the matching rows (cost grows with `total`).
        wanted = [f for f in request.facets if f in FACETS]
        if not wanted:
            return {}
        counters = {f: Counter() for f in wanted}
        if total:
            for row in self._scan(expr, ["pub_number", *wanted], total):
                for name in wanted:
                    counters[name].update(set(row.get(name) or ()))
        return {name: [FacetCount(value, n) for value, n in
                       sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:request.facet_size]]
                for name, counter in counters.items()}

    def similar(self, vector: Sequence[float], limit: int, request: SearchRequest | None = None) -> list[Hit]:
        if not self.dim or limit <= 0:
            return []
        parts = ["has_vector == true"]
        if request is not None:
            parts += [self.compile(request.query), self._filters(request.filters), _within(request.within)]
        result = self.client.search(COLLECTION, data=[[float(x) for x in vector]], anns_field="vector",
                                    limit=min(limit, TOPK), filter=_filter(_and(parts)),
                                    search_params={"metric_type": "COSINE"}, output_fields=["pub_number"])
        return [Hit(h["pub_number"], float(h["distance"])) for h in result[0]]

    def vector_of(self, pub_number: str) -> Sequence[float] | None:
        if not self.dim:
            return None
        rows = self.client.query(COLLECTION, filter=f"pub_number == {_quote(pub_number)} and has_vector == true",
                                 output_fields=["vector"])
        return [float(x) for x in rows[0]["vector"]] if rows else None

    def matching(self, request: SearchRequest) -> set[str]:
        expr = _and([self.compile(request.query), self._filters(request.filters), _within(request.within)])
        total = self._count(expr) if expr != FALSE else 0
        return {row["pub_number"] for row in self._scan(expr, ["pub_number"], total)} if total else set()

    # -- query compilation ---------------------------------------------------------------------------
    def compile(self, node: Node) -> str:
        """The Milvus filter expression that holds exactly for the documents `node` matches."""
        return _Compiler(self.filter_style).node(node)

    def _filters(self, filters: dict[str, tuple[str, ...]]) -> str:
        return _Compiler(self.filter_style).filters(filters)


class _Compiler:
    """Query tree -> Milvus filter expression, in one of two equivalent styles:

    ARRAYS (a server): words and keywords with `array_contains` on ARRAY fields, which a server answers
    from an inverted index; STRINGS (milvus-lite): the same tests as `like` on the stored strings
    (" a b c " and "␞field=value␞"), which milvus-lite evaluates vectorised and about ten times faster
    than its row-by-row `array_contains`. Phrases and prefixes use `like` in both.
    """

    def __init__(self, style: str) -> None:
        self.strings = style == STRINGS

    def node(self, node: Node) -> str:
        if isinstance(node, MatchAll):
            return TRUE
        if isinstance(node, And):
            return _and([self.node(c) for c in node.children])
        if isinstance(node, Or):
            return _or([self.node(c) for c in node.children])
        if isinstance(node, Not):
            return _not(self.node(node.child))
        if isinstance(node, DateRange):
            parts = []
            # 0 stands for an unknown date: an open "up to" range must not take it in.
            parts.append(f"{node.field} >= {yyyymmdd(node.low) or 1}")
            if node.high:
                parts.append(f"{node.field} <= {yyyymmdd(node.high)}")
            return _and(parts)
        if isinstance(node, BestMatch):
            # any of the words (the tantivy backend's SHOULD clauses); BM25 ranks, see _ranking_groups
            subfields = F.COMPOSITE.get(node.field, (node.field,))
            tokens = node_tokens(node.value, node.coordinate)
            return _or([self.word(f, t) for t in tokens for f in subfields]) if tokens else FALSE
        if F.BY_NAME[node.field].kind == F.TEXT:
            return self.text(node)
        return self.keyword(node)

    def word(self, field: str, token: str) -> str:
        """`field` (a text or name field) contains the word `token`."""
        if self.strings:
            return f"{field}_text like {_like_sequence([token])}"
        return f"array_contains({field}_tokens, {_quote(token)})"

    def value(self, field: str, value: str) -> str:
        """Keyword `field` has exactly `value`."""
        if self.strings:
            entry = _like_literal(f"{field}={value.replace(SEP, '')}")
            return f"keyword_text like {_quote(f'%{SEP}{entry}{SEP}%')}"
        return f"array_contains({field}, {_quote(value)})"

    def words_in_order(self, fields: Sequence[str], tokens: list[str]) -> str:
        """The words adjacent and in order within one of `fields` (each, in the ARRAYS style, first
        narrowed by the indexed word tests)."""
        sequence = _or([f"{f}_text like {_like_sequence(tokens)}" for f in fields])
        if self.strings:
            return sequence
        return _and([_or([self.word(f, t) for f in fields]) for t in tokens] + [sequence])

    def text(self, node: Term | Phrase | Prefix) -> str:
        subfields = F.COMPOSITE.get(node.field, (node.field,))
        tokens = query_tokens(node.value)
        if not tokens:
            return FALSE
        if isinstance(node, Phrase) and len(tokens) > 1:
            return self.words_in_order(subfields, tokens)
        # every token in some subfield (tantivy: a MUST per token over SHOULD subfields)
        return _and([_or([self.word(f, t) for f in subfields]) for t in tokens])

    def keyword(self, node: Term | Phrase | Prefix) -> str:
        index_field = KEYWORD_INDEX_FIELD.get(node.field, node.field)
        value = normalise_keyword(node.field, node.value)
        if isinstance(node, Prefix) or (node.field in IPC_FIELDS and "/" not in value):
            # IPC=H01M means the whole subclass, as in the CNIPA system; H01M* says so explicitly.
            pattern = f"%{SEP}{index_field}={_like_literal(value.replace(SEP, ''))}%"
            return f"keyword_text like {_quote(pattern)}"
        if isinstance(node, Term) and node.field in NAME_FIELDS:
            # PA=华为 finds 华为技术有限公司: names match word by word unless quoted (PA="…" is exact).
            tokens = query_tokens(node.value)
            if not tokens:
                return FALSE
            return self.word(node.field, tokens[0]) if len(tokens) == 1 else self.words_in_order([node.field],
                                                                                                  tokens)
        return self.value(index_field, value)

    def filters(self, filters: dict[str, tuple[str, ...]]) -> str:
        parts = []
        for name, values in filters.items():
            if name not in FACETS:
                raise ValueError(f"unknown facet {name!r}")
            if values and self.strings:
                parts.append(_or([self.value(name, v) for v in values]))
            elif values:
                parts.append(f"array_contains_any({name}, {_list(values)})")
        return _and(parts)


def _ranking_groups(node: Node) -> dict[tuple[str, float], list[str]]:
    """BM25 requests for the query's positive text words: (subfield, boost) -> words."""
    groups: dict[tuple[str, float], list[str]] = {}

    def walk(n: Node, positive: bool) -> None:
        if isinstance(n, And | Or):
            for child in n.children:
                walk(child, positive)
        elif isinstance(n, Not):
            walk(n.child, not positive)
        elif positive and isinstance(n, Term | Phrase | Prefix | BestMatch) and F.BY_NAME[n.field].kind == F.TEXT:
            subfields = F.COMPOSITE.get(n.field, (n.field,))
            tokens = node_tokens(n.value, n.coordinate) if isinstance(n, BestMatch) else query_tokens(n.value)
            for subfield in subfields:
                weight = F.BOOSTS.get(subfield, 1.0) if len(subfields) > 1 else 1.0
                if tokens and subfield in BM25_FIELDS:
                    groups.setdefault((subfield, weight), []).extend(tokens)

    walk(node, True)
    return groups


def _within(pub_numbers: tuple[str, ...]) -> str:
    if not pub_numbers:
        return TRUE
    if len(pub_numbers) > MAX_WITHIN:
        raise ValueError(f"at most {MAX_WITHIN} publication numbers in `within`")
    return f"pub_number in {_list(pub_numbers)}"


def _and(parts: list[str]) -> str:
    kept = [p for p in parts if p != TRUE]
    if FALSE in kept:
        return FALSE
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else " and ".join(f"({p})" for p in kept)


def _or(parts: list[str]) -> str:
    kept = [p for p in parts if p != FALSE]
    if TRUE in kept:
        return TRUE
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else " or ".join(f"({p})" for p in kept)


def _not(part: str) -> str:
    if part == TRUE:
        return FALSE
    return TRUE if part == FALSE else f"not ({part})"


def _filter(expr: str) -> str:
    return "" if expr == TRUE else expr


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _quote(value: str) -> str:
    """A Milvus string literal: backslash, double quote and line breaks escaped."""
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"


def _like_literal(text: str) -> str:
    # Milvus documents no escape for % and _ inside `like` (milvus-io/milvus-docs#2525): both become the
    # one-character wildcard, so a value containing them matches a little more than itself.
    return text.replace("%", "_")


def _like_sequence(tokens: list[str]) -> str:
    return _quote("% " + " ".join(_like_literal(t) for t in tokens) + " %")


def _fit(text: str, max_bytes: int, separator: str) -> str:
    """`text` cut to `max_bytes` of UTF-8 at the last `separator`, which is kept."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    cut = data[:max_bytes].decode(errors="ignore")
    return cut[:cut.rfind(separator) + 1]


def _padded(tokens: list[str], max_bytes: int) -> str:
    return _fit(" " + " ".join(tokens) + " ", max_bytes, " ") if tokens else ""


def _distinct(values: Iterable[str], capacity: int, max_bytes: int) -> list[str]:
    kept = [v for v in dict.fromkeys(values) if v and len(v.encode()) <= max_bytes]
    return kept[:capacity]
