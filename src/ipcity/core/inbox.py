"""Inboxes: tasks and notices for a person or for a whole unit.

A task is for whoever must act next (the case engine decides who, workflow/waits.py) and is closed when they
have acted or the case has moved on; a notice only tells. The unread counter counts open items not yet read:
a closed task no longer counts, and a person can mark one item or everything read.
"""

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

    # On the session's connection: a Core count skips the ORM's execution path (every page header asks this).
    return session.connection().scalar(select(func.count()).select_from(InboxItem).where(
        _mine(actor), InboxItem.read_at.is_(None), InboxItem.closed_at.is_(None))) or 0


def mark_read(session: Session, actor: Actor, item_id: int) -> bool:
    res = session.execute(update(InboxItem).where(InboxItem.id == item_id, _mine(actor), InboxItem.read_at.is_(None))
                          .values(read_at=now()))
    return bool(res.rowcount)


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread item of the person's inbox (their own and their unit's) read; how many were."""
    res = session.execute(update(InboxItem).where(_mine(actor), InboxItem.read_at.is_(None)).values(read_at=now()))
    return int(res.rowcount or 0)


def item_of(session: Session, actor: Actor, item_id: int) -> InboxItem | None:
    """One item of the person's inbox; None when there is none by that id in it."""
    return session.scalar(select(InboxItem).where(InboxItem.id == item_id, _mine(actor)))


def local_link(link: str) -> str:
    """The item's link when it is a path on this site, else '' (an item never sends anyone elsewhere)."""
    link = (link or "").strip()
    return link if link.startswith("/") and not link.startswith(("//", "/\\")) else ""


def close_case_tasks(session: Session, case_id: int) -> list[tuple[int | None, int | None]]:
    """A case moved on: the tasks it had put in inboxes are done. Returns whose they were: (user, unit) each."""
    rows = session.execute(select(InboxItem.id, InboxItem.user_id, InboxItem.unit_id).where(
        InboxItem.case_id == case_id, InboxItem.kind == "task", InboxItem.closed_at.is_(None))).all()
    if rows:
        session.execute(update(InboxItem).where(InboxItem.id.in_([r.id for r in rows])).values(closed_at=now()))
    return [(r.user_id, r.unit_id) for r in rows]
