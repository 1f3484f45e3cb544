"""The case-record kit: a service's record bound to its case, read, shown and acted on the same way everywhere.

Each case service keeps one table of its own (a data product, a pledge, an open-licence declaration) whose row
is the subject of one case (`CaseType.record`). A `RecordKind` declares what differs between services — which
case type, who besides the officials of the case's unit sees the whole file, the messages — and gives every
service the same plumbing: load by id or by case, the visibility rule, opening record and case in one step, and
taking a step through the engine (the one door).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ipcity.core.errors import NotFound, PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, Actor
from ipcity.workflow import engine
from ipcity.workflow.definition import CaseType
from ipcity.workflow.tables import Case, CaseEvent


def _nobody(actor: Actor, record: object) -> bool:
    return False


@dataclass(frozen=True)
class RecordKind:
    case_type: CaseType
    missing: str   # msgid (marked with N_) of "no such record", with an {id} parameter
    denied: str    # msgid (marked with N_) of "you may not see it"
    # Who, besides administrators and the officials of the unit the case is assigned to, sees the whole file.
    parties: Callable[[Actor, object], bool] = _nobody
    # The case whose assigned unit's officials see the record; its own case unless declared otherwise (a
    # licence is seen by the office that checked its declaration).
    officials_case: Callable[[Session, object], Case] | None = None

    def __post_init__(self) -> None:
        if self.case_type.record is None:
            raise ValueError(f"{self.case_type.key}: a record kind needs a case type that declares its record")

    @property
    def model(self) -> type:
        return self.case_type.record

    def get(self, session: Session, record_id: int):
        record = session.get(self.model, record_id)
        if record is None:
            raise NotFound(Msg(self.missing, id=record_id))
        return record

    def of_case(self, session: Session, case: Case):
        return engine.record_of(session, self.case_type, case)

    def case_of(self, session: Session, record) -> Case:
        return session.get(Case, record.case_id)

    def may_view(self, session: Session, actor: Actor, record) -> bool:
        if actor.role == ADMIN or self.parties(actor, record):
            return True
        if actor.role not in OFFICIAL_ROLES or actor.unit_id is None:
            return False
        case = self.officials_case(session, record) if self.officials_case else self.case_of(session, record)
        return case is not None and case.assigned_unit_id == actor.unit_id

    def visible(self, session: Session, actor: Actor, record_id: int):
        """The record, if the actor may see its whole file (404 when there is none, 403 when they may not)."""
        record = self.get(session, record_id)
        if not self.may_view(session, actor, record):
            raise PermissionDenied(Msg(self.denied))
        return record

    def open(self, session: Session, actor: Actor, record, *, title: str, applicant_unit_id: int | None,
             assigned_unit_id: int | None, subject_type: str, data: dict | None = None) -> Case:
        """File a new record and open its case in one step (the record gets the case's id, number and state)."""
        return engine.open_case(session, self.case_type, actor, title=title[:300], applicant_unit_id=applicant_unit_id,
                                assigned_unit_id=assigned_unit_id, subject_type=subject_type, data=data,
                                record=record)

    def act(self, session: Session, actor: Actor, record, transition: str, values: dict | None = None,
            reason: str = "") -> CaseEvent:
        """A step of the record's case, through the engine like every other door."""
        return engine.fire(session, self.case_type, self.case_of(session, record), transition, actor,
                           values=values or {}, reason=reason)
