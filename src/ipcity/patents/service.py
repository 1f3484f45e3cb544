"""Use cases of patent search: search (lexical, semantic, hybrid), detail, similar, export.

Web pages, the JSON API and the command line all call these, so that they give the same answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.patents import fees, register, store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.ipc import scheme
from ipcity.patents.position import Position
from ipcity.patents.record import PatentRecord
from ipcity.patents.search.analysis import query_tokens, spans
from ipcity.patents.search.ast import MatchAll
from ipcity.patents.search.contract import FACETS, SORTS, FacetCount, Hit, SearchRequest
from ipcity.patents.search.query import QuerySyntaxError, parse, pointer, terms_for_highlight
from ipcity.patents.semantic.fusion import rrf

MODES = ("lexical", "semantic", "hybrid")
DEFAULT_FACETS = ("ipc_section", "ipc_subclass", "year", "applicant", "province", "type", "status", "office")
MAX_PER_PAGE = 100
SEMANTIC_POOL = 200  # how many nearest neighbours a semantic or hybrid search ranks
MAX_FILTER_VALUES = 50  # facet values one search may filter on, over all facets
SNIPPET_CHARS = 160


@dataclass
class Row:
    record: PatentRecord
    score: float
    title_html: Markup
    snippet_html: Markup


@dataclass
class SearchResult:
    q: str
    mode: str
    total: int
    rows: list[Row]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    took_ms: float = 0.0
    max_results: int = 0  # the result window: pages beyond it are not offered (0: no window)

    @property
    def pages(self) -> int:
        pages = -(-self.total // self.per_page)
        if self.max_results:
            pages = min(pages, self.max_results // self.per_page)
        return max(1, pages)


def parse_filters(values: list[str]) -> dict[str, tuple[str, ...]]:
    """`f=applicant:华为技术有限公司&f=year:2020` → {"applicant": ("华为技术有限公司",), "year": ("2020",)}."""
    out: dict[str, list[str]] = {}
    for item in values:
        name, _, value = item.partition(":")
        if value:
            out.setdefault(name, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def _check_options(engine: PatentEngine, q: str, mode: str, sort: str, filters: dict[str, tuple[str, ...]],
                   page: int, per_page: int) -> None:
    """Refuse, before any work is sized by them, options the engine cannot or should not serve. Deep pages
    are refused rather than served: the backend collects offset + limit hits, so page 100000000 would ask it
    to allocate tens of GB (the same "result window" bound as Elasticsearch's index.max_result_window)."""
    max_results, max_chars = engine.settings.search_max_results, engine.settings.search_max_query_chars
    problems: list[tuple[str, Msg]] = []
    if len(q) > max_chars:
        problems.append(("q", Msg("The query is too long: at most {max} characters", max=max_chars)))
    if mode not in MODES:
        problems.append(("mode", Msg("Unknown search mode {value}; use one of {known}", value=mode,
                                     known=", ".join(MODES))))
    if sort not in SORTS:
        problems.append(("sort", Msg("Unknown sort order {value}; use one of {known}", value=sort,
                                     known=", ".join(SORTS))))
    for name in filters:
        if name not in FACETS:
            problems.append(("f", Msg("Unknown filter {value}; use one of {known}", value=name,
                                      known=", ".join(FACETS))))
    if sum(len(v) for v in filters.values()) > MAX_FILTER_VALUES:
        problems.append(("f", Msg("At most {max} filter values at once", max=MAX_FILTER_VALUES)))
    if page < 1:
        problems.append(("page", Msg("The page number must be 1 or more")))
    if not 1 <= per_page <= MAX_PER_PAGE:
        problems.append(("per_page", Msg("Results per page must be between 1 and {max}", max=MAX_PER_PAGE)))
    elif page * per_page > max_results:
        problems.append(("page", Msg("Only the first {max} results can be paged through: narrow the search with "
                                     "more words or filters, or sort it another way", max=max_results)))
    if problems:
        raise DomainError(Msg("The search could not be run"), problems=problems)


def query_error(q: str, exc: QuerySyntaxError) -> DomainError:
    """A syntax error as the forms and the API report it: which place, why, in both languages."""
    return DomainError(Msg("Query syntax error at position {pos}: {zh} / {en}", pos=exc.pos + 1,
                           zh=exc.message_zh, en=exc.message_en), field="q",
                       problems=[("q", Msg("Here:\n{pointer}", pointer=pointer(q, exc)))])


def search(session: Session, engine: PatentEngine, q: str = "", *, mode: str = "lexical",
           filters: dict[str, tuple[str, ...]] | None = None, sort: str = "relevance", page: int = 1,
           per_page: int = 20, facets: tuple[str, ...] = DEFAULT_FACETS) -> SearchResult:
    filters = {k: tuple(v) for k, v in (filters or {}).items() if v}
    _check_options(engine, q, mode, sort, filters, page, per_page)
    started = time.perf_counter()
    offset = (page - 1) * per_page
    highlight: set[str] = set()
    if mode == "semantic":
        request = SearchRequest(filters=filters, facets=facets)
        hits = engine.similar_to_text(q, SEMANTIC_POOL, request) if q.strip() else []
        total, page_hits = len(hits), hits[offset:offset + per_page]
        highlight = set(query_tokens(q))
        facet_counts = {}  # a nearest-neighbour list has no meaningful facet counts
    else:
        try:
            node = parse(q, max_chars=engine.settings.search_max_query_chars)
        except QuerySyntaxError as exc:
            raise query_error(q, exc) from exc
        highlight = terms_for_highlight(node)
        request = SearchRequest(query=node, filters=filters, facets=facets, sort=sort,
                                offset=0 if mode == "hybrid" else offset,
                                limit=SEMANTIC_POOL if mode == "hybrid" else per_page)
        result = engine.search(request)
        facet_counts, total, page_hits = result.facets, result.total, result.hits
        if mode == "hybrid" and not isinstance(node, MatchAll):
            semantic = engine.similar_to_text(q, SEMANTIC_POOL, SearchRequest(filters=filters))
            fused = rrf([[h.pub_number for h in result.hits], [h.pub_number for h in semantic]])
            total = max(total, len(fused))
            page_hits = [Hit(pub, score) for pub, score in fused[offset:offset + per_page]]
        elif mode == "hybrid":
            page_hits = result.hits[offset:offset + per_page]
    records = store.get_many(session, [h.pub_number for h in page_hits])
    rows = [_row(records[h.pub_number], h.score, highlight) for h in page_hits if h.pub_number in records]
    return SearchResult(q, mode, total, rows, facet_counts, page, per_page,
                        round((time.perf_counter() - started) * 1000, 1), engine.settings.search_max_results)


def highlight_html(text: str, terms: set[str], limit: int | None = None) -> Markup:
    """`text` escaped, with the query's words in <mark>; cut to a window around the first hit."""
    found = spans(text, terms)
    start, end = 0, len(text)
    if limit and len(text) > limit:
        first = found[0][0] if found else 0
        start = max(0, first - limit // 4)
        end = min(len(text), start + limit)
    out, cursor = [], start
    for a, b in found:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(text[cursor:a]))
        out.append(Markup("<mark>") + escape(text[a:b]) + Markup("</mark>"))
        cursor = b
    out.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)


