"""Keyword values as the index stores them, so that a searcher's spelling finds the stored one.

Both sides go through here: `document.py` when a patent is indexed and the backends when a query
names a keyword field (PA=, IPC=, AN=, PT=, LS= …).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ipcity.core.numbers import NumberError, parse_cn_application, parse_publication
from ipcity.patents import record
from ipcity.patents.ipc import IpcError, normalise_ipc
from ipcity.patents.names import normalise_applicant
from ipcity.patents.regions import regions

# 专利类型 and 法律状态 as searchers type them.
_TYPES = {"发明": record.INVENTION, "发明专利": record.INVENTION, "invention": record.INVENTION,
          "实用新型": record.UTILITY, "utility": record.UTILITY, "utility model": record.UTILITY,
          "外观设计": record.DESIGN, "外观": record.DESIGN, "design": record.DESIGN}
_STATUSES = {"有效": record.VALID, "有权": record.VALID, "valid": record.VALID,
             "失效": record.LAPSED, "无效": record.LAPSED, "无权": record.LAPSED, "lapsed": record.LAPSED,
             "审中": record.PENDING, "在审": record.PENDING, "pending": record.PENDING,
             "未知": record.UNKNOWN, "unknown": record.UNKNOWN}
NAME_FIELDS = ("applicant", "inventor", "agency")


def fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


@lru_cache(maxsize=1 << 18)
def normalise_keyword(field: str, value: str) -> str:
    """The stored form of `value` for keyword `field`; values that cannot be parsed stay as typed
    (folded), so that a search for them simply finds nothing rather than failing. Cached: applicant,
    inventor and agency names repeat across a corpus."""
    value = fold(value)
    if field in ("ipc", "ipc_main", "cpc"):
        try:
            return normalise_ipc(value)
        except IpcError:
            return value.upper().replace(" ", "")
    if field == "app_number":
        try:
            return parse_cn_application(value).formatted
        except NumberError:
            return value.upper().replace(" ", "")
    if field == "pub_number":
        try:
            return parse_publication(value).formatted
        except NumberError:
            return value.upper().replace(" ", "")
    if field in NAME_FIELDS:
        # Upper case: "Nestec S.A." and "NESTEC S.A." are one applicant (Chinese has no case).
        return normalise_applicant(value).upper()
    if field == "type":
        return _TYPES.get(value.lower(), value.lower())
    if field == "status":
        return _STATUSES.get(value.lower(), value.lower())
    if field == "region":
        return value if value.isdigit() else (regions().code_of(value) or value)
    if field in ("office", "locarno"):
        return value.upper()
    return value
