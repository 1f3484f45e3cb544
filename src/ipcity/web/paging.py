"""Helpers every service's pages share: a page of a query's rows, and a case transition's posted fields."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError
from ipcity.core.forms import day_or_refuse
from ipcity.core.i18n import Msg
from ipcity.workflow.definition import choices_of, is_single_choice

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200  # the most rows one page may have, whatever a caller (or a `size` parameter) asks
MAX_FILTER = 200     # characters of one filter value: longer text narrows nothing further, only costs


def to_int(value, default: int = 1) -> int:
    """A page number or id from the query string or a form; anything unreadable is the default."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass
class ListFilters:
    """Base of a list's filters: each field (text) is a query parameter of the same name."""

    @classmethod
    def from_query(cls, params) -> ListFilters:
        return cls(**{f.name: str(params.get(f.name, "") or "")[:MAX_FILTER] for f in fields(cls)})

    def query(self, **extra) -> str:
        """The query string of these filters with `extra` (a page, an export format), empty values left out."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return urlencode({k: v for k, v in (values | extra).items() if v})


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
    """The transition's fields as posted: a field chosen from several keys (grounds, reasons: check boxes) is a
    list, the others one value each."""
    values = {}
    for f in t.fields:
        if f.name == "grounds" or (choices_of(f) is not None and not is_single_choice(f)):
            values[f.name] = [str(g) for g in form.getlist(f.name)]
        else:
            values[f.name] = str(form.get(f.name) or "")
    return values


def parse_day(value: str, field: str) -> date | None:
    """A list filter's date (YYYY-MM-DD); empty is no filter; anything else is refused naming the field."""
    return day_or_refuse(value, field)


def date_range(start_text: str, end_text: str, start_field: str, end_field: str) -> tuple[date | None, date | None]:
    """A from/to pair of list filters; an end before the start is refused on the end field."""
    start, end = parse_day(start_text, start_field), parse_day(end_text, end_field)
    if start and end and end < start:
        raise DomainError(Msg("The end date is before the start date"), field=end_field)
    return start, end
