"""A signed-in person's search history: what is remembered, how much, who sees it, its page, export and clearing."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from ipcity.core.tables import AuditEntry
from ipcity.patents import history
from ipcity.patents.saved_tables import SearchHistory
from tests.support.people import csrf_of, login


def _count(db, user_id: int) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SearchHistory).where(SearchHistory.user_id == user_id))


def test_a_search_is_remembered_once_and_the_newest_are_kept(db, people, monkeypatch):
    company, other = people["company"], people["licensee"]
    with db.session(write=True) as s:
        first = history.record(s, company, " TI=电池 ", "lexical", {"type": ("invention",)}, 12)
        again = history.record(s, company, "TI=电池", "lexical", {"type": ["invention", "invention"]}, 13)
        assert again.id == first.id and again.total == 13  # identical consecutive searches: one entry
        assert history.record(s, company, "TI=电池", "semantic", {}, 3).id != first.id
        assert history.record(s, company, "TI=电池", "lexical", {"type": ["invention"]}, 13).id != first.id
        # nothing to remember: nobody signed in, an empty search
        assert history.record(s, None, "TI=电池") is None
        assert history.record(s, company, "  ", "lexical", {}) is None
        assert history.record(s, company, "x" * 10_001) is None
        assert history.record(s, company, "x", "nonsense").mode == "lexical"
        s.commit()
    assert _count(db, company.user_id) == 4 and _count(db, other.user_id) == 0
    monkeypatch.setattr(history, "KEEP", 5)
    with db.session(write=True) as s:
        for i in range(7):
            history.record(s, company, f"TI=电池{i}")
        s.commit()
        kept = list(s.scalars(select(SearchHistory.q).where(SearchHistory.user_id == company.user_id)
                              .order_by(SearchHistory.id)))
    assert kept == [f"TI=电池{i}" for i in range(2, 7)]


def test_the_newest_200_are_kept(db, people):
    company = people["company"]
    with db.session(write=True) as s:
        for i in range(history.KEEP + 3):
            history.record(s, company, f"PA=公司{i}")
        s.commit()
    assert _count(db, company.user_id) == history.KEEP


def test_record_later_never_fails_the_search(db, people):
    history.record_later(db, people["company"], "TI=无人机", "lexical", {}, 2)
    history.record_later(db, None, "TI=无人机")  # anonymous: nothing, no error
    assert _count(db, people["company"].user_id) == 1


def test_concurrent_records_keep_the_bound(db, people, monkeypatch):
    monkeypatch.setattr(history, "KEEP", 10)
    company = people["company"]

    def search(n: int) -> None:
        for i in range(8):
            history.record_later(db, company, f"TI=线程{n}-{i}")

    threads = [threading.Thread(target=search, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count(db, company.user_id) == 10


@pytest.fixture
def signed_in(client, people, db):
    with db.session(write=True) as s:
        for q, mode, filters, total in (("TI=电池", "lexical", {"type": ["invention"]}, 2),
                                        ("无人机 挂载", "semantic", {}, 20), ('PA="ABBOTT LAB"', "lexical", {}, 47)):
            history.record(s, people["company"], q, mode, filters, total)
        history.record(s, people["licensee"], "TI=别人的检索", "lexical", {}, 1)
        s.commit()
    login(client, "company")
    return client


def test_the_page_lists_only_ones_own_searches_newest_first_in_beijing_time(signed_in, db, people):
    with db.session(write=True) as s:
        s.execute(update(SearchHistory).where(SearchHistory.q == "TI=电池")
                  .values(created_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC)))
        s.commit()
    page = signed_in.get("/patents/history")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-entry="(\d+)">', page.text)
    assert len(rows) == 3 and "别人的检索" not in page.text
    assert page.text.index("ABBOTT") < page.text.index("无人机")
    assert "2026-03-02 01:30" in page.text  # 17:30 UTC is 01:30 the next day in Beijing
    rerun = re.search(r'href="([^"]+)" class="rerun"><code>TI=电池', page.text).group(1).replace("&amp;", "&")
    assert rerun == "/patents?q=TI%3D%E7%94%B5%E6%B1%A0&f=type%3Ainvention"
    save = "/patents/saved/new?q=%E6%97%A0%E4%BA%BA%E6%9C%BA+%E6%8C%82%E8%BD%BD&mode=semantic"
    assert save in page.text.replace("&amp;", "&")


def test_filters_and_export(signed_in, db):
    with db.session(write=True) as s:
        s.execute(update(SearchHistory).where(SearchHistory.q == "TI=电池")
                  .values(created_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC)))
        s.commit()
    assert len(re.findall(r"<tr data-entry=", signed_in.get("/patents/history", params={"q": "abbott"}).text)) == 1
    on_day = signed_in.get("/patents/history", params={"start": "2026-03-02", "end": "2026-03-02"})
    assert re.findall(r'class="rerun"><code>([^<]+)<', on_day.text) == ["TI=电池"]
    assert 'class="rerun"' not in signed_in.get("/patents/history", params={"end": "2026-03-01"}).text
    bad = signed_in.get("/patents/history", params={"start": "2026-02-30"})
    assert bad.status_code == 400 and 'data-field="start"' in bad.text
    assert signed_in.get("/patents/history", params={"q": "100%_"}).status_code == 200
    exported = signed_in.get("/patents/history", params={"format": "csv", "q": "TI"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][1] == "检索式 Query" and [r[1] for r in rows[1:]] == ["TI=电池"]
    assert rows[1][0] == "2026-03-02 01:30:00" and rows[1][3] == "type:invention" and rows[1][4] == "2"
    assert signed_in.get("/patents/history", params={"format": "xlsx"}).content[:2] == b"PK"


def test_clearing_and_deleting_are_ones_own_and_audited(signed_in, db, people):
    other_entry = _entry_of(db, people["licensee"].user_id)
    token = csrf_of(signed_in)
    resp = signed_in.post(f"/patents/history/{other_entry}/delete", data={"csrf_token": token},
                          follow_redirects=False)
    assert resp.status_code == 404
    mine = _entry_of(db, people["company"].user_id)
    resp = signed_in.post(f"/patents/history/{mine}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert resp.status_code == 303 and _count(db, people["company"].user_id) == 2
    assert signed_in.post("/patents/history/clear", data={"csrf_token": "forged"},
                          follow_redirects=False).status_code == 403
    resp = signed_in.post("/patents/history/clear", data={"csrf_token": token}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/patents/history"
    assert _count(db, people["company"].user_id) == 0 and _count(db, people["licensee"].user_id) == 1
    with db.session() as s:
        actions = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.object_type == history.OBJECT)
                                 .order_by(AuditEntry.seq)))
    assert actions == ["TI=电池", "2 searches"]


def _entry_of(db, user_id: int) -> int:
    with db.session() as s:
        return s.scalar(select(SearchHistory.id).where(SearchHistory.user_id == user_id)
                        .order_by(SearchHistory.id).limit(1))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    resp = client.get("/patents/history", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login?next=/patents/history")
    assert client.post("/patents/history/clear", follow_redirects=False).status_code == 401
