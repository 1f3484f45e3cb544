"""An S3-compatible object store under the file store (IPCITY_FILE_STORE=s3://bucket/prefix): AWS S3, MinIO, Ceph
RGW, Alibaba OSS and the like, through boto3 (the `s3` extra).

Objects are keyed `prefix/ab/cd/<sha256>` and written without an ACL (the bucket's own policy decides: keep it
private). Credentials come from the standard AWS chain (environment, ~/.aws, an instance or pod role), never from
the platform's settings or the repository. A failure to reach the store is logged with its cause for the operator
and shown to the person as FileStoreUnavailable (503, a message in their language), never as a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from starlette.responses import Response, StreamingResponse

from ipcity.core.config import SettingError
from ipcity.core.filestore_backends import CHUNK, FileStoreUnavailable, content_disposition

log = logging.getLogger(__name__)
SPOOL_BYTES = 8 * 1024 * 1024  # a file opened for reading stays in memory up to this size, then spills to disk
PART_BYTES = 16 * 1024 * 1024  # uploads and downloads above this go in parts of this size (multipart)
MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Backend:
    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str = "", region: str = "",
                 addressing: str = "auto", encryption: str = "none", spool_dir: Path | None = None):
        try:
            import boto3
            from boto3.exceptions import Boto3Error
            from boto3.s3.transfer import TransferConfig
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError, ClientError
        except ImportError:
            raise SettingError("IPCITY_FILE_STORE=s3://… needs boto3: install the platform with its s3 extra "
                               "(pip install 'ipcity[s3]')") from None
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.spool_dir = spool_dir  # where uploads are hashed and downloads land; None = the system's temp dir
        self.extra = {} if encryption == "none" else {"ServerSideEncryption": encryption}
        self.errors = (BotoCoreError, ClientError, Boto3Error)
        self.client_error = ClientError
        # A server that is down fails within seconds (few retries, short connect timeout), not minutes.
        config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"},
                        s3={"addressing_style": addressing})
        self.transfer = TransferConfig(multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES,
                                       max_concurrency=4)
        # One client for the process: boto3 clients are thread-safe, its default session is not.
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint_url or None,
                                                     region_name=region or None, config=config)

    @classmethod
    def at(cls, location: str, **kwargs) -> S3Backend:
        """The backend of a setting's `s3://bucket/prefix`."""
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return cls(bucket, prefix, **kwargs)

    def key(self, sha256: str) -> str:
        name = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def where(self) -> str:
        at = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{at}"

    def _missing(self, exc: Exception) -> bool:
        return isinstance(exc, self.client_error) and str(exc.response.get("Error", {}).get("Code")) in MISSING

    def _unavailable(self, action: str, sha256: str, exc: Exception) -> FileStoreUnavailable:
        log.error("file store %s: %s %s failed: %s: %s", self.where(), action, sha256, type(exc).__name__, exc)
        return FileStoreUnavailable()

    def _get(self, sha256: str, action: str) -> dict:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except self.errors as exc:
            if self._missing(exc):
                raise FileNotFoundError(f"{self.where()}: no object {self.key(sha256)}") from None
            raise self._unavailable(action, sha256, exc) from None

    def _spool_dir(self) -> Path | None:
        if self.spool_dir is not None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
        return self.spool_dir

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except self.errors as exc:
            if self._missing(exc):
                return False
            raise self._unavailable("looking up", sha256, exc) from None
        return True

    def keep(self, sha256: str, tmp: Path, mime: str) -> None:
        if self.exists(sha256):  # content addressing: the same name holds the same bytes
            return
        try:
            with Path(tmp).open("rb") as fh:
                self.client.upload_fileobj(fh, self.bucket, self.key(sha256), Config=self.transfer,
                                           ExtraArgs={"ContentType": mime, **self.extra})
        except self.errors as exc:
            raise self._unavailable("storing", sha256, exc) from None

    def open(self, sha256: str) -> BinaryIO:
        body = self._get(sha256, "reading")["Body"]
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, dir=self._spool_dir())  # noqa: SIM115 - the caller closes it
        try:
            with body:
                for chunk in body.iter_chunks(CHUNK):
                    spool.write(chunk)
        except self.errors as exc:
            spool.close()
            raise self._unavailable("reading", sha256, exc) from None
        spool.seek(0)
        return spool

    @contextmanager
    def local_path(self, sha256: str) -> Iterator[Path]:
        """A temporary local copy, removed when the block ends."""
        fd, name = tempfile.mkstemp(dir=self._spool_dir(), prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as out:
                try:
                    self.client.download_fileobj(self.bucket, self.key(sha256), out, Config=self.transfer)
                except self.errors as exc:
                    if self._missing(exc):
                        raise FileNotFoundError(f"{self.where()}: no object {self.key(sha256)}") from None
                    raise self._unavailable("downloading", sha256, exc) from None
            yield Path(name)
        finally:
            os.unlink(name)

    def verify(self, sha256: str) -> bool:
        try:
            body = self._get(sha256, "verifying")["Body"]
        except FileNotFoundError:
            return False
        digest = hashlib.sha256()
        try:
            with body:
                for chunk in body.iter_chunks(CHUNK):
                    digest.update(chunk)
        except self.errors as exc:
            raise self._unavailable("verifying", sha256, exc) from None
        return digest.hexdigest() == sha256

    def response(self, sha256: str, media_type: str, filename: str) -> Response:
        """The object streamed as it is read, with the headers a local FileResponse has (type, name, length). The
        object is fetched before the answer starts, so a store that cannot be reached gives the error page."""
        try:
            obj = self._get(sha256, "serving")
        except FileNotFoundError as exc:
            raise self._unavailable("serving", sha256, exc) from None
        body = obj["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            except self.errors as exc:  # the headers are gone: the client sees a short body, the log says why
                log.error("file store %s: serving %s stopped: %s", self.where(), sha256, exc)
            finally:
                body.close()

        return StreamingResponse(chunks(), media_type=media_type,
                                 headers={"Content-Disposition": content_disposition(filename),
                                          "Content-Length": str(obj["ContentLength"])})

    def check(self) -> str | None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self.errors as exc:
            return f"the file store {self.where()} cannot be used: {type(exc).__name__}: {exc}"
        return None
