"""What a navigation topic is, and the checks a topic definition must pass before a run may start.

Plain Python: no web, no SQL. The kinds of navigation follow GB/T 39551 parts 2–6 (rules.md §7).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.numbers import NumberError, parse_cn_application, parse_publication

# GB/T 39551.2–.6-2020: the five kinds of patent navigation (rules.md §7 "Series").
NAV_TYPES: dict[str, Msg] = {
    "regional": Msg("Regional planning (区域规划类, GB/T 39551.2)"),
    "industry": Msg("Industry planning (产业规划类, GB/T 39551.3)"),
    "enterprise": Msg("Enterprise operation (企业经营类, GB/T 39551.4)"),
    "rnd": Msg("R&D activities (研发活动类, GB/T 39551.5)"),
    "talent": Msg("Talent management (人才管理类, GB/T 39551.6)"),
}

# How the patents of a topic are chosen.
TOPIC_KINDS: dict[str, Msg] = {
    "query": Msg("Search query (检索式)"),
    "ipc": Msg("IPC codes (IPC 分类号)"),
    "sei": Msg("Strategic emerging industry (战略性新兴产业)"),
    "numbers": Msg("List of publication numbers (公开号清单)"),
}

MAX_NUMBERS = 200_000  # an uploaded list longer than this is refused rather than silently cut
MAX_IPC_CODES = 200
EARLIEST_YEAR = 1900
_SPLIT = re.compile(r"[\s,;，；、]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
_IPC_SYMBOL = re.compile(r"\b[A-Ha-h]\d{2}[A-Za-z](?:\s*\d{1,4}\s*/\s*\d{1,6})?\b")


@dataclass
class TopicDefinition:
    """A topic as saved and as a run snapshots it (stored as JSON: plain fields only)."""

    kind: str
    nav_type: str = "industry"
    query: str = ""
    ipc_codes: list[str] = field(default_factory=list)
    sei_code: str = ""
    numbers: list[str] = field(default_factory=list)  # formatted publication or application numbers
    # NBS division code (2/4/6 digits) for Chinese applicants, or a country of origin (FR); "" = no focus.
    focus_region: str = ""
    start_year: int | None = None  # application years, inclusive
    end_year: int | None = None
    sei_keywords: bool = False  # also require the concordance's keywords in the text (stricter, see sei.py)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> TopicDefinition:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def split_ipc_codes(text: str) -> list[str]:
    """IPC symbols as typed: separated by commas, semicolons, new lines or spaces, where a space may also sit
    inside one symbol (H01M 10/0525). Whatever is not a symbol is kept as a piece, so the check can name it."""
    found: list[str] = []
    for part in re.split(r"[,;，；、\n]+", text or ""):
        rest = _IPC_SYMBOL.sub(lambda m: found.append(m.group(0)) or " ", part)
        found.extend(piece for piece in rest.split() if piece)
    return found


def is_checked(value) -> bool:
    """A checkbox or JSON flag as forms and the API send it: on, 1, true, yes (any case) or True."""
    return str(value or "").lower() in ("1", "true", "on", "yes")


def is_country(code: str) -> bool:
    """A focus given as a country or office code (ST.3 / ISO 3166 alpha-2, upper case), e.g. FR, US, CN."""
    return bool(_COUNTRY.fullmatch(code or ""))


def split_numbers(text: str) -> list[str]:
    """Numbers as pasted or uploaded: one per line, or separated by commas, semicolons or spaces.

    A number written with spaces (CN 218751475 U) is kept whole when a line holds only it."""
    found: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip().strip("\ufeff")
        if not line:
            continue
        parts = [p for p in re.split(r"[,;，；、\t]+", line) if p.strip()]
        for part in parts:
            part = part.strip()
            found.extend([part] if _is_number(part) else [p for p in _SPLIT.split(part) if p])
    return found


def _is_number(text: str) -> bool:
    try:
        parse_publication(text)
        return True
    except NumberError:
        pass
    try:
        parse_cn_application(text)
        return True
    except NumberError:
        return False


def normalise_number(text: str) -> str:
    """A publication number (CN218751475U, or without kind: CN218751475) or a CN application number
    (2023102345678 form), as the register stores it. NumberError when it is neither."""
    try:
        return parse_publication(text).formatted
    except NumberError:
        return parse_cn_application(text).formatted


def validate(data: dict, *, current_year: int, ipc_ok, sei_ok, region_ok, query_check) -> TopicDefinition:
    """Check a topic definition as posted (strings) and return it cleaned; DomainError listing every problem.

    The checks that need reference data are passed in (ipc_ok(code)->normalised code or None,
    sei_ok(code)->bool, region_ok(code)->bool, query_check(text)->Msg|None) so that this stays plain Python.
    """
    problems: list[tuple[str, Msg]] = []
    kind = (data.get("kind") or "").strip()
    nav_type = (data.get("nav_type") or "industry").strip()
    if kind not in TOPIC_KINDS:
        problems.append(("kind", Msg("Choose how the patents of the topic are selected")))
    if nav_type not in NAV_TYPES:
        problems.append(("nav_type", Msg("Unknown kind of navigation: {value}", value=nav_type)))
    definition = TopicDefinition(kind=kind, nav_type=nav_type)

    if kind == "query":
        definition.query = (data.get("query") or "").strip()
        if not definition.query:
            problems.append(("query", Msg("Enter a search query")))
        elif (error := query_check(definition.query)) is not None:
            problems.append(("query", error))
    elif kind == "ipc":
        raw = data.get("ipc_codes") or ""
        codes = split_ipc_codes(raw) if isinstance(raw, str) else [str(c) for c in raw]
        if not codes:
            problems.append(("ipc_codes", Msg("Enter at least one IPC code, e.g. H01M or H01M10/0525")))
        if len(codes) > MAX_IPC_CODES:
            problems.append(("ipc_codes", Msg("At most {n} IPC codes", n=MAX_IPC_CODES)))
        for code in codes[:MAX_IPC_CODES]:
            normalised = ipc_ok(code)
            if normalised is None:
                problems.append(("ipc_codes", Msg("{code} is not an IPC code", code=code)))
            elif normalised not in definition.ipc_codes:
                definition.ipc_codes.append(normalised)
    elif kind == "sei":
        definition.sei_code = (data.get("sei_code") or "").strip()
        definition.sei_keywords = is_checked(data.get("sei_keywords"))
        if not sei_ok(definition.sei_code):
            problems.append(("sei_code", Msg("Choose an industry of the strategic emerging industries list")))
    elif kind == "numbers":
        raw = data.get("numbers") or ""
        given = split_numbers(raw) if isinstance(raw, str) else [str(n) for n in raw]
        if not given:
            problems.append(("numbers", Msg("Paste or upload at least one publication number")))
        if len(given) > MAX_NUMBERS:
            problems.append(("numbers", Msg("At most {n} numbers per topic", n=MAX_NUMBERS)))
        bad: list[str] = []
        seen: set[str] = set()
        for text in given[:MAX_NUMBERS]:
            try:
                number = normalise_number(text)
            except NumberError:
                bad.append(text)
                continue
            if number not in seen:
                seen.add(number)
                definition.numbers.append(number)
        if bad:
            problems.append(("numbers", Msg("{n} numbers could not be read, e.g. {examples}", n=len(bad),
                                            examples="、".join(bad[:5]))))

    definition.focus_region = (data.get("focus_region") or "").strip()
    if definition.focus_region and not region_ok(definition.focus_region):
        problems.append(("focus_region", Msg("{code} is neither a division code of the national table nor a "
                                             "two-letter country code",
                                             code=definition.focus_region)))
    for name in ("start_year", "end_year"):
        value = data.get(name)
        if value in (None, ""):
            continue
        try:
            year = int(str(value).strip())
        except ValueError:
            problems.append((name, Msg("Enter a year such as 2015")))
            continue
        if not EARLIEST_YEAR <= year <= current_year:
            problems.append((name, Msg("The year must be between {a} and {b}", a=EARLIEST_YEAR, b=current_year)))
            continue
        setattr(definition, name, year)
    if definition.start_year and definition.end_year and definition.start_year > definition.end_year:
        problems.append(("end_year", Msg("The period ends before it starts")))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    return definition
