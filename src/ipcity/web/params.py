"""Path and query parameters, bounded before a handler sends them to the database.

Python's integers have no size, the databases' do: SQLite cannot bind a value beyond 64 bits (OverflowError)
and PostgreSQL refuses one beyond the column it is compared with ("integer out of range"); PostgreSQL text
cannot hold the NUL character at all. So every route gets this one check (an application-wide dependency,
see web/app.py) instead of a bound on each of the many parameters:

- a path integer is an id or a number of something stored (an `integer` column): one outside that range names
  nothing, so the answer is 404, as for any other id that does not exist;
- a query integer (a page, a year, a unit) outside the same range is refused as a 400 naming the field (a
  parameter that must reach beyond it, such as a log index, is declared as text and parsed by its handler);
- a NUL character in any path or query parameter is refused as a 400 naming the field: no one types it, and
  PostgreSQL would fail on it where SQLite does not;
- an integer query parameter sent empty (`?section=&unit_id=`: the "all" option of a filter form's select, an
  empty number box) is no value: the parameter takes its default (`None` for `int | None`, "all"), instead of
  FastAPI's 422 "Input should be a valid integer". Every route gets this, whatever its annotation says.

Bodies are not read here: that waits for authentication and the size limits (web/limits.py).
"""

from __future__ import annotations

import types
import typing
from urllib.parse import urlencode

from fastapi import Request
from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.datastructures import QueryParams

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg

MAX_INT = 2**31 - 1  # PostgreSQL `integer`, the type of every id column (SQLite's integers are wider)


class BoundedIntConvertor(IntegerConvertor):
    """`{name:int}` in a path, without Starlette's crash on a number of more than 4,300 digits (Python refuses
    to convert it: a ValueError while routing, a 500). A number that long becomes one just out of range, which
    `parameters_in_range` then answers with its 404."""

    def convert(self, value: str) -> int:
        return int(value) if len(value) <= 20 else MAX_INT + 1


# Registered when ipcity.web is imported (web/__init__.py), before any route module declares a path.
register_url_convertor("int", BoundedIntConvertor())


def _is_int(annotation) -> bool:
    """`int`, `int | None`, `Annotated[int, …]`: a parameter FastAPI converts to a Python int."""
    if annotation is int:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_int(a) for a in typing.get_args(annotation))
    return False


def _as_int(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:  # not a number (FastAPI's own validation answers), or more than 4,300 digits
        return MAX_INT + 1 if raw.strip().lstrip("+-").isdigit() else None


def _int_fields(request: Request, kind: str):
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    for field in getattr(dependant, kind, ()) if dependant is not None else ():
        if _is_int(field.field_info.annotation):
            yield field


def _out_of_range(value: int | None) -> bool:
    return value is not None and not -MAX_INT - 1 <= value <= MAX_INT


async def parameters_in_range(request: Request) -> None:
    """Runs on the event loop (no I/O): a sync dependency would cost every request a thread-pool hop."""
    for name, raw in request.path_params.items():
        if isinstance(raw, str) and "\x00" in raw:
            raise NotFound(Msg("Not found: the path contains a NUL character"), field=name)
    for key, raw in request.query_params.multi_items():
        if "\x00" in key or "\x00" in raw:
            raise DomainError(Msg("Text may not contain the NUL character"), field=key.replace("\x00", ""))
    for field in _int_fields(request, "path_params"):
        raw = request.path_params.get(field.name)  # a string, or an int where the path says {name:int}
        if _out_of_range(raw if isinstance(raw, int) else _as_int(raw) if isinstance(raw, str) else None):
            raise NotFound(Msg("Not found: the number is out of range"), field=field.name)
    empty = set()
    for field in _int_fields(request, "query_params"):
        name = field.field_info.alias or field.name
        raws = request.query_params.getlist(name)
        if any(not raw.strip() for raw in raws):
            empty.add(name)
        if any(_out_of_range(_as_int(raw)) for raw in raws if raw.strip()):
            raise DomainError(Msg("The number is out of range"), field=name)
    if empty:
        _drop_empty_values(request, empty)


def _drop_empty_values(request: Request, names: set[str]) -> None:
    """Leave the empty values of `names` out of the query the route's parameters are read from. FastAPI reads
    them, after the application's dependencies (this one first), from this same request's `query_params`; the
    scope is changed too, so that `request.url` and a later `Request` of the scope agree."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in names or v.strip()]
    query = urlencode(kept)
    request.scope["query_string"] = query.encode()  # urlencode's output is ASCII
    request._query_params = QueryParams(query)  # Starlette caches the parsed query here (HTTPConnection)
