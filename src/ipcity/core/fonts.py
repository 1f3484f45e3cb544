"""The fonts every document the platform issues is set in, and the refusal of a document with a missing glyph.

The platform ships its font: Noto Sans CJK (SIL Open Font License 1.1) from the `noto-cjk-sans-otc` package, an
OpenType collection whose faces are the same design for Japanese, Korean, Simplified and Traditional Chinese.
Documents are Simplified Chinese, so the SC faces are used: the proportional one for all text (Latin too) and the
monospaced one for hashes and numbers. A collection's face cannot be chosen through CSS, so each SC face is
extracted once (fontTools, raw tables copied, well under a second) into the data directory's `cache/fonts`
and used from there. Nothing is downloaded and no system font is needed: WeasyPrint gets the faces through
@font-face rules with its own font configuration, matplotlib through `font_manager.addfont`.

A document with a character the fonts lack would show a box (or nothing) where the office wrote text: it is
refused. WeasyPrint reports each such character while it draws (".notdef glyph rendered for …"), matplotlib
while it lays out a chart ("Glyph … missing from font(s) …"); either becomes a `MissingGlyphs` error naming
the characters, raised before the caller stores anything. `pdf_glyph_problems` checks a finished PDF the
same way from the outside (the embedded font programs against the text they are said to show).
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import re
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg

PACKAGE, COLLECTION = "noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc"
LICENCE = "SIL Open Font License 1.1"

# The CSS families documents name (WeasyPrint @font-face): one proportional family for all text, one monospaced.
SANS, MONO = "IPCity Sans", "IPCity Mono"
# What a browser showing the same HTML falls back to (it never sees the @font-face rules).
SANS_STACK = f'"{SANS}", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
MONO_STACK = f'"{MONO}", "Noto Sans Mono CJK SC", monospace'


@dataclass(frozen=True)
class Face:
    family: str  # the CSS family
    name: str  # the face's own family name in the collection (what matplotlib calls it)
    filename: str  # the extracted face in the cache


FACES = (Face(SANS, "Noto Sans CJK SC", "NotoSansCJKsc-Regular.otf"),
         Face(MONO, "Noto Sans Mono CJK SC", "NotoSansMonoCJKsc-Regular.otf"))

# WeasyPrint warns when it is imported on a machine whose fontconfig knows no font ("Expect ugly output"):
# the platform brings its own, so the warning would only mislead whoever reads the log.
warnings.filterwarnings("ignore", message="No fonts configured in FontConfig", category=UserWarning)

MAX_LISTED = 20  # characters named in a refusal
RENDERERS = 4  # WeasyPrint font configurations kept (each holds a copy of the faces in a temporary folder)
# Characters that draw nothing whatever the font: spaces, line breaks, joiners, variation selectors.
_INVISIBLE = {"Zs", "Zl", "Zp", "Cc", "Cf", "Mn"}


class MissingGlyphs(DomainError):
    """A document that would show a box where text is: refused, nothing stored."""

    def __init__(self, chars, what: str | Msg = ""):
        self.chars = sorted(set(chars))
        listed = "、".join(describe(ch) for ch in self.chars[:MAX_LISTED])
        if len(self.chars) > MAX_LISTED:
            listed += f" … (+{len(self.chars) - MAX_LISTED})"
        super().__init__(Msg("The document cannot be issued: the platform's font has no glyph for {chars}. "
                             "Nothing was stored; remove or replace these characters.", chars=listed), field="document")
        self.what = what


def describe(ch: str) -> str:
    """A character as a person can find it again: itself (unless it shows nothing) and its code point."""
    shown = ch if unicodedata.category(ch)[0] not in "CZ" else ""
    return f"“{shown}” U+{ord(ch):04X}" if shown else f"U+{ord(ch):04X}"


def draws_nothing(ch: str) -> bool:
    return unicodedata.category(ch) in _INVISIBLE


# ---------------------------------------------------------------------------------------------- the font files


_cache_home: Path | None = None


def use_data_dir(data_dir: Path) -> None:
    """Keep the extracted faces in the platform's data directory (called where the services are built from the
    settings); until then, and where that cannot be written, the system's temporary directory serves."""
    global _cache_home
    _cache_home = Path(data_dir) / "cache" / "fonts"


