"""A Google Patents result page (patents.google.com/patent/<number>/<lang>) saved as HTML, optionally gzipped.

One page is one record. The page marks its data with schema.org `itemprop` attributes: the Info list (numbers,
dates, inventors, assignees), the timeline `events`, the `abstract` / `description` / `claims` sections (the
office's own XML kept as HTML), citation tables (`backwardReferences…`, `forwardReferences…`), the DOCDB family
(`docdbFamily`), `legalEvents` with INPADOC codes and the CPC tree (`classifications`, leaves marked `Leaf`).
Google lists CPC only, so `ipc` stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from ipcity.patents.ingest.base import Item, Read, Rejected
from ipcity.patents.ingest.cn_table import event_kind, legal_status_bucket
from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits
from ipcity.patents.ingest.sources import (
    RecordError,
    base_name,
    head_text,
    open_binary,
    parse_date,
    parse_date_lenient,
    record_too_long,
    unique,
)
from ipcity.patents.record import DESIGN, INVENTION, UTILITY, LegalEvent, PatentRecord, Priority

NAME = "google-patents"
_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_BLOCK_CLASSES = ("description-paragraph", "description-line", "abstract")
_BLOCK_TAGS = frozenset({"p", "heading", "h1", "h2", "h3", "h4", "h5", "h6", "li"})


def clean_text(text: str) -> str:
    """Whitespace collapsed, and dropped altogether between Chinese characters (the page breaks lines there)."""
    return _CJK_GAP.sub("", " ".join(text.split()))


def _text(element: etree._Element | None) -> str:
    return clean_text(element.text_content()) if element is not None else ""


def _first(root: etree._Element, xpath: str) -> etree._Element | None:
    found = root.xpath(xpath)
    return found[0] if found else None


def _first_text(root: etree._Element, xpath: str) -> str:
    found = root.xpath(xpath)
    if not found:
        return ""
    return clean_text(found[0]) if isinstance(found[0], str) else _text(found[0])


def _texts(root: etree._Element, xpath: str) -> list[str]:
    return unique(clean_text(f) if isinstance(f, str) else _text(f) for f in root.xpath(xpath))


def _is_block(element: etree._Element) -> bool:
    classes = (element.get("class") or "").split()
    return element.tag in _BLOCK_TAGS or any(c in _BLOCK_CLASSES for c in classes)


def _outer_blocks(element: etree._Element) -> Iterator[etree._Element]:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if _is_block(child):
            yield child
        else:
            yield from _outer_blocks(child)


def _blocks(element: etree._Element | None) -> Iterator[str]:
    """Text of each outermost paragraph-like element; the element's own text when it has none."""
    if element is None:
        return
    blocks = list(_outer_blocks(element))
    for text in (_text(b) for b in blocks) if blocks else [_text(element)]:
        if text:
            yield text


def _join_parts(parts: list[str]) -> str:
    """Claim-text pieces joined: no space between Chinese pieces, one space between others."""
    out = ""
    for part in parts:
        if out and not (re.match(f"[{_CJK}]", out[-1]) and re.match(f"[{_CJK}]", part[0])):
            out += " "
        out += part
    return out


def _claims(section: etree._Element | None) -> str:
    if section is None:
        return ""
    lines = []
    claims = section.xpath('.//*[@num][contains(concat(" ", normalize-space(@class), " "), " claim ")]')
    for ordinal, claim in enumerate(claims, start=1):
        parts = [t for t in (_text(c) for c in claim.xpath('.//*[contains(@class, "claim-text")]')) if t]
        text = _join_parts(parts) if parts else _text(claim)
        if not text:
            continue
        if not re.match(r"\d+\s*[.)．、]", text):
            number = re.sub(r"\D", "", claim.get("num", "")).lstrip("0") or str(ordinal)
            text = f"{number}. {text}"
        lines.append(text)
    return "\n".join(lines)


def _application_number(raw: str, office: str) -> str:
    """Google writes CN application numbers with the check digit and an application kind: CN2009101277538A →
    CN200910127753.8, the form CNIPA and the CN tables use (rules.md §12.1)."""
    number = raw.strip()
    match = re.fullmatch(r"CN(\d{12}|\d{8})([\dX])A?", number)
    if office == "CN" and match:
        return f"CN{match.group(1)}.{match.group(2)}"
    return number