def _row(rec: PatentRecord, score: float, terms: set[str]) -> Row:
    body = rec.abstract or rec.claims
    return Row(rec, score, highlight_html(rec.title, terms), highlight_html(body, terms, SNIPPET_CHARS))


@dataclass
class FeeNow:
    """The running patent year's annual fee: full, payable with the reduction that applies, and that reduction."""

    year: int
    full: int
    payable: int
    reduction: fees.Reduction | None


@dataclass
class PatentView:
    record: PatentRecord
    ipc_titles: list[tuple[str, str, str]]  # symbol, Chinese title, English title
    similar: list[PatentRecord]
    position: Position | None = None  # the register position of a granted Chinese patent
    fee_now: FeeNow | None = None


def detail(session: Session, engine: PatentEngine, pub_number: str, similar: int = 8) -> PatentView:
    rec = store.get(session, pub_number)
    if rec is None:
        raise NotFound(Msg("No patent {number} in the register", number=pub_number))
    ipc = scheme()
    titles = [(code, ipc.title(code, "zh") or "", ipc.title(code, "en") or "") for code in rec.ipc]
    view = PatentView(rec, titles, more_like_this(session, engine, rec, similar))
    if rec.office == "CN" and rec.app_date and rec.patent_type:
        view.position = register.position(session, rec)
        view.fee_now = fee_now(view.position)
    return view


def fee_now(p: Position) -> FeeNow | None:
    """This year's fee; the open-licence 15 % applies while a declaration is in effect (财税〔2024〕23号). The
    holder's 减缴 entitlement is not in the register, so it is not assumed here."""
    if not p.granted or not p.in_force or p.fees is None or p.patent_type is None:
        return None
    try:
        full = fees.annual_fee(p.patent_type, p.fees.current_year, p.app_date)
    except ValueError:
        return None
    amount, chosen = fees.payable(full, [fees.OPEN_LICENCE] if p.open_licence else [])
    return FeeNow(p.fees.current_year, full, amount, chosen)


def more_like_this(session: Session, engine: PatentEngine, rec: PatentRecord, limit: int = 8) -> list[PatentRecord]:
    hits = engine.similar_to_text(store.texts([rec])[0], limit + 1)
    others = [h.pub_number for h in hits if h.pub_number != rec.pub_number][:limit]
    found = store.get_many(session, others)
    return [found[p] for p in others if p in found]


EXPORT_HEADER = ("公开（公告）号 Publication number", "申请号 Application number", "专利类型 Type",
                 "申请日 Filing date", "公开（公告）日 Publication date", "发明名称 Title",
                 "申请（专利权）人 Applicants", "发明人 Inventors", "主分类号 Main IPC", "IPC分类号 IPC",
                 "地区 Region", "法律状态 Legal status", "摘要 Abstract")


def export_rows(session: Session, engine: PatentEngine, q: str, *, mode: str = "lexical",
                filters: dict[str, tuple[str, ...]] | None = None, sort: str = "relevance",
                limit: int | None = None) -> list[list]:
    """At most `limit` rows, and never more than the result window (search_max_results)."""
    window = engine.settings.search_max_results
    limit = window if limit is None else min(limit, window)
    per_page = min(MAX_PER_PAGE, window)
    rows: list[list] = []
    page = 1
    while len(rows) < limit:
        result = search(session, engine, q, mode=mode, filters=filters, sort=sort, page=page,
                        per_page=per_page, facets=())
        for row in result.rows:
            r = row.record
            rows.append([r.pub_number, r.app_number, r.patent_type or "", r.app_date or "", r.pub_date or "",
                         r.title, "; ".join(r.applicants), "; ".join(r.inventors), r.ipc_main, "; ".join(r.ipc),
                         r.region_code, r.legal_status, r.abstract])
        if page >= result.pages or not result.rows or mode != "lexical" and page * per_page >= result.total:
            break
        page += 1
    return rows[:limit]
