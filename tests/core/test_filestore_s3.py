"""The file store on both backends: the local disk and an S3-compatible object store.

The S3 side talks real HTTP through botocore to moto's S3 server on a free loopback port (nothing is mocked in
process); each test has a bucket of its own. The same behaviour is asked of both backends: round trip, one copy per
content, refusals that leave nothing behind, the quota, corruption found by verify, downloads with their headers
through the web app, and the ingest job reading an uploaded data file.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import socket
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ipcity.bootstrap import default_registry
from ipcity.core import jobs
from ipcity.core.config import SettingError, load_settings
from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore, FileStoreUnavailable, Upload, store_for
from ipcity.core.plugins import Plugin
from ipcity.core.tables import Attachment, Job, StoredFile
from tests.support.people import PASSWORD, csrf_of, login

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from ipcity.core.filestore_s3 import S3Backend  # noqa: E402 - after the skip when boto3 is missing

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PREFIX = "ipcity/files"
REGION = "us-east-1"
_buckets = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3 API server on 127.0.0.1; credentials from the environment, as the AWS chain reads them."""
    home = tmp_path_factory.mktemp("aws")
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"AWS_ACCESS_KEY_ID": "ipcity-test", "AWS_SECRET_ACCESS_KEY": "ipcity-test",
                            "AWS_CONFIG_FILE": str(home / "config"),  # never the machine's own AWS settings
                            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
                            "AWS_EC2_METADATA_DISABLED": "true"}.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        port = _free_port()
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)


@pytest.fixture
def bucket(s3):
    name = f"ipcity-test-{next(_buckets)}"
    s3.create_bucket(Bucket=name)
    return name


def _backend(endpoint, bucket, spool, **kwargs) -> S3Backend:
    return S3Backend(bucket, PREFIX, endpoint_url=endpoint, region=REGION, spool_dir=spool, **kwargs)


@pytest.fixture(params=["local", "s3"])
def kind(request):
    return request.param


@pytest.fixture
def make_store(kind, tmp_path, request):
    where = (request.getfixturevalue("s3_endpoint"), request.getfixturevalue("bucket")) if kind == "s3" else None

    def make(**kwargs) -> FileStore:
        kwargs.setdefault("max_bytes", 1024)
        backend = _backend(*where, tmp_path / "files") if where else None
        return FileStore(tmp_path / "files", **kwargs, backend=backend)
    return make


@pytest.fixture
def store(make_store):
    return make_store()


def kept(store: FileStore) -> list[str]:
    """What the backend holds, as keys below its root or prefix; and nothing may linger in the spool."""
    backend = store.backend
    local = sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file()) \
        if store.root.exists() else []
    if backend.name == "local":
        return local
    assert local == [], f"temporary files left behind: {local}"
    listed = backend.client.list_objects_v2(Bucket=backend.bucket)
    return sorted(o["Key"].removeprefix(PREFIX + "/") for o in listed.get("Contents", []))


def _rows(session) -> int:
    return session.scalar(select(func.count()).select_from(StoredFile))


def _key(sha: str) -> str:
    return f"{sha[:2]}/{sha[2:4]}/{sha}"


# --- the same behaviour on both backends -----------------------------------------------------------------------


def test_round_trip_exists_and_local_path(session, store):
    row = store.put(session, Upload("证书.pdf", io.BytesIO(PDF)))
    sha = hashlib.sha256(PDF).hexdigest()
    assert row.sha256 == sha and row.size == len(PDF) and row.mime == "application/pdf"
    assert kept(store) == [_key(sha)]
    with store.open(sha) as fh:
        assert fh.read() == PDF
    assert store.exists(sha) and not store.exists("0" * 64)
    with store.local_path(sha) as path:
        assert path.read_bytes() == PDF
    assert kept(store) == [_key(sha)]  # the temporary copy (S3) is gone, the stored file (local) stays
    with pytest.raises(FileNotFoundError):
        store.open("0" * 64)


def test_same_content_is_kept_once_and_uploaded_once(session, store, monkeypatch):
    uploads = []
    if store.backend.name == "s3":
        client, upload = store.backend.client, store.backend.client.upload_fileobj
        monkeypatch.setattr(client, "upload_fileobj", lambda *a, **k: (uploads.append(a[2]), upload(*a, **k))[1])
    a = store.put(session, Upload("a.pdf", io.BytesIO(PDF)))
    b = store.put(session, Upload("b.pdf", io.BytesIO(PDF)))
    assert a.sha256 == b.sha256 and _rows(session) == 1
    assert kept(store) == [_key(a.sha256)]
    if store.backend.name == "s3":
        assert uploads == [f"{PREFIX}/{_key(a.sha256)}"]  # the second put found the object and sent nothing


