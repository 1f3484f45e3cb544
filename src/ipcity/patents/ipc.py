"""IPC symbols and the IPC scheme (rules.md §12.7: section → class → subclass → main group → subgroup).

`normalise_ipc` turns any usual spelling of a symbol into the canonical one (`H01M10/0525`);
`scheme()` gives the shipped IPC 2026.01 scheme with Chinese titles (and English titles down to
subclass from an older edition), loaded once per process.
"""

from __future__ import annotations

import enum
import gzip
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

SECTION, CLASS, SUBCLASS, MAIN_GROUP, SUBGROUP = "section", "class", "subclass", "main_group", "subgroup"
_ZH_LEVELS = {"部": SECTION, "大类": CLASS, "小类": SUBCLASS, "主组": MAIN_GROUP, "分组": SUBGROUP}


class IpcError(ValueError):
    """A malformed IPC symbol; the message says why, in Chinese then English."""

    def __init__(self, zh: str, en: str, text: str = ""):
        self.zh = zh
        self.en = en
        self.text = text
        super().__init__(f"{zh} / {en}" + (f": {text!r}" if text else ""))


class IpcStatus(enum.StrEnum):
    """How a well-formed symbol stands against the shipped schemes (see `IpcScheme.validate`)."""

    VALID = "valid"  # the symbol itself is in the IPC 2026.01 scheme
    OLD_EDITION = "old_edition"  # its subclass is gone from 2026.01 but existed in an older edition (H01L)
    UNKNOWN = "unknown"  # not in 2026.01, and not known to be from an older edition


# Section letter A–H; Y is accepted as well so that CPC symbols (Y02E10/50) normalise the same way.
_SLASHED = re.compile(r"([A-HY])\s*(\d\d)\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})")
_UPPER = re.compile(r"([A-HY])(?:(\d\d)([A-Z])?)?")
_COMPACT = re.compile(r"([A-HY]\d\d[A-Z])(\d{5,10})")  # subclass + main group + subgroup digits, no slash
_SYMBOL_INSIDE = re.compile(r"[A-HY]\s*\d\d\s*[A-Z]")


def _fold(text: str) -> str:
    if not isinstance(text, str):
        raise IpcError("IPC 分类号必须是文本", "an IPC symbol must be text", repr(text))
    return unicodedata.normalize("NFKC", text).upper().strip()


def _group(subclass: str, main: str, sub: str, text: str) -> str:
    main = main.lstrip("0")
    if not main:
        raise IpcError("IPC 主组号不能为 0", "the main group number cannot be 0", text)
    sub = sub.rstrip("0").ljust(2, "0")  # subgroups are written with at least 2 digits (10/00, 10/05)
    return f"{subclass}{main}/{sub}"


def normalise_ipc(text: str) -> str:
    """The canonical form of an IPC (or CPC) symbol: `H01M10/0525`, `H01M`, `H01`, `H`.

    Accepts spaces (`H01M 10/0525`), edition suffixes (`H01M 10/05 (2010.01)`, `[2006.01]`, `20060101`),
    full-width characters, lower case, and the slash-less fixed-width forms of exports: 14 characters
    as in WIPO ST.8 (`H01M0010052500`: 4-digit main group, 6-digit subgroup) and the shorter form of
    some landscape exports (`C07D41700`, `A61K031426`: subclass, 3- or 4-digit main group, subgroup).
    Raises IpcError on anything else.
    """
    folded = _fold(text)
    slashed = _SLASHED.match(folded)
    if slashed:
        rest = folded[slashed.end():]
        if rest and (rest[0] not in " ([" or "/" in rest or _SYMBOL_INSIDE.search(rest)):
            raise IpcError("IPC 分类号后有多余内容", "unexpected text after the IPC symbol", str(text))
        section, cls, letter, main, sub = slashed.groups()
        return _group(f"{section}{cls}{letter}", main, sub, str(text))
    compact = re.sub(r"\s+", "", folded)
    upper = _UPPER.fullmatch(compact)
    if upper:
        return compact
    digits = _COMPACT.fullmatch(compact)
    if digits:
        return _resolve_compact(digits[1], digits[2], str(text))
    raise IpcError("不是有效的 IPC 分类号（应如 H01M10/0525）", "not an IPC symbol (e.g. H01M10/0525)", str(text))


