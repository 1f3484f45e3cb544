"""The patent register: one row per publication, and the ingest runs that filled it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.core.clock import now
from ipcity.core.db import Base


class Patent(Base):
    """A normalised publication (PatentRecord); lists are JSON so that one row is one record."""

    __tablename__ = "patent"
    id: Mapped[int] = mapped_column(primary_key=True)
    pub_number: Mapped[str] = mapped_column(String(40), unique=True)
    office: Mapped[str] = mapped_column(String(4), default="", index=True)
    kind: Mapped[str] = mapped_column(String(4), default="")
    patent_type: Mapped[str | None] = mapped_column(String(16), index=True)
    app_number: Mapped[str] = mapped_column(String(40), default="", index=True)
    app_date: Mapped[date | None] = mapped_column(Date, index=True)
    pub_date: Mapped[date | None] = mapped_column(Date, index=True)
    grant_date: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    claims: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(8), default="")
    ipc_main: Mapped[str] = mapped_column(String(32), default="", index=True)
    ipc: Mapped[list] = mapped_column(JSON, default=list)
    cpc: Mapped[list] = mapped_column(JSON, default=list)
    locarno: Mapped[list] = mapped_column(JSON, default=list)
    applicants: Mapped[list] = mapped_column(JSON, default=list)
    inventors: Mapped[list] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(300), default="")
    region_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    agency: Mapped[str] = mapped_column(String(200), default="")
    agents: Mapped[list] = mapped_column(JSON, default=list)
    legal_status: Mapped[str] = mapped_column(String(16), default="unknown", index=True)
    legal_status_text: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JSON, default=list)
    priorities: Mapped[list] = mapped_column(JSON, default=list)
    citations: Mapped[list] = mapped_column(JSON, default=list)
    cited_by: Mapped[int | None] = mapped_column(Integer)
    family: Mapped[list] = mapped_column(JSON, default=list)
    family_size: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32), default="")
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the record: unchanged re-ingest is a no-op
    # True until the search index has committed this version (set by store.upsert, cleared by
    # store.mark_indexed after the index commit): what a resume or `ipcity patents check` re-indexes.
    index_pending: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class IngestRun(Base):
    """One ingest of one file: counts, the first rejected records and warnings, and where to resume."""

    __tablename__ = "patent_ingest_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Bytes: a national register file passes 2 GiB (PostgreSQL's INTEGER), so 64-bit.
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    format: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)  # running/done/failed
    position: Mapped[int] = mapped_column(Integer, default=0)  # source items fully stored and indexed
    read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # fields left out, records kept
    # [{line, reason}]: the first MAX_ERRORS rejections; and [{line, reason, warning: true}]: the first
    # MAX_WARNINGS warnings (runner.py)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PatentRegisterEntry(Base):
    """An entry in the patent register beyond the publication: a licence recorded, a pledge, a suspension, a
    preservation order, a pending invalidation request, an annual-fee payment, an open-licence declaration
    (position.ENTRY_KINDS). Entries are closed (closed_on), never deleted, so the register keeps its history."""

    __tablename__ = "patent_register_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    app_number: Mapped[str] = mapped_column(String(40), index=True)  # CN201910067706.2: one per patent right
    kind: Mapped[str] = mapped_column(String(32), index=True)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(80), default="", index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(16), default="platform")  # platform / import / demo
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    closed_by: Mapped[str] = mapped_column(String(80), default="")
    close_reason: Mapped[str] = mapped_column(Text, default="")
