"""The raw input of every indicator of domain.INDICATORS for one patent: from its record, its register position,
its history, its claims (read by ipcity.patents.claims) and the activity of its technical field.

Pure. None where the source does not give a value: the score card shows it missing.
"""

from __future__ import annotations

from typing import Any

from ipcity.patents.claims import Claims
from ipcity.patents.position import Position
from ipcity.patents.record import PatentRecord
from ipcity.services.valuation.domain import ENCUMBERED, GRACE, IN_FORCE, LAPSED_STATUS, NOT_GRANTED
from ipcity.services.valuation.field_activity import FieldActivity, subclass_of
from ipcity.services.valuation.history import History


def status_of(position: Position) -> str | None:
    if not position.granted:
        return NOT_GRANTED
    if not position.in_force:
        return LAPSED_STATUS
    if position.suspended:
        return ENCUMBERED
    if position.fees is not None and position.fees.unpaid:
        return GRACE
    return IN_FORCE


def family_of(record: PatentRecord) -> int | None:
    if record.family_size is not None:
        return max(int(record.family_size), 1)
    if record.family:
        return len(record.family) + 1
    return None


def indicator_values(record: PatentRecord, position: Position, history: History, claims: Claims | None,
                     activity: FieldActivity | None) -> dict[str, Any]:
    """The raw input of every indicator; None where the source does not give it (shown as missing)."""
    sub = subclass_of(record.ipc_main)
    known = history.known
    return {
        "remaining_term": round(position.remaining_years, 2) if position.term_end is not None else None,
        "legal_status": status_of(position),
        "status_history": history.adverse if known else None,
        "disputes": history.disputes if known else None,
        "independent_claims": claims.independent if claims else None,
        "first_claim_length": claims.first_length if claims else None,
        "family_size": family_of(record),
        "cited_by": record.cited_by,
        "claim_count": claims.count if claims else None,
        "field_activity": activity.activity(sub) if activity is not None and sub else None,
        "field_growth": activity.growth(sub) if activity is not None and sub else None,
        "patent_type": record.patent_type,
        "transfers": history.transfers if known else None,
        "licences": history.licences if known else None,
        "pledges": history.pledges if known else None,
    }
