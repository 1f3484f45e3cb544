"""Where the file store keeps its bytes: a backend keeps, finds and serves content under its sha256.

The FileStore (core/files.py) checks, hashes and counts every upload; a backend only keeps the bytes it is given.
`LocalBackend` is the local disk (<data dir>/files/ab/cd/<sha256>); `S3Backend` (core/filestore_s3.py) an
S3-compatible object store. Code outside the store never reaches the disk itself: it asks the store whether a file
exists, opens it, borrows a local path for it, or gets the web response that serves it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote

from starlette.responses import FileResponse, Response

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg

CHUNK = 1 << 16


class FileStoreUnavailable(DomainError):
    """The store could not be reached or refused the request: the person reads a message, the operator finds the
    cause in the log (never a traceback on a page)."""

    status = 503

    def __init__(self, *, field: str | None = None):
        super().__init__(Msg("The file store cannot be reached just now; nothing was changed. Try again in a "
                             "moment; if it happens again, tell the administrator."), field=field)


def content_disposition(filename: str) -> str:
    """The header Starlette's FileResponse writes, so both backends name a download alike (RFC 6266 `filename*`
    for a name that is not plain ASCII)."""
    quoted = quote(filename)
    return f"attachment; filename*=utf-8''{quoted}" if quoted != filename else f'attachment; filename="{filename}"'


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks (constant memory whatever its size)."""
    return sha256_of_stream(Path(path).open("rb"))


def sha256_of_stream(stream: BinaryIO) -> str:
    h = hashlib.sha256()
    with stream:
        while chunk := stream.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


class Backend(Protocol):
    name: str

    def exists(self, sha256: str) -> bool: ...

    def keep(self, sha256: str, tmp: Path, mime: str) -> None:
        """Keep a checked temporary file under its sha256 (it may be moved away); nothing if kept already."""

    def open(self, sha256: str) -> BinaryIO:
        """A readable, seekable stream; FileNotFoundError when nothing is kept under the sha256."""

    def local_path(self, sha256: str) -> AbstractContextManager[Path]: ...

    def verify(self, sha256: str) -> bool: ...

    def response(self, sha256: str, media_type: str, filename: str) -> Response: ...

    def check(self) -> str | None:
        """None when the store can be used; else what is wrong, for the operator's log."""


class LocalBackend:
    """Files on the local disk, two directory levels by the hash's first characters."""

    name = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def keep(self, sha256: str, tmp: Path, mime: str) -> None:
        target = self.path_for(sha256)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    @contextmanager
    def local_path(self, sha256: str) -> Iterator[Path]:
        path = self.path_for(sha256)
        if not path.is_file():
            raise FileNotFoundError(path)
        yield path

    def verify(self, sha256: str) -> bool:
        try:
            return sha256_of(self.path_for(sha256)) == sha256
        except FileNotFoundError:
            return False

    def response(self, sha256: str, media_type: str, filename: str) -> Response:
        return FileResponse(self.path_for(sha256), media_type=media_type, filename=filename)

    def check(self) -> str | None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"the file store directory {self.root} cannot be created: {exc}"
        return None if os.access(self.root, os.W_OK) else f"the file store directory {self.root} is not writable"
