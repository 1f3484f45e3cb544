"""Helpers every service's pages share: a page of a query's rows, and a case transition's posted fields."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200  # the most rows one page may have, whatever a caller (or a `size` parameter) asks


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int


def paged(session: Session, stmt: Select, page: int, size: int = PAGE_SIZE) -> Page:
    """Rows of page `page` (clamped to the pages there are) and the counts the pager shows. The page and its
    size are clamped, not refused: a deep page costs an OFFSET of at most the rows there are."""
    size = min(max(1, size), MAX_PAGE_SIZE)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, (total + size - 1) // size)
    page = min(max(1, page), pages)
    return Page(list(session.scalars(stmt.offset((page - 1) * size).limit(size))), total, page, pages)


def transition_values(t, form: FormData) -> dict:
    """The transition's fields as posted: grounds are checkboxes (a list), the others one value each."""
    values = {}
    for f in t.fields:
        if f.name == "grounds":
            values[f.name] = [str(g) for g in form.getlist("grounds")]
        else:
            values[f.name] = str(form.get(f.name) or "")
    return values
