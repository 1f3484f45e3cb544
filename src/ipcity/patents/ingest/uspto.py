"""USPTO full-text XML: grants and pre-grant publications in every bulk variant since 2001.

Variants (root element → era):
- `PATDOC` — ST.32 "SGML-era" XML 2.4/2.5 grants (2001–2004), WIPO ST.32 numeric tags (B110 number, B220 filing
  date, B511 IPC …);
- `patent-application-publication` — pre-grant publications v1.5/1.6 (2001–2004);
- `us-patent-grant` / `us-patent-application` — ST.36 v4.0–v4.x (2005 onward, the "xml2004/2006/2014" files).

A weekly bulk file is many documents concatenated, each with its own `<?xml` declaration and DOCTYPE; the
reader splits at the declarations and parses one document at a time, so memory is bounded by the largest
document. DTDs are never loaded or fetched (`load_dtd=False, no_network=True, resolve_entities=False`): the
ISO 8879 character entities the DTDs declare (`&lsquo;`, `&mgr;` …) are mapped to characters here. gzip and
the weekly ZIPs are read transparently. CPC scheme/master files and the XML4IP file-wrapper ZIP (OCR'd
office-action documents, not publications) are not patent publications: `sniff` is False for them.
"""

from __future__ import annotations

import html.entities
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from lxml import etree

from ipcity.patents.ingest.base import Item, Read, Rejected
from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits
from ipcity.patents.ingest.sources import (
    RecordError,
    bounded_lines,
    check_zip,
    head_bytes,
    is_zip,
    open_binary,
    open_member,
    parse_date,
    parse_date_lenient,
    record_too_long,
    unique,
    zip_members,
)
from ipcity.patents.record import DESIGN, INVENTION, PatentRecord, Priority

NAME = "uspto-xml"
_PATENT_ROOTS = ("us-patent-grant", "us-patent-application", "PATDOC", "patent-application-publication")
_ROOT_PATTERN = re.compile(rb"<(us-patent-grant|us-patent-application|PATDOC|patent-application-publication)[\s>]")
_XML_SUFFIXES = (".xml", ".sgm", ".sgml", ".txt")

# ISO 8879 Greek entities (isogrk1) that USPTO text uses and HTML5 does not define: &agr; = α, &Dgr; = Δ …
_GREEK_NAMES = ("a", "b", "g", "d", "e", "z", "ee", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s",
                "t", "u", "ph", "kh", "ps", "oh")
_GREEK_LOWER = "αβγδεζηθικλμνξοπρστυφχψω"
_ISO_ENTITIES = {f"{n}gr": c for n, c in zip(_GREEK_NAMES, _GREEK_LOWER, strict=True)}
_ISO_ENTITIES.update({f"{n.upper()}gr": c.upper() for n, c in zip(_GREEK_NAMES, _GREEK_LOWER, strict=True)})
_ISO_ENTITIES.update({f"{n.capitalize()}gr": c.upper() for n, c in zip(_GREEK_NAMES, _GREEK_LOWER, strict=True)})
_ISO_ENTITIES["sfgr"] = "ς"


class UsptoXmlReader:
    name = NAME
    description = ("美国专利商标局全文 XML（授权与公开，.xml/.gz/.zip）/ "
                   "USPTO full-text XML grants and applications (PATDOC 2.x, pap 1.x, ST.36 v4.x)")

    def sniff(self, path: Path) -> bool:
        if is_zip(path):
            return any(_ROOT_PATTERN.search(head) for head in _zip_heads(path))
        return bool(_ROOT_PATTERN.search(head_bytes(path, 512 * 1024)))

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        for line, document in _documents(path, limits):
            if isinstance(document, RecordError):
                yield Rejected(line, str(document))
                continue
            warnings: list[str] = []
            try:
                yield Read(parse_document(document, line, warnings), line, tuple(warnings))
            except RecordError as exc:
                yield Rejected(line, str(exc))
            except (ValueError, AttributeError, TypeError) as exc:
                # A structure none of the variants foresees must cost one document, not the weekly file.
                yield Rejected(line, f"文献结构无法读取：{exc!r} / unexpected document structure: {exc!r}")


