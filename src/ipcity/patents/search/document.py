"""Turn a normalised PatentRecord into the IndexDoc every backend indexes — analysed once, here."""

from __future__ import annotations

import re
from datetime import date

from ipcity.core.numbers import NumberError, parse_cn_application, parse_publication
from ipcity.patents.record import PatentRecord
from ipcity.patents.regions import regions
from ipcity.patents.search.analysis import analysed
from ipcity.patents.search.contract import IndexDoc
from ipcity.patents.search.keywords import normalise_keyword

RAW_TEXT_LIMIT = 6000  # characters of raw text a backend that analyses for itself receives


def yyyymmdd(value: date | None) -> int:
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


_IPC_HEAD = re.compile(r"^[A-HY]\d\d[A-Z]?")


def _ipc_levels(symbols: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Section, class and subclass of symbols already normalised (normalise.py): a prefix each."""
    sections, classes, subclasses = [], [], []
    for symbol in symbols:
        head = _IPC_HEAD.match(symbol)
        if head is None:
            continue
        sections.append(symbol[0])
        classes.append(symbol[:3])
        if len(head.group()) == 4:
            subclasses.append(symbol[:4])
    return _unique(sections), _unique(classes), _unique(subclasses)


def _number_keys(rec: PatentRecord) -> tuple[list[str], list[str]]:
    pub = [rec.pub_number]
    try:
        parsed = parse_publication(rec.pub_number)
        pub += [parsed.formatted, parsed.key_without_kind]
    except NumberError:
        pass
    app = [rec.app_number] if rec.app_number else []
    if rec.app_number:
        try:
            parsed_app = parse_cn_application(rec.app_number)
            app += [parsed_app.formatted, parsed_app.compact]
        except NumberError:
            pass
    return _unique(pub), _unique(app)


def index_doc(rec: PatentRecord, vector=None) -> IndexDoc:
    section, ipc_class, subclass = _ipc_levels(rec.ipc or ([rec.ipc_main] if rec.ipc_main else []))
    province, city, district = regions().levels(rec.region_code) if rec.region_code else ("", "", "")
    pub_keys, app_keys = _number_keys(rec)
    return IndexDoc(
        pub_number=rec.pub_number,
        title=analysed(rec.title),
        abstract=analysed(rec.abstract),
        claims=analysed(rec.claims),
        description=analysed(rec.description),
        raw_text="\n".join(t for t in (rec.title, rec.abstract, rec.claims) if t)[:RAW_TEXT_LIMIT],
        applicant=_unique(normalise_keyword("applicant", n) for n in rec.applicants),
        inventor=_unique(normalise_keyword("inventor", n) for n in rec.inventors),
        agency=_unique([normalise_keyword("agency", rec.agency)] if rec.agency else []),
        ipc=_unique(rec.ipc),
        ipc_main=[rec.ipc_main] if rec.ipc_main else [],
        cpc=_unique(rec.cpc),
        locarno=_unique(rec.locarno),
        app_number=app_keys,
        pub_number_keys=pub_keys,
        type=[rec.patent_type] if rec.patent_type else [],
        status=[rec.legal_status] if rec.legal_status else [],
        region=_unique([province, city, district]),
        office=[rec.office] if rec.office else [],
        ipc_section=section,
        ipc_class=ipc_class,
        ipc_subclass=subclass,
        year=[str(rec.app_date.year)] if rec.app_date else [],
        province=[province] if province else [],
        city=[city] if city else [],
        district=[district] if district else [],
        app_date=yyyymmdd(rec.app_date),
        pub_date=yyyymmdd(rec.pub_date),
        grant_date=yyyymmdd(rec.grant_date),
        vector=vector,
    )
