"""The content-addressed file store: dedupe, size and real-type checks, nothing left behind on refusal."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore, Upload
from ipcity.core.tables import StoredFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files", max_bytes=1024)


def _files_on_disk(store):
    return [p for p in store.root.rglob("*") if p.is_file()]


def test_same_content_is_stored_once(session, store):
    a = store.put(session, Upload("a.pdf", io.BytesIO(PDF)))
    b = store.put(session, Upload("b.pdf", io.BytesIO(PDF)))
    assert a.sha256 == b.sha256 == hashlib.sha256(PDF).hexdigest()
    assert a.mime == "application/pdf" and a.size == len(PDF)
    assert len(_files_on_disk(store)) == 1
    assert store.verify(a.sha256)
    store.path_for(a.sha256).write_bytes(PDF + b"x")
    assert not store.verify(a.sha256)


def test_text_files_in_chinese(session, store):
    row = store.put(session, Upload("说明.txt", io.BytesIO("进展说明：已完成。".encode())))
    assert row.mime == "text/plain"


@pytest.mark.parametrize("name,content,why", [
    ("report.exe", b"MZ\x90\x00", "not accepted"),
    ("report.pdf", b"MZ\x90\x00binary", "is not a .pdf"),
    ("photo.png", PDF, "is not a .png"),
    ("data.csv", b"\xff\xfe\x00bad", "is not a .csv"),
    ("empty.pdf", b"", "empty"),
    ("big.pdf", PDF + b"0" * 2048, "larger than"),
    ("", PDF, "Choose a file"),
])
def test_refused_uploads_leave_nothing(session, store, name, content, why):
    with pytest.raises(DomainError) as err:
        store.put(session, Upload(name, io.BytesIO(content)))
    assert why in err.value.message.render("en")
    assert err.value.field == "file"
    assert _files_on_disk(store) == []
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_the_same_content_uploaded_at_once_is_stored_once_without_error(db, store):
    """Eight uploads of one file in eight transactions at once (found by the objection race test)."""
    import threading

    content, errors = b"%PDF-1.4\n% same evidence\n", []

    def upload():
        try:
            with db.session(write=True) as s:
                store.put(s, Upload("same.pdf", io.BytesIO(content)))
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(StoredFile)) == 1
