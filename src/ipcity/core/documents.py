"""Documents the platform issues and keeps — certificates, notices, reports — and issuing one again.

A document is rendered once and then served as it was stored: one made on a machine that lacked the fonts
stays without its Chinese for good. The office therefore issues a stored document again: a new edition,
rendered now (core/fonts.py), kept beside the old one, which stays listed and downloadable; one audit entry
names both editions and the reason. Each service declares the kinds of documents it keeps
(`Plugin.documents`): which subjects hold them, the editions in force, who may issue them again, and how.
The record pages offer the action to the registering body's officials; `ipcity documents reissue` does it
for every document of a kind, or for those whose text a glyph is missing from (`--broken`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit, fonts
from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.files import FileStore
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.core.tables import Attachment, AuditEntry

ACTION = "document.reissue"
MAX_REASON = 500


@dataclass(frozen=True)
class DocumentKind:
    """A kind of stored document, as its service declares it.

    subjects(session) -> the ids of every subject holding such a document, oldest first;
    current(session, subject_id) -> the editions in force of the subject's documents;
    may_reissue(session, actor, subject_id) -> whether this person may issue them again (the object check);
    reissue(session, files, actor, subject_id, reason, prepared) -> the new editions, attached in the caller's
    transaction (fonts.MissingGlyphs or another DomainError before anything is written);
    prepare(session, subject_id) -> what reissue needs that takes long to make (a long report rendered), made
    beforehand in a reading transaction by `reissue_apart`; None where the kind renders quickly in reissue."""

    key: str
    label: Msg
    subjects: Callable[[Session], list[int]]
    current: Callable[[Session, int], list[Attachment]]
    may_reissue: Callable[[Session, Actor, int], bool]
    reissue: Callable[[Session, FileStore, Actor, int, str, Any], list[Attachment]]
    prepare: Callable[[Session, int], Any] | None = None


@dataclass(frozen=True)
class Reissued:
    """What was done: the editions replaced and issued, each as {"attachment", "sha256", "filename"}."""

    kind: str
    subject_id: int
    replaced: list[dict]
    issued: list[dict]


def checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(Msg("Say why the document is issued again"), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(Msg("The reason is longer than {limit} characters", limit=MAX_REASON), field="reason")
    return reason


def _described(attachments: list[Attachment]) -> list[dict]:
    return [{"attachment": a.id, "sha256": a.sha256, "filename": a.filename} for a in attachments]


def check_may_reissue(session: Session, kind: DocumentKind, actor: Actor, subject_id: int) -> None:
    if not kind.may_reissue(session, actor, subject_id):
        raise PermissionDenied(Msg("Only the officials of the body that issued it may issue this document again"))


def reissue(session: Session, files: FileStore, kind: DocumentKind, actor: Actor, subject_id: int,
            reason: str, prepared: Any = None) -> Reissued:
    """Issue a subject's documents of this kind again, in the caller's transaction, audited; the old editions
    stay. Refused whole (nothing written) for a missing reason, a person without the right, a document
    that still cannot be rendered."""
    reason = checked_reason(reason)
    check_may_reissue(session, kind, actor, subject_id)
    replaced = kind.current(session, subject_id)
    issued = kind.reissue(session, files, actor, subject_id, reason, prepared)
    done = Reissued(kind.key, subject_id, _described(replaced), _described(issued))
    audit.record(session, actor, ACTION, kind.key, subject_id, reason=reason,
                 summary=f"{kind.label.render('zh_Hans')}: {len(issued)}",
                 detail={"replaced": done.replaced, "issued": done.issued})
    return done


def reissue_apart(db, files: FileStore, kind: DocumentKind, actor: Actor, subject_id: int, reason: str) -> Reissued:
    """The same as `reissue` for a job or a command: what takes long (kind.prepare) is made in a reading
    transaction, the new editions are then kept in a short writing one, committed."""
    reason = checked_reason(reason)
    prepared = None
    if kind.prepare is not None:
        with db.session() as s:
            check_may_reissue(s, kind, actor, subject_id)
            prepared = kind.prepare(s, subject_id)
    with db.session(write=True) as s:
        done = reissue(s, files, kind, actor, subject_id, reason, prepared)
        s.commit()
        return done


def glyph_problems(files: FileStore, attachment: Attachment) -> list[str]:
    """The characters of a stored PDF that none of its embedded glyphs draws (empty: it reads as written);
    other files are not checked."""
    if not attachment.filename.lower().endswith(".pdf"):
        return []
    with files.open(attachment.sha256) as fh:
        return fonts.pdf_glyph_problems(fh.read())


def broken(session: Session, files: FileStore, kind: DocumentKind, subject_id: int) -> dict[str, list[str]]:
    """The subject's editions in force that miss glyphs: file name -> the characters not drawn."""
    out = {}
    for attachment in kind.current(session, subject_id):
        problems = glyph_problems(files, attachment)
        if problems:
            out[attachment.filename] = problems
    return out


def editions(session: Session, owner_type: str, owner_id, filename: str | None = None) -> list[Attachment]:
    """The stored editions of a subject's documents, newest first (optionally of one file name)."""
    query = select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == str(owner_id))
    if filename is not None:
        query = query.where(Attachment.filename == filename)
    return list(session.scalars(query.order_by(Attachment.id.desc())))


def _reissues(session: Session, kind_key: str, subject_id) -> list[dict]:
    """The details of the subject's re-issues: those committed, and those of the open transaction."""
    rows = session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == ACTION, AuditEntry.object_type == kind_key, AuditEntry.object_id == str(subject_id)))
    pending = [e.detail for e in audit.pending(session)
               if (e.action, e.object_type, e.object_id) == (ACTION, kind_key, str(subject_id))]
    return [json.loads(d or "{}") for d in [*rows, *pending]]


def replaced_ids(session: Session, kind_key: str, subject_id) -> set[int]:
    """The attachments a later edition replaced."""
    return {d["attachment"] for r in _reissues(session, kind_key, subject_id) for d in r.get("replaced", ())}


@dataclass(frozen=True)
class Edition:
    """A stored document as its page lists it: whether it was issued again, and whether a later edition
    replaced it (it stays downloadable)."""

    attachment: Attachment
    reissued: bool
    replaced: bool


def editions_marked(session: Session, kind_key: str, subject_id, attachments: list[Attachment]) -> list[Edition]:
    found = _reissues(session, kind_key, subject_id)
    issued = {d["attachment"] for r in found for d in r.get("issued", ())}
    replaced = {d["attachment"] for r in found for d in r.get("replaced", ())}
    return [Edition(a, a.id in issued, a.id in replaced) for a in attachments]
