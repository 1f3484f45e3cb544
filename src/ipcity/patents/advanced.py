"""The advanced search form (高级检索): rows of field, value and operator, date ranges, type, status, applicant,
region and IPC, turned into one expression of the query language (search/query.py), which the search page then
runs, so that people see the expression their form makes and learn the language.

`build_expression` is pure: every value becomes a node of the query tree (a Term, Phrase, Prefix or DateRange)
and the whole is written out by `query.to_text`, which escapes and quotes whatever the value holds, so the
expression always parses back to what the form said (quotes, parentheses, "-", "=" in a value are text). Rows join
left to right, as a form is read: row 1, then AND/OR/NOT row 2, then … (`a OR b AND c` in the form is `(a OR b)
AND c`); the other conditions are then added with AND.

Also here: the IPC browser's reading of the scheme (ipc.py) and the suggestions of the applicant, region and IPC
pickers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from ipcity.core.errors import DomainError
from ipcity.core.forms import form_day
from ipcity.core.i18n import Msg
from ipcity.patents import record
from ipcity.patents.ipc import SUBGROUP, IpcError, normalise_ipc, parts, scheme
from ipcity.patents.regions import CITY, PROVINCE, regions
from ipcity.patents.search import fields
from ipcity.patents.search.ast import And, DateRange, MatchAll, Node, Not, Or, Phrase, Prefix, Term
from ipcity.patents.search.contract import SearchRequest
from ipcity.patents.search.query import MAX_QUERY_CHARS, QuerySyntaxError, parse, to_text

OPERATORS = ("AND", "OR", "NOT")
DEFAULT_ROWS = 4
MAX_ROWS = 12
MAX_VALUE_CHARS = 200  # one value of the form; the expression as a whole is bounded by the search's own limit
MAX_PREFIX_CHARS = 50  # what a picker's suggestion request may send
MAX_SUGGESTIONS = 20

# The field menu's groups, in the order the CNIPA form shows them.
TEXT_FIELDS = ("tac", "title", "abstract", "claims", "description", "fulltext")
NAME_FIELDS = ("applicant", "inventor", "agency")
CLASS_FIELDS = ("ipc", "ipc_main", "cpc", "locarno")
NUMBER_FIELDS = ("app_number", "pub_number")
OTHER_FIELDS = ("type", "status", "region", "office")
DATE_FIELDS = ("app_date", "pub_date", "grant_date")
FIELD_GROUPS: tuple[tuple[Msg, tuple[fields.Field, ...]], ...] = tuple(
    (label, tuple(fields.BY_NAME[n] for n in names)) for label, names in (
        (Msg("Text"), TEXT_FIELDS), (Msg("Names"), NAME_FIELDS), (Msg("Classification"), CLASS_FIELDS),
        (Msg("Numbers"), NUMBER_FIELDS), (Msg("Type, status and region"), OTHER_FIELDS),
        (Msg("Dates"), DATE_FIELDS)))
DEFAULT_FIELDS = ("TX", "TI", "PA", "IPC")  # what the empty form's rows offer first

# The type and status checkboxes write the Chinese names the CNIPA system uses (keywords.py reads both).
TYPE_VALUES = {record.INVENTION: "发明", record.UTILITY: "实用新型", record.DESIGN: "外观设计"}
STATUS_VALUES = {record.VALID: "有效", record.LAPSED: "失效", record.PENDING: "审中"}

_OPEN_QUOTES, _CLOSE_QUOTES = '"“＂', '"”＂'
_COMPARISON = re.compile(r"^\s*(>=|<=|＞＝|＜＝|≥|≤|>|<|＞|＜)")


@dataclass(frozen=True)
class Row:
    """One row of the form: a field (code, Chinese name or canonical name), a value, and how the row joins the
    rows above it (AND, OR or NOT; the first row: AND, or NOT to exclude)."""

    field: str = "TX"
    value: str = ""
    op: str = "AND"


@dataclass
class Criteria:
    """Everything the form holds, as typed (what the page shows again when something is wrong)."""

    rows: list[Row] = field(default_factory=list)
    app_from: str = ""
    app_to: str = ""
    pub_from: str = ""
    pub_to: str = ""
    types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    applicant: str = ""
    region: str = ""
    ipc: str = ""

    def shown_rows(self, wanted: int = DEFAULT_ROWS) -> list[Row]:
        """The rows with a value, then empty ones: `wanted` rows in all, and at least one empty row (at most
        MAX_ROWS)."""
        filled = [r for r in self.rows if r.value.strip()][:MAX_ROWS]
        count = min(MAX_ROWS, max(wanted, len(filled) + 1))
        return filled + [Row(DEFAULT_FIELDS[i] if i < len(DEFAULT_FIELDS) else "TX") for i in range(len(filled), count)]


def criteria_from(rows_field: Sequence[str], rows_value: Sequence[str], rows_op: Sequence[str], **others) -> Criteria:
    """The form's parallel lists (field=…&value=…&op=… once per row, in order) as Criteria: the rows with a value,
    in order (so that the n-th row the page shows again is the n-th row problems name)."""
    rows = []
    for i, value in enumerate(rows_value):
        if not str(value).strip():
            continue
        name = rows_field[i] if i < len(rows_field) else "TX"
        op = rows_op[i] if i < len(rows_op) else "AND"
        rows.append(Row(str(name)[:40], str(value), str(op)[:8]))
        if len(rows) > MAX_ROWS:  # one more than allowed, for the form to say so
            break
    kept = {k: v for k, v in others.items() if k in Criteria.__dataclass_fields__ and k != "rows"}
    for key in ("types", "statuses"):
        kept[key] = [str(v)[:16] for v in kept.get(key, [])][:10]
    return Criteria(rows=rows, **{k: (v if isinstance(v, list) else str(v or "")) for k, v in kept.items()})


class FormProblems(DomainError):
    """What is wrong with the form: a problem per field (the row's value is `value-<n>`, n from 1)."""


def build_expression(rows: Sequence[Row] = (), *, app_from: str = "", app_to: str = "", pub_from: str = "",
                     pub_to: str = "", types: Sequence[str] = (), statuses: Sequence[str] = (), applicant: str = "",
                     region: str = "", ipc: str = "", max_chars: int = MAX_QUERY_CHARS) -> str:
    """The expression of the form's conditions; raises FormProblems naming each field at fault.

    The result always parses with `query.parse(result, max_chars)`, to a tree that means what the form says."""
    problems: list[tuple[str | None, Msg]] = []
    node = _rows_node(rows, problems)
    extras: list[Node] = []
    for field_name, low_text, high_text, low_name, high_name in (
            ("app_date", app_from, app_to, "app_from", "app_to"), ("pub_date", pub_from, pub_to, "pub_from", "pub_to")):
        dated = _date_range(field_name, low_text, high_text, low_name, high_name, problems)
        if dated is not None:
            extras.append(dated)
    extras += _choices("type", types, TYPE_VALUES, "types", problems)
    extras += _choices("status", statuses, STATUS_VALUES, "statuses", problems)
    for name, field_name, value in (("applicant", "applicant", applicant), ("ipc", "ipc", ipc)):
        leaf = _leaf(fields.BY_NAME[field_name], value, name, problems)
        if leaf is not None:
            extras.append(leaf)
    if region.strip():
        code = region_code(region)
        if code is None:
            problems.append(("region", Msg("Unknown region {value}: choose one from the list, or write its code",
                                           value=region.strip()[:40])))
        else:
            extras.append(Term("region", code))
    if problems:
        raise FormProblems(Msg("The form could not be turned into a search"), problems=problems)
    parts = ([node] if node is not None else []) + extras
    if not parts:
        raise FormProblems(Msg("Fill in at least one condition"), field="value-1")
    whole = parts[0] if len(parts) == 1 else And(tuple(parts))
    text = to_text(whole)
    try:
        parse(text, max_chars=max_chars)
    except QuerySyntaxError as exc:  # too long as a whole (each part parsed on its own already)
        raise FormProblems(Msg("The search is too long: at most {max} characters", max=max_chars)) from exc
    return text


def _rows_node(rows: Sequence[Row], problems: list) -> Node | None:
    node: Node | None = None
    for i, row in enumerate(list(rows)[:MAX_ROWS * 2], start=1):
        if not row.value.strip():
            continue
        if i > MAX_ROWS:
            problems.append((f"value-{i}", Msg("At most {max} rows", max=MAX_ROWS)))
            break
        op = row.op.upper().strip()
        if op not in OPERATORS:
            problems.append((f"op-{i}", Msg("Unknown operator {value}: use AND, OR or NOT", value=row.op[:8])))
            continue
        f = fields.lookup(row.field)
        if f is None:
            problems.append((f"field-{i}", Msg("Unknown field {value}", value=row.field[:40])))
            continue
        leaf = _leaf(f, row.value, f"value-{i}", problems)
        if leaf is None:
            continue
        if node is None:
            node = Not(leaf) if op == "NOT" else leaf
        elif op == "AND":
            node = And((node, leaf))
        elif op == "OR":
            node = Or((node, leaf))
        else:
            node = And((node, Not(leaf)))
    return node


def _leaf(f: fields.Field, raw: str, name: str, problems: list) -> Node | None:
    """The node of one value in field `f`: "…" a phrase (an exact name on a name field), a trailing * a prefix on a
    keyword field, a date, a range or a comparison on a date field; anything else the value as typed."""
    value = unicodedata.normalize("NFC", raw or "").strip()
    if not value:
        return None
    if len(value) > MAX_VALUE_CHARS:
        problems.append((name, Msg("At most {max} characters", max=MAX_VALUE_CHARS)))
        return None
    if f.kind == fields.DATE:
        return _date_leaf(f, value, name, problems)
    star = f.kind == fields.KEYWORD and value.endswith("*")
    if star:
        value = value.rstrip("*").strip()
    quoted = len(value) >= 2 and value[0] in _OPEN_QUOTES and value[-1] in _CLOSE_QUOTES
    if quoted:
        value = value[1:-1].strip()
    if not value:
        problems.append((name, Msg("The value is empty")))
        return None
    node: Node = Prefix(f.name, value) if star else Phrase(f.name, value) if quoted else Term(f.name, value)
    return _checked(node, name, problems)


def _not_valid(exc: QuerySyntaxError) -> Msg:
    """The parser's own reason, in Chinese and in English whatever the page's language."""
    return Msg("Not a valid value: {zh} / {en}", zh=exc.message_zh, en=exc.message_en)


def _checked(node: Node, name: str, problems: list) -> Node | None:
    """The node, if its text parses (a prefix or a class too long for the engine does not)."""
    try:
        parse(to_text(node))
    except QuerySyntaxError as exc:
        problems.append((name, _not_valid(exc)))
        return None
    return node


def _date_leaf(f: fields.Field, value: str, name: str, problems: list) -> Node | None:
    """A date, a month, a year, a range (2020~2022, [2020 TO 2022]) or a comparison (>=2020) in a date field,
    read by the query parser itself; anything that does not read as one date condition is refused."""
    code = f.aliases[0]
    text = f"{code}{value}" if _COMPARISON.match(value) else f"{code}={value}"
    try:
        node = parse(text)
    except QuerySyntaxError as exc:
        problems.append((name, _not_valid(exc)))
        return None
    if not isinstance(node, DateRange):
        problems.append((name, Msg("'{value}' is not a date; write it YYYY-MM-DD", value=value[:20])))
        return None
    return node


def _date_range(field_name: str, low_text: str, high_text: str, low_name: str, high_name: str,
                problems: list) -> DateRange | None:
    before = len(problems)
    low, high = form_day(low_text, low_name, problems), form_day(high_text, high_name, problems)
    if len(problems) > before or (low is None and high is None):
        return None
    if low is not None and high is not None and high < low:
        problems.append((high_name, Msg("The end date is before the start date")))
        return None
    return DateRange(field_name, low, high)


def _choices(field_name: str, chosen: Sequence[str], known: dict[str, str], name: str, problems: list) -> list[Node]:
    values = list(dict.fromkeys(v for v in chosen if v))
    unknown = [v for v in values if v not in known]
    if unknown:
        problems.append((name, Msg("Unknown choice {value}", value=unknown[0][:16])))
        return []
    if not values or len(values) == len(known):  # none, or all of them: no condition
        return []
    terms = [Term(field_name, known[v]) for v in values]
    return [terms[0] if len(terms) == 1 else Or(tuple(terms))]


def region_code(value: str) -> str | None:
    """The division code a region picker's value names: a code (310115) or a name (浦东新区, 上海); None if none."""
    value = (value or "").strip()
    if not value:
        return None
    head = value.split()[0]  # "310115 上海市浦东新区", as a suggestion reads
    if head.isdigit():
        return head if head in regions() else None
    return regions().code_of(value)


def search_url(q: str, mode: str = "lexical", filters: dict | None = None, strict: bool = False) -> str:
    """The search page's address for a query, its mode and its facet filters (f=name:value); `strict` runs it
    as an expression (as=expression) whatever the search box would make of it: what this form writes, and what
    an alert ran."""
    params = [("q", q)]
    if mode and mode != "lexical":
        params.append(("mode", mode))
    if strict:
        params.append(("as", "expression"))
    params += [("f", f"{name}:{v}") for name, values in (filters or {}).items() for v in values]
    return "/patents?" + urlencode(params)


def describe_node(text: str) -> Node:
    """The tree of an expression this module built (for the page that shows it)."""
    return parse(text) if text else MatchAll()


# --- the IPC browser -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IpcEntry:
    code: str
    title_zh: str
    title_en: str
    level: str
    has_children: bool


def ipc_entry(code: str) -> IpcEntry:
    s = scheme()
    return IpcEntry(code, s.title(code, "zh", fallback=False), s.title(code, "en", fallback=False),
                    s.level(code) or "", s.level(code) != SUBGROUP and bool(s.children(code)))


def ipc_code(text: str) -> str | None:
    """The scheme's symbol for what a person typed (h01m 10/0525, H01M), None when it is not one of the scheme."""
    try:
        code = normalise_ipc(text)
    except IpcError:
        return None
    return code if scheme().exists(code) else None


def ipc_path(code: str) -> list[IpcEntry]:
    """Section, class, subclass, main group and the symbol itself: the browser's breadcrumbs."""
    p = parts(code)
    chain = [c for c in dict.fromkeys((p.section, p.ipc_class, p.subclass, p.main_group, p.full)) if c]
    return [ipc_entry(c) for c in chain if scheme().exists(c)]


def ipc_children(code: str = "") -> list[IpcEntry]:
    return [ipc_entry(c) for c in scheme().children(code)]


@cache
def _folded_titles() -> tuple[tuple[str, str, str], ...]:
    """Every symbol with its Chinese and English titles folded for searching (built once per process)."""
    s = scheme()

    def fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text).casefold()

    return tuple((code, fold(s.title(code, "zh", fallback=False)), fold(s.title(code, "en", fallback=False)))
                 for code in s.codes())


