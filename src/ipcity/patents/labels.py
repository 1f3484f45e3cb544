"""What the pages call patent types, statuses, events, facets and sort orders (Chinese name first)."""

from __future__ import annotations

from ipcity.core.i18n import Msg, current_locale
from ipcity.patents import position, record
from ipcity.patents.ipc import scheme
from ipcity.patents.regions import regions

TYPE_LABELS = {record.INVENTION: Msg("Invention (发明)"), record.UTILITY: Msg("Utility model (实用新型)"),
               record.DESIGN: Msg("Design (外观设计)")}
STATUS_LABELS = {record.VALID: Msg("Valid (有效)"), record.LAPSED: Msg("Lapsed (失效)"),
                 record.PENDING: Msg("Pending (审中)"), record.UNKNOWN: Msg("Unknown (未知)")}
FACET_LABELS = {"ipc_section": Msg("IPC section"), "ipc_class": Msg("IPC class"), "ipc_subclass": Msg("IPC subclass"),
                "year": Msg("Filing year"), "applicant": Msg("Applicant"), "province": Msg("Province"),
                "city": Msg("City"), "district": Msg("District"), "type": Msg("Patent type"),
                "status": Msg("Legal status"), "office": Msg("Office")}
ENDED_LABELS = position.ENDED_LABELS
LICENCE_TYPE_LABELS = {position.EXCLUSIVE: Msg("Exclusive (独占许可)"), position.SOLE: Msg("Sole (排他许可)"),
                       position.ORDINARY: Msg("Ordinary (普通许可)")}
SORT_LABELS = {"relevance": Msg("Relevance"), "pub_date_desc": Msg("Newest publication first"),
               "pub_date_asc": Msg("Oldest publication first"), "app_date_desc": Msg("Newest filing first"),
               "app_date_asc": Msg("Oldest filing first")}


def facet_value(name: str, value: str) -> str:
    """A facet value as a person reads it: region names, type and status labels, IPC titles."""
    if name in ("province", "city", "district"):
        return regions().name(value) or value
    if name == "type" and value in TYPE_LABELS:
        return str(TYPE_LABELS[value])
    if name == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    if name in ("ipc_section", "ipc_class", "ipc_subclass"):
        lang = "zh" if current_locale.get() == "zh_Hans" else "en"
        title = scheme().title(value, lang) or ""
        return f"{value} {title[:18]}{'…' if len(title) > 18 else ''}".strip()
    return value


def template_context() -> dict:
    return {"type_labels": TYPE_LABELS, "status_labels": STATUS_LABELS, "facet_labels": FACET_LABELS,
            "sort_labels": SORT_LABELS, "ended_labels": ENDED_LABELS,
            "suspension_labels": position.SUSPENSION_LABELS, "licence_type_labels": LICENCE_TYPE_LABELS,
            "event_labels": record.EVENT_KINDS, "facet_value": facet_value,
            "region_name": lambda code: regions().name(code) or ""}
