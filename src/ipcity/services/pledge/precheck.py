"""The register check a pledgor sees before confirming a filing: for each patent number entered on the form, what
the patent register says (status, annual fee, owners, pledges, licences, suspensions, invalidation requests,
open licence) and the refusal grounds the examiner will find — the same check the examination applies
(domain.patent_findings, which reads the register's own check, patents/register_check.py). Writes nothing.

Before filing there are no consents on file: a co-owned patent shows ground 8 until each co-owner's written
consent is added on the application page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.patents import register
from ipcity.patents.position import Position
from ipcity.services.pledge import domain
from ipcity.services.pledge.service import max_patents, same_day_others


@dataclass(frozen=True)
class PatentCheck:
    """One number entered: its register position and findings, or why it could not be checked."""

    entered: str
    position: Position | None = None
    title: str = ""
    findings: tuple[domain.Finding, ...] = ()
    error: Msg | None = None

    @property
    def standing(self) -> list[domain.Finding]:
        return domain.blocking(list(self.findings))


@dataclass(frozen=True)
class FilingCheck:
    patents: tuple[PatentCheck, ...]
    on: date
    problems: tuple[Msg, ...] = field(default=())  # about the list as a whole (too many numbers)

    @property
    def standing(self) -> int:
        return sum(len(p.standing) + (1 if p.error else 0) for p in self.patents)


def check_filing(session: Session, pledgor: str, values: dict, on: date | None = None) -> FilingCheck:
    """The register check of the patents entered (`values["patents"]`) for `pledgor`, with the debt's end and the
    parties' insistence (grounds 10, 11) as entered so far."""
    on = on or today()
    numbers = domain.split_numbers(str(values.get("patents") or ""))
    limit = max_patents(session)
    problems: list[Msg] = []
    if not numbers:
        problems.append(Msg("Enter the patent numbers to check"))
    elif len(numbers) > limit:
        problems.append(Msg("At most {n} patents per application; the first {n} are checked", n=limit))
        numbers = numbers[:limit]
    debt_end = domain.parse_day(str(values.get("debt_end") or ""))
    out: list[PatentCheck] = []
    seen: set[str] = set()
    for number in numbers:
        try:
            record = register.find(session, number)
        except DomainError as exc:  # NotFound included
            out.append(PatentCheck(number[:40], error=exc.message))
            continue
        key = register.key_of(record)
        if key in seen:
            continue
        seen.add(key)
        pos = register.position(session, record, on)
        facts = domain.PatentFacts(pledgor=pledgor, debt_end=debt_end, at_filing=pos,
                                   same_day_other=same_day_others(session, record, tuple(pos.owners)),
                                   insist_same_day=bool(values.get("insist_same_day")),
                                   insist_invalidation=bool(values.get("insist_invalidation")))
        out.append(PatentCheck(number[:40], pos, record.title, tuple(domain.patent_findings(pos, facts))))
    return FilingCheck(tuple(out), on, tuple(problems))
