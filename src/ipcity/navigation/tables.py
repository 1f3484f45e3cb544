"""Tables of patent navigation: saved topics, and the analysis runs made of them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.core.clock import now
from ipcity.core.db import Base


class NavTopic(Base):
    """A named topic: how its patents are chosen (domain.TopicDefinition as JSON), who owns it, who sees it."""

    __tablename__ = "nav_topic"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    nav_type: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    definition: Mapped[dict] = mapped_column(JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)  # visible to, and runnable by, the owner's unit
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class NavRun(Base):
    """One analysis of a topic: the definition as it was run, the results, the report files."""

    __tablename__ = "nav_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("nav_topic.id", ondelete="CASCADE"), index=True)
    definition: Mapped[dict] = mapped_column(JSON, default=dict)  # snapshot: later edits do not change a run
    topic_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued/running/done/failed
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    records: Mapped[int] = mapped_column(Integer, default=0)  # applications analysed
    publications: Mapped[int] = mapped_column(Integer, default=0)
    data_date: Mapped[date | None] = mapped_column(Date)  # newest publication date in the data
    results: Mapped[dict] = mapped_column(JSON, default=dict)  # analysis results (analyses.* as JSON)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)  # seconds per stage, peak memory
    report_pdf: Mapped[str | None] = mapped_column(ForeignKey("stored_file.sha256"))  # the Chinese PDF
    message: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
