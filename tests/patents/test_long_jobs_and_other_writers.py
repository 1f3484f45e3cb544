"""Long jobs keep working while others write (SQLite): a transaction that read, and then saw another connection
commit, can no longer write ("database is locked"), so the index sync and the ingest never write in a
transaction that read before someone else could commit — here the other writer commits in every progress call."""

from __future__ import annotations

from sqlalchemy import func, select, text

from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.tables import Patent
from tests.patents.conftest import DATA

ACTOR = Actor.system("tests")


def _other_writer(db):
    def progress(*_args):
        with db.session(write=True) as s:  # as a web request committing meanwhile
            s.execute(text("UPDATE job SET message = message WHERE 1 = 0"))
            s.execute(text("INSERT INTO serial_counter (key, value) VALUES ('other-writer', 1) "
                           "ON CONFLICT (key) DO UPDATE SET value = serial_counter.value + 1"))
            s.commit()
    return progress


def test_a_load_and_a_rebuild_finish_while_another_connection_commits(db, engine):
    progress = _other_writer(db)
    ingest_file(db, engine, DATA / "sample.jsonl", ACTOR, batch_size=2, progress=progress)
    with db.session() as s:
        assert engine.rebuild(s, progress=progress) == 4
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Patent)) == 4
        assert store.count_pending(s) == 0
        assert s.scalar(text("SELECT value FROM serial_counter WHERE key = 'other-writer'")) >= 2