MAX_IPC_QUERY = 100
IPC_RESULTS = 50


def ipc_search(words: str, limit: int = IPC_RESULTS) -> list[IpcEntry]:
    """Symbols whose Chinese or English title contains every word, in scheme order, at most `limit`."""
    needles = [unicodedata.normalize("NFKC", w).casefold() for w in words[:MAX_IPC_QUERY].split() if w.strip()]
    if not needles:
        return []
    found = []
    for code, zh, en in _folded_titles():
        if all(n in zh for n in needles) or all(n in en for n in needles):
            found.append(code)
            if len(found) >= limit:
                break
    return [ipc_entry(c) for c in found]


# --- the pickers' suggestions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    value: str
    label: str
    count: int | None = None


def suggest_regions(prefix: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Provinces, cities and districts whose name or code starts with `prefix` (provinces first)."""
    prefix = unicodedata.normalize("NFKC", prefix or "").strip()
    if not prefix:
        return []
    r = regions()
    out: list[Suggestion] = []
    for code in _divisions_in_order():
        name = r.name(code)
        if name.startswith(prefix) or code.startswith(prefix) or r.full_name(code).startswith(prefix):
            out.append(Suggestion(code, r.full_name(code)))
            if len(out) >= limit:
                break
    return out


@cache
def _divisions_in_order() -> tuple[str, ...]:
    """Every division's code, provinces first, then cities, then districts (grouping rows left out)."""
    r = regions()
    provinces = r.children("")
    cities = [c for p in provinces for c in r.children(p)]
    districts = [d for c in cities for d in r.children(c)]
    return tuple(c for c in (*provinces, *cities, *districts) if not r.is_grouping(c))


def region_choices() -> list[Suggestion]:
    """Provinces and prefecture-level cities, for the region picker's list when no script asks for more."""
    r = regions()
    out = []
    for province in r.children(""):
        out.append(Suggestion(province, r.name(province)))
        out += [Suggestion(c, r.full_name(c)) for c in r.children(province)
                if r.division(c).level == CITY and not r.is_grouping(c)]
    return [s for s in out if r.division(s.value).level in (PROVINCE, CITY)]


def suggest_applicants(engine, prefix: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Applicants in the search index whose name starts with `prefix`, most patents first: the applicant facet of
    the patents a prefix search (PA=prefix*) finds, less their co-applicants of other names."""
    folded = unicodedata.normalize("NFKC", prefix or "").strip().upper()
    if not folded or len(folded) > MAX_PREFIX_CHARS:
        return []
    request = SearchRequest(query=Prefix("applicant", folded), facets=("applicant",), facet_size=limit * 5, limit=0)
    page = engine.search(request)
    counts = page.facets.get("applicant", [])
    return [Suggestion(c.value, c.value, c.count) for c in counts if c.value.upper().startswith(folded)][:limit]


def suggest_ipc(prefix: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """IPC symbols starting with `prefix` (upper-cased, spaces removed), with their Chinese titles."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", prefix or "")).upper()
    if not folded:
        return []
    s = scheme()
    out = []
    for code in s.codes():
        if code.startswith(folded):
            out.append(Suggestion(code, s.title(code, "zh", fallback=False)))
            if len(out) >= limit:
                break
    return out
