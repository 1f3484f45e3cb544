"""Tables of fast pre-examination (专利快速预审): a company's registration with the protection centre (备案) and
its pre-examination cases. Each row is the subject of one case of the case kit (casetypes.py); its `state`
mirrors the case and only the engine writes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.core.clock import now, today
from ipcity.core.db import Base


class Registration(Base):
    """A company's registration with the centre (备案): admitted for a year, renewed yearly, suspendable."""

    __tablename__ = "preexam_registration"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the company's unit
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    centre_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    entity_kind: Mapped[str] = mapped_column(String(32))
    division_code: Mapped[str] = mapped_column(String(12), index=True)  # registered address: county-level code
    address: Mapped[str] = mapped_column(String(300))
    business_scope: Mapped[str] = mapped_column(Text)
    fields: Mapped[list] = mapped_column(default=list)  # the centre's technical fields the scope matches (keys)
    contacts: Mapped[list] = mapped_column(default=list)  # [{"name", "phone", "email"}]
    agency_name: Mapped[str] = mapped_column(String(200), default="")
    agency_code: Mapped[str] = mapped_column(String(20), default="")
    admitted_on: Mapped[date | None] = mapped_column(Date)
    admitted_until: Mapped[date | None] = mapped_column(Date, index=True)
    abnormal: Mapped[bool] = mapped_column(Boolean, default=False)  # an abnormal-filing finding stands against it
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Submission(Base):
    """A case submitted for pre-examination, followed after passing to its CNIPA filing and grant."""

    __tablename__ = "preexam_submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    registration_id: Mapped[int] = mapped_column(ForeignKey("preexam_registration.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the company's unit
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    centre_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    district_code: Mapped[str] = mapped_column(String(12), default="", index=True)  # the company's district
    patent_type: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text, default="")
    claims: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    brief_description: Mapped[str] = mapped_column(Text, default="")  # designs: 简要说明
    ipc: Mapped[list] = mapped_column(default=list)  # proposed IPC symbols (inventions, utility models)
    locarno: Mapped[list] = mapped_column(default=list)  # proposed Locarno classes (designs)
    field_key: Mapped[str] = mapped_column(String(40), default="", index=True)  # the centre's field it falls in
    applicants: Mapped[list] = mapped_column(default=list)
    inventors: Mapped[list] = mapped_column(default=list)
    agency_name: Mapped[str] = mapped_column(String(200), default="")
    declarations: Mapped[dict] = mapped_column(default=dict)  # {declaration key: True}
    is_pct: Mapped[bool] = mapped_column(Boolean, default=False)
    is_divisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the platform found before a person looked (field check, exclusions, formal checklist, suggested classes,
    # prior-art hint), as plain values, refreshed on every (re)submission.
    checks: Mapped[dict] = mapped_column(default=dict)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # a check found something
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    submitted_on: Mapped[date] = mapped_column(Date, default=today, index=True)  # the day in China (same-day rule)
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    passed_on: Mapped[date | None] = mapped_column(Date, index=True)
    filing_deadline: Mapped[date | None] = mapped_column(Date, index=True)  # file at CNIPA by this day
    reasons: Mapped[list] = mapped_column(default=list)  # not passed: reason keys
    cnipa_app_number: Mapped[str] = mapped_column(String(40), default="", index=True)
    filed_on: Mapped[date | None] = mapped_column(Date)
    granted_on: Mapped[date | None] = mapped_column(Date)
    corrections: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
