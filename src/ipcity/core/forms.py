"""Reading form values that collect their problems instead of stopping at the first (every field is reported)."""

from __future__ import annotations

from datetime import date

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg


def form_day(text: str | None, field: str, problems: list) -> date | None:
    """An ISO date from a form field; None when blank; a problem named by `field` when it is no date."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append((field, Msg("'{value}' is not a date; write it YYYY-MM-DD", value=text[:20])))
        return None


def day_or_refuse(text: str | None, field: str) -> date | None:
    """The same, refused at once (a DomainError naming `field`) when it is no date: a single date filter."""
    problems: list = []
    day = form_day(text, field, problems)
    if problems:
        raise DomainError(problems[0][1], field=field)
    return day