def cache_dir() -> Path:
    """Where the extracted faces are kept (see use_data_dir)."""
    if _cache_home is not None:
        try:
            _cache_home.mkdir(parents=True, exist_ok=True)
            if os.access(_cache_home, os.W_OK):
                return _cache_home
        except OSError:
            pass
    fallback = Path(tempfile.gettempdir()) / f"ipcity-fonts-{os.getuid() if hasattr(os, 'getuid') else 0}"
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def _extract(source: Path, face: Face, target: Path) -> None:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source), lazy=True)
    try:
        font = next((f for f in collection.fonts if f["name"].getDebugName(1) == face.name), None)
        if font is None:
            raise RuntimeError(f"{COLLECTION} holds no face {face.name!r}")
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".font-", suffix=".otf")
        os.close(fd)
        try:
            font.save(tmp)  # lazy: the tables are copied as they are, not recompiled
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    finally:
        collection.close()


_files_lock = threading.Lock()


@cache
def font_files() -> dict[str, Path]:
    """CSS family → the extracted face, extracted on first use (from the package's collection, never elsewhere)."""
    with _files_lock, resources.as_file(resources.files(PACKAGE).joinpath(COLLECTION)) as source:
        stamp = f"{source.stat().st_size:x}"  # a new version of the collection is extracted again
        out = {}
        for face in FACES:
            target = cache_dir() / f"{Path(face.filename).stem}-{stamp}.otf"
            if not target.exists() or target.stat().st_size == 0:
                _extract(source, face, target)
            out[face.family] = target
        return out


@cache
def coverage(family: str = SANS) -> frozenset[int]:
    """The code points a face has a glyph for (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_files()[family]), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing(text: str, family: str = SANS) -> list[str]:
    """The characters of `text` the face cannot draw (spaces and other invisible characters aside)."""
    have = coverage(family)
    return sorted({ch for ch in text if ord(ch) not in have and not draws_nothing(ch)})


# ---------------------------------------------------------------------------------------------- WeasyPrint


def font_face_css() -> str:
    """The @font-face rules of the shipped faces (file: URLs into the cache, read by `font_fetcher` only)."""
    return "\n".join(f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}'
                     for family, path in font_files().items())


def font_fetcher():
    """A WeasyPrint URL fetcher that reads data: URLs and the shipped faces, nothing else."""
    import weasyprint

    allowed = {path.as_uri() for path in font_files().values()}

    class _Fetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if not (url.startswith("data:") or url in allowed):
                raise ValueError(f"not fetched: {url[:80]}")
            return super().fetch(url, headers)

    return _Fetcher(allowed_protocols=("data", "file"))


class _Renderer:
    """A WeasyPrint font configuration that knows the shipped faces, and the stylesheet that declares them."""

    def __init__(self):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.stylesheet = weasyprint.CSS(string=font_face_css(), font_config=self.font_config,
                                         url_fetcher=font_fetcher())


_renderers: list[_Renderer] = []
_renderers_lock = threading.Lock()
_renderer_slots = threading.BoundedSemaphore(RENDERERS)


@atexit.register
def _close_renderers() -> None:
    """Let each font configuration remove its temporary folder while the interpreter can still do so."""
    with _renderers_lock:
        _renderers.clear()


@contextmanager
def _renderer() -> Iterator[_Renderer]:
    """One font configuration, for one thread at a time (Pango's font maps are not shared between threads)."""
    with _renderer_slots:
        with _renderers_lock:
            renderer = _renderers.pop() if _renderers else None
        if renderer is None:
            renderer = _Renderer()
        try:
            yield renderer
        finally:
            with _renderers_lock:
                _renderers.append(renderer)


class _NotdefCatcher(logging.Handler):
    """Collects the characters WeasyPrint draws as .notdef in this thread."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.chars: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and record.msg.startswith(".notdef glyph rendered"):
            codepoint = record.args[-1] if isinstance(record.args, tuple) and record.args else None
            if isinstance(codepoint, int):
                self.chars.add(chr(codepoint))


@contextmanager
def _catch_notdef() -> Iterator[_NotdefCatcher]:
    logger = logging.getLogger("weasyprint")
    if not logger.isEnabledFor(logging.WARNING):
        logger.setLevel(logging.WARNING)  # the warning is how a missing glyph is known
    catcher = _NotdefCatcher()
    logger.addHandler(catcher)
    try:
        yield catcher
    finally:
        logger.removeHandler(catcher)


class PdfRenderer:
    """Lays out HTML with the shipped fonts and writes the PDF, refusing it where a glyph is missing."""

    def __init__(self, renderer: _Renderer, what: str | Msg):
        self._renderer, self.what = renderer, what
        self.missing: set[str] = set()

    def render(self, html: str, *, url_fetcher=None):
        """The laid-out document (WeasyPrint `Document`); `url_fetcher` for the HTML's own resources (data: only
        by default)."""
        import weasyprint

        fetcher = url_fetcher or weasyprint.URLFetcher(allowed_protocols=("data",))
        with _catch_notdef() as caught:
            document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(
                stylesheets=[self._renderer.stylesheet], font_config=self._renderer.font_config)
        self.missing |= caught.chars
        return document

    def write_pdf(self, document, **options) -> bytes:
        """The PDF of a document from `render`; MissingGlyphs if any character was drawn without a glyph."""
        with _catch_notdef() as caught:
            pdf = document.write_pdf(**options)
        if self.missing | caught.chars:
            raise MissingGlyphs(self.missing | caught.chars, self.what)
        return pdf


@contextmanager
def pdf_renderer(what: str | Msg = "") -> Iterator[PdfRenderer]:
    """`with pdf_renderer() as r: pdf = r.write_pdf(r.render(html))` — several layouts may be tried in one."""
    with _renderer() as renderer:
        yield PdfRenderer(renderer, what)


def html_to_pdf(html: str, *, what: str | Msg = "", url_fetcher=None, **options) -> bytes:
    """A self-contained HTML document as PDF in the shipped fonts; MissingGlyphs where one lacks a glyph."""
    with pdf_renderer(what) as renderer:
        return renderer.write_pdf(renderer.render(html, url_fetcher=url_fetcher), **options)


# ---------------------------------------------------------------------------------------------- matplotlib

_GLYPH_WARNING = re.compile(r"Glyph (\d+) .*missing from (?:current )?font")


@cache
def matplotlib_family() -> str:
    """Registers the shipped proportional face with matplotlib and answers its family name there."""
    from matplotlib import font_manager

    path = font_files()[SANS]
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@contextmanager
def matplotlib_glyph_guard(what: str | Msg = "") -> Iterator[None]:
    """Turns matplotlib's "Glyph … missing from font(s)" warnings inside the block into MissingGlyphs.

    warnings.catch_warnings is process-wide: the caller holds the lock that serialises its drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    chars, others = set(), []
    for w in caught:
        found = _GLYPH_WARNING.search(str(w.message))
        if found:
            chars.add(chr(int(found.group(1))))
        else:
            others.append(w)
    for w in others:  # what is not ours goes on as it came
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if chars:
        raise MissingGlyphs(chars, what)


