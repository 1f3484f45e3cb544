"""Tables of open licensing: declarations (with a snapshot of the patent for the public list), the licences
taken under them, and the royalty payments recorded against a licence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.core.clock import now
from ipcity.core.db import Base


class Declaration(Base):
    """An open licence declaration (开放许可声明); its workflow is the case `case_id`."""

    __tablename__ = "openlicense_declaration"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    # the patent, as the register had it when last checked (the public list searches these)
    app_number: Mapped[str] = mapped_column(String(40), index=True)  # register key
    patent_number: Mapped[str] = mapped_column(String(40))  # ZL…
    pub_number: Mapped[str] = mapped_column(String(40))
    patent_type: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    ipc_main: Mapped[str] = mapped_column(String(32), default="", index=True)
    ipc_text: Mapped[str] = mapped_column(Text, default="")  # all IPC symbols, space-separated
    region_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    patent_term_end: Mapped[date | None] = mapped_column(Date)
    # the declarant (专利权人)
    patentee: Mapped[str] = mapped_column(String(200), index=True)
    declarant_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    declarant_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # terms (Patent Law Art 50; Implementing Regulations 2023 Art 85)
    mode: Mapped[str] = mapped_column(String(24), index=True)
    lump_sum: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    rate_basis: Mapped[str] = mapped_column(String(16), default="net_sales")
    entry_fee: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    fixed_fee: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0, index=True)  # for the 'maximum fee' filter
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    other_terms: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200))
    small_entity: Mapped[str] = mapped_column(String(16), default="none")
    # written consents: [{"pledgee": name, "attachment_id": id}], and co-owners' joint declarations (Patent Law
    # Art 14): [{"co_owner": name, "attachment_id": id}]
    consents: Mapped[list] = mapped_column(default=list)
    # dates
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Licence(Base):
    """A licence taken under a declaration (Patent Law Art 51); its workflow is the case `case_id`."""

    __tablename__ = "openlicense_licence"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("openlicense_declaration.id"), index=True)
    state: Mapped[str] = mapped_column(String(40), index=True)
    app_number: Mapped[str] = mapped_column(String(40), index=True)
    licensor: Mapped[str] = mapped_column(String(200))
    licensor_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    licensee: Mapped[str] = mapped_column(String(200), index=True)
    licensee_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    licensee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    mode: Mapped[str] = mapped_column(String(24))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    products: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200))
    notified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    recorded_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class Payment(Base):
    """A royalty payment recorded by either party, with its proof (owner type openlicense.payment)."""

    __tablename__ = "openlicense_payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("openlicense_licence.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    period: Mapped[str] = mapped_column(String(100), default="")
    recorded_by_side: Mapped[str] = mapped_column(String(16))  # "licensee" or "licensor"
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_by_user_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
