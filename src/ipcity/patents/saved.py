"""Saved patent searches: a person keeps a search (query, mode, facet filters) under a name, runs it again later,
and may have the new patents it finds sent to their inbox (the alert, alerts.py).

Every use case takes the acting person and reaches only their own searches: someone else's search is "not
found", whatever its number. Limits are checked before anything is written: at most MAX_SAVED searches a person,
a name of at most MAX_NAME characters, a query no longer than the search itself takes. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import local, now
from ipcity.core.db import lock_for_append
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.patents.advanced import search_url
from ipcity.patents.history import clean_filters, filters_text
from ipcity.patents.saved_tables import SavedSearch
from ipcity.patents.search.contract import FACETS
from ipcity.patents.search.query import MAX_QUERY_CHARS, QuerySyntaxError, parse
from ipcity.web.paging import ListFilters

MAX_SAVED = 50  # saved searches per person
MAX_NAME = 100  # characters of a name
MAX_FILTER_VALUES = 50  # facet values of one search, over all facets (as service.MAX_FILTER_VALUES)
MAX_FILTER_CHARS = 200  # characters of one facet value
MODES = ("lexical", "semantic", "hybrid")  # the search service's modes (service.MODES)
ALERT_MODES = ("lexical", "hybrid")  # an alert runs the expression: a semantic search has none
OBJECT = "patent_saved_search"


def parse_filters(values: Iterable[str]) -> dict[str, list[str]]:
    """`f=applicant:华为技术有限公司` (repeatable), as the search page writes its facet filters."""
    out: dict[str, list[str]] = {}
    for item in values:
        name, _, value = str(item).partition(":")
        if value:
            out.setdefault(name, []).append(value)
    return out


def check_search(q: str, mode: str, filters: dict[str, list[str]], *, max_chars: int,
                 alert: bool = False) -> list[tuple[str, Msg]]:
    """What is wrong with a search to be kept: (field, message) for each problem, [] when it may be saved.

    The query is kept as typed, to be read again as the search box reads it; a search with an alert is run as an
    expression of the query language (alerts.py), so then it must be one."""
    problems: list[tuple[str, Msg]] = []
    if mode not in MODES:
        problems.append(("mode", Msg("Unknown search mode {value}; use one of {known}", value=mode[:20],
                                     known=", ".join(MODES))))
    if len(q) > max_chars:
        problems.append(("q", Msg("The query is too long: at most {max} characters", max=max_chars)))
    elif alert and mode in ALERT_MODES and q.strip():
        try:
            parse(q, max_chars=max_chars)
        except QuerySyntaxError as exc:
            problems.append(("q", Msg("Query syntax error at position {pos}: {zh} / {en}", pos=exc.pos + 1,
                                      zh=exc.message_zh, en=exc.message_en)))
    for name in filters:
        if name not in FACETS:
            problems.append(("f", Msg("Unknown filter {value}; use one of {known}", value=name[:40],
                                      known=", ".join(FACETS))))
    values = [v for vs in filters.values() for v in vs]
    if len(values) > MAX_FILTER_VALUES:
        problems.append(("f", Msg("At most {max} filter values at once", max=MAX_FILTER_VALUES)))
    if any(len(v) > MAX_FILTER_CHARS for v in values):
        problems.append(("f", Msg("A filter value may have at most {max} characters", max=MAX_FILTER_CHARS)))
    if not q.strip() and not values:
        problems.append(("q", Msg("Nothing to save: the search has neither words nor filters")))
    return problems


def _check_name(name: str) -> list[tuple[str, Msg]]:
    if not name:
        return [("name", Msg("Give the search a name"))]
    if len(name) > MAX_NAME:
        return [("name", Msg("The name may have at most {max} characters", max=MAX_NAME))]
    return []


def _refuse(problems: list[tuple[str, Msg]]) -> None:
    if problems:
        field, message = problems[0]
        raise DomainError(message if len(problems) == 1 else Msg("The search could not be saved"), field=field,
                          problems=problems)


def _alert_problem(mode: str) -> list[tuple[str, Msg]]:
    if mode not in ALERT_MODES:
        return [("alert", Msg("Alerts work for searches by words and field codes; a search by description "
                              "(semantic) has no fixed set of results to watch"))]
    return []


def _lock(session: Session, user_id: int) -> None:
    """One change of a person's saved searches at a time (PostgreSQL; SQLite's writers queue anyway), so that two
    saves at once cannot both pass the count."""
    lock_for_append(session, f"patents.saved:{user_id}")


def count(session: Session, actor: Actor) -> int:
    return session.scalar(select(func.count()).select_from(SavedSearch)
                          .where(SavedSearch.user_id == actor.user_id)) or 0


def create(session: Session, actor: Actor, *, name: str, q: str, mode: str = "lexical",
           filters: dict | None = None, alert: bool = False, max_chars: int) -> SavedSearch:
    """Keep a search under `name`; with `alert`, new patents it finds from now on go to the person's inbox."""
    name, q, filters = (name or "").strip(), (q or "").strip(), clean_filters(filters)
    problems = _check_name(name) + check_search(q, mode, filters, max_chars=max_chars, alert=alert)
    if alert:
        problems += _alert_problem(mode)
    _refuse(problems)
    _lock(session, actor.user_id)
    if count(session, actor) >= MAX_SAVED:
        raise DomainError(Msg("You may keep at most {max} saved searches: delete one first", max=MAX_SAVED),
                          field="name")
    stamp = now()
    saved = SavedSearch(user_id=actor.user_id, name=name, q=q, mode=mode, filters=filters, alert=bool(alert),
                        checked_at=stamp, created_at=stamp, updated_at=stamp)
    session.add(saved)
    session.flush()
    audit.record(session, actor, "create", OBJECT, saved.id, summary=name,
                 detail={"q": q[:500], "mode": mode, "filters": filters, "alert": bool(alert)})
    return saved


