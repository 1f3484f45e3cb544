"""Alerts of saved searches: the `patents.search_alerts` job runs every saved search whose alert is on over the
patents added to the register since its last check, and sends the new hits to the owner's inbox.

How a run works, and why it is safe to run twice or twice at once:

1. Claim. One conditional UPDATE gives this run's token to every alerting search no other run holds (or whose
   holder's lease lapsed: a run that died). On PostgreSQL a second run's UPDATE waits for the first to commit and
   then skips the rows it claimed; on SQLite writers are serialised. A search is therefore worked on by one run.
2. Window. A search looks at the patents whose register time (`Patent.created_at`) is after its `checked_at` and
   up to the run's horizon: a moment MARGIN before the run started (so that a batch the ingest stamped but had
   not yet committed is not passed over), and before the oldest patent the search index has not committed yet
   (`index_pending`: a patent the index cannot find yet is left for the next run instead of being lost).
3. Search. The new publication numbers are read in batches of at most BATCH, and the saved query is run over
   each batch (`SearchRequest.within`).
4. Finish. One transaction advances `checked_at` to the window's end, drops the claim and puts the notice in the
   inbox, but only while the claim is still this run's (a conditional UPDATE): a search deleted, switched off or
   taken over meanwhile sends nothing. Windows never overlap, so no hit is sent twice; the inbox's dedupe key on
   the window makes even a repeated commit harmless.

`after_ingest(session)` queues the job; the ingest jobs call it when they finish.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from ipcity.core import inbox, jobs
from ipcity.core.clock import now
from ipcity.core.i18n import N_
from ipcity.core.jobs import JobContext
from ipcity.core.roles import Actor
from ipcity.core.tables import Job
from ipcity.patents.advanced import search_url
from ipcity.patents.engine import engine_for
from ipcity.patents.saved_tables import SavedSearch
from ipcity.patents.search.ast import Node
from ipcity.patents.search.contract import MAX_WITHIN, SearchRequest
from ipcity.patents.search.query import QuerySyntaxError, parse
from ipcity.patents.tables import Patent

KIND = "patents.search_alerts"
BATCH = min(1000, MAX_WITHIN)  # publication numbers one search request is restricted to
MARGIN = timedelta(seconds=2)  # how far behind "now" a run looks: the ingest's stamp-to-commit gap, generously
LEASE = timedelta(minutes=30)  # how long a claim holds before another run may take the search over
SAMPLE = 10  # publication numbers a notice lists
MAX_LINK = 300  # InboxItem.link
ALERT_TITLE = N_("Saved search “{name}”: {n} new patents")
log = logging.getLogger(__name__)


def _utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives it back naive, in UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- queueing --------------------------------------------------------------------------------------------------

def after_ingest(session: Session) -> Job | None:
    """Queue an alert run after patents were added (the caller commits). Nothing is queued where no saved search
    has its alert on, or where a run is already queued (it will see these patents too)."""
    if session.scalar(select(SavedSearch.id).where(SavedSearch.alert.is_(True)).limit(1)) is None:
        return None
    if session.scalar(select(Job.id).where(Job.kind == KIND, Job.status == "queued").limit(1)) is not None:
        return None
    return jobs.enqueue(session, Actor.system(f"job:{KIND}"), KIND)


# --- the job ---------------------------------------------------------------------------------------------------

@dataclass
class Found:
    """What one saved search found in its window."""

    saved_id: int
    total: int = 0
    sample: list[str] = field(default_factory=list)


def run(ctx: JobContext, params: dict) -> dict:
    """The job: check every alerting saved search; returns how many were checked and how many notices went out."""
    engine = engine_for(ctx.services.settings)
    return check_all(ctx.db, engine, progress=lambda done, total: ctx.progress(done, total, N_("saved searches")))


def check_all(db, engine, *, progress=None) -> dict:
    token = secrets.token_hex(16)
    claimed = _claim(db, token)
    if not claimed:
        return {"checked": 0, "notified": 0, "hits": 0}
    horizon = _horizon(db)
    by_since: dict[datetime | None, list[SavedSearch]] = {}
    for saved in claimed:
        by_since.setdefault(_utc(saved.checked_at), []).append(saved)
    checked = notified = hits = 0
    for since, group in by_since.items():
        end = _window_end(db, since, horizon)
        found = _search_window(db, engine, group, since, end)
        for saved in group:
            result = found.get(saved.id)
            sent = _finish(db, saved, token, since, end, result)
            checked += 1
            notified += int(sent)
            hits += result.total if (sent and result) else 0
            if progress and (checked % 20 == 0 or checked == len(claimed)):  # a write each: not for every one
                progress(checked, len(claimed))
    return {"checked": checked, "notified": notified, "hits": hits}


def _claim(db, token: str) -> list[SavedSearch]:
    """Take every alerting search no live run holds; the searches this run now holds."""
    stamp = now()
    with db.session(write=True) as s:
        s.execute(update(SavedSearch)
                  .where(SavedSearch.alert.is_(True),
                         or_(SavedSearch.claimed_until.is_(None), SavedSearch.claimed_until < stamp))
                  .values(claim_token=token, claimed_until=stamp + LEASE))
        s.commit()
    with db.session() as s:
        return list(s.scalars(select(SavedSearch).where(SavedSearch.claim_token == token)
                              .order_by(SavedSearch.id)))


def _horizon(db) -> datetime:
    """The end of every window of this run: MARGIN before now, after waiting (at most MARGIN) for the newest
    patent to be that old, so that a load that has just finished is in this run, not the next."""
    with db.session() as s:
        newest = _utc(s.scalar(select(func.max(Patent.created_at))))
    wait = (newest + MARGIN - now()).total_seconds() if newest is not None else 0
    if 0 < wait <= MARGIN.total_seconds():
        time.sleep(wait)
    return now() - MARGIN


def _window_end(db, since: datetime | None, horizon: datetime) -> datetime:
    """The horizon, or just before the oldest patent of the window the search index has not committed yet."""
    with db.session() as s:
        stmt = select(func.min(Patent.created_at)).where(Patent.index_pending.is_(True),
                                                         Patent.created_at <= horizon)
        if since is not None:
            stmt = stmt.where(Patent.created_at > since)
        oldest_pending = _utc(s.scalar(stmt))
    if oldest_pending is not None:
        return min(horizon, oldest_pending - timedelta(microseconds=1))
    return horizon


def new_patents(db, since: datetime | None, end: datetime, batch: int | None = None):
    """The publication numbers added in (since, end], oldest first, at most `batch` (BATCH) at a time."""
    batch = min(batch or BATCH, MAX_WITHIN)
    last: tuple[datetime, int] | None = None
    while True:
        with db.session() as s:
            stmt = select(Patent.created_at, Patent.id, Patent.pub_number).where(Patent.created_at <= end)
            if since is not None:
                stmt = stmt.where(Patent.created_at > since)
            if last is not None:
                stmt = stmt.where(or_(Patent.created_at > last[0],
                                      and_(Patent.created_at == last[0], Patent.id > last[1])))
            rows = s.execute(stmt.order_by(Patent.created_at, Patent.id).limit(batch)).all()
        if not rows:
            return
        yield [r.pub_number for r in rows]
        if len(rows) < batch:
            return
        last = (rows[-1].created_at, rows[-1].id)


def query_of(q: str, max_chars: int) -> Node:
    """The tree a saved query is run as: the expression language, as the search page reads it."""
    return parse(q, max_chars=max_chars)


def _search_window(db, engine, group: list[SavedSearch], since: datetime | None,
                   end: datetime) -> dict[int, Found]:
    """Run each search of `group` (one window) over the new patents, batch by batch."""
    if since is not None and end <= since:
        return {}
    queries: dict[int, tuple[Node, dict]] = {}
    for saved in group:
        try:
            queries[saved.id] = (query_of(saved.q, engine.settings.search_max_query_chars),
                                 {k: tuple(v) for k, v in (saved.filters or {}).items() if v})
        except QuerySyntaxError:  # saved under an older grammar: nothing it can find; its window still advances
            log.warning("saved search %s no longer parses; no alert", saved.id)
    found = {saved_id: Found(saved_id) for saved_id in queries}
    for pubs in new_patents(db, since, end):
        for saved_id, (node, filters) in queries.items():
            page = engine.search(SearchRequest(query=node, filters=filters, within=tuple(pubs), limit=len(pubs)))
            result = found[saved_id]
            result.total += page.total
            room = SAMPLE - len(result.sample)
            if room > 0:
                result.sample += [h.pub_number for h in page.hits[:room]]
    return found


def _finish(db, saved: SavedSearch, token: str, since: datetime | None, end: datetime,
            result: Found | None) -> bool:
    """Advance the search's window and send its notice, if the claim is still this run's; whether one was sent."""
    stamp = now()
    advance = since is None or end > since
    values = {"claim_token": None, "claimed_until": None}
    if advance:
        values["checked_at"] = end
    notify = advance and result is not None and result.total > 0
    if notify:
        values |= {"last_alert_at": stamp, "last_alert_count": result.total,
                   "alerts_sent": SavedSearch.alerts_sent + 1}
    with db.session(write=True) as s:
        res = s.execute(update(SavedSearch)
                        .where(SavedSearch.id == saved.id, SavedSearch.claim_token == token,
                               SavedSearch.alert.is_(True))
                        .values(**values))
        if res.rowcount != 1:  # deleted, switched off or taken over meanwhile: nothing is sent
            s.rollback()
            return False
        item = None
        if notify:
            link = search_url(saved.q, saved.mode, saved.filters, strict=True)  # as the alert ran it
            if len(link) > MAX_LINK:
                link = f"/patents/saved/{saved.id}/run"
            item = inbox.notify(s, user_id=saved.user_id, title=ALERT_TITLE,
                                params={"name": saved.name, "n": result.total}, link=link,
                                body=" ".join(result.sample) + (" …" if result.total > len(result.sample) else ""),
                                dedupe_key=_dedupe_key(saved.id, since, end))
        s.commit()
        return item is not None


def _dedupe_key(saved_id: int, since: datetime | None, end: datetime) -> str:
    start = since.strftime("%Y%m%dT%H%M%S.%f") if since is not None else "-"
    return f"patents.alert:{saved_id}:{start}:{end.strftime('%Y%m%dT%H%M%S.%f')}"
