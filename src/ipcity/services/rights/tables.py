"""Tables of the rights-protection network (维权援助"全市一张网").

A request (`RightsRequest`) is what anyone brings to the network: its public tracking number, who asks, about what
right, for what, where. The routing table (`RoutingRule`) sends it to the competent unit; transfers between units
are kept (`Transfer`). A request the competent unit takes on as an adjudication, a mediation, a fair complaint or
overseas guidance opens that case, each a record of its own bound to its case of the case kit (casetypes.py);
`state` mirrors the case and only the engine writes it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.core.clock import now, today
from ipcity.core.db import Base


class RoutingRule(Base):
    """One row of the administrator's routing table: requests of `right` × `kind` from `area` go to `unit_id`
    (domain.Rule: "*" for any; area a district code, "online", "fair:<key>", "district:*", "fair:*")."""

    __tablename__ = "rights_route"
    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)  # the table's order (ties: earlier wins)
    right: Mapped[str] = mapped_column(String(20), default="*")
    kind: Mapped[str] = mapped_column(String(32), default="*")
    area: Mapped[str] = mapped_column(String(60), default="*")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class RightsRequest(Base):
    """A request to the network, from the web form or entered by an official from a phone call or a visit."""

    __tablename__ = "rights_request"
    __table_args__ = (UniqueConstraint("year", "serial", name="uq_rights_request_year_serial"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # the case's number (officials')
    tracking: Mapped[str] = mapped_column(String(40), unique=True)  # the public tracking number (查询码)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    channel: Mapped[str] = mapped_column(String(16), index=True)
    role: Mapped[str] = mapped_column(String(32))
    right: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(32), default="")  # adjudication: domain.DISPUTE_SUBJECTS
    matter: Mapped[str] = mapped_column(String(32), default="")  # mediation of a patent: Order 81 Art 63
    where: Mapped[str] = mapped_column(String(16))
    division_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    fair_id: Mapped[int | None] = mapped_column(ForeignKey("rights_fair.id"), index=True)
    country: Mapped[str] = mapped_column(String(2), default="", index=True)  # overseas guidance: ISO 3166
    description: Mapped[str] = mapped_column(Text)
    respondent: Mapped[str] = mapped_column(String(200), default="", index=True)
    patent_number: Mapped[str] = mapped_column(String(40), default="", index=True)
    requester_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    # The other facts of the form (Order 81 Art 12 declarations, the day the requester knew, the foreign party …).
    details: Mapped[dict] = mapped_column(default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the requester's account, if any
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # the requester's unit, if any
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the official who took a call
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("rights_route.id"))
    routed_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)  # no rule matched, or CNIPA / Art 7
    followup_type: Mapped[str] = mapped_column(String(40), default="")  # the case type the request became
    followup_id: Mapped[int | None] = mapped_column(Integer)  # that case's record id
    outcome: Mapped[str] = mapped_column(String(32), default="", index=True)
    amount_recovered: Mapped[float | None] = mapped_column(Numeric(14, 2))  # yuan: damages, settlements obtained
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    received_on: Mapped[date] = mapped_column(Date, default=today, index=True)  # the day in China
    first_response_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Transfer(Base):
    """A request passed from one unit to another (移送), with who did it and why."""

    __tablename__ = "rights_transfer"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("rights_request.id"), index=True)
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Adjudication(Base):
    """An administrative adjudication of a patent dispute (专利纠纷行政裁决, CNIPA Order No. 81)."""

    __tablename__ = "rights_adjudication"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    request_id: Mapped[int] = mapped_column(ForeignKey("rights_request.id"), unique=True)
    # The requester's account and unit (the request's), set when the request is taken on (service.refer): they
    # see the whole file.
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requester_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the adjudicating office
    subject: Mapped[str] = mapped_column(String(32), default="infringement", index=True)
    requester: Mapped[str] = mapped_column(String(200))
    respondent: Mapped[str] = mapped_column(String(200), index=True)
    respondent_code: Mapped[str] = mapped_column(String(18), default="")  # unified social credit code, if known
    respondent_in_china: Mapped[bool] = mapped_column(Boolean, default=True)  # Art 22: 15 or 30 days to answer
    patent_number: Mapped[str] = mapped_column(String(40), index=True)
    complex_case: Mapped[bool] = mapped_column(Boolean, default=False)  # Art 20: +5 working days to file
    received_on: Mapped[date] = mapped_column(Date)  # the request, or its correction, arrived (Art 20 clock)
    corrections_sent: Mapped[int] = mapped_column(Integer, default=0)  # Art 16: one notice at most
    correction_due: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date, index=True)  # 立案: the decision clock starts
    panel: Mapped[list] = mapped_column(default=list)  # [{"name", "user_id", "presiding"}], odd, ≥ 3
    recusals: Mapped[list] = mapped_column(default=list)  # [{"name", "by", "reason", "decided", "on"}]
    served_on: Mapped[date | None] = mapped_column(Date)  # the request served on the respondent
    respondent_received_on: Mapped[date | None] = mapped_column(Date)
    answer_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[list] = mapped_column(default=list)  # [{"kind", "by", "on", "note"}]: evidence, inspection …
    hearings: Mapped[list] = mapped_column(default=list)  # [{"on", "place", "record"}]
    extensions: Mapped[list] = mapped_column(default=list)  # [{"level", "approver", "approved_on", "months"}]
    stops: Mapped[list] = mapped_column(default=list)  # [{"kind", "start", "end"}]: periods that do not count
    decision_due: Mapped[date | None] = mapped_column(Date, index=True)  # as the clock stands (None while stopped)
    outcome: Mapped[str] = mapped_column(String(32), default="", index=True)
    acts: Mapped[list] = mapped_column(default=list)  # Patent Law Art 11 acts found
    decision_text: Mapped[str] = mapped_column(Text, default="")
    repeat_infringement: Mapped[bool] = mapped_column(Boolean, default=False)  # Order 81 Art 34
    dishonest: Mapped[bool] = mapped_column(Boolean, default=False)  # recorded as seriously dishonest
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    decision_received_on: Mapped[date | None] = mapped_column(Date)
    suit_deadline: Mapped[date | None] = mapped_column(Date)  # Patent Law Art 65: 15 days to sue
    amount: Mapped[float | None] = mapped_column(Numeric(14, 2))  # damages mediated or settled, yuan
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Mediation(Base):
    """A mediation (纠纷调解): by the office, or referred to a mediation body (Order 81 Arts 63–69)."""

    __tablename__ = "rights_mediation"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    request_id: Mapped[int] = mapped_column(ForeignKey("rights_request.id"), unique=True)
    # The requester's account and unit (the request's), set when the request is taken on (service.refer): they
    # see the whole file.
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requester_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    mediator_kind: Mapped[str] = mapped_column(String(20), index=True)  # domain.MEDIATORS
    body_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # the body referred to
    matter: Mapped[str] = mapped_column(String(32), default="")
    requester: Mapped[str] = mapped_column(String(200))
    respondent: Mapped[str] = mapped_column(String(200), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    notice_sent_on: Mapped[date | None] = mapped_column(Date)
    statement_on: Mapped[date | None] = mapped_column(Date)
    agrees: Mapped[bool | None] = mapped_column(Boolean)
    sessions: Mapped[list] = mapped_column(default=list)  # [{"on", "place", "note"}]
    agreement_text: Mapped[str] = mapped_column(Text, default="")
    agreed_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[float | None] = mapped_column(Numeric(14, 2))
    confirmation: Mapped[dict] = mapped_column(default=dict)  # judicial confirmation: {"by", "on", "court", "result"}
    performance: Mapped[list] = mapped_column(default=list)  # [{"on", "note", "done"}]
    outcome: Mapped[str] = mapped_column(String(32), default="", index=True)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Fair(Base):
    """A fair the network serves (CIIE and others): its dates, on-site desks and the unit responsible."""

    __tablename__ = "rights_fair"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # "ciie-2026": the routing area is "fair:<key>"
    series: Mapped[str] = mapped_column(String(40), index=True)  # "ciie": editions of one fair share it
    edition: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    first_day: Mapped[date] = mapped_column(Date, index=True)
    last_day: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the desk's unit
    desks: Mapped[list] = mapped_column(default=list)  # [{"name", "place", "phone"}]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Undertaking(Base):
    """An exhibitor's IP undertaking for a fair (参展项目知识产权承诺书)."""

    __tablename__ = "rights_undertaking"
    __table_args__ = (UniqueConstraint("fair_id", "exhibitor_key", name="uq_rights_undertaking_fair_exhibitor"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("rights_fair.id"), index=True)
    exhibitor: Mapped[str] = mapped_column(String(200))
    exhibitor_key: Mapped[str] = mapped_column(String(200), index=True)  # the credit code, or the folded name
    booth: Mapped[str] = mapped_column(String(40), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class FairComplaint(Base):
    """A complaint at a fair (展会投诉): the 24-hour clock on the respondent's written statement, the desk's
    measures."""

    __tablename__ = "rights_fair_complaint"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    request_id: Mapped[int] = mapped_column(ForeignKey("rights_request.id"), unique=True)
    # The requester's account and unit (the request's), set when the request is taken on (service.refer): they
    # see the whole file.
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requester_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("rights_fair.id"), index=True)
    complainant: Mapped[str] = mapped_column(String(200))
    respondent: Mapped[str] = mapped_column(String(200), index=True)
    respondent_key: Mapped[str] = mapped_column(String(200), index=True)  # as Undertaking.exhibitor_key
    booth: Mapped[str] = mapped_column(String(40), default="")
    right: Mapped[str] = mapped_column(String(20))
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    statement_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    statement: Mapped[str] = mapped_column(Text, default="")
    # The facts the desk records (fairs.record_facts) that allow the measures before the 24 hours end, or excuse a
    # statement that did not come in time (Guide Art 14).
    admitted: Mapped[bool] = mapped_column(Boolean, default=False)  # the respondent admits the infringement
    confirmed_by: Mapped[str] = mapped_column(String(300), default="")  # the effective legal document confirming it
    good_reason: Mapped[str] = mapped_column(String(500), default="")  # why no statement came in time
    measures: Mapped[list] = mapped_column(default=list)  # domain.FAIR_MEASURES keys taken
    measures_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    measures_reason: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(32), default="", index=True)
    infringing: Mapped[bool] = mapped_column(Boolean, default=False)  # found infringing (counts to the next edition)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class OverseasCase(Base):
    """A request for guidance from an enterprise facing a dispute abroad (海外知识产权纠纷应对指导)."""

    __tablename__ = "rights_overseas"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    request_id: Mapped[int] = mapped_column(ForeignKey("rights_request.id"), unique=True)
    # The requester's account and unit (the request's), set when the request is taken on (service.refer): they
    # see the whole file.
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requester_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    right: Mapped[str] = mapped_column(String(20), index=True)
    industry: Mapped[str] = mapped_column(String(60), default="", index=True)
    opponent: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(32), default="", index=True)  # warning letter, suit, customs, …
    guidance: Mapped[list] = mapped_column(default=list)  # [{"on", "by", "note"}]
    outcome: Mapped[str] = mapped_column(String(32), default="", index=True)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class RiskAlert(Base):
    """A risk alert published to the companies of a field (海外知识产权风险预警)."""

    __tablename__ = "rights_alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2), default="", index=True)
    industry: Mapped[str] = mapped_column(String(60), default="", index=True)
    right: Mapped[str] = mapped_column(String(20), default="", index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class LibraryEntry(Base):
    """A case of the overseas dispute library (海外纠纷案例库), searchable by country, industry and right."""

    __tablename__ = "rights_library"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    industry: Mapped[str] = mapped_column(String(60), default="", index=True)
    right: Mapped[str] = mapped_column(String(20), index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    # from a guidance case, if any: at most one entry per case, whoever adds it at the same moment
    overseas_id: Mapped[int | None] = mapped_column(ForeignKey("rights_overseas.id"), unique=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
