"""Tables of data-IP registration: the registered data products, their data evidence, objections, the requests
to change or renew a registration, and the transparency log (leaves, signed tree heads, and the log's current
size and root).

What the service knows of a product or a request is in these typed columns, never in the case's free `data`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipcity.core.clock import now
from ipcity.core.db import Base


class DataProduct(Base):
    """One application for registration and, once registered, the registry record (登记簿) of the product."""

    __tablename__ = "dataip_product"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    application_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    industry_code: Mapped[str] = mapped_column(String(8), index=True)
    scenario: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(16))
    source_description: Mapped[str] = mapped_column(Text)
    lawful_statement: Mapped[str] = mapped_column(Text)
    processing_rules: Mapped[str] = mapped_column(Text)
    structure: Mapped[str] = mapped_column(Text)
    data_format: Mapped[str] = mapped_column(String(100))
    scale: Mapped[str] = mapped_column(String(200))
    update_frequency: Mapped[str] = mapped_column(String(32))
    holder_name: Mapped[str] = mapped_column(String(200), index=True)
    holder_type: Mapped[str] = mapped_column(String(16))
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case, for the public registry
    public: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # in publicity or registered since
    registration_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    certificate_number: Mapped[str | None] = mapped_column(String(17), unique=True)
    registered_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # certificate edition: +1 per change or renewal
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    log_index: Mapped[int | None] = mapped_column(Integer)  # leaf of the facts now in force
    # Applications in progress or in force that shared a data hash when this one was filed (Art 7(6) check).
    duplicates: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # The expert committee's review: who was asked (request_expert) and what they said (record_expert_opinion).
    experts: Mapped[str] = mapped_column(Text, default="", server_default="")
    expert_opinion: Mapped[str] = mapped_column(Text, default="", server_default="")
    expert_conclusion: Mapped[str] = mapped_column(String(16), default="", server_default="")  # supports, …
    # Withdrawn by the applicant on this day: the re-filing lock of Shanghai Art 7(6) counts from it (a
    # deemed withdrawal sets no day and locks nothing).
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    data_files: Mapped[list[DataEvidence]] = relationship(order_by="DataEvidence.position", lazy="selectin",
                                                          cascade="all, delete-orphan")


class DataAmendment(Base):
    """A request to change (变更) the registered facts of a product or to renew (续展) its registration: the
    record of its own case (service.AMENDMENT), which opens it and mirrors its state."""

    __tablename__ = "dataip_amendment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("wf_case.id"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("dataip_product.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # casetypes.CHANGE or casetypes.RENEWAL
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field → new value (a change; empty for a renewal)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(40), index=True)  # mirrors the case
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    product: Mapped[DataProduct] = relationship()


class DataEvidence(Base):
    """The sha256 of one data file, computed by the platform at filing or declared by the applicant."""

    __tablename__ = "dataip_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("dataip_product.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16))  # "uploaded" (hashed here) or "declared" (data stays home)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Objection(Base):
    """An objection (异议) filed during publicity, with its decision.

    An anonymous objector's objection waits ("pending") until the code sent to the contact is confirmed; only
    a "filed" objection is logged, shown and blocks registration (service.confirm_objection)."""

    __tablename__ = "dataip_objection"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("dataip_product.id", ondelete="CASCADE"), index=True)
    objector_name: Mapped[str] = mapped_column(String(200))
    objector_contact: Mapped[str] = mapped_column(String(200))
    objector_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    grounds: Mapped[list] = mapped_column(default=list)
    statement: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    decision: Mapped[str] = mapped_column(String(16), default="")  # "" open, "upheld", "dismissed"
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    log_index: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="filed", server_default="filed", index=True)
    client_address: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)


class ContactCode(Base):
    """The confirmation code sent to an anonymous objector's contact (objections.py).

    Neither the code nor the ticket that names it is stored: the ticket (held by the objector's browser) only
    as its sha256, the code as an HMAC keyed with the ticket, so the table alone cannot be used to confirm."""

    __tablename__ = "dataip_contact_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("dataip_objection.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # "email" or "sms"
    contact: Mapped[str] = mapped_column(String(200), index=True)  # normalised, for the per-contact limit
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class LogLeaf(Base):
    """One entry of the transparency log: the canonical JSON appended and its RFC 6962 leaf hash."""

    __tablename__ = "dataip_log_leaf"
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64), index=True)
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    appended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class TreeHead(Base):
    """A signed tree head (RFC 6962 §3.5): the log's size and root at a moment, signed with the registry key."""

    __tablename__ = "dataip_tree_head"
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(64))


class LogState(Base):
    """The log's size and root now: one row, locked by every append so that appends queue up."""

    __tablename__ = "dataip_log_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    root_hash: Mapped[str] = mapped_column(String(64))
