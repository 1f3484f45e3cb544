"""The administrator's routing table (as FixMyStreet routes a report by category and area): rows of right × request
kind × area → the competent unit, added, changed, switched off and reordered here, each change audited. How a
request is routed by the table is service.route (with Order 81's levels before it)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import now
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import domain
from ipcity.services.rights.tables import Fair, RoutingRule

MAX_RULES = 1000  # rows of the table: a ceiling checked before adding


def _ensure_admin(actor: Actor) -> None:
    if actor.role != ADMIN:
        raise PermissionDenied(Msg("Only an administrator edits the routing table"))


def _values(session: Session, values: Mapping[str, object]) -> tuple[domain.Rule, dict]:
    right = str(values.get("right") or domain.ANY).strip() or domain.ANY
    kind = str(values.get("kind") or domain.ANY).strip() or domain.ANY
    area = str(values.get("area") or domain.ANY).strip() or domain.ANY
    try:
        priority = int(str(values.get("priority") or "0").strip() or 0)
    except ValueError:
        raise DomainError(Msg("Give the priority as a whole number"), field="priority") from None
    if not -1000 <= priority <= 1000:
        raise DomainError(Msg("Give the priority as a whole number"), field="priority")
    try:
        unit_id = int(str(values.get("unit_id") or "0"))
    except ValueError:
        unit_id = 0
    unit = session.get(Unit, unit_id) if unit_id else None
    rule = domain.Rule(right, kind, area, str(unit.id) if unit is not None else "", priority)
    problems = domain.rule_problems(rule, unit_codes=None)
    if area.startswith(f"{domain.FAIR}:") and area != domain.ANY_FAIR:
        key = area[len(domain.FAIR) + 1:]
        if not session.scalar(select(Fair.id).where(Fair.key == key)):
            problems.append(("area", Msg("No fair has the key {key}", key=key[:40])))
    if unit is None or unit.kind in ("company", "bank", "agency"):
        problems = [p for p in problems if p[0] != "unit_code"] + [("unit_id", Msg("Choose the unit requests go to"))]
    else:
        problems = [p for p in problems if p[0] != "unit_code"]
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    return rule, {"right": right, "kind": kind, "area": area, "unit_id": unit.id, "priority": priority,
                  "note": str(values.get("note") or "").strip()[:300]}


def add_rule(session: Session, actor: Actor, values: Mapping[str, object]) -> RoutingRule:
    _ensure_admin(actor)
    _, clean = _values(session, values)
    if (session.scalar(select(func.count()).select_from(RoutingRule)) or 0) >= MAX_RULES:
        raise DomainError(Msg("The routing table has {n} rows, the most it may have", n=MAX_RULES), field="area")
    position = (session.scalar(select(func.max(RoutingRule.position))) or 0) + 1
    row = RoutingRule(position=position, **clean)
    session.add(row)
    session.flush()
    audit.record(session, actor, "rights.routing", "rights.route", row.id, summary=_summary(row), detail=clean)
    return row


def update_rule(session: Session, actor: Actor, rule_id: int, values: Mapping[str, object]) -> RoutingRule:
    _ensure_admin(actor)
    row = _get(session, rule_id)
    _, clean = _values(session, values)
    for k, v in clean.items():
        setattr(row, k, v)
    row.updated_at = now()
    audit.record(session, actor, "rights.routing", "rights.route", row.id, summary=_summary(row), detail=clean)
    return row


def set_active(session: Session, actor: Actor, rule_id: int, active: bool) -> RoutingRule:
    _ensure_admin(actor)
    row = _get(session, rule_id)
    row.active, row.updated_at = active, now()
    audit.record(session, actor, "rights.routing", "rights.route", row.id, summary=_summary(row),
                 detail={"active": active})
    return row


def move(session: Session, actor: Actor, rule_id: int, up: bool) -> None:
    """Swap a row with its neighbour (the earlier row wins a tie)."""
    _ensure_admin(actor)
    rows = list(session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)))
    index = next((i for i, r in enumerate(rows) if r.id == rule_id), None)
    if index is None:
        raise NotFound(Msg("No routing rule {id}", id=rule_id))
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    for i, r in enumerate(rows, start=1):
        r.position = i
    rows[index].position, rows[other].position = rows[other].position, rows[index].position
    audit.record(session, actor, "rights.routing", "rights.route", rule_id, summary=_summary(rows[index]),
                 detail={"moved": "up" if up else "down"})


def _get(session: Session, rule_id: int) -> RoutingRule:
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise NotFound(Msg("No routing rule {id}", id=rule_id))
    return row


def _summary(row: RoutingRule) -> str:
    return f"{row.right} × {row.kind} × {row.area} → {row.unit_id}"


def ambiguous(session: Session) -> list[tuple[RoutingRule, RoutingRule]]:
    """Rows that tie and send requests to different units: the earlier always wins (shown as a warning)."""
    rows = list(session.scalars(select(RoutingRule).where(RoutingRule.active.is_(True))
                                .order_by(RoutingRule.position, RoutingRule.id)))
    as_rules = [domain.Rule(r.right, r.kind, r.area, str(r.unit_id), r.priority) for r in rows]
    by_rule = {id(rule): row for rule, row in zip(as_rules, rows, strict=True)}
    return [(by_rule[id(a)], by_rule[id(b)]) for a, b in domain.ambiguous_rules(as_rules)]
