"""Tables of plan supervision: the work points and who is responsible for each.

Progress reports are cases of the case engine (type `workplan.progress_report`, subject = the point).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipcity.core.clock import now
from ipcity.core.db import Base


class PlanPoint(Base):
    __tablename__ = "wp_point"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    section_number: Mapped[int] = mapped_column(Integer)
    section_title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    deadline_label: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date | None] = mapped_column(Date)
    # From the latest accepted progress report.
    completion: Mapped[int | None] = mapped_column(Integer)
    last_accepted_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    responsibilities: Mapped[list[Responsibility]] = relationship(order_by="Responsibility.position",
                                                                  lazy="selectin", cascade="all, delete-orphan")


class Responsibility(Base):
    __tablename__ = "wp_responsibility"
    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("wp_point.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    collective: Mapped[bool] = mapped_column(Boolean, default=False)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
