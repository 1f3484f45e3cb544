"""A patent's position in the register (专利登记簿) on a given day, derived from the publication record and
the register entries recorded against it.

Pure: takes a PatentRecord and plain `RegisterEntry` values, returns a `Position`. What the services of
issue 6 check before they act — open licensing (Implementing Regulations 2023 Art 86) and pledge registration
(专利权质押登记办法 2021, refusal grounds) — reads from here, so both see the same facts.

Register contents (Implementing Regulations 2023 Art 106): grant, ownership, transfers, licences recorded,
pledges, suspension (Art 103 ownership dispute, Art 104 court preservation), invalidation, termination,
open licensing. Entries the platform records (licences, pledges, declarations, fee payments) and entries imported
from CNIPA's register are `RegisterEntry` rows; legal events that came with the publication data (rules.md
§12.3 terms) are read too, so that a patent the platform has never touched still shows its pledges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ipcity.core.i18n import Msg
from ipcity.patents import fees
from ipcity.patents.record import LAPSED, PatentRecord

# Kinds of register entry.
LICENCE = "licence"  # 专利实施许可合同备案; detail.licence_type is one of LICENCE_TYPES
PLEDGE = "pledge"  # 专利权质押登记; detail.pledgee, detail.debt_end
SUSPENSION = "suspension"  # 中止 for an ownership dispute (Implementing Regulations Art 103)
PRESERVATION = "preservation"  # court preservation order (Implementing Regulations Art 104)
INVALIDATION_REQUEST = "invalidation_request"  # 无效宣告请求 pending
ANNUAL_FEE = "annual_fee"  # 年费缴纳; detail.year is the patent year paid
OPEN_LICENCE = "open_licence"  # 开放许可声明 in effect (Patent Law Art 50)
ENTRY_KINDS = (LICENCE, PLEDGE, SUSPENSION, PRESERVATION, INVALIDATION_REQUEST, ANNUAL_FEE, OPEN_LICENCE)

EXCLUSIVE = "exclusive"  # 独占许可
SOLE = "sole"  # 排他许可
ORDINARY = "ordinary"  # 普通许可
LICENCE_TYPES = (EXCLUSIVE, SOLE, ORDINARY)

# Why a patent is no longer in force, from its legal events (rules.md §12.3).
ENDING_EVENTS = ("fee_lapse", "expiry", "surrender", "invalidation", "rejection", "withdrawal")
ENDED_LABELS = {"fee_lapse": Msg("terminated for unpaid annual fee (未缴年费专利权终止)"),
                "expiry": Msg("term expired (专利权有效期届满)"), "surrender": Msg("surrendered (专利权的主动放弃)"),
                "invalidation": Msg("invalidated (专利权全部无效)"), "rejection": Msg("rejected (驳回)"),
                "withdrawal": Msg("withdrawn (撤回)")}
# What a person reads for a suspension entry: never the code.
SUSPENSION_LABELS = {SUSPENSION: Msg("suspension of procedures (中止, Implementing Regulations Art 103)"),
                     PRESERVATION: Msg("court preservation (财产保全, Implementing Regulations Art 104)")}


def suspension_label(kinds) -> Msg:
    """The suspension kinds in force as one message (a patent may be under both)."""
    labels = [SUSPENSION_LABELS.get(k, Msg(k)) for k in sorted(set(kinds))]
    return labels[0] if len(labels) == 1 else Msg("{first} and {second}", first=labels[0], second=labels[1])


@dataclass(frozen=True)
class RegisterEntry:
    kind: str  # one of ENTRY_KINDS
    start: date | None = None
    end: date | None = None  # the end agreed at the start (licence term, debt term); None = open-ended
    closed_on: date | None = None  # cancelled, lifted, decided or withdrawn on this day
    reference: str = ""  # case or record number that made the entry
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    def in_force(self, on: date) -> bool:
        if self.start is not None and self.start > on:
            return False
        if self.closed_on is not None and self.closed_on <= on:
            return False
        return self.end is None or self.end >= on


@dataclass(frozen=True)
class FeeStatus:
    current_year: int  # the patent year running on the day (1 = the year from the filing date)
    paid_through: int | None  # last patent year paid; None when the register holds no payment record
    due_on: date | None  # when the running year's fee fell due (the day before the year began)
    unpaid: bool  # the running year's fee is not paid (in the 6-month grace, or lapsed)
    grace_ends: date | None  # Implementing Regulations Art 115: six months after the due date
    from_payments: bool  # False: inferred from the legal status because no payment is recorded


@dataclass(frozen=True)
class Position:
    pub_number: str
    app_number: str
    patent_type: str | None
    title: str
    owners: tuple[str, ...]
    app_date: date | None
    grant_date: date | None
    term_end: date | None
    granted: bool
    in_force: bool
    ended_by: str  # the legal event that ended it ('' while in force)
    fees: FeeStatus | None
    licences: tuple[RegisterEntry, ...]  # in force on the day
    pledges: tuple[RegisterEntry, ...]  # in force on the day
    suspensions: tuple[RegisterEntry, ...]  # suspension or preservation in force
    invalidation_requests: tuple[RegisterEntry, ...]  # pending
    open_licence: RegisterEntry | None
    on: date

    @property
    def patent_number(self) -> str:
        """专利号: ZL + the application number (rules.md §12.1)."""
        return "ZL" + self.app_number[2:] if self.app_number.startswith("CN") else self.app_number

    @property
    def exclusive_licences(self) -> tuple[RegisterEntry, ...]:
        return tuple(e for e in self.licences if e.detail.get("licence_type") in (EXCLUSIVE, SOLE))

    @property
    def suspended(self) -> bool:
        return bool(self.suspensions)

    @property
    def co_owned(self) -> bool:
        return len(self.owners) > 1

    @property
    def remaining_years(self) -> float:
        if self.term_end is None or not self.in_force:
            return 0.0
        return max(0.0, (self.term_end - self.on).days / 365.25)


def fee_status(record: PatentRecord, entries: list[RegisterEntry], on: date) -> FeeStatus | None:
    """Which annual fee runs on `on` and whether it is paid (rules.md §12.5; Implementing Regulations Art 115).

    The fee of patent year N is paid before year N begins (its due date is the day before); once year N has begun
    unpaid, the patent is in the six-month grace period.
    With no payment recorded, a patent whose legal status is in force is taken to be paid up: the register
    would show it terminated otherwise.
    """
    if record.app_date is None:
        return None
    year = fees.patent_year(record.app_date, on)
    due = fees.due_date(record.app_date, year)
    paid = [int(e.detail["year"]) for e in entries if e.kind == ANNUAL_FEE and "year" in e.detail
            and e.closed_on is None]
    grace = fees.grace_end(due)
    if paid:
        paid_through = max(paid)
        return FeeStatus(year, paid_through, due, paid_through < year, grace, True)
    unpaid = record.legal_status == LAPSED and _ending_event(record) == "fee_lapse"
    return FeeStatus(year, None, due, unpaid, grace, False)


def _ending_event(record: PatentRecord) -> str:
    ends = [e for e in record.events if e.kind in ENDING_EVENTS]
    if not ends:
        return ""
    return max(ends, key=lambda e: e.date or date.min).kind


def _event_entries(record: PatentRecord) -> list[RegisterEntry]:
    """Licences and pledges from the publication's legal events: 生效 opens one, 注销 closes the open one.

    The events carry no term or licence type unless their text says 独占/排他; they count as open-ended.
    """
    out: list[RegisterEntry] = []
    for kind in (LICENCE, PLEDGE):
        events = sorted((e for e in record.events if e.kind == kind), key=lambda e: e.date or date.min)
        current: RegisterEntry | None = None
        for e in events:
            text = e.text or ""
            if "注销" in text or e.code in ("PC01", "EC01"):
                if current is not None:
                    out.append(RegisterEntry(kind, current.start, None, e.date, current.reference, current.detail))
                    current = None
            elif "变更" in text or e.code in ("PM01", "EM01"):
                continue
            else:
                if current is not None:
                    out.append(current)
                licence_type = EXCLUSIVE if "独占" in text else SOLE if "排他" in text else ORDINARY
                detail = {"licence_type": licence_type} if kind == LICENCE else {}
                current = RegisterEntry(kind, e.date, None, None, f"event:{e.code or kind}",
                                        detail | {"source": "publication", "text": text})
        if current is not None:
            out.append(current)
    return out


def derive(record: PatentRecord, entries: list[RegisterEntry], on: date) -> Position:
    """The position on `on` from the record and the register entries (platform and imported) against it."""
    all_entries = [*entries, *_event_entries(record)]
    granted = record.grant_date is not None or record.kind in ("B", "C", "U", "Y", "S", "B1", "B2")
    term_end = fees.term_end(record.patent_type, record.app_date) if record.app_date and record.patent_type else None
    ended_by = _ending_event(record) if record.legal_status == LAPSED else ""
    expired = term_end is not None and on > term_end
    if expired and not ended_by:
        ended_by = "expiry"
    fee = fee_status(record, entries, on) if granted else None
    if fee is not None and fee.from_payments and fee.unpaid and fee.grace_ends is not None and on > fee.grace_ends:
        ended_by = ended_by or "fee_lapse"  # Art 115: unpaid after the grace period, terminated from the due date
    in_force = granted and not ended_by and record.legal_status != LAPSED

    def live(kinds: tuple[str, ...]) -> tuple[RegisterEntry, ...]:
        return tuple(e for e in all_entries if e.kind in kinds and e.in_force(on))

    opened = live((OPEN_LICENCE,))
    return Position(
        pub_number=record.pub_number, app_number=record.app_number, patent_type=record.patent_type,
        title=record.title, owners=tuple(record.applicants), app_date=record.app_date,
        grant_date=record.grant_date, term_end=term_end, granted=granted, in_force=in_force, ended_by=ended_by,
        fees=fee, licences=live((LICENCE,)), pledges=live((PLEDGE,)),
        suspensions=live((SUSPENSION, PRESERVATION)), invalidation_requests=live((INVALIDATION_REQUEST,)),
        open_licence=opened[0] if opened else None, on=on)
