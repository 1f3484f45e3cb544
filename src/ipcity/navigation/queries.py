"""Read-only figures of patent navigation that other parts of the platform show (through the plugin registry)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ipcity.core.clock import CHINA_TZ
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Figure
from ipcity.navigation.tables import NavRun


def plan_figures(session: Session, start: date, end: date) -> list[Figure]:
    """Plan item 9 (健全重点产业专利导航决策机制): navigation reports finished from `start` to `end` (Beijing days,
    both included) and the topics they analysed."""
    source = Msg("Patent navigation system")
    since, until = (datetime.combine(d, time(), CHINA_TZ).astimezone(UTC) for d in (start, end + timedelta(days=1)))
    reports, topics = session.execute(select(func.count(), func.count(distinct(NavRun.topic_id))).where(
        NavRun.status == "done", NavRun.finished_at >= since, NavRun.finished_at < until)).one()
    return [Figure(Msg("Patent navigation reports completed"), int(reports), source),
            Figure(Msg("Topics analysed"), int(topics), source)]
