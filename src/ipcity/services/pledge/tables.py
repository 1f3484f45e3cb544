"""Tables of patent pledge registration: the pledge (application and, once registered, the registration), its
patents, the requests to change or cancel a registration, and the gazette (公告) lines published on
registration, change and cancellation.

What the service knows of a pledge or a request is in these typed columns, never in the case's free `data`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipcity.core.clock import now
from ipcity.core.db import Base


class Pledge(Base):
    """One joint application for pledge registration and, once registered, the registration itself."""

    __tablename__ = "pledge_registration"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    application_number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    pledgor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    pledgor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    pledgor_name: Mapped[str] = mapped_column(String(200), index=True)
    pledgor_address: Mapped[str] = mapped_column(String(300))
    pledgee_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    pledgee_name: Mapped[str] = mapped_column(String(200), index=True)
    pledgee_address: Mapped[str] = mapped_column(String(300))
    debtor_name: Mapped[str] = mapped_column(String(200), default="")
    claim_type: Mapped[str] = mapped_column(String(32))
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # the secured amount in fen (分): exact
    debt_start: Mapped[date] = mapped_column(Date)
    debt_end: Mapped[date] = mapped_column(Date)
    guarantee_scope: Mapped[str] = mapped_column(Text)
    annual_fee_payer: Mapped[str] = mapped_column(String(16), default="")
    transfer_allowed: Mapped[str] = mapped_column(String(8), default="")
    licensing_allowed: Mapped[str] = mapped_column(String(8), default="")
    agent_name: Mapped[str] = mapped_column(String(200), default="")
    insist_same_day: Mapped[bool] = mapped_column(Boolean, default=False)
    insist_invalidation: Mapped[bool] = mapped_column(Boolean, default=False)
    pledgor_confirmed_by: Mapped[str] = mapped_column(String(100), default="")
    pledgor_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pledgee_confirmed_by: Mapped[str] = mapped_column(String(100), default="")
    pledgee_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    registration_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    registration_year: Mapped[int | None] = mapped_column(Integer)
    registration_serial: Mapped[int | None] = mapped_column(Integer)
    registered_on: Mapped[date | None] = mapped_column(Date, index=True)
    decided_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    findings: Mapped[list] = mapped_column(JSON, default=list)  # the check as it stood at the decision
    filed_on: Mapped[date] = mapped_column(Date)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    patents: Mapped[list[PledgedPatent]] = relationship(order_by="PledgedPatent.position", lazy="selectin",
                                                        cascade="all, delete-orphan")


class PledgedPatent(Base):
    """One patent of a pledge, with the facts filled from the register at filing (2010 Art 9 items)."""

    __tablename__ = "pledge_patent"
    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge_registration.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    patent_number: Mapped[str] = mapped_column(String(40), index=True)  # ZL…
    app_number: Mapped[str] = mapped_column(String(40), index=True)  # the register key
    pub_number: Mapped[str] = mapped_column(String(40))
    patent_type: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(Text)
    app_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    ipc_main: Mapped[str] = mapped_column(String(32), default="")
    owners: Mapped[list] = mapped_column(JSON, default=list)
    consents: Mapped[list] = mapped_column(JSON, default=list)  # co-owners whose consent document is on file


class PledgeAmendment(Base):
    """A request to change (变更) or cancel (注销) a registered pledge: the record of its own case
    (service.AMENDMENT), which opens it and mirrors its state."""

    __tablename__ = "pledge_amendment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge_registration.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # domain.CHANGE or domain.CANCELLATION
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # contract item → new value (a change)
    reason: Mapped[str] = mapped_column(Text, default="")
    cancellation_reason: Mapped[str] = mapped_column(String(32), default="")  # why the pledge ends (a cancellation)
    proof_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))  # change agreement or proof of end
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    pledge: Mapped[Pledge] = relationship()


class GazetteLine(Base):
    """One line of the public gazette (公告): per patent, on registration, change or cancellation (rules.md §3.1)."""

    __tablename__ = "pledge_gazette"
    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge_registration.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # registration, change, cancellation
    published_on: Mapped[date] = mapped_column(Date, index=True)
    registration_number: Mapped[str] = mapped_column(String(32), index=True)
    registered_on: Mapped[date] = mapped_column(Date, index=True)
    patent_number: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    ipc_main: Mapped[str] = mapped_column(String(32), default="", index=True)
    grant_date: Mapped[date | None] = mapped_column(Date)
    pledgor: Mapped[str] = mapped_column(String(200), index=True)
    pledgee: Mapped[str] = mapped_column(String(200), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # what changed; why cancelled
