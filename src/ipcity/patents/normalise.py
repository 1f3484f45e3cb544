"""One normalisation for every reader: numbers, IPC codes, names, region, language, status.

A record without a usable publication number cannot be identified: it raises RecordError with a bilingual
reason, and the runner reports it with its line. Any other field that cannot be made sound (a CN application
number that does not parse, an IPC symbol that is not one) is left out — kept as published in `extra` — with a
warning, and the record is kept.
"""

from __future__ import annotations

import re
import unicodedata

from ipcity.core.numbers import NumberError, parse_cn_application, parse_publication
from ipcity.patents import record
from ipcity.patents.ipc import IpcError, normalise_ipc
from ipcity.patents.record import PatentRecord
from ipcity.patents.regions import regions

_CJK = re.compile(r"[\u3400-\u9fff]")
# DOCDB-style exports (Lens, Thomson) glue the application kind to the number: CN200710063161A, CN89103458A.
_GLUED_KIND = re.compile(r"(CN\d{8}(?:\d{4})?)([AUSFW])")
_SPACE = re.compile(r"\s+")


class RecordError(ValueError):
    pass


def _clean(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _ipc_list(values: list[str], rejected: list[str]) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(normalise_ipc(value))
        except IpcError:
            rejected.append(value)
    return _unique(out)


def _left_out(zh: str, en: str) -> str:
    return f"{zh}（已略去）/ {en} (left out)"  # the readers' wording (ingest.sources.left_out)


def guess_lang(text: str) -> str:
    if not text:
        return ""
    cjk = len(_CJK.findall(text))
    return "zh" if cjk * 4 >= len(text.replace(" ", "")) else "en"


def normalise(rec: PatentRecord, warnings: list[str] | None = None) -> PatentRecord:
    """`rec`, normalised in place; the fields left out are described in `warnings` (when given)."""
    notes = warnings if warnings is not None else []
    try:
        pub = parse_publication(rec.pub_number)
    except NumberError as exc:
        raise RecordError(f"公开号无效 / invalid publication number {rec.pub_number!r}: {exc}") from exc
    rec.pub_number = pub.formatted
    rec.office = rec.office or pub.office
    rec.kind = rec.kind or pub.kind
    if rec.patent_type is None:
        rec.patent_type = pub.patent_type
    if rec.app_number and rec.office == "CN":
        # 专利申请号标准 (rules.md §12.1): year, type digit, serial, check character. A number that does not
        # parse (a wrong check character is a mistyped number) is no key to the right: it is left out.
        try:
            glued = _GLUED_KIND.fullmatch(rec.app_number.strip())
            number = f"{glued[1]} {glued[2]}" if glued else rec.app_number
            rec.app_number = parse_cn_application(number, require_check=False).formatted
        except NumberError as exc:
            notes.append(_left_out(f"申请号 {rec.app_number!r} 无效：{exc.zh}",
                                   f"invalid application number {rec.app_number!r}: {exc.en}"))
            rec.extra["unparsed_app_number"] = rec.app_number
            rec.app_number = ""
    for name in ("title", "abstract", "claims", "address", "agency", "legal_status_text"):
        setattr(rec, name, _clean(getattr(rec, name)))
    rec.description = (rec.description or "").strip()
    rejected: list[str] = []
    main = _ipc_list([rec.ipc_main], rejected) if rec.ipc_main else []
    rec.ipc = _unique(main + _ipc_list(rec.ipc, rejected))
    rec.ipc_main = main[0] if main else ""  # never promote another symbol: which one is main is a fact
    rec.cpc = _ipc_list(rec.cpc, rejected)
    if rejected:
        rec.extra["unparsed_classes"] = rejected
        notes.append(_left_out(f"分类号无法识别：{'、'.join(rejected)}",
                               f"classification symbols not recognised: {', '.join(rejected)}"))
    rec.applicants = _unique(_clean(n) for n in rec.applicants)
    rec.inventors = _unique(_clean(n) for n in rec.inventors)
    rec.agents = _unique(_clean(n) for n in rec.agents)
    if not rec.region_code and rec.address and rec.office == "CN":
        rec.region_code = regions().from_address(rec.address) or ""
    if not rec.lang:
        rec.lang = guess_lang(rec.title + rec.abstract)
    if rec.legal_status not in record.LEGAL_STATUSES:
        rec.legal_status = record.UNKNOWN
    if rec.family_size is None and rec.family:
        rec.family_size = len(rec.family)
    return rec