def _resolve_compact(subclass: str, digits: str, text: str) -> str:
    """Split slash-less digits into main group and subgroup.

    Ten digits are the ST.8 layout (4 + 6). Shorter runs come with a 3- or 4-digit main group
    (C07D41700 is C07D417/00, G01N0033573 is G01N33/573); where both readings are possible the one
    the 2026 scheme knows wins, else the 3-digit reading.
    """
    if len(digits) == 10:
        return _group(subclass, digits[:4], digits[4:], text)
    candidates = []
    for width in (3, 4):
        main, sub = digits[:width], digits[width:]
        if 2 <= len(sub) <= 6 and main.lstrip("0"):
            candidates.append(_group(subclass, main, sub, text))
    if not candidates:
        raise IpcError("无法拆分 IPC 分类号的主组和分组", "cannot split the digits into main group and subgroup",
                       text)
    if len(candidates) == 1:
        return candidates[0]
    known = scheme()

    def score(symbol: str) -> int:
        return 2 if known.exists(symbol) else 1 if known.exists(parts(symbol).main_group) else 0

    return max(candidates, key=score)  # max keeps the first (3-digit) reading on a tie


@dataclass(frozen=True)
class IpcParts:
    """The levels of one symbol; levels below the symbol's own are ""."""

    section: str  # H
    ipc_class: str  # H01
    subclass: str  # H01M
    main_group: str  # H01M10/00
    full: str  # H01M10/0525
    level: str  # SECTION / CLASS / SUBCLASS / MAIN_GROUP / SUBGROUP


def parts(symbol: str) -> IpcParts:
    """Section, class, subclass and main group of a symbol in any spelling normalise_ipc accepts."""
    full = normalise_ipc(symbol)
    if "/" in full:
        main_group = full.split("/", 1)[0] + "/00"
        level = MAIN_GROUP if full == main_group else SUBGROUP
        return IpcParts(full[0], full[:3], full[:4], main_group, full, level)
    level = {1: SECTION, 3: CLASS, 4: SUBCLASS}[len(full)]
    return IpcParts(full[0], full[:3] if len(full) >= 3 else "", full[:4] if len(full) == 4 else "", "", full,
                    level)


def _ancestors(p: IpcParts) -> list[str]:
    """The symbol and its ancestors, nearest first."""
    return [c for c in dict.fromkeys((p.full, p.main_group, p.subclass, p.ipc_class, p.section)) if c]


# Notes the Chinese edition appends to some titles (注意：… / 注意 1.… / " 1．该小类…") and edition marks (〔4〕, [4]).
_NOTE = re.compile(r"(?:注意|附注)\s*[：:1１].*$|\s+1[．.]\s*\S.*$", re.S)
_EDITION_MARK = re.compile(r"\s*[〔\[]\s*\d{1,4}(?:\.\d{2})?\s*[〕\]]")
# Some English titles carry the markup of the page they were taken from ('… 2006.01" href="#" onclick=…>').
_SCRAPED_MARKUP = re.compile(r"\s*(?:\d{4}\.\d{2})?\"\s+href=.*?>", re.S)


def clean_title(title: str) -> str:
    """A scheme title without appended notes and edition marks."""
    return _EDITION_MARK.sub("", _NOTE.sub("", _SCRAPED_MARKUP.sub("", title))).strip()


