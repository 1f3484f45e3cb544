"""The register check: what the patent register alone says against pledging a patent right on a day.

The refusal grounds (不予登记情形) of the Measures for Patent Pledge Registration (专利权质押登记办法, CNIPA
Announcement No. 461, 2021; rules.md §3.1) that need no more than the register position (position.py): ground 2
(terminated or invalidated), 3 (not granted), 4 (annual fee unpaid — in the six-month grace period it is still
unpaid, Implementing Regulations Art 115), 5 (suspension or court preservation; Implementing Regulations Arts
103–105 freeze pledge procedures meanwhile), 9 (already pledged and in its pledge period) and 11 (invalidation
requested: the parties may insist). Grounds 1, 6, 7, 8 and 10 need the application's own facts (the pledgor, the
debt term, the contract, consents, same-day filings) and are the pledge service's.

One check, two readers: the pledge service's examination and filing form (services/pledge/domain.py) and the
valuation's suggested pledge rate (services/valuation/pledge_advice.py), so the two never disagree about a
patent. Pure: a Position in, bars out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipcity.core.i18n import Msg
from ipcity.patents.position import ENDED_LABELS, Position, suspension_label

# Keys, as the pledge service names its grounds.
TERMINATED = "terminated"
NOT_GRANTED = "not_granted"
FEES_UNPAID = "fees_unpaid"
SUSPENDED = "suspended"
ALREADY_PLEDGED = "already_pledged"
INVALIDATION_PENDING = "invalidation_pending"

# key → (number in the 2021 list of refusal grounds, its name)
GROUNDS: dict[str, tuple[int, Msg]] = {
    TERMINATED: (2, Msg("The patent right has terminated or been invalidated (专利权已终止或者已被宣告无效)")),
    NOT_GRANTED: (3, Msg("The application has not been granted (专利申请尚未被授予专利权)")),
    FEES_UNPAID: (4, Msg("Annual fees are unpaid (专利权没有按照规定缴纳年费)")),
    SUSPENDED: (5, Msg("Procedures suspended for an ownership dispute or court preservation (专利权被中止或者被保全)")),
    ALREADY_PLEDGED: (9, Msg("The patent is already pledged and in its pledge period (专利权已被质押且处于质押期间)")),
    INVALIDATION_PENDING: (11, Msg("Invalidation proceedings have started (专利权已被启动无效宣告程序)")),
}
# Further legal basis of a ground, beside the Measures.
ALSO: dict[str, Msg] = {
    FEES_UNPAID: Msg("Implementing Regulations of the Patent Law, Art 115"),
    SUSPENDED: Msg("Implementing Regulations of the Patent Law, Arts 103–105"),
}


@dataclass(frozen=True)
class Bar:
    """A refusal ground the register shows for one patent right."""

    key: str  # a key of GROUNDS
    message: Msg  # the facts, naming the patent
    confirmable: bool = False  # ground 11: registration may go ahead when the parties insist after being told

    @property
    def ground(self) -> int:
        return GROUNDS[self.key][0]

    @property
    def label(self) -> Msg:
        return GROUNDS[self.key][1]

    @property
    def basis(self) -> Msg:
        """The legal basis, by name and article, as a person reads it."""
        rule = Msg("Measures for Patent Pledge Registration, refusal ground {n}", n=self.ground)
        also = ALSO.get(self.key)
        return rule if also is None else Msg("{rule}; {also}", rule=rule, also=also)


def pledge_bars(pos: Position, *, own_reference: str = "") -> list[Bar]:
    """The refusal grounds the register decides for pledging the patent on `pos.on`, in the order of the list.

    `own_reference` is a pledge registration's own number: its own register entry is not "another pledge"."""
    number = pos.patent_number
    out: list[Bar] = []
    if not pos.granted:
        out.append(Bar(NOT_GRANTED, Msg("{number} has not been granted", number=number)))
    elif not pos.in_force:
        out.append(Bar(TERMINATED, Msg("{number} is no longer in force ({event})", number=number,
                                       event=ENDED_LABELS.get(pos.ended_by, pos.ended_by or "—"))))
    if pos.fees is not None and pos.fees.unpaid:
        out.append(Bar(FEES_UNPAID, Msg("The annual fee of year {year} of {number} is unpaid (due {due})",
                                        year=pos.fees.current_year, number=number, due=str(pos.fees.due_on))))
    if pos.suspensions:
        out.append(Bar(SUSPENDED, Msg(
            "{number} is under {kinds}; pledge procedures are frozen (Implementing Regulations Art 105)",
            number=number, kinds=suspension_label(e.kind for e in pos.suspensions))))
    others = [e for e in pos.pledges if not (own_reference and e.reference == own_reference)]
    if others:
        refs = ", ".join(f"{e.reference} ({e.detail.get('pledgee', '—')})" for e in others)
        out.append(Bar(ALREADY_PLEDGED, Msg("{number} is already pledged: {refs}", number=number, refs=refs)))
    if pos.invalidation_requests:
        refs = ", ".join(e.reference or "—" for e in pos.invalidation_requests)
        out.append(Bar(INVALIDATION_PENDING, Msg("An invalidation request against {number} is pending ({refs})",
                                                 number=number, refs=refs), confirmable=True))
    return sorted(out, key=lambda b: b.ground)