def _zip_heads(path: Path) -> Iterator[bytes]:
    with zipfile.ZipFile(path) as archive:
        for member in zip_members(path, _XML_SUFFIXES)[:3]:
            with archive.open(member) as stream:
                yield stream.read(512 * 1024)


def _lines(path: Path, limits: Limits) -> Iterator[tuple[bytes | None, bool]]:
    """Every line of the file, or of each XML member of a ZIP in turn (None for a line beyond the record
    limit, not held); True marks a member's first line."""
    if not is_zip(path):
        with open_binary(path, limits) as stream:
            yield from ((raw, False) for _, raw in bounded_lines(stream, limits.record_bytes))
        return
    check_zip(path, limits)
    with zipfile.ZipFile(path) as archive:
        for member in zip_members(path, _XML_SUFFIXES):
            with open_member(archive, member, path, limits) as stream:
                for index, (_, raw) in enumerate(bounded_lines(stream, limits.record_bytes)):
                    yield raw, index == 0


def _documents(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, bytes | RecordError]]:
    """(first line, bytes) of each XML document: a new one starts at each `<?xml` declaration and at each ZIP
    member. Lines are counted on through the members of a ZIP. A document longer than the record limit is
    (first line, RecordError), its lines dropped as they come."""
    buffer: list[bytes] = []
    start, size, too_long = 0, 0, False
    for line, (raw, member_start) in enumerate(_lines(path, limits), start=1):
        if (buffer or too_long) and (member_start or (raw is not None and raw.startswith(b"<?xml"))):
            yield start, record_too_long(limits.record_bytes) if too_long else b"".join(buffer)
            buffer, size, too_long = [], 0, False
        if not buffer and not too_long:
            if raw is not None and not raw.strip():
                continue
            start = line
        if too_long:
            continue
        size += len(raw) if raw is not None else limits.record_bytes + 1
        if size > limits.record_bytes:
            buffer, too_long = [], True
            continue
        buffer.append(raw)
    if buffer or too_long:
        yield start, record_too_long(limits.record_bytes) if too_long else b"".join(buffer)


# --- parsing one document ------------------------------------------------------------------------

def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=True,
                           remove_comments=True, remove_pis=True)


def parse_document(document: bytes, line: int = 1, warnings: list[str] | None = None) -> PatentRecord:
    """One USPTO document as a PatentRecord; RecordError when it is not well-formed or not a publication. A date
    that cannot be read is left out with a warning in `warnings` (RecordError without it)."""
    try:
        root = etree.fromstring(document, _parser())
    except etree.XMLSyntaxError as exc:
        where = line + (exc.lineno or 1) - 1
        raise RecordError(f"XML 格式错误（第 {where} 行）：{exc.msg}",
                          f"malformed XML at line {where}: {exc.msg}") from None
    tag = etree.QName(root).localname
    if root.tag not in _PATENT_ROOTS:
        raise RecordError(f"不是专利文献：根元素 <{tag}>", f"not a patent publication: root element <{tag}>")
    if root.tag == "PATDOC":
        record = _from_patdoc(root, warnings)
    elif root.tag == "patent-application-publication":
        record = _from_pap(root, warnings)
    else:
        record = _from_st36(root, warnings)
    record.source = NAME
    record.office = record.office or "US"
    record.lang = record.lang or "en"
    if not record.pub_number:
        raise RecordError("缺少公开号", "publication number (doc-number) is missing")
    return record


# --- text helpers ----------------------------------------------------------------------------------

def _entity(name: str) -> str:
    return html.entities.html5.get(f"{name};") or _ISO_ENTITIES.get(name) or f"&{name};"