# ---------------------------------------------------------------------------------------------- checking a PDF


@dataclass
class PdfFonts:
    """What a PDF embeds and whether its text is drawn: `text` (pypdf's extraction), `fonts` (base font names
    of the embedded programs), `uncovered` (characters of the text no embedded glyph draws)."""

    text: str
    fonts: set[str]
    uncovered: list[str]
    not_embedded: set[str]


def _cmap_pairs(data: bytes, begin: bytes, end: bytes) -> Iterator[list[bytes]]:
    for block in re.findall(rb"begin" + begin + rb"(.*?)end" + end, data, re.S):
        tokens = re.findall(rb"<[0-9a-fA-F]*>|\[[^\]]*\]|\d+", block)
        yield tokens


def _hex(token: bytes) -> int:
    return int(token.strip(b"<>") or b"0", 16)


def _utf16(token: bytes) -> str:
    raw = bytes.fromhex(token.strip(b"<>").decode("ascii"))
    return raw.decode("utf-16-be", errors="replace")


def _to_unicode(stream: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for tokens in _cmap_pairs(stream, b"bfchar", b"bfchar"):
        for code, text in zip(tokens[0::2], tokens[1::2], strict=False):
            out[_hex(code)] = _utf16(text)
    for tokens in _cmap_pairs(stream, b"bfrange", b"bfrange"):
        for i in range(0, len(tokens) - 2, 3):
            low, high, target = _hex(tokens[i]), _hex(tokens[i + 1]), tokens[i + 2]
            if target.startswith(b"["):
                for offset, item in enumerate(re.findall(rb"<[0-9a-fA-F]*>", target)):
                    out[low + offset] = _utf16(item)
            else:
                first = _utf16(target)
                for offset in range(high - low + 1):
                    out[low + offset] = first[:-1] + chr(ord(first[-1]) + offset) if first else ""
    return out


def _encoding_cids(stream: bytes) -> dict[int, int]:
    out: dict[int, int] = {}
    for tokens in _cmap_pairs(stream, b"cidchar", b"cidchar"):
        for code, cid in zip(tokens[0::2], tokens[1::2], strict=False):
            out[_hex(code)] = int(cid)
    for tokens in _cmap_pairs(stream, b"cidrange", b"cidrange"):
        for i in range(0, len(tokens) - 2, 3):
            low, high, cid = _hex(tokens[i]), _hex(tokens[i + 1]), int(tokens[i + 2])
            for offset in range(high - low + 1):
                out[low + offset] = cid + offset
    return out


def _drawn_glyphs(program: bytes, gids: set[int]) -> set[int]:
    """Those of `gids` whose glyph in an embedded font program draws an outline (glyph 0 is .notdef)."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(program))
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    drawn = set()
    for gid in gids:
        if gid <= 0 or gid >= len(order):
            continue
        pen = BoundsPen(glyphs)
        try:
            glyphs[order[gid]].draw(pen)
        except Exception:  # noqa: BLE001 - an unreadable glyph draws nothing
            continue
        if pen.bounds is not None:
            drawn.add(gid)
    return drawn


def _fonts_of(resources_obj, seen: set[int]) -> Iterator[Any]:
    if resources_obj is None:
        return
    resources_obj = resources_obj.get_object()
    fonts = resources_obj.get("/Font")
    if fonts is not None:
        for ref in fonts.get_object().values():
            yield ref.get_object()
    xobjects = resources_obj.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            xobject = ref.get_object()
            key = id(xobject)
            if key in seen or xobject.get("/Subtype") != "/Form":
                continue
            seen.add(key)
            yield from _fonts_of(xobject.get("/Resources"), seen)


def pdf_fonts(pdf: bytes) -> PdfFonts:
    """Every character of a PDF's text against the glyphs of the fonts it embeds: a character is covered when
    some embedded font maps a code to it (ToUnicode) whose glyph (through the font's encoding) draws something.
    A code shown through .notdef (WeasyPrint's mark of a missing glyph) or a font not embedded covers nothing,
    and the characters such a code stands for are uncovered even where the text extraction cannot read them
    (pypdf does not read the encoding WeasyPrint writes for a font with missing glyphs)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    covered: set[str] = set()
    shown_blank: set[str] = set()
    names: set[str] = set()
    not_embedded: set[str] = set()
    done: set[int] = set()
    for page in reader.pages:
        for font in _fonts_of(page.get("/Resources"), set()):
            if id(font) in done:
                continue
            done.add(id(font))
            name = str(font.get("/BaseFont", ""))
            unicode_map = _to_unicode(font["/ToUnicode"].get_object().get_data()) if "/ToUnicode" in font else {}
            if font.get("/Subtype") == "/Type3":  # drawn by its own procedures
                names.add(name)
                procs = font.get("/CharProcs")
                if procs is not None:
                    covered |= {t for c, t in unicode_map.items() if c is not None}
                continue
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            program = next((descriptor[k].get_object().get_data() for k in ("/FontFile3", "/FontFile2", "/FontFile")
                            if k in descriptor), None)
            if program is None:
                not_embedded.add(name)
                continue
            names.add(name)
            encoding = font.get("/Encoding")
            cids = None
            if encoding is not None and not isinstance(encoding.get_object(), str) and \
                    hasattr(encoding.get_object(), "get_data"):
                cids = _encoding_cids(encoding.get_object().get_data())
            gids = {code: cids.get(code, 0) if cids is not None else code for code in unicode_map}
            try:
                drawn = _drawn_glyphs(program, set(gids.values()))
            except Exception:  # noqa: BLE001 - a program fontTools cannot read covers nothing
                continue
            for code, chars in unicode_map.items():
                if gids[code] in drawn:
                    covered |= set(chars)
                else:  # a code the text uses (WeasyPrint maps only those) shown without a glyph
                    shown_blank |= set(chars)
    # Where a font shows codes through .notdef, those codes' characters are the ones missing (the extracted
    # text of such a font is not to be trusted); otherwise every character of the text must be covered.
    missing_chars = shown_blank or {ch for ch in text if ch not in covered}
    uncovered = sorted(ch for ch in missing_chars if not draws_nothing(ch))
    return PdfFonts(text=text, fonts=names, uncovered=uncovered, not_embedded=not_embedded)


def pdf_glyph_problems(pdf: bytes) -> list[str]:
    """The characters of a PDF's text that no embedded glyph draws (empty: every character is drawn)."""
    return pdf_fonts(pdf).uncovered
