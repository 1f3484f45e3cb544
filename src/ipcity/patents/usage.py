"""How much patent search is used: a count of searches per day, and the figure plan supervision shows for plan
item 18 (推广知识产权信息公共服务产品) through the plugin registry.

Searches are counted in the serial counters of core/serials.py, one row per Beijing day ("patents.searches:
2026-01-05"): each search adds one with a single atomic statement, so any number of searchers at once (threads,
processes, PostgreSQL or SQLite) lose no count and draw no lock beyond that row. The count is written in a short
transaction of its own, after the answer is sent, so a search stays a read and never waits for it.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.db import Database
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Figure
from ipcity.core.serials import next_serial
from ipcity.core.tables import SerialCounter

SERIES = "patents.searches:"  # + the Beijing day, YYYY-MM-DD (ISO dates sort as text)
log = logging.getLogger(__name__)


def count_search(db: Database) -> None:
    """One more search today. A count that cannot be written (the database unreachable) is logged and lost: the
    person searching has had their answer, and a statistic is not worth an error page."""
    try:
        with db.session(write=True) as s:
            next_serial(s, SERIES + today().isoformat())
            s.commit()
    except SQLAlchemyError:
        log.warning("a patent search could not be counted", exc_info=True)


def searches(session: Session, start: date, end: date) -> int:
    """Searches from `start` to `end`, both days included."""
    return int(session.scalar(select(func.coalesce(func.sum(SerialCounter.value), 0)).where(
        SerialCounter.key >= SERIES + start.isoformat(), SerialCounter.key <= SERIES + end.isoformat())) or 0)


def plan_figures(session: Session, start: date, end: date) -> list[Figure]:
    return [Figure(Msg("Patent searches run"), searches(session, start, end), Msg("Patent search service"))]
