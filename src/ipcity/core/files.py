"""Content-addressed file store: each file kept once under its sha256, checked for size and real type.

Files are attached to objects of a service (`owner_type`, `owner_id`); whether a person may download
one is decided by the owning service through the plugin registry (`file_access` hook). The bytes live in a backend
(core/filestore_backends.py): the local disk, or an S3-compatible object store (core/filestore_s3.py), chosen by
IPCITY_FILE_STORE; the rest of the platform asks the store, never the disk.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import filetype
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError
from ipcity.core.filestore_backends import CHUNK, Backend, FileStoreUnavailable, LocalBackend, sha256_of
from ipcity.core.i18n import Msg
from ipcity.core.tables import Attachment, StoredFile

if TYPE_CHECKING:
    from starlette.responses import Response

    from ipcity.core.config import Settings

__all__ = ["ALLOWED", "CHUNK", "FileStore", "FileStoreUnavailable", "Upload", "attachments_of", "sha256_of",
           "store_for"]

# Extension -> MIME types accepted for it; the content is sniffed, the name alone is not trusted.
ALLOWED = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    ".txt": {"text/plain"},
    ".csv": {"text/csv", "text/plain"},
}
# Plain-text formats: no magic bytes, so the content must decode as UTF-8 instead.
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".tsv": "text/tab-separated-values", ".xml": "text/xml",
              ".json": "application/json", ".jsonl": "application/jsonl", ".sql": "text/plain",
              ".ciw": "text/plain"}


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


def _sniff(head: bytes, ext: str) -> str | None:
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if ext in TEXT_TYPES:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multibyte character cut at the end of the sniffed head is still text.
            if exc.start < len(head) - 3:
                return None
        return TEXT_TYPES[ext]
    return None


class FileStore:
    def __init__(self, root: Path, max_bytes: int, quota_bytes: int = 0, backend: Backend | None = None):
        self.root = Path(root)  # local files, or with another backend the uploads being hashed and the downloads
        self.max_bytes = max_bytes
        self.quota_bytes = quota_bytes  # the whole store (Settings.files_quota_bytes); 0 = no quota
        self.backend = backend or LocalBackend(self.root)

    def usage(self, session: Session) -> int:
        """Bytes kept: each stored file once, however many attachments share it."""
        return int(session.scalar(select(func.coalesce(func.sum(StoredFile.size), 0))) or 0)

    def ensure_room(self, session: Session, incoming: int, *, field: str = "file") -> None:
        """Refuse, before anything is written, what would take the store past its quota. Two concurrent
        uploads may each pass and overshoot by at most one upload: the quota protects the disk, not a byte."""
        if self.quota_bytes and self.usage(session) + incoming > self.quota_bytes:
            raise DomainError(Msg("The file store of this installation is full ({limit} MB); nothing was stored. "
                                  "Tell the administrator.", limit=self.quota_bytes // (1024 * 1024)), field=field)

    def path_for(self, sha256: str) -> Path:
        """Where the local backend keeps a file (tests and tools); the platform itself uses exists, open,
        local_path and response, which work with every backend."""
        if not isinstance(self.backend, LocalBackend):
            raise TypeError(f"files are kept in {self.backend.name}, not on a local path: use local_path()")
        return self.backend.path_for(sha256)

    def exists(self, sha256: str) -> bool:
        return self.backend.exists(sha256)

    def local_path(self, sha256: str) -> AbstractContextManager[Path]:
        """A path on the local disk for the block (for a reader that needs a file): the stored file itself, or a
        temporary copy of the object, removed at the end."""
        return self.backend.local_path(sha256)

    def response(self, attachment: Attachment) -> Response:
        """The download of an attachment: its bytes with its type, its name (Content-Disposition) and length."""
        return self.backend.response(attachment.sha256, attachment.file.mime, attachment.filename)

    def check(self) -> str | None:
        """None when the store can be used; else what is wrong (logged at start-up: web/app.py)."""
        return self.backend.check()

    def precheck(self, upload: Upload, *, field: str = "file", allowed: dict[str, set[str]] | None = None) -> int:
        """The size of a seekable upload whose name and sniffed type `put` would accept, read without storing
        anything; so that a batch refused on its last file leaves none of the others on disk."""
        allowed = allowed or ALLOWED
        name = os.path.basename(upload.filename or "").strip()
        ext = os.path.splitext(name)[1].lower()
        if ext not in allowed:
            raise DomainError(Msg("File type {ext} is not accepted; accepted: {allowed}", ext=ext or "?",
                                  allowed=", ".join(sorted(allowed))), field=field)
        start = upload.stream.tell()
        head = upload.stream.read(8192)
        size = upload.stream.seek(0, os.SEEK_END) - start
        upload.stream.seek(start)
        if size == 0:
            raise DomainError(Msg("File {name} is empty", name=name), field=field)
        if size > self.max_bytes:
            raise DomainError(Msg("File {name} is larger than {limit} MB", name=name,
                                  limit=self.max_bytes // (1024 * 1024)), field=field)
        mime = _sniff(head, ext)
        if mime is None or mime not in allowed[ext]:
            raise DomainError(Msg("The content of {name} is not a {ext} file", name=name, ext=ext), field=field)
        return size

    def put(self, session: Session, upload: Upload, *, field: str = "file",
            allowed: dict[str, set[str]] | None = None, max_bytes: int | None = None) -> StoredFile:
        """Stream the upload to disk while hashing it; refuse it whole if too large or of a wrong type.
        A service with other needs (patent data files) passes its own `allowed` types and size limit."""
        allowed = allowed or ALLOWED
        max_bytes = max_bytes or self.max_bytes
        name = os.path.basename(upload.filename or "").strip()
        ext = os.path.splitext(name)[1].lower()
        if not name:
            raise DomainError(Msg("Choose a file to upload"), field=field)
        if ext not in allowed:
            raise DomainError(Msg("File type {ext} is not accepted; accepted: {allowed}", ext=ext or "?",
                                  allowed=", ".join(sorted(allowed))), field=field)
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := upload.stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise DomainError(Msg("File {name} is larger than {limit} MB", name=name,
                                              limit=max_bytes // (1024 * 1024)), field=field)
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise DomainError(Msg("File {name} is empty", name=name), field=field)
            mime = _sniff(head, ext)
            if mime is None or mime not in allowed[ext]:
                raise DomainError(Msg("The content of {name} is not a {ext} file", name=name, ext=ext),
                                  field=field)
            sha = digest.hexdigest()
            if session.get(StoredFile, sha) is None:  # a file kept already costs nothing more
                self.ensure_room(session, size, field=field)
            mime = sorted(allowed[ext])[0] if mime == "application/zip" else mime
            try:
                self.backend.keep(sha, Path(tmp_name), mime)
            except FileStoreUnavailable:
                raise FileStoreUnavailable(field=field) from None
            row = session.get(StoredFile, sha)
            if row is None:
                # Two uploads of the same content at once: one inserts the row, the other waits for it and
                # finds it (a plain insert would fail the second on the unique key).
                dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
                session.execute(dialect.insert(StoredFile).values(sha256=sha, size=size, mime=mime)
                    .on_conflict_do_nothing(index_elements=[StoredFile.sha256]))
                row = session.get(StoredFile, sha)
            return row
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def attach(self, session: Session, upload: Upload, owner_type: str, owner_id, user_id: int | None,
               *, field: str = "file", allowed: dict[str, set[str]] | None = None,
               max_bytes: int | None = None) -> Attachment:
        stored = self.put(session, upload, field=field, allowed=allowed, max_bytes=max_bytes)
        att = Attachment(sha256=stored.sha256, filename=os.path.basename(upload.filename), owner_type=owner_type,
                         owner_id=str(owner_id), uploaded_by=user_id)
        att.file = stored
        session.add(att)
        session.flush()
        return att

    def open(self, sha256: str) -> BinaryIO:
        return self.backend.open(sha256)

    def verify(self, sha256: str) -> bool:
        """Re-hash a stored file: a file changed (or lost) in the store no longer matches its name."""
        return self.backend.verify(sha256)


def store_for(settings: Settings) -> FileStore:
    """The installation's file store, on the backend IPCITY_FILE_STORE names."""
    backend = None
    if settings.file_store != "local":
        from ipcity.core.filestore_s3 import S3Backend  # boto3 only where S3 is used (the s3 extra)

        backend = S3Backend.at(settings.file_store, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                               addressing=settings.s3_addressing, encryption=settings.s3_encryption,
                               spool_dir=settings.files_dir)
    return FileStore(settings.files_dir, settings.max_upload_bytes, settings.files_quota_bytes, backend=backend)


def attachments_of(session: Session, owner_type: str, owner_id) -> list[Attachment]:
    return list(session.scalars(
        select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == str(owner_id))
        .order_by(Attachment.id)
    ))
