"""Use cases of patent search: search (lexical, semantic, hybrid), detail, similar, export.

Web pages, the JSON API and the command line all call these, so that they give the same answers.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Bilingual, Msg
from ipcity.core.numbers import NumberError
from ipcity.patents import fees, register, store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.ipc import scheme
from ipcity.patents.position import Position
from ipcity.patents.record import PatentRecord
from ipcity.patents.related_terms import RELATED_RECORDS, related_terms
from ipcity.patents.search import crosslingual, fields
from ipcity.patents.search import understand as understand_mod
from ipcity.patents.search.analysis import query_tokens, spans
from ipcity.patents.search.ast import BestMatch, Or, Term
from ipcity.patents.search.contract import FACETS, SORTS, FacetCount, Hit, SearchRequest
from ipcity.patents.search.query import QuerySyntaxError, describe, plain_words, pointer, terms_for_highlight
from ipcity.patents.search.understand import Understood, understand, with_translation
from ipcity.patents.semantic.fusion import across_languages, hybrid

MODES = ("lexical", "semantic", "hybrid")
RELATED_TERMS = 8  # related search terms offered under the first page of a word or text search
DEFAULT_FACETS = ("ipc_section", "ipc_subclass", "year", "applicant", "province", "type", "status", "office")
MAX_PER_PAGE = 100
SEMANTIC_POOL = 200  # how many nearest neighbours a semantic or hybrid search ranks
MAX_FILTER_VALUES = 50  # facet values one search may filter on, over all facets
SNIPPET_CHARS = 160
SYNTHETIC_SOURCES = ("synthetic-demo", "demo-register")  # fictional records: marked on every page and export


@dataclass
class Row:
    record: PatentRecord
    score: float
    title_html: Markup
    snippet_html: Markup
    position: Position | None = None  # a granted Chinese patent's register position (licensed, pledged …)

    @property
    def synthetic(self) -> bool:
        """Part of the synthetic demo set: shown with a mark wherever it appears."""
        return synthetic(self.record)


def synthetic(rec: PatentRecord) -> bool:
    return bool(rec.extra.get("synthetic")) or rec.source in SYNTHETIC_SOURCES


@dataclass
class Suggestion:
    """A way to widen a search that found nothing: what to do, where it leads, how many it finds."""

    label: Msg
    q: str
    filters: dict[str, tuple[str, ...]]
    mode: str
    total: int


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
    understood: str = ""  # how the box read the query: understand.ALL, NUMBER, EXPRESSION, WORDS, TEXT
    reading: str = ""  # that reading in words (query.describe), Chinese or English by `lang`
    ranking: str = ""  # what ranked the rows: "lexical", "semantic" or "fused"
    notes: list[Msg] = field(default_factory=list)  # what the page should say about how it was searched
    suggestions: list[Suggestion] = field(default_factory=list)  # when nothing was found
    numbers: tuple[str, ...] = ()  # a number search: the numbers asked for
    related: list[str] = field(default_factory=list)  # key phrases the best hits share (related_terms.py)
    # words or a text also searched in the other language: the terms added, per source word (None: not translated)
    translation: crosslingual.Translation | None = None

    @property
    def pages(self) -> int:
        pages = -(-self.total // self.per_page)
        if self.max_results:
            pages = min(pages, self.max_results // self.per_page)
        return max(1, pages)

    @property
    def family(self) -> str:
        """The one patent a number search found (all its publications share an application number), else ""."""
        if self.understood != understand_mod.NUMBER or not self.rows:
            return ""
        apps = {row.record.app_number or row.record.pub_number for row in self.rows}
        return canonical_publication([row.record for row in self.rows]) if len(apps) == 1 else ""


def parse_filters(values: list[str]) -> dict[str, tuple[str, ...]]:
    """`f=applicant:华为技术有限公司&f=year:2020` → {"applicant": ("华为技术有限公司",), "year": ("2020",)}."""
    out: dict[str, list[str]] = {}
    for item in values:
        name, _, value = item.partition(":")
        if value:
            out.setdefault(name, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def _check_options(engine: PatentEngine, q: str, mode: str, sort: str, filters: dict[str, tuple[str, ...]],
                   page: int, per_page: int, tr: str | None = None) -> None:
    """Refuse, before any work is sized by them, options the engine cannot or should not serve. Deep pages
    are refused rather than served: the backend collects offset + limit hits, so page 100000000 would ask it
    to allocate tens of GB (the same "result window" bound as Elasticsearch's index.max_result_window)."""
    max_results, max_chars = engine.settings.search_max_results, engine.settings.search_max_query_chars
    problems: list[tuple[str, Msg]] = []
    if len(q) > max_chars:
        problems.append(("q", Msg("The query is too long: at most {max} characters", max=max_chars)))
    if tr is not None and len(tr) > crosslingual.MAX_EDIT_CHARS:
        problems.append(("tr", Msg("The edited translation is too long: at most {max} characters",
                                   max=crosslingual.MAX_EDIT_CHARS)))
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


@dataclass
class _Ranked:
    """One half's answer before the rows are read: ids of the page, total, facets."""

    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    window: int = 0  # a fused or nearest-neighbour list: how many ranked ids it holds (its page window)


def search(session: Session, engine: PatentEngine, q: str = "", *, mode: str = "lexical",
           filters: dict[str, tuple[str, ...]] | None = None, sort: str = "relevance", page: int = 1,
           per_page: int = 20, facets: tuple[str, ...] = DEFAULT_FACETS, strict: bool = False,
           lang: str = "zh", translate: bool = True, tr: str | None = None, related: bool = True) -> SearchResult:
    """Search as the one box does (understand.py): a number opens the patent, plain words rank by best match,
    a pasted text is searched lexically and semantically, an expression is strict; `strict` reads the input
    as an expression whatever it looks like. Each half of a fused search answers alone when the other fails.

    Words and texts are also searched in the other language (crosslingual.py): lexically as an alternative to
    the words typed, semantically by encoding the query with its translation. `tr` is the searcher's edited
    translation (crosslingual.parse_edited; "" searches without one); `translate=False` turns it off.

    `related=False` leaves out the related terms, the slowest part of a fresh search (key phrases of ten
    records, some 10–30 ms): the search page asks for them after the results (`related_for`), the API when
    asked."""
    filters = {k: tuple(v) for k, v in (filters or {}).items() if v}
    _check_options(engine, q, mode, sort, filters, page, per_page, tr)
    started = time.perf_counter()
    offset = (page - 1) * per_page
    notes: list[Msg] = []
    semantic_ok = engine.encoder is not None
    try:
        understood = understand(q, engine.settings.search_max_query_chars, strict=strict)
    except QuerySyntaxError as exc:
        if mode == "lexical" or not semantic_ok or not q.strip():
            raise query_error(q, exc) from exc
        understood = None  # the semantic half answers alone
        notes.append(Msg("The query could not be read as an expression ({reason}): the semantic search answered alone",
                         reason=Bilingual(exc.message_zh, exc.message_en)))
    if understood is not None and understood.note is not None:
        notes.append(_note_for(understood))
    kind = understood.kind if understood is not None else understand_mod.TEXT
    translation = _translation(q, kind, translate, tr) if not strict else None
    if understood is not None:
        understood = with_translation(understood, translation)
    if mode != "lexical" and not semantic_ok and q.strip():
        notes.append(Msg("Semantic search is not available on this installation yet: the results are ranked "
                         "by the words alone"))
    number = kind == understand_mod.NUMBER  # a number opens its patent, whatever the mode
    fuse = semantic_ok and bool(q.strip()) and not number and (mode == "hybrid" or kind == understand_mod.TEXT)
    if mode == "semantic" and semantic_ok and q.strip() and not number or understood is None:
        ranked, ranking = _semantic(engine, q, translation, filters, facets, offset, per_page), "semantic"
    else:
        # Best match's facets count the patents with every word (or, with none such, all it found): counting
        # every patent that shares one word with the query would cost the most and tell the least. A pasted text
        # has no facets, like a nearest-neighbour list.
        best = kind in (understand_mod.WORDS, understand_mod.TEXT)
        request = SearchRequest(query=understood.node, filters=filters, facets=() if best else facets, sort=sort,
                                offset=0 if fuse else offset, limit=SEMANTIC_POOL if fuse else per_page)
        if kind == understand_mod.WORDS and facets:  # the page and the facets of every word, at once
            lexical, core = engine.search_each([request, _core_request(understood.node, filters, facets)])
            lexical.facets = (core.facets if core.total else {}) or _facets_of(engine, understood.node, filters,
                                                                               facets)
        else:
            lexical = engine.search(request)
        ranked = _Ranked(lexical.hits, lexical.total, lexical.facets)
        ranking = "lexical"
        if fuse:
            semantic = _meaning(engine, q, translation, SearchRequest(filters=filters))
            if semantic and lexical.hits:
                fused = hybrid(lexical.hits, semantic, pasted_text=kind == understand_mod.TEXT,
                               chinese=crosslingual.language(q) == crosslingual.ZH)
                ranked = _Ranked([Hit(p, s) for p, s in fused[offset:offset + per_page]],
                                 max(lexical.total, len(fused)), lexical.facets, window=len(fused))
                ranking = "fused"
            elif semantic:  # no word matched: the meaning still finds neighbours
                ranked = _Ranked(semantic[offset:offset + per_page], len(semantic), {}, window=len(semantic))
                ranking = "semantic"
                notes.append(Msg("No patent shares the words of the query: these are the closest by meaning"))
            else:
                ranked.hits = lexical.hits[offset:offset + per_page]
                ranked.window = len(lexical.hits) if lexical.total > len(lexical.hits) else 0
    records = store.get_many(session, [h.pub_number for h in ranked.hits])
    shown = [records[h.pub_number] for h in ranked.hits if h.pub_number in records]
    positions = _positions(session, shown)
    highlight = terms_for_highlight(understood.node) if understood is not None else set(query_tokens(q))
    rows = [_row(rec, h.score, highlight, positions.get(register.key_of(rec)))
            for rec, h in zip(shown, [h for h in ranked.hits if h.pub_number in records], strict=True)]
    window = ranked.window or engine.settings.search_max_results
    result = SearchResult(q, mode, ranked.total, rows, ranked.facets, page, per_page, 0.0,
                          min(window, engine.settings.search_max_results), understood=kind,
                          reading=describe(understood.typed, lang) if understood is not None else "",
                          ranking=ranking, notes=notes,
                          numbers=understood.numbers if understood is not None else (),
                          translation=translation)
    if page == 1 and q.strip():
        result.suggestions = _did_you_mean(session, engine, understood, q, mode, filters)
        if related and offers_related(kind) and rows:
            result.related = related_terms([row.record for row in rows], query_tokens(q), None, k=RELATED_TERMS)
    if not rows and page == 1 and (q.strip() or filters):
        result.suggestions += _widen(engine, understood, q, mode, filters)
    result.took_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def offers_related(understood: str) -> bool:
    """Whether a search read as `understood` offers related terms: plain words and pasted texts."""
    return understood in (understand_mod.WORDS, understand_mod.TEXT)


def related_for(session: Session, engine: PatentEngine, q: str, pub_numbers: list[str], *, mode: str = "lexical",
                sort: str = "relevance", filters: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The related terms of a search for `q` whose best hits are `pub_numbers` (in rank order; at most
    RELATED_RECORDS are read, as `search` reads them), for the page that shows them after its results. The
    search's options are checked as `search` checks them, before any work (the page links its terms with them)."""
    _check_options(engine, q, mode, sort, filters or {}, 1, 1)
    wanted = pub_numbers[:RELATED_RECORDS]
    records = store.get_many(session, wanted)
    return related_terms([records[p] for p in wanted if p in records], query_tokens(q), None, k=RELATED_TERMS)


def _core_request(node, filters, facets) -> SearchRequest:
    """The facet counts of the patents holding every word of a best-match query, or (translated) every word of
    either language: a best match's facets are theirs where there are any."""
    matches = node.children if isinstance(node, Or) else (node,)
    every = [Term(m.field, m.value) for m in matches if isinstance(m, BestMatch)]
    query = every[0] if len(every) == 1 else Or(tuple(every))
    return SearchRequest(query=query, filters=filters, facets=facets, limit=0)


def _translation(q: str, kind: str, translate: bool, tr: str | None) -> crosslingual.Translation | None:
    """The other-language terms searched beside plain words or a text: the searcher's edited ones (`tr`), else
    the dictionary's; None for numbers, expressions, or with translation turned off."""
    if not translate or kind not in (understand_mod.WORDS, understand_mod.TEXT) or not q.strip():
        return None
    if tr is not None:
        try:
            edited = crosslingual.parse_edited(tr, crosslingual.language(q))
        except crosslingual.TranslationError as exc:
            raise DomainError(Msg("The search could not be run"), problems=[(
                "tr", Msg("The edited translation is too long: at most {max} characters",
                          max=crosslingual.MAX_EDIT_CHARS))]) from exc
        return edited if edited else None
    return crosslingual.translate(q) or None


def _facets_of(engine: PatentEngine, node, filters, facets) -> dict[str, list[FacetCount]]:
    return engine.search(SearchRequest(query=node, filters=filters, facets=facets, limit=0)).facets


def _meaning(engine: PatentEngine, q: str, translation, request: SearchRequest) -> list[Hit]:
    """The semantic half: the query's neighbours, and those of its translation beside them (fusion.across_languages)."""
    own = engine.similar_to_text(q, SEMANTIC_POOL, request)
    if translation is None:
        return own
    other = engine.similar_to_text(translation.target_text, SEMANTIC_POOL, request)
    return across_languages(own, other)[:SEMANTIC_POOL]


def _semantic(engine: PatentEngine, q: str, translation, filters, facets, offset: int, per_page: int) -> _Ranked:
    hits = _meaning(engine, q, translation, SearchRequest(filters=filters, facets=facets))
    # a nearest-neighbour list has no meaningful facet counts
    return _Ranked(hits[offset:offset + per_page], len(hits), {}, window=len(hits))


def _note_for(understood: Understood) -> Msg:
    note = understood.note
    if isinstance(note, NumberError):
        return Msg("This looks like an application number, but {reason}", reason=Bilingual(note.zh, note.en))
    assert note is not None
    return Msg("Searched as natural language: as an expression it would not parse ({reason})",
               reason=Bilingual(note.message_zh, note.message_en))


def _positions(session: Session, records: list[PatentRecord]) -> dict[str, Position]:
    """Register positions of the granted Chinese patents among `records` (one query for all)."""
    cn = [r for r in records if r.office == "CN" and r.app_date and r.patent_type and r.app_number]
    return register.positions(session, cn) if cn else {}


def _did_you_mean(session: Session, engine: PatentEngine, understood: Understood | None, q: str, mode: str,
                  filters: dict[str, tuple[str, ...]]) -> list[Suggestion]:
    """Plain words with a word the register holds nowhere: the same words with that one spelt as patents do."""
    spelling = getattr(engine.backend, "spelling", None)  # a backend that can tell (tantivy)
    if spelling is None or understood is None or understood.kind != understand_mod.WORDS:
        return []
    corrected = spelling(q)
    page = engine.search(SearchRequest(query=BestMatch(fields.DEFAULT_FIELD, corrected), filters=filters,
                                       limit=1)) if corrected else None
    if page is None or not page.total:
        return []
    first = store.get(session, page.hits[0].pub_number)
    words = _surface(q, corrected, first) if first else corrected
    return [Suggestion(Msg("Did you mean: {words}", words=words), words, filters, mode, page.total)]


def _widen(engine: PatentEngine, understood: Understood | None, q: str, mode: str,
           filters: dict[str, tuple[str, ...]]) -> list[Suggestion]:
    """Searches near this one that find something: without the filters, the words by best match."""
    if understood is None:
        return []
    near: list[tuple[Msg, str, dict, str, SearchRequest]] = []
    if filters:
        near.append((Msg("Without the filters"), q, {}, mode, SearchRequest(query=understood.node, limit=0)))
    if understood.kind == understand_mod.EXPRESSION:
        words = " ".join(sorted(plain_words(understood.node)))
        if words:
            near.append((Msg("Any of the words, best matches first"), words, filters, "lexical",
                         SearchRequest(query=BestMatch(fields.DEFAULT_FIELD, words), filters=filters, limit=0)))
    # Each count is a pass over the index of its own: counted at once.
    counted = engine.search_each([request for *_, request in near])
    return [Suggestion(label, words, near_filters, near_mode, page.total)
            for (label, words, near_filters, near_mode, _), page in zip(near, counted, strict=True) if page.total]


_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _surface(typed: str, corrected: str, rec: PatentRecord) -> str:
    """The corrected words (index stems: "spray", "pesticid") as a patent that holds them writes them
    ("spraying"); the words that needed no correction as they were typed."""
    written: dict[str, str] = {}
    for word in _LATIN_WORD.findall(f"{rec.title} {rec.abstract}"):
        tokens = query_tokens(word)
        if tokens:
            written.setdefault(tokens[0], word.lower())
    return " ".join(old if old == new else written.get(new, new)
                    for old, new in zip(typed.split(), corrected.split(), strict=False))


def highlight_html(text: str, terms: set[str], limit: int | None = None) -> Markup:
    """`text` escaped, with the query's words in <mark>; cut to a window around the first hit."""
    found = spans(text, terms)
    start, end = 0, len(text)
    if limit and len(text) > limit:
        first = found[0][0] if found else 0
        start = max(0, first - limit // 4)
        end = min(len(text), start + limit)
    # Joined as plain strings of escaped pieces and marked safe once: a page highlights some forty texts, and
    # Markup's own concatenation costs a Python call per piece.
    out, cursor = ["…" if start > 0 else ""], start
    for a, b in found:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out += (escape(text[cursor:a]), "<mark>", escape(text[a:b]), "</mark>")
        cursor = b
    out += (escape(text[cursor:end]), "…" if end < len(text) else "")
    return Markup("".join(out))


def _row(rec: PatentRecord, score: float, terms: set[str], position: Position | None = None) -> Row:
    body = rec.abstract or rec.claims
    return Row(rec, score, highlight_html(rec.title, terms), highlight_html(body, terms, SNIPPET_CHARS), position)


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


_GRANT_KINDS = ("B", "C", "U", "Y", "S", "E")  # grant (and reissue) kind letters: CN B/C/U/Y/S, US B/E/S


def canonical_publication(records: list[PatentRecord]) -> str:
    """The publication a patent's page lives at: its grant where there is one, else its latest publication."""
    return max(records, key=lambda r: (r.kind[:1] in _GRANT_KINDS, r.pub_date or date.min, r.pub_number)).pub_number


def resolve_number(session: Session, engine: PatentEngine, text: str) -> str | None:
    """The canonical publication of the one patent `text` names in any common spelling (ZL201919990001.5,
    201919990001.5, CN109990002, 109990002B …), or None when it names no patent, or several."""
    try:
        understood = understand(text[:200])
    except QuerySyntaxError:
        return None
    if understood.kind != understand_mod.NUMBER or len(understood.numbers) != 1:
        return None
    hits = engine.search(SearchRequest(query=understood.node, limit=MAX_PER_PAGE)).hits
    records = list(store.get_many(session, [h.pub_number for h in hits]).values())
    if not records or len({r.app_number or r.pub_number for r in records}) != 1:
        return None
    return canonical_publication(records)


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
    hits = engine.similar_to_stored(rec.pub_number, limit + 1)  # the stored vector: no re-encoding
    if hits is None:
        hits = engine.similar_to_text(store.texts([rec])[0], limit + 1)
    others = [h.pub_number for h in hits if h.pub_number != rec.pub_number][:limit]
    found = store.get_many(session, others)
    return [found[p] for p in others if p in found]
