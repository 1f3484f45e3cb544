"""A signed-in person's search history: the searches they ran, newest first, each a link that runs it again.

`record` is called by the search page after a search; the newest KEEP searches of each person are kept, and a
search identical to the one just before it is not written twice (its time and count are brought up to date
instead). History is personal: every query here is bounded to the person's own rows, and an entry of someone
else is "not found". A search is not audited (the history is itself the record of it); clearing it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import CHINA_TZ, local, now
from ipcity.core.db import Database, lock_for_append
from ipcity.core.errors import NotFound
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.patents.advanced import search_url
from ipcity.patents.saved_tables import SearchHistory
from ipcity.patents.search.query import MAX_QUERY_CHARS
from ipcity.web.paging import ListFilters, date_range

KEEP = 200  # searches kept per person
MODES = ("lexical", "semantic", "hybrid")  # the search service's modes (service.MODES)
OBJECT = "patent_search_history"
MAX_FILTER_VALUE = 200
log = logging.getLogger(__name__)


def clean_filters(filters: dict | None) -> dict[str, list[str]]:
    """Facet filters as stored: names sorted, values as text, each list sorted and without repeats."""
    out: dict[str, list[str]] = {}
    for name, values in sorted((filters or {}).items()):
        if isinstance(values, str):
            values = [values]
        kept = sorted({str(v)[:MAX_FILTER_VALUE] for v in values or () if str(v)})
        if kept:
            out[str(name)[:40]] = kept
    return out


def _lock(session: Session, user_id: int) -> None:
    """One writer of a person's history at a time (PostgreSQL; SQLite's writers queue anyway)."""
    lock_for_append(session, f"patents.history:{user_id}")


def record(session: Session, actor: Actor | None, q: str, mode: str = "lexical", filters: dict | None = None,
           total: int = 0) -> SearchHistory | None:
    """Remember a search the person ran, in the caller's transaction (the caller commits). Returns the entry, or
    None where nothing is remembered: nobody signed in, an empty search (the newest-patents page), a query longer
    than any search takes."""
    if actor is None or actor.user_id is None:
        return None
    q = (q or "").strip()
    filters = clean_filters(filters)
    if (not q and not filters) or len(q) > MAX_QUERY_CHARS:
        return None
    mode = mode if mode in MODES else "lexical"
    _lock(session, actor.user_id)
    last = session.scalar(select(SearchHistory).where(SearchHistory.user_id == actor.user_id)
                          .order_by(SearchHistory.id.desc()).limit(1))
    if last is not None and (last.q, last.mode, clean_filters(last.filters)) == (q, mode, filters):
        last.created_at, last.total = now(), int(total or 0)
        session.flush()
        return last
    entry = SearchHistory(user_id=actor.user_id, q=q, mode=mode, filters=filters, total=int(total or 0))
    session.add(entry)
    session.flush()
    cutoff = session.scalar(select(SearchHistory.id).where(SearchHistory.user_id == actor.user_id)
                            .order_by(SearchHistory.id.desc()).offset(KEEP - 1).limit(1))
    if cutoff is not None:
        session.execute(delete(SearchHistory).where(SearchHistory.user_id == actor.user_id,
                                                    SearchHistory.id < cutoff))
    return entry


def record_later(db: Database, actor: Actor | None, q: str, mode: str = "lexical", filters: dict | None = None,
                 total: int = 0) -> None:
    """`record` in a short transaction of its own, for a background task after the answer is sent (so that the
    search stays a read). A history that cannot be written is logged and lost, never an error page."""
    if actor is None or actor.user_id is None:
        return
    try:
        with db.session(write=True) as s:
            record(s, actor, q, mode, filters, total)
            s.commit()
    except SQLAlchemyError:
        log.warning("a patent search could not be added to the history", exc_info=True)


def entry_of(session: Session, actor: Actor, entry_id: int) -> SearchHistory:
    """The person's own entry; someone else's, or none, is not found."""
    entry = session.scalar(select(SearchHistory).where(SearchHistory.id == entry_id,
                                                       SearchHistory.user_id == actor.user_id))
    if entry is None:
        raise NotFound(Msg("No search {id} in your history", id=entry_id))
    return entry


def remove(session: Session, actor: Actor, entry_id: int) -> None:
    entry = entry_of(session, actor, entry_id)
    audit.record(session, actor, "delete", OBJECT, entry.id, summary=entry.q[:100])
    session.delete(entry)
    session.flush()


def clear(session: Session, actor: Actor) -> int:
    """Delete every search of the person's history; how many there were."""
    _lock(session, actor.user_id)
    removed = session.execute(delete(SearchHistory).where(SearchHistory.user_id == actor.user_id)).rowcount or 0
    audit.record(session, actor, "delete", OBJECT, actor.user_id, summary=f"{removed} searches",
                 detail={"cleared": removed})
    return int(removed)


@dataclass
class HistoryFilters(ListFilters):
    q: str = ""          # text the query contains
    start: str = ""      # from this Beijing day (YYYY-MM-DD)
    end: str = ""        # to this Beijing day, inclusive


def _utc_start(day) -> datetime:
    return datetime.combine(day, time.min, CHINA_TZ).astimezone(UTC)


def history_query(actor: Actor, filters: HistoryFilters) -> Select:
    """The person's searches, newest first, narrowed by the filters (a malformed date is a DomainError)."""
    start, end = date_range(filters.start, filters.end, "start", "end")
    stmt = select(SearchHistory).where(SearchHistory.user_id == actor.user_id)
    if filters.q.strip():
        stmt = stmt.where(SearchHistory.q.icontains(filters.q.strip(), autoescape=True))
    if start is not None:
        stmt = stmt.where(SearchHistory.created_at >= _utc_start(start))
    if end is not None:
        stmt = stmt.where(SearchHistory.created_at < _utc_start(end + timedelta(days=1)))
    return stmt.order_by(SearchHistory.id.desc())


EXPORT_HEADER = ("检索时间 Searched at (Beijing time)", "检索式 Query", "检索方式 Mode", "筛选 Filters",
                 "命中数 Results", "链接 Link")


def filters_text(filters: dict) -> str:
    return "; ".join(f"{name}:{v}" for name, values in (filters or {}).items() for v in values)


def export_rows(session: Session, rows: list[SearchHistory]) -> list[list]:
    return [[local(r.created_at).strftime("%Y-%m-%d %H:%M:%S"), r.q, r.mode, filters_text(r.filters), r.total,
             search_url(r.q, r.mode, r.filters)] for r in rows]