def _number_key(number: str) -> str:
    """Priority numbers appear in several spellings (JP2008-091425, JP2008091425A): compare digits only."""
    return re.sub(r"\D", "", re.sub(r"[A-Z]\d?$", "", number))


def _patent_type(pub_number: str, description: str) -> str | None:
    match = re.match(r"CN([123])", pub_number)
    if match:
        return {"1": INVENTION, "2": UTILITY, "3": DESIGN}[match.group(1)]
    lowered = description.lower()
    if "utility model" in lowered:
        return UTILITY
    if "design" in lowered:
        return DESIGN
    return INVENTION if ("patent" in lowered or "application" in lowered) else None


def parse_page(data: bytes, warnings: list[str] | None = None) -> PatentRecord:
    """The page as a PatentRecord; RecordError when it cannot be parsed or names no publication. A date that
    cannot be read is left out with a warning in `warnings` (RecordError without it)."""
    try:
        root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8", no_network=True))
    except (etree.ParserError, ValueError) as exc:
        raise RecordError(f"HTML 无法解析：{exc}", f"HTML cannot be parsed: {exc}") from None
    pub_number = _first_text(root, '//dd[@itemprop="publicationNumber"]')
    if not pub_number:
        raise RecordError("页面中没有公开号（itemprop=publicationNumber）",
                          "no publication number on the page (itemprop=publicationNumber)")
    office = _first_text(root, '//dd[@itemprop="countryCode"]') or pub_number[:2]
    kind = _first_text(root, '//meta[@itemprop="kindCode"]/@content')
    record = PatentRecord(pub_number=pub_number, office=office, kind=kind, source=NAME)
    description = _first_text(root, '//meta[@itemprop="publicationDescription"]/@content')
    record.patent_type = _patent_type(pub_number, description)
    record.app_number = _application_number(_first_text(root, '//dd[@itemprop="applicationNumber"]'), office)
    record.app_date = parse_date(_first_text(root, '//time[@itemprop="filingDate"]/@datetime'), "filingDate",
                                 warnings)
    record.pub_date = parse_date(_first_text(root, '//dd/time[@itemprop="publicationDate"]/@datetime'),
                                 "publicationDate", warnings)
    record.title = (_first_text(root, '//span[@itemprop="title"]')
                    or _first_text(root, '//meta[@name="DC.title"]/@content'))
    record.inventors = _texts(root, '//dd[@itemprop="inventor"]')
    record.applicants = _texts(root, '//dd[@itemprop="assigneeOriginal"]')
    current = _texts(root, '//dd[@itemprop="assigneeCurrent"]')
    if current:
        record.extra["current_owners"] = current

    abstract = _first(root, '//section[@itemprop="abstract"]//div[@itemprop="content"]')
    record.abstract = "\n".join(_blocks(abstract))
    body = _first(root, '//section[@itemprop="description"]//div[@itemprop="content"]')
    record.description = "\n".join(_blocks(body))
    record.claims = _claims(_first(root, '//section[@itemprop="claims"]//div[@itemprop="content"]'))
    language = (root.xpath('//section[@itemprop="abstract"]//*[@lang]/@lang')
                or root.xpath('//section[@itemprop="claims"]//*[@lang]/@lang'))
    record.lang = language[0].lower() if language else ""

    _timeline(root, record)
    _priorities(root, record)
    _references(root, record)
    _classifications(root, record)
    _legal(root, record)
    return record


def _timeline(root: etree._Element, record: PatentRecord) -> None:
    for event in root.xpath('//dd[@itemprop="events"]'):
        kind = _first_text(event, './/*[@itemprop="type"]')
        title = _first_text(event, './/*[@itemprop="title"]')
        day = parse_date_lenient(_first_text(event, './/time[@itemprop="date"]/@datetime'))
        if kind == "granted" and day and not record.grant_date:
            record.grant_date = day
        elif kind == "legal-status" and day and "expiration" in title.lower():
            record.extra["anticipated_expiration"] = day.isoformat()
    status = _first_text(root, '//*[@itemprop="legalStatusIfi"]//*[@itemprop="status"]')
    if status:
        record.legal_status_text = status
        record.legal_status = legal_status_bucket(status)