@pytest.mark.parametrize("name,content,why", [
    ("report.exe", b"MZ\x90\x00", "not accepted"),
    ("report.pdf", b"MZ\x90\x00binary", "is not a .pdf"),
    ("photo.png", PDF, "is not a .png"),
    ("empty.pdf", b"", "empty"),
    ("big.pdf", PDF + b"0" * 2048, "larger than"),
])
def test_refused_uploads_leave_no_object_and_no_row(session, store, name, content, why):
    with pytest.raises(DomainError) as err:
        store.put(session, Upload(name, io.BytesIO(content)))
    assert why in err.value.message.render("en") and err.value.field == "file"
    assert kept(store) == [] and _rows(session) == 0


def test_quota_refuses_new_content_but_not_a_copy(session, make_store):
    store = make_store(quota_bytes=len(PDF) + 10)
    first = store.put(session, Upload("a.pdf", io.BytesIO(PDF)))
    with pytest.raises(DomainError) as err:
        store.put(session, Upload("b.pdf", io.BytesIO(PDF + b"% another\n")))
    assert "full" in err.value.message.render("en")
    assert kept(store) == [_key(first.sha256)] and _rows(session) == 1
    assert store.put(session, Upload("again.pdf", io.BytesIO(PDF))).sha256 == first.sha256  # costs nothing more


def test_verify_finds_a_changed_or_lost_file(session, store):
    sha = store.put(session, Upload("a.pdf", io.BytesIO(PDF))).sha256
    assert store.verify(sha)
    if store.backend.name == "local":
        store.path_for(sha).write_bytes(PDF + b"x")
    else:
        store.backend.client.put_object(Bucket=store.backend.bucket, Key=store.backend.key(sha), Body=PDF + b"x")
    assert not store.verify(sha)
    assert not store.verify("0" * 64)


# --- S3 only ---------------------------------------------------------------------------------------------------


def test_objects_are_keyed_under_the_prefix_private_and_typed(session, s3_endpoint, bucket, tmp_path, s3):
    store = FileStore(tmp_path / "files", 1024, backend=_backend(s3_endpoint, bucket, tmp_path / "files",
                                                                 encryption="AES256"))
    sha = store.put(session, Upload("a.pdf", io.BytesIO(PDF))).sha256
    head = s3.head_object(Bucket=bucket, Key=f"ipcity/files/{sha[:2]}/{sha[2:4]}/{sha}")
    assert head["ContentType"] == "application/pdf" and head["ServerSideEncryption"] == "AES256"
    grants = s3.get_object_acl(Bucket=bucket, Key=f"ipcity/files/{_key(sha)}")["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]  # the owner only: no public-read grant


def test_a_large_file_goes_up_in_parts_and_comes_back_whole(session, s3_endpoint, bucket, tmp_path, s3,
                                                            monkeypatch):
    from boto3.s3.transfer import TransferConfig

    backend = _backend(s3_endpoint, bucket, tmp_path / "files")
    backend.transfer = TransferConfig(multipart_threshold=5 * 1024**2, multipart_chunksize=5 * 1024**2)
    store = FileStore(tmp_path / "files", 16 * 1024**2, backend=backend)
    data = b"".join(f"{i:08d} 专利数据行\n".encode() for i in range(600_000))  # ~12 MB of text
    sha = store.put(session, Upload("data.txt", io.BytesIO(data))).sha256
    etag = s3.head_object(Bucket=bucket, Key=backend.key(sha))["ETag"]
    assert etag.strip('"').endswith("-3")  # three parts of a multipart upload
    assert store.verify(sha)
    with store.local_path(sha) as path:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_an_unreachable_store_is_a_message_not_a_traceback(session, tmp_path, s3_endpoint, caplog):
    down = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    store = FileStore(tmp_path / "files", 1024, backend=_backend(down, "ipcity-down", tmp_path / "files"))
    sha = hashlib.sha256(PDF).hexdigest()
    with pytest.raises(FileStoreUnavailable) as err:
        store.put(session, Upload("a.pdf", io.BytesIO(PDF)))
    assert err.value.status == 503 and err.value.field == "file"
    assert "file store cannot be reached" in err.value.message.render("en")
    assert _rows(session) == 0 and list((tmp_path / "files").iterdir()) == []
    for action in (store.exists, store.open, store.verify):
        with pytest.raises(FileStoreUnavailable):
            action(sha)
    with pytest.raises(FileStoreUnavailable), store.local_path(sha):
        pass
    assert "ipcity-down" in store.check() and down in store.check()
    assert any(down in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)  # the cause, logged


def test_without_boto3_the_setting_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)
    settings = load_settings(data_dir=tmp_path, file_store="s3://ipcity-files")
    with pytest.raises(SettingError, match=r"ipcity\[s3\]"):
        store_for(settings)


@pytest.mark.parametrize("value,expected", [
    ("", "local"), ("local", "local"), ("s3://ipcity-files", "s3://ipcity-files"),
    ("s3://ipcity.files-1/office/files/", "s3://ipcity.files-1/office/files"),
])
def test_the_file_store_setting(monkeypatch, tmp_path, value, expected):
    monkeypatch.setenv("IPCITY_FILE_STORE", value)
    assert load_settings(data_dir=tmp_path).file_store == expected