def _collect(element: etree._Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(_entity(child.name))
        elif isinstance(child.tag, str):
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def raw_text_of(element: etree._Element | None) -> str:
    """All text under the element with its spacing kept (fixed-position fields need it)."""
    if element is None:
        return ""
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def text_of(element: etree._Element | None) -> str:
    """All text under the element, markup stripped, entities resolved, whitespace collapsed."""
    if element is None:
        return ""
    parts: list[str] = []
    _collect(element, parts)
    return " ".join("".join(parts).split())


def _find_text(element: etree._Element | None, path: str) -> str:
    return text_of(element.find(path)) if element is not None else ""


def _blocks(element: etree._Element | None, tags: frozenset[str]) -> Iterator[str]:
    """Text of each outermost block element (paragraph, heading) under `element`, in document order."""
    if element is None:
        return
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in tags:
            text = text_of(child)
            if text:
                yield text
        else:
            yield from _blocks(child, tags)


def _join_blocks(elements: list[etree._Element | None], tags: frozenset[str]) -> str:
    return "\n".join(text for element in elements for text in _blocks(element, tags))


def _numbered_claims(claims: list[tuple[int | None, str]]) -> str:
    """One claim a line, each starting with its number ('1. …') — the numbers are kept when the text has them."""
    lines = []
    for ordinal, (number, text) in enumerate(claims, start=1):
        if not text:
            continue
        if not re.match(r"\d+\s*[.)]", text):
            text = f"{number or ordinal}. {text}"
        lines.append(text)
    return "\n".join(lines)


def _claim_number(value: str | None) -> int | None:
    digits = re.sub(r"\D", "", value or "")
    return int(digits) if digits else None


def _date(element: etree._Element | None, path: str, field: str, warnings: list[str] | None) -> date | None:
    return parse_date(_find_text(element, path), field, warnings)


def _number(country: str, number: str, kind: str = "") -> str:
    """Office + serial + kind with separators dropped: ('US', '06336130', 'B1') → US6336130B1, ('US', 'D0435854',
    'S1') → USD435854S1, ('US', '2007/0140112', 'A1') → US20070140112A1, ('WO', 'WO 03/015838', 'A3') →
    WO03015838A3. Only USPTO pads its serials with zeros, so only US serials lose leading zeros."""
    country = country or "US"
    serial = re.sub(r"[\s/,.\-]", "", number.upper())
    if serial.startswith(country) and len(serial) > len(country) + 1:
        serial = serial[len(country):]
    if country == "US":
        match = re.match(r"([A-Z]*)0*(\d.*)", serial)
        if match:
            serial = match.group(1) + match.group(2)
    return f"{country}{serial}{kind.strip().upper()}" if serial else ""


def _ipc_from_fields(section: str, klass: str, subclass: str, main: str, sub: str) -> str:
    return f"{section}{klass}{subclass} {main.lstrip('0') or '0'}/{sub}" if section and main else ""


def _ipc_positional(value: str) -> str:
    """SGML-era B511/B512: subclass, main group right-aligned in 3 places, subgroup: 'G06F 1516' → 'G06F 15/16'."""
    value = value.strip("\r\n").rstrip()
    if len(value) < 7 or "/" in value:
        return value.strip()
    main, sub = value[4:7].strip(), value[7:].strip()
    return f"{value[:4]} {main.lstrip('0') or '0'}/{sub or '00'}"


def _locarno(value: str) -> str:
    """'1402' → '14-02' (Locarno class-subclass)."""
    digits = re.sub(r"\D", "", value)
    return f"{digits[:2]}-{digits[2:4]}" if len(digits) >= 4 else digits


def _person(last: str, first: str) -> str:
    return f"{last}, {first}" if last and first else (last or first)


# --- ST.36 v4.x: us-patent-grant / us-patent-application ----------------------------------------------

_ST36_BLOCKS = frozenset({"p", "heading"})


def _docid(element: etree._Element | None) -> tuple[str, str, str, str]:
    if element is None:
        return "", "", "", ""
    return (_find_text(element, "country"), _find_text(element, "doc-number"), _find_text(element, "kind"),
            _find_text(element, "date"))


def _addressbook_name(book: etree._Element | None) -> str:
    if book is None:
        return ""
    org = _find_text(book, "orgname")
    if org:
        return org
    first = " ".join(filter(None, (_find_text(book, "first-name"), _find_text(book, "middle-name"))))
    return _person(_find_text(book, "last-name"), first) or _find_text(book, "name")


def _addressbook_address(book: etree._Element | None) -> str:
    if book is None:
        return ""
    address = book.find("address")
    parts = [_find_text(address, tag) for tag in ("street", "city", "state", "country")]
    return ", ".join(p for p in parts if p and p not in ("omitted", "unknown"))


def _from_st36(root: etree._Element, warnings: list[str] | None) -> PatentRecord:
    grant = root.tag == "us-patent-grant"
    bib = root.find("us-bibliographic-data-grant" if grant else "us-bibliographic-data-application")
    if bib is None:
        raise RecordError("缺少著录项目", "bibliographic data element is missing")
    country, number, kind, pub_day = _docid(bib.find("publication-reference/document-id"))
    app = bib.find("application-reference")
    _, app_number, _, app_day = _docid(app.find("document-id") if app is not None else None)
    appl_type = app.get("appl-type", "") if app is not None else ""
    record = PatentRecord(pub_number=_number(country or "US", number, kind), office=country or "US", kind=kind)
    record.pub_date = parse_date(pub_day, "publication date", warnings)
    if grant:
        record.grant_date = record.pub_date
    record.app_number = f"US{app_number}" if app_number else ""
    record.app_date = parse_date(app_day, "application date", warnings)
    record.patent_type = DESIGN if appl_type == "design" or kind.startswith("S") else (
        INVENTION if appl_type in ("utility", "reissue", "") else None)
    record.lang = (root.get("lang") or "en").lower()
    record.title = _find_text(bib, "invention-title")

    for claim in bib.iterfind("priority-claims/priority-claim"):
        record.priorities.append(Priority(_find_text(claim, "doc-number"),
                                          parse_date_lenient(_find_text(claim, "date")), _find_text(claim, "country")))
    related = bib.find("us-related-documents")
    if related is not None:
        for provisional in related.iterfind("us-provisional-application/document-id"):
            _, p_number, _, p_day = _docid(provisional)
            record.priorities.append(Priority(f"US{p_number}", parse_date_lenient(p_day), "US"))
        record.family = unique(_number(*_docid(d)[:3]) for d in related.iterfind("related-publication/document-id"))
        relations = []
        for relation in related:
            if not isinstance(relation.tag, str) or relation.tag in ("us-provisional-application",
                                                                     "related-publication"):
                continue
            for parent in relation.iter("parent-doc"):
                p_country, p_number, _, p_day = _docid(parent.find("document-id"))
                relations.append({"relation": relation.tag, "number": p_number, "country": p_country or "US",
                                  "date": str(parse_date_lenient(p_day) or "")})
        if relations:
            record.extra["related_applications"] = relations

    _st36_classifications(bib, record)
    _st36_citations(bib, record)
    _st36_parties(bib, record)

    record.abstract = _join_blocks([root.find("abstract")], _ST36_BLOCKS)
    record.description = _join_blocks([root.find("description")], _ST36_BLOCKS)
    record.claims = _numbered_claims([(_claim_number(c.get("num") or c.get("id")), text_of(c))
                                      for c in root.iterfind("claims/claim")])
    if appl_type:
        record.extra["us_application_type"] = appl_type
    count = _find_text(bib, "number-of-claims")
    if count.isdigit():
        record.extra["number_of_claims"] = int(count)
    extension = _find_text(bib, "us-term-of-grant/us-term-extension")
    if extension.isdigit():
        record.extra["term_extension_days"] = int(extension)
    examiners = [_person(_find_text(e, "last-name"), _find_text(e, "first-name"))
                 for e in bib.iterfind("examiners/*")]
    if any(examiners):
        record.extra["examiners"] = [e for e in examiners if e]
    return record


def _st36_classifications(bib: etree._Element, record: PatentRecord) -> None:
    ipcr = []
    for c in bib.iterfind("classifications-ipcr/classification-ipcr"):
        symbol = _ipc_from_fields(*(_find_text(c, t) for t in ("section", "class", "subclass", "main-group",
                                                                "subgroup")))
        if symbol:
            ipcr.append((_find_text(c, "symbol-position") == "F", symbol))
    # The "F" (first) symbol is the main one (ST.36 symbol-position); keep the others in document order.
    ipcr.sort(key=lambda pair: not pair[0])
    old = bib.find("classification-ipc")
    old_symbols = []
    if old is not None:
        old_symbols = [text_of(e) for e in old.iterfind("main-classification")]
        old_symbols += [text_of(e) for e in old.iterfind("further-classification")]
        edition = _find_text(old, "edition")
        if edition:
            record.extra["ipc_edition"] = edition
    record.ipc = unique([s for _, s in ipcr] + old_symbols)
    record.ipc_main = record.ipc[0] if record.ipc else ""
    cpc = bib.find("classifications-cpc")
    if cpc is not None:
        record.cpc = unique(_ipc_from_fields(*(_find_text(c, t) for t in ("section", "class", "subclass",
                                                                           "main-group", "subgroup")))
                            for c in cpc.iter("classification-cpc"))
    locarno = bib.find("classification-locarno")
    if locarno is not None:
        record.locarno = unique(_locarno(text_of(e)) for e in locarno
                                if isinstance(e.tag, str) and e.tag.endswith("classification"))
        edition = _find_text(locarno, "edition")
        if edition:
            record.extra["locarno_edition"] = edition
    national = bib.find("classification-national")
    if national is not None:
        uspc = [text_of(e) for e in national if isinstance(e.tag, str) and e.tag.endswith("classification")]
        if uspc:
            record.extra["uspc"] = uspc


def _st36_citations(bib: etree._Element, record: PatentRecord) -> None:
    cited = bib.find("us-references-cited")
    if cited is None:
        cited = bib.find("references-cited")
    if cited is None:
        return
    patents, others = [], []
    for patcit in cited.iter("patcit"):
        country, number, kind, _ = _docid(patcit.find("document-id"))
        if number:
            patents.append(_number(country or "US", number, kind))
    for nplcit in cited.iter("nplcit"):
        text = text_of(nplcit)
        if text:
            others.append(text)
    record.citations = unique(patents)
    if others:
        record.extra["npl_citations"] = others


def _st36_parties(bib: etree._Element, record: PatentRecord) -> None:
    parties = bib.find("us-parties")
    if parties is None:
        parties = bib.find("parties")
    applicants: list[etree._Element] = []
    inventors: list[etree._Element] = []
    agents: list[etree._Element] = []
    if parties is not None:
        applicants = [a.find("addressbook") for a in parties.iter("applicant", "us-applicant")
                      if a.find("addressbook") is not None]
        flagged = [a.find("addressbook") for a in parties.iter("applicant", "us-applicant")
                   if "inventor" in a.get("app-type", "") + a.get("applicant-authority-category", "")]
        inventors = flagged + [i.find("addressbook") for i in parties.iter("inventor")
                               if i.find("addressbook") is not None]
        agents = [a.find("addressbook") for a in parties.iter("agent") if a.find("addressbook") is not None]
    assignees = [a.find("addressbook") if a.find("addressbook") is not None else a
                 for a in bib.iterfind("assignees/assignee")]
    record.inventors = unique(_addressbook_name(b) for b in inventors)
    # The owner is the assignee or a non-inventor applicant; before the AIA (and in the 2013–2014 files, which
    # do not flag them) the inventors were the applicants, so applicants who are also inventors come last.
    inventor_names = set(record.inventors)
    owners = [b for b in applicants if _addressbook_name(b) not in inventor_names] + assignees
    owners = owners or [b for b in applicants if b is not None]
    record.applicants = unique(_addressbook_name(b) for b in owners)
    record.address = _addressbook_address(owners[0]) if owners else ""
    orgs = [_find_text(b, "orgname") for b in agents]
    record.agency = next((o for o in orgs if o), "")
    record.agents = unique(_addressbook_name(b) for b in agents if not _find_text(b, "orgname"))
    if assignees:
        record.extra["assignees"] = unique(_addressbook_name(b) for b in assignees)


# --- pre-grant publications v1.5/v1.6 --------------------------------------------------------------

_PAP_BLOCKS = frozenset({"paragraph", "heading"})


def _pap_name(name: etree._Element | None) -> str:
    if name is None:
        return ""
    org = _find_text(name, "organization-name")
    if org:
        return org
    first = " ".join(filter(None, (_find_text(name, "given-name"), _find_text(name, "middle-name"))))
    last = " ".join(filter(None, (_find_text(name, "family-name"), _find_text(name, "name-suffix"))))
    return _person(last, first)


def _from_pap(root: etree._Element, warnings: list[str] | None) -> PatentRecord:
    bib = root.find("subdoc-bibliographic-information")
    if bib is None:
        raise RecordError("缺少著录项目", "subdoc-bibliographic-information is missing")
    number, kind = _find_text(bib, "document-id/doc-number"), _find_text(bib, "document-id/kind-code")
    record = PatentRecord(pub_number=_number("US", number, kind), office="US", kind=kind, patent_type=INVENTION)
    record.pub_date = _date(bib, "document-id/document-date", "publication date", warnings)
    filing = bib.find("domestic-filing-data")
    app_number = _find_text(filing, "application-number/doc-number")
    record.app_number = f"US{app_number}" if app_number else ""
    record.app_date = _date(filing, "filing-date", "application date", warnings)
    for priority in bib.iterfind("foreign-priority-data"):
        record.priorities.append(Priority(_find_text(priority, "priority-application-number/doc-number"),
                                          parse_date_lenient(_find_text(priority, "filing-date")),
                                          _find_text(priority, "country-code")))
    continuity = bib.find("continuity-data")
    if continuity is not None:
        for provisional in continuity.iterfind("non-provisional-of-provisional/document-id"):
            record.priorities.append(Priority(f"US{_find_text(provisional, 'doc-number')}",
                                              parse_date_lenient(_find_text(provisional, "document-date")), "US"))
        relations = [{"relation": etree.QName(pc.getparent()).localname,
                      "number": _find_text(pc, "parent/document-id/doc-number"),
                      "country": _find_text(pc, "parent/document-id/country-code") or "US",
                      "date": str(parse_date_lenient(_find_text(pc, "parent/document-id/document-date")) or "")}
                     for pc in continuity.iter("parent-child")]
        if relations:
            record.extra["related_applications"] = relations
    tech = bib.find("technical-information")
    record.title = _find_text(tech, "title-of-invention")
    ipc = bib.find("technical-information/classification-ipc")
    if ipc is not None:
        record.ipc = unique(text_of(e) for e in ipc.iter("ipc"))
        record.ipc_main = record.ipc[0] if record.ipc else ""
        edition = _find_text(ipc, "classification-ipc-edition")
        if edition:
            record.extra["ipc_edition"] = edition
    uspc = [f"{_find_text(u, 'class')}/{_find_text(u, 'subclass')}" for u in bib.iter("uspc")]
    if uspc:
        record.extra["uspc"] = uspc
    record.inventors = unique(_pap_name(i.find("name")) for i in bib.iterfind("inventors/*"))
    assignees = unique(_pap_name(a) for a in bib.iterfind("assignee"))
    record.applicants = assignees or record.inventors
    correspondence = _find_text(bib, "correspondence-address/name-1")
    if correspondence:
        record.extra["correspondence"] = correspondence
    record.abstract = _join_blocks([root.find("subdoc-abstract")], _PAP_BLOCKS)
    record.description = _join_blocks([root.find("subdoc-description")], _PAP_BLOCKS)
    record.claims = _numbered_claims([(_claim_number(c.get("id")), text_of(c))
                                      for c in root.iterfind("subdoc-claims/claim")])
    return record


# --- ST.32 PATDOC 2.x (SGML-era grants) ------------------------------------------------------------

_PATDOC_BLOCKS = frozenset({"PARA", "H"})


def _pdat(element: etree._Element | None, path: str) -> str:
    return _find_text(element, path)


def _party_name(party: etree._Element | None) -> str:
    if party is None:
        return ""
    name = party.find(".//NAM")
    if name is None:
        return ""
    org = _pdat(name, "ONM")
    if org:
        return org
    return _person(_pdat(name, "SNM"), _pdat(name, "FNM"))


def _party_address(party: etree._Element | None) -> str:
    address = party.find(".//ADR") if party is not None else None
    if address is None:
        return ""
    parts = [_pdat(address, tag) for tag in ("STR", "CITY", "STATE", "CTRY")]
    return ", ".join(p for p in parts if p)


def _from_patdoc(root: etree._Element, warnings: list[str] | None) -> PatentRecord:
    bib = root.find("SDOBI")
    if bib is None:
        raise RecordError("缺少著录项目", "SDOBI (bibliographic data) is missing")
    number, kind = _pdat(bib, "B100/B110"), _pdat(bib, "B100/B130")
    design = number.upper().startswith("D") or kind == "S"
    # Since 2001 US design patents are kind S1 in ST.36 files and DOCDB; the SGML files write plain S.
    record_kind = "S1" if design and kind == "S" else kind
    country = _pdat(bib, "B100/B190") or "US"
    plant = number.upper().startswith("PP")
    record = PatentRecord(pub_number=_number(country, number, record_kind), office=country, kind=record_kind,
                          patent_type=DESIGN if design else (None if plant else INVENTION))
    if record_kind != kind:
        record.extra["kind_as_published"] = kind
    record.pub_date = _date(bib, "B100/B140", "publication date (B140)", warnings)
    record.grant_date = record.pub_date
    app_number = _pdat(bib, "B200/B210")
    record.app_number = f"US{app_number}" if app_number else ""
    record.app_date = _date(bib, "B200/B220", "application date (B220)", warnings)
    for priority in bib.iterfind("B300"):
        record.priorities.append(Priority(_pdat(priority, "B310"), parse_date_lenient(_pdat(priority, "B320")),
                                          _pdat(priority, "B330")))
    for provisional in bib.iterfind("B600/B680US"):
        record.priorities.append(Priority("US" + re.sub(r"[/,\s]", "", _pdat(provisional, ".//DNUM")),
                                          parse_date_lenient(_pdat(provisional, ".//DATE")), "US"))
    b510 = bib.find("B500/B510")
    if b510 is not None:
        symbols = [raw_text_of(e) for e in b510.iterfind("B511")] + [raw_text_of(e) for e in b510.iterfind("B512")]
        edition = _pdat(b510, "B516")
        if design:
            # For designs B511 holds the Locarno class-subclass (B516 its edition), not an IPC symbol.
            record.locarno = unique(_locarno(s) for s in symbols)
            if edition:
                record.extra["locarno_edition"] = edition
        else:
            record.ipc = unique(_ipc_positional(s) for s in symbols)
            record.ipc_main = record.ipc[0] if record.ipc else ""
            if edition:
                record.extra["ipc_edition"] = edition
    uspc = [text_of(e) for e in bib.iterfind("B500/B520/*")]
    if uspc:
        record.extra["uspc"] = uspc
    record.title = _pdat(bib, "B500/B540")
    citations, npl = [], []
    for pcit in bib.iterfind("B500/B560/B561/PCIT"):
        doc = pcit.find("DOC")
        cited_number = _pdat(doc, "DNUM")
        if cited_number:
            citations.append(_number(_pdat(doc, "CTRY") or "US", cited_number, _pdat(doc, "KIND")))
    for ncit in bib.iterfind("B500/B560/B562"):
        text = text_of(ncit)
        if text:
            npl.append(text)
    record.citations = unique(citations)
    if npl:
        record.extra["npl_citations"] = npl
    relations = [{"relation": "parent", "number": _pdat(pdoc, "DOC/DNUM"), "country": _pdat(pdoc, "DOC/CTRY") or "US",
                  "date": str(parse_date_lenient(_pdat(pdoc, "DOC/DATE")) or "")}
                 for pdoc in bib.iterfind("B600//PDOC")]
    if relations:
        record.extra["related_applications"] = relations
    record.inventors = unique(_party_name(p) for p in bib.iterfind("B700/B720/B721"))
    owners = list(bib.iterfind("B700/B730/B731"))
    record.applicants = unique(_party_name(p) for p in owners) or record.inventors
    record.address = _party_address(owners[0]) if owners else ""
    agents = list(bib.iterfind("B700/B740/B741"))
    record.agency = next((_pdat(a, ".//ONM") for a in agents if _pdat(a, ".//ONM")), "")
    record.agents = unique(_party_name(a) for a in agents if not _pdat(a, ".//ONM"))
    examiners = unique(_party_name(e) for e in bib.iterfind("B700/B745/*"))
    if examiners:
        record.extra["examiners"] = examiners
    claims_count = _pdat(bib, "B500/B570/B577")
    if claims_count.isdigit():
        record.extra["number_of_claims"] = int(claims_count)
    record.abstract = _join_blocks([root.find("SDOAB")], _PATDOC_BLOCKS)
    record.description = _join_blocks([root.find("SDODE")], _PATDOC_BLOCKS)
    record.claims = _numbered_claims([(_claim_number(c.get("ID")), text_of(c))
                                      for c in root.iterfind("SDOCL/CL/CLM")])
    return record