def _priorities(root: etree._Element, record: PatentRecord) -> None:
    own = _number_key(record.app_number)
    seen = {own}
    for row in root.xpath('//tr[@itemprop="appsClaimingPriority"]'):
        number = _first_text(row, './/*[@itemprop="applicationNumber"]')
        key = _number_key(number)
        if not number or key in seen:
            continue
        seen.add(key)
        day = parse_date_lenient(_first_text(row, './/*[@itemprop="filingDate"]')
                                 or _first_text(row, './/*[@itemprop="priorityDate"]'))
        record.priorities.append(Priority(number, day, number[:2] if number[:2].isalpha() else ""))


def _numbers(root: etree._Element, itemprop: str) -> list[str]:
    return _texts(root, f'//tr[@itemprop="{itemprop}"]//*[@itemprop="publicationNumber"]')


def _references(root: etree._Element, record: PatentRecord) -> None:
    record.citations = unique(_numbers(root, "backwardReferences") + _numbers(root, "backwardReferencesOrig"))
    family_cited = _numbers(root, "backwardReferencesFamily")
    if family_cited:
        record.extra["family_citations"] = family_cited
    record.cited_by = len(unique(_numbers(root, "forwardReferences") + _numbers(root, "forwardReferencesOrig")))
    citing_families = _numbers(root, "forwardReferencesFamily")
    if citing_families:
        record.extra["cited_by_families"] = len(citing_families)
    npl = _texts(root, '//tr[@itemprop="detailedNonPatentLiterature"]//*[@itemprop="title"]')
    if npl:
        record.extra["npl_citations"] = npl
    family = (_numbers(root, "docdbFamily") + _numbers(root, "pubs")
              + _texts(root, '//dd[@itemprop="directAssociations"]//*[@itemprop="publicationNumber"]'))
    record.family = [n for n in unique(family) if n != record.pub_number]
    family_id = _first_text(root, '//section[@itemprop="family"]/h2[starts-with(normalize-space(.), "ID=")]')
    if family_id:
        record.extra["family_id"] = family_id.split("=", 1)[1].strip()


def _classifications(root: etree._Element, record: PatentRecord) -> None:
    leaves = []
    for item in root.xpath('//li[@itemprop="classifications"][meta[@itemprop="Leaf"]]'):
        code = _first_text(item, './*[@itemprop="Code"]')
        if code:
            leaves.append((not item.xpath('./meta[@itemprop="FirstCode"]'), code))
    leaves.sort(key=lambda pair: pair[0])  # the FirstCode leaf first, the others in page order
    record.cpc = unique(code for _, code in leaves)


def _legal(root: etree._Element, record: PatentRecord) -> None:
    for row in root.xpath('//tr[@itemprop="legalEvents"]'):
        code = _first_text(row, './/*[@itemprop="code"]')
        title = _first_text(row, './/*[@itemprop="title"]')
        details = ["{}: {}".format(_first_text(a, './/*[@itemprop="label"]'), _first_text(a, './/*[@itemprop="value"]'))
                   for a in row.xpath('.//*[@itemprop="attributes"]')]
        text = "; ".join([title] + details) if details else title
        day = parse_date_lenient(_first_text(row, './/time[@itemprop="date"]/@datetime'))
        record.events.append(LegalEvent(event_kind(title, code), day, code, text))


class GooglePatentsReader:
    name = NAME
    description = "Google Patents 专利页面（HTML，可 gzip）/ a saved Google Patents result page"

    def sniff(self, path: Path) -> bool:
        if not base_name(path).endswith((".html", ".htm")):
            return False
        head = head_text(path, 16 * 1024)
        return "patents.google.com" in head or 'itemprop="publicationNumber"' in head

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        with open_binary(path, limits) as stream:
            data = stream.read(limits.record_bytes + 1)  # the page is one record
        if len(data) > limits.record_bytes:
            yield Rejected(1, str(record_too_long(limits.record_bytes)))
            return
        warnings: list[str] = []
        try:
            yield Read(parse_page(data, warnings), 1, tuple(warnings))
        except RecordError as exc:
            yield Rejected(1, str(exc))
