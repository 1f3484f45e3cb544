"""Inboxes: tasks and notices for a person or for a whole unit."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ipcity.core.clock import now
from ipcity.core.roles import Actor
from ipcity.core.tables import InboxItem


def notify(session: Session, *, title: str, kind: str = "notice", user_id: int | None = None,
           unit_id: int | None = None, params: dict | None = None, body: str = "", link: str = "",
           case_id: int | None = None, dedupe_key: str | None = None) -> InboxItem | None:
    """Put a task or notice in an inbox; with a dedupe_key, the same notice is never sent twice."""
    if user_id is None and unit_id is None:
        raise ValueError("an inbox item needs a person or a unit")
    if dedupe_key and session.scalar(select(InboxItem.id).where(InboxItem.dedupe_key == dedupe_key)):
        return None
    item = InboxItem(user_id=user_id, unit_id=unit_id, kind=kind, title=title, params=params or {}, body=body,
                     link=link, case_id=case_id, dedupe_key=dedupe_key)
    session.add(item)
    session.flush()
    return item


def _mine(actor: Actor):
    conds = [InboxItem.user_id == actor.user_id]
    if actor.unit_id is not None:
        conds.append((InboxItem.unit_id == actor.unit_id) & InboxItem.user_id.is_(None))
    return or_(*conds)


def items_for(session: Session, actor: Actor, *, kind: str | None = None, open_only: bool = False,
              limit: int = 200) -> list[InboxItem]:
    q = select(InboxItem).where(_mine(actor))
    if kind:
        q = q.where(InboxItem.kind == kind)
    if open_only:
        q = q.where(InboxItem.closed_at.is_(None))
    return list(session.scalars(q.order_by(InboxItem.id.desc()).limit(limit)))


def unread_count(session: Session, actor: Actor) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(InboxItem)
                          .where(_mine(actor), InboxItem.read_at.is_(None), InboxItem.closed_at.is_(None))) or 0


def mark_read(session: Session, actor: Actor, item_id: int) -> bool:
    res = session.execute(update(InboxItem).where(InboxItem.id == item_id, _mine(actor), InboxItem.read_at.is_(None))
                          .values(read_at=now()))
    return bool(res.rowcount)


def close_case_tasks(session: Session, case_id: int) -> None:
    """A case moved on: the tasks it had put in inboxes are done."""
    session.execute(update(InboxItem).where(InboxItem.case_id == case_id, InboxItem.kind == "task",
                                            InboxItem.closed_at.is_(None)).values(closed_at=now()))