def owned(session: Session, actor: Actor, saved_id: int) -> SavedSearch:
    """The person's own saved search; someone else's, or none, is not found."""
    saved = session.scalar(select(SavedSearch).where(SavedSearch.id == saved_id,
                                                     SavedSearch.user_id == actor.user_id))
    if saved is None:
        raise NotFound(Msg("No saved search {id}", id=saved_id))
    return saved


def rename(session: Session, actor: Actor, saved_id: int, name: str) -> SavedSearch:
    saved = owned(session, actor, saved_id)
    name = (name or "").strip()
    _refuse(_check_name(name))
    if name != saved.name:
        audit.record(session, actor, "update", OBJECT, saved.id, summary=name, detail={"name": [saved.name, name]})
        saved.name, saved.updated_at = name, now()
        session.flush()
    return saved


def set_alert(session: Session, actor: Actor, saved_id: int, on: bool, *,
              max_chars: int = MAX_QUERY_CHARS) -> SavedSearch:
    """Switch the alert on or off. Switched on, it watches the patents added from now on (not the register's
    backlog); any alert run working on the search leaves it alone (its claim is dropped, so it sends nothing)."""
    saved = owned(session, actor, saved_id)
    if on:
        _refuse(_alert_problem(saved.mode) or check_search(saved.q, saved.mode, saved.filters, max_chars=max_chars,
                                                           alert=True))
    if bool(on) != saved.alert:
        stamp = now()
        saved.alert, saved.updated_at = bool(on), stamp
        saved.claim_token = saved.claimed_until = None
        if on:
            saved.checked_at = stamp
        audit.record(session, actor, "update", OBJECT, saved.id, summary=saved.name, detail={"alert": bool(on)})
        session.flush()
    return saved


def remove(session: Session, actor: Actor, saved_id: int) -> None:
    saved = owned(session, actor, saved_id)
    audit.record(session, actor, "delete", OBJECT, saved.id, summary=saved.name,
                 detail={"q": saved.q[:500], "mode": saved.mode, "filters": saved.filters})
    session.delete(saved)
    session.flush()


def run_url(saved: SavedSearch) -> str:
    return search_url(saved.q, saved.mode, saved.filters)


@dataclass
class SavedFilters(ListFilters):
    q: str = ""      # text in the name or the query
    alert: str = ""  # "on", "off" or "" (all)


def saved_query(actor: Actor, filters: SavedFilters) -> Select:
    stmt = select(SavedSearch).where(SavedSearch.user_id == actor.user_id)
    text = filters.q.strip()
    if text:
        stmt = stmt.where(or_(SavedSearch.name.icontains(text, autoescape=True),
                              SavedSearch.q.icontains(text, autoescape=True)))
    if filters.alert in ("on", "off"):
        stmt = stmt.where(SavedSearch.alert.is_(filters.alert == "on"))
    return stmt.order_by(SavedSearch.id.desc())


EXPORT_HEADER = ("名称 Name", "检索式 Query", "检索方式 Mode", "筛选 Filters", "提醒 Alert",
                 "保存时间 Saved at (Beijing time)", "最近提醒 Last alert (Beijing time)",
                 "最近提醒条数 Last alert count", "链接 Link")


def _when(value) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(session: Session, rows: list[SavedSearch]) -> list[list]:
    return [[r.name, r.q, r.mode, filters_text(r.filters), "on" if r.alert else "off", _when(r.created_at),
             _when(r.last_alert_at), r.last_alert_count, run_url(r)] for r in rows]
