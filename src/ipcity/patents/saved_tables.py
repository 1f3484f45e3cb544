"""Tables of a person's patent searches: the searches they ran (history) and the ones they keep (saved, with alerts).

Both belong to one account and are deleted with it. A saved search with its alert on is checked by the
`patents.search_alerts` job (alerts.py) against the patents added to the register since `checked_at`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.core.clock import now
from ipcity.core.db import Base
from ipcity.patents.tables import Patent


class SearchHistory(Base):
    """One search a signed-in person ran (the newest few hundred are kept: history.KEEP)."""

    __tablename__ = "patent_search_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    q: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(16), default="lexical")
    filters: Mapped[dict] = mapped_column(JSON, default=dict)  # facet name -> [values]
    total: Mapped[int] = mapped_column(Integer, default=0)  # how many patents it found
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)


class SavedSearch(Base):
    """A search a person keeps under a name; with `alert`, new patents it finds are sent to their inbox."""

    __tablename__ = "patent_saved_search"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    q: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(16), default="lexical")
    filters: Mapped[dict] = mapped_column(JSON, default=dict)  # facet name -> [values]
    alert: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # The register time (Patent.created_at) up to which new patents have been checked for the alert.
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An alert run working on this search: its token, and when its claim lapses (a run that died).
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_alert_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_alert_count: Mapped[int] = mapped_column(Integer, default=0)
    alerts_sent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


# The alert job reads the patents added since a time, in order: an index on the register's creation time.
PATENT_CREATED_AT = Index("ix_patent_created_at", Patent.created_at)