class IpcScheme:
    """The IPC scheme: 2026.01 symbols with Chinese titles, English titles down to subclass."""

    def __init__(self, zh_rows: Iterable[tuple[str, str, str]], en_rows: Iterable[tuple[str, str]] = ()):
        """`zh_rows`: (code, level, title) with level one of the module's level names; `en_rows`: (code, title)."""
        self._zh: dict[str, str] = {}
        self._level: dict[str, str] = {}
        self._children: dict[str, list[str]] = {}
        for code, level, title in zh_rows:
            self._zh[code] = title
            self._level[code] = level
            self._children.setdefault(_parent(code, level), []).append(code)
        self._en: dict[str, str] = dict(en_rows)

    @classmethod
    def from_files(cls, zh_path, en_path=None) -> IpcScheme:
        """Read the shipped table formats: TSV `code, level, title_zh` and `code, kind, title_en` (gzipped)."""
        return cls(_read_zh(zh_path), _read_en(en_path) if en_path else ())

    def __len__(self) -> int:
        return len(self._zh)

    def codes(self) -> list[str]:
        """Every 2026.01 symbol, in scheme order."""
        return list(self._zh)

    def level(self, symbol: str) -> str | None:
        """The level of a symbol of the 2026.01 scheme, None when it is not in it."""
        return self._level.get(_try_normalise(symbol) or "")

    def exists(self, symbol: str) -> bool:
        """Whether the symbol is in the IPC 2026.01 scheme; False for a malformed one."""
        code = _try_normalise(symbol)
        return code is not None and code in self._zh

    def title(self, symbol: str, lang: str = "zh", *, fallback: bool = True) -> str:
        """The title of the symbol, or of its nearest ancestor that has one in `lang` ("" if none).

        Chinese titles exist for (nearly) every 2026.01 symbol; English ones only down to subclass
        (older edition). Notes appended to titles are left out. `fallback=False`: the symbol's own title only.
        """
        table = self._titles(lang)
        p = parts(symbol)
        for code in _ancestors(p) if fallback else [p.full]:
            title = clean_title(table.get(code, ""))
            if title:
                return title
        return ""

    def validate(self, symbol: str) -> IpcStatus:
        """VALID if the symbol is in 2026.01; OLD_EDITION if its subclass is not in 2026.01 but is in the
        older English edition (H01L, split into H10* in 2026.01); UNKNOWN otherwise — a subgroup or main
        group the 2026 scheme lacks (a typo, or a group of an older edition: the older edition is shipped
        down to subclass only, so such groups cannot be told apart). Raises IpcError if malformed."""
        p = parts(symbol)
        if p.full in self._zh:
            return IpcStatus.VALID
        if p.subclass and p.subclass not in self._zh and p.subclass in self._en:
            return IpcStatus.OLD_EDITION
        if p.level == CLASS and p.ipc_class in self._en:
            return IpcStatus.OLD_EDITION
        return IpcStatus.UNKNOWN

    def children(self, prefix: str = "") -> list[str]:
        """Direct children in scheme order: sections for "", classes of a section, subclasses of a class,
        main groups of a subclass, and all subgroups of a main group (the source has no subgroup indentation,
        so subgroups are not nested further). [] for a subgroup or a symbol not in the scheme."""
        if not prefix:
            return list(self._children.get("", []))
        return list(self._children.get(normalise_ipc(prefix), []))

    def search_titles(self, words: str | Iterable[str], *, lang: str = "zh", limit: int | None = 50) -> list[str]:
        """Symbols whose title contains every word (case-insensitive), in scheme order, at most `limit`."""
        if isinstance(words, str):
            words = words.split()
        needles = [unicodedata.normalize("NFKC", w).casefold() for w in words if w.strip()]
        if not needles:
            return []
        found = []
        for code, title in self._titles(lang).items():
            folded = unicodedata.normalize("NFKC", clean_title(title)).casefold()
            if all(n in folded for n in needles):
                found.append(code)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def _titles(self, lang: str) -> dict[str, str]:
        if lang == "zh":
            return self._zh
        if lang == "en":
            return self._en
        raise ValueError(f"no IPC titles in language {lang!r} (zh, en)")


def _parent(code: str, level: str) -> str:
    if level == SECTION:
        return ""
    if level == CLASS:
        return code[:1]
    if level == SUBCLASS:
        return code[:3]
    if level == MAIN_GROUP:
        return code[:4]
    return code.split("/", 1)[0] + "/00"


def _try_normalise(symbol: str) -> str | None:
    try:
        return normalise_ipc(symbol)
    except IpcError:
        return None


def _lines(path) -> Iterable[list[str]]:
    path = Path(path) if isinstance(path, str) else path  # a str, a Path or an importlib Traversable
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        next(text)  # header
        for line in text:
            line = line.rstrip("\n")
            if line:
                yield line.split("\t")


# Seven subgroup rows of the source lost digits of their symbol into the title (E01D101/0 "0 桥梁的材料组成",
# E01D101/1 "0", G01N23/2000 "8"): the digits are moved back (E01D101/00, E01D101/10, G01N23/20008).
_SPILLED_DIGITS = re.compile(r"(\d+)(?:\s+|$)")


def _read_zh(path) -> Iterable[tuple[str, str, str]]:
    for code, level_zh, title in _lines(path):
        level = _ZH_LEVELS[level_zh]
        spilled = _SPILLED_DIGITS.match(title) if level == SUBGROUP else None
        if spilled and (len(code.split("/", 1)[1]) < 2 or title.strip().isdigit()):
            code, title = code + spilled[1], title[spilled.end():]
            if code.endswith("/00"):
                level = MAIN_GROUP  # E01D101/00 has no main-group row of its own in the source
        yield code, level, title


def _read_en(path) -> Iterable[tuple[str, str]]:
    for code, _kind, title in _lines(path):
        yield code, title


def data_file(name: str):
    """A file shipped in ipcity/patents/data."""
    return resources.files("ipcity.patents") / "data" / name


@cache
def scheme() -> IpcScheme:
    """The shipped scheme (IPC 2026.01 Chinese, English subclass titles), loaded once per process."""
    return IpcScheme.from_files(data_file("ipc_zh_2026.tsv.gz"), data_file("ipc_en_subclass.tsv.gz"))
