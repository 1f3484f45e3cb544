"""Tables of the case engine: cases, their history and their running deadlines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipcity.core.clock import now
from ipcity.core.db import Base


class Case(Base):
    __tablename__ = "wf_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    type_key: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(40), index=True)
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    applicant_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    assigned_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    subject_type: Mapped[str] = mapped_column(String(64), default="")
    subject_id: Mapped[str] = mapped_column(String(64), default="")
    data: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.seq", lazy="selectin",
                                                   cascade="all, delete-orphan")
    deadlines: Mapped[list[CaseDeadline]] = relationship(order_by="CaseDeadline.id", lazy="selectin",
                                                         cascade="all, delete-orphan")

    __table_args__ = (Index("ix_wf_case_subject", "subject_type", "subject_id"),)


class CaseEvent(Base):
    """One step of a case's history: who did what, from which state to which, when and why."""

    __tablename__ = "wf_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    transition: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40), default="")
    to_state: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    reason: Mapped[str] = mapped_column(Text, default="")
    values: Mapped[dict] = mapped_column(default=dict)


class CaseDeadline(Base):
    __tablename__ = "wf_deadline"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id", ondelete="CASCADE"), index=True)
    rule_key: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    # The days this run counts where they are not the rule's amount (None): what was left, for a clock resumed
    # after a pause (DeadlineRule.resumes_on), or the case's own length (DeadlineRule.days_for). `paused`: stopped
    # by a pause, to be resumed, not finished.
    days: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