@pytest.mark.parametrize("variable,value", [
    ("IPCITY_FILE_STORE", "ipcity-files"), ("IPCITY_FILE_STORE", "s3://IPCity"), ("IPCITY_FILE_STORE", "s3://ab"),
    ("IPCITY_FILE_STORE", "s3://bucket/a//b"), ("IPCITY_FILE_STORE", "file:///srv/files"),
    ("IPCITY_S3_ENDPOINT_URL", "minio:9000"), ("IPCITY_S3_ADDRESSING", "dns"), ("IPCITY_S3_ENCRYPTION", "yes"),
])
def test_a_malformed_storage_setting_names_its_variable(monkeypatch, tmp_path, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError, match=variable):
        load_settings(data_dir=tmp_path)


# --- through the web app ---------------------------------------------------------------------------------------


@pytest.fixture
def web_settings(kind, database_url, tmp_path, request):
    extra = {}
    if kind == "s3":
        extra = dict(file_store=f"s3://{request.getfixturevalue('bucket')}/{PREFIX}",
                     s3_endpoint_url=request.getfixturevalue("s3_endpoint"), s3_region=REGION)
    return load_settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False, **extra)


OWNER = "s3-test"


@pytest.fixture
def web(web_settings):
    from ipcity.web.app import create_app

    registry = default_registry()
    registry.register(Plugin(key=OWNER, file_access={OWNER: lambda session, actor, owner_id: owner_id == "1"}))
    app = create_app(web_settings, registry)
    with TestClient(app) as client:
        yield app.state.services, client
    app.state.services.db.dispose()


def test_a_download_serves_the_bytes_with_type_name_and_length(web, kind):
    from tests.support.people import make_people

    services, client = web
    make_people(services.db)
    with services.db.session() as s:
        att = services.files.attach(s, Upload("营业执照 2026.pdf", io.BytesIO(PDF)), OWNER, 1, None)
        other = services.files.attach(s, Upload("other.pdf", io.BytesIO(PDF)), OWNER, 2, None)
        s.commit()
        att_id, other_id = att.id, other.id
    assert services.files.backend.name == kind
    login(client, "company")
    resp = client.get(f"/files/{att_id}")
    assert resp.status_code == 200 and resp.content == PDF
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-length"] == str(len(PDF))
    assert resp.headers["content-disposition"] == ("attachment; filename*=utf-8''"
                                                   "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%202026.pdf")
    assert client.get(f"/files/{other_id}").status_code == 403  # the owner's access rule still decides


def test_the_ingest_job_reads_an_uploaded_data_file_from_the_store(web, kind):
    from tests.patents.conftest import DATA
    from tests.support.people import make_people

    services, client = web
    make_people(services.db)
    login(client, "admin")
    with open(DATA / "sample.jsonl", "rb") as handle:
        resp = client.post("/patents/data/ingest", data={"csrf_token": csrf_of(client), "format": "jsonl"},
                           files={"file": ("sample.jsonl", handle, "application/jsonl")}, follow_redirects=False)
    assert resp.status_code == 303
    with services.db.session() as s:
        sha = s.scalar(select(StoredFile.sha256))
    assert services.files.exists(sha) and kept(services.files) == [_key(sha)]
    assert jobs.run_pending(services.db, services.registry, services) == 1
    with services.db.session() as s:
        job = s.scalar(select(Job).order_by(Job.id.desc()))
        assert job.status == "done", job.error
        assert job.result["inserted"] >= 1
    assert client.get("/api/patents/search", params={"q": "TI=无人机"}).json()["total"] == 1
    assert kept(services.files) == [_key(sha)]  # the job's local copy is gone


def test_a_missing_bucket_is_logged_at_start_and_refused_with_a_message(database_url, tmp_path, s3_endpoint,
                                                                        caplog):
    from ipcity.web.app import create_app
    from tests.support.people import make_people

    settings = load_settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False,
                             file_store="s3://ipcity-no-such-bucket", s3_endpoint_url=s3_endpoint,
                             s3_region=REGION)
    app = create_app(settings)
    with caplog.at_level(logging.ERROR), TestClient(app, raise_server_exceptions=False) as client:
        assert any("ipcity-no-such-bucket" in r.getMessage() for r in caplog.records)
        make_people(app.state.services.db)
        login(client, "company", PASSWORD)
        client.cookies.set("ipcity_lang", "en")
        resp = client.post("/account/identity", data={"csrf_token": csrf_of(client)},
                           files={"materials": ("licence.pdf", PDF, "application/pdf")})
        assert resp.status_code == 503
        assert "The file store cannot be reached just now" in resp.text and "Traceback" not in resp.text
        with app.state.services.db.session() as s:
            assert _rows(s) == 0 and s.scalar(select(func.count()).select_from(Attachment)) == 0
    app.state.services.db.dispose()
