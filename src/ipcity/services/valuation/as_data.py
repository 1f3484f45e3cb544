"""A valuation as plain data: the JSON API's answer and the detail of the audit entry a filed report writes
(which later reads as the stored valuation: service.latest_stored)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ipcity.services.valuation.service import Valuation


def as_dict(v: Valuation) -> dict:
    pos = v.position
    return {
        "number": v.number, "application_number": pos.app_number, "publication_number": v.record.pub_number,
        "title": v.record.title, "owners": list(pos.owners), "patent_type": pos.patent_type,
        "filed": _iso(pos.app_date), "granted": _iso(pos.grant_date), "term_end": _iso(pos.term_end),
        "in_force": pos.in_force, "ended_by": pos.ended_by, "remaining_years": round(pos.remaining_years, 2),
        "on": v.on.isoformat(), "scenario": v.scenario.key, "config": v.config_source,
        "register": {
            "licences": [_entry(e) for e in pos.licences], "pledges": [_entry(e) for e in pos.pledges],
            "suspensions": [_entry(e) for e in pos.suspensions],
            "invalidation_requests": [_entry(e) for e in pos.invalidation_requests],
            "open_licence": pos.open_licence is not None,
            "fees": None if pos.fees is None else {
                "current_year": pos.fees.current_year, "paid_through": pos.fees.paid_through,
                "unpaid": pos.fees.unpaid, "due_on": _iso(pos.fees.due_on), "grace_ends": _iso(pos.fees.grace_ends)},
        },
        "indicators": [{"key": i.key, "level": i.level, "name_zh": i.name_zh, "name_en": i.name_en,
                        "value": i.value, "score": _round(i.score, 2), "weight": i.weight,
                        "effective_weight": round(i.effective_weight, 6), "missing": i.missing}
                       for i in v.card.indicators],
        "levels": [{"key": lv.key, "name_zh": lv.name_zh, "name_en": lv.name_en, "score": _round(lv.score, 2),
                    "weight": lv.weight, "effective_weight": round(lv.effective_weight, 6),
                    "missing": list(lv.missing)} for lv in v.card.levels],
        "score": _round(v.card.overall, 2), "grade": v.card.grade, "missing": list(v.card.missing),
        "coverage": round(v.card.coverage, 4),
        "income": None if v.income is None else {
            "inputs": v.income.inputs.to_dict(), "life_years": round(v.income.life, 4),
            "capped_by_term": v.income.capped_by_term, "present_value": round(v.income.present_value, 2),
            "years": [{"year": y.year, "fraction": round(y.fraction, 4), "revenue": round(y.revenue, 2),
                       "income": round(y.income, 2), "after_tax": round(y.after_tax, 2),
                       "discount_factor": round(y.discount_factor, 6), "present_value": round(y.present_value, 2)}
                      for y in v.income.years]},
        "pledge": {"suggested_rate": None if v.advice.barred else v.advice.rate,
                   "reasons": [m.render() for m in v.advice.reasons],
                   "indicative_loan": _round(v.advice.loan, 2),
                   # the register check's refusal grounds (the pledge registration's own): no rate is suggested
                   "refusal_grounds": [{"ground": b.ground, "key": b.key, "facts": b.message.render(),
                                        "basis": b.basis.render()} for b in v.advice.bars]},
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _entry(e) -> dict:
    return {"start": _iso(e.start), "end": _iso(e.end), "reference": e.reference,
            **{k: v for k, v in e.detail.items() if k in ("licence_type", "licensee", "pledgee", "debt_end")}}
