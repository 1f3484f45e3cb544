"""Saved searches: limits, ownership, the list with its forms and export, and the alert job that sends the new
patents a saved search finds to its owner's inbox, once, however often and however concurrently it runs."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from ipcity.core import jobs
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.tables import AuditEntry, InboxItem, Job
from ipcity.patents import alerts, saved
from ipcity.patents.saved_tables import SavedSearch
from tests.support.people import csrf_of, login
from tests.support.register import add_patent

MAX_CHARS = 2000


def _save(db, actor, name="石墨烯", q="TI=石墨烯", mode="lexical", filters=None, alert=True) -> int:
    with db.session(write=True) as s:
        created = saved.create(s, actor, name=name, q=q, mode=mode, filters=filters, alert=alert,
                               max_chars=MAX_CHARS)
        s.commit()
        return created.id


# --- the service ------------------------------------------------------------------------------------------------

def test_limits_are_checked_before_anything_is_written(db, people, monkeypatch):
    company = people["company"]

    def refused(**kw) -> dict:
        values = {"name": "电池", "q": "TI=电池", "mode": "lexical", "filters": None, "alert": False} | kw
        with db.session(write=True) as s, pytest.raises(DomainError) as caught:
            saved.create(s, company, max_chars=MAX_CHARS, **values)
        return {f: m.render("en") for f, m in caught.value.problems}

    assert "100" in refused(name="名" * 101)["name"]
    assert "name" in refused(name="  ")
    assert "2000" in refused(q="TI=" + "电" * 2000)["q"]
    assert "Unbalanced" in refused(q="TI=(电池", alert=True)["q"]  # an alert runs the expression: it must parse
    assert "f" in refused(filters={"password": ["x"]})
    assert "f" in refused(filters={"type": [str(i) for i in range(51)]})
    assert "q" in refused(q="", filters={})
    assert "mode" in refused(mode="psychic")
    assert "alert" in refused(mode="semantic", q="一种电池", alert=True)
    monkeypatch.setattr(saved, "MAX_SAVED", 3)
    for i in range(3):
        _save(db, company, name=f"检索{i}", alert=False)
    assert "at most 3" in refused(name="第四个")["name"]
    _save(db, people["licensee"], name="别人的")  # the limit is each person's
    with db.session() as s:
        assert saved.count(s, company) == 3 and s.scalar(select(AuditEntry.action).where(
            AuditEntry.object_type == saved.OBJECT).limit(1)) == "create"


def test_only_the_owner_reaches_a_saved_search(db, people):
    mine = _save(db, people["company"])
    with db.session(write=True) as s:
        for call in (lambda: saved.owned(s, people["licensee"], mine),
                     lambda: saved.rename(s, people["licensee"], mine, "偷改"),
                     lambda: saved.set_alert(s, people["licensee"], mine, False),
                     lambda: saved.remove(s, people["licensee"], mine)):
            with pytest.raises(NotFound):
                call()
        assert saved.owned(s, people["company"], mine).name == "石墨烯"


def test_switching_the_alert_on_watches_from_now_and_drops_a_runs_claim(db, people):
    mine = _save(db, people["company"], alert=False)
    with db.session(write=True) as s:
        s.execute(update(SavedSearch).where(SavedSearch.id == mine).values(claim_token="x"))
        before = s.get(SavedSearch, mine).checked_at
        s.commit()
    with db.session(write=True) as s:
        on = saved.set_alert(s, people["company"], mine, True)
        s.commit()
        assert on.alert and on.claim_token is None and alerts._utc(on.checked_at) >= alerts._utc(before)
    semantic = _save(db, people["company"], name="描述", q="一种电池", mode="semantic", alert=False)
    with db.session(write=True) as s, pytest.raises(DomainError):
        saved.set_alert(s, people["company"], semantic, True)


# --- the pages --------------------------------------------------------------------------------------------------

@pytest.fixture
def company(client, people):
    login(client, "company")
    return client


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="field-error" data-field="([^"]+)">([^<]*)<', html))


def test_saving_from_the_search_and_the_list(company, db, people):
    form = company.get("/patents/saved/new", params=[("q", "TI=电池"), ("f", "type:invention")])
    assert form.status_code == 200 and 'id="save-search"' in form.text and 'value="type:invention"' in form.text
    token = csrf_of(company)
    resp = company.post("/patents/saved", data={"csrf_token": token, "q": "TI=电池", "f": ["type:invention"],
                                                "name": "电池发明", "alert": "1"}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/patents/saved#saved-")
    saved_id = int(resp.headers["location"].rsplit("-", 1)[1])
    page = company.get("/patents/saved")
    assert f'data-saved="{saved_id}"' in page.text and "电池发明" in page.text
    run = company.get(f"/patents/saved/{saved_id}/run", follow_redirects=False)
    assert run.headers["location"] == "/patents?q=TI%3D%E7%94%B5%E6%B1%A0&f=type%3Ainvention"
    exported = company.get("/patents/saved", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1][:5] == ["电池发明", "TI=电池", "lexical", "type:invention", "on"]
    assert company.get("/patents/saved", params={"format": "xlsx"}).content[:2] == b"PK"
    assert len(re.findall(r"data-saved=", company.get("/patents/saved", params={"alert": "off"}).text)) == 0
    assert len(re.findall(r"data-saved=", company.get("/patents/saved", params={"q": "电池"}).text)) == 1


def test_refusals_are_shown_beside_the_form(company, db, people):
    token = csrf_of(company)
    resp = company.post("/patents/saved", data={"csrf_token": token, "q": "TI=(电池", "name": "名" * 101,
                                                "alert": "1"})
    assert resp.status_code == 400
    errors = _errors(resp.text)
    assert "100" in errors["name"] and "第 4 个字符" in errors["q"] and "Unbalanced" in errors["q"]
    assert 'value="TI=(电池"' in resp.text  # what was typed is kept
    mine = _save(db, people["company"], alert=False)
    resp = company.post(f"/patents/saved/{mine}/rename", data={"csrf_token": token, "name": ""})
    assert resp.status_code == 400 and "name" in _errors(resp.text)
    assert re.search(rf'<tr id="saved-{mine}"[^>]*>.*?data-field="name"', resp.text, re.S)
    semantic = _save(db, people["company"], name="描述", q="一种电池", mode="semantic", alert=False)
    resp = company.post(f"/patents/saved/{semantic}/alert", data={"csrf_token": token, "on": "1"})
    assert resp.status_code == 400 and "alert" in _errors(resp.text)
    # kept as typed without an alert (the search box reads it again as it reads it typed); no alert for it
    broken = _save(db, people["company"], name="未闭合", q="TI=(电池", alert=False)
    resp = company.post(f"/patents/saved/{broken}/alert", data={"csrf_token": token, "on": "1"})
    assert resp.status_code == 400 and "Unbalanced" in _errors(resp.text)["q"]


def test_changes_are_the_owners_and_audited(company, client, db, people):
    mine = _save(db, people["company"], alert=False)
    theirs = _save(db, people["licensee"], name="别人的", alert=False)
    token = csrf_of(company)
    assert "别人的" not in company.get("/patents/saved").text
    for method, path, data in (("get", f"/patents/saved/{theirs}/run", {}),
                               ("post", f"/patents/saved/{theirs}/rename", {"name": "x"}),
                               ("post", f"/patents/saved/{theirs}/alert", {"on": "1"}),
                               ("post", f"/patents/saved/{theirs}/delete", {})):
        resp = company.request(method, path, data=data | {"csrf_token": token} if method == "post" else None,
                               follow_redirects=False)
        assert resp.status_code == 404, (method, path)
    assert company.post(f"/patents/saved/{mine}/rename", data={"csrf_token": token, "name": "新名字"},
                        follow_redirects=False).status_code == 303
    assert company.post(f"/patents/saved/{mine}/alert", data={"csrf_token": token, "on": "1"},
                        follow_redirects=False).status_code == 303
    assert company.post(f"/patents/saved/{mine}/delete", data={"csrf_token": token},
                        follow_redirects=False).status_code == 303
    with db.session() as s:
        trail = [(a, o) for a, o in s.execute(select(AuditEntry.action, AuditEntry.object_id)
                                              .where(AuditEntry.object_type == saved.OBJECT).order_by(AuditEntry.seq))]
        assert s.get(SavedSearch, theirs).name == "别人的" and s.get(SavedSearch, mine) is None
    assert trail == [("create", str(mine)), ("create", str(theirs)), ("update", str(mine)), ("update", str(mine)),
                     ("delete", str(mine))]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/patents/saved", "/patents/saved/new?q=x", "/patents/saved/1/run"):
        resp = client.get(path, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/login?next="), path
    assert client.post("/patents/saved", data={"q": "x"}, follow_redirects=False).status_code == 401


# --- the alert job ----------------------------------------------------------------------------------------------

@pytest.fixture
def quick(monkeypatch):
    """No waiting for the newest patent to be MARGIN old: the tests' patents are committed before a run starts."""
    monkeypatch.setattr(alerts, "MARGIN", timedelta(0))


_serials = iter(range(7001, 9000))


def _add(db, engine, title: str, *, indexed: bool = True) -> str:
    """A new patent in the register (and, unless `indexed` is False, committed to the search index)."""
    with db.session(write=True) as s:
        rec = add_patent(s, next(_serials), title=title, app_date=date(2024, 5, 6), grant_date=date(2025, 1, 7))
        s.commit()
    if indexed:
        engine.index([rec])
        with db.session(write=True) as s:
            engine.commit(s)
            s.commit()
    return rec.pub_number


def _notices(db, user_id: int) -> list[InboxItem]:
    with db.session() as s:
        return list(s.scalars(select(InboxItem).where(InboxItem.user_id == user_id,
                                                      InboxItem.title == alerts.ALERT_TITLE).order_by(InboxItem.id)))


def test_after_ingest_queues_one_run_and_the_job_sends_the_new_hits(services, db, loaded, people, quick):
    company = people["company"]
    with db.session(write=True) as s:
        assert alerts.after_ingest(s) is None  # no alerting search: nothing to run
    saved_id = _save(db, company, filters={"type": ["invention"]})
    _save(db, people["licensee"], name="别的", q="TI=不存在的词语", alert=True)
    _save(db, company, name="没开提醒", q="TI=石墨烯", alert=False)
    new = [_add(db, loaded, "一种石墨烯导热膜"), _add(db, loaded, "石墨烯散热片的制备方法")]
    _add(db, loaded, "一种锂电池极片")
    with db.session(write=True) as s:
        job = alerts.after_ingest(s)
        assert job is not None and alerts.after_ingest(s) is None  # one queued run is enough
        s.commit()
    assert jobs.run_pending(db, services.registry, services) == 1
    with db.session() as s:
        finished = s.get(Job, job.id)
    assert finished.status == "done", finished.error
    assert finished.result == {"checked": 2, "notified": 1, "hits": 2}
    [notice] = _notices(db, company.user_id)
    assert notice.params == {"name": "石墨烯", "n": 2} and sorted(notice.body.split()) == sorted(new)
    assert notice.link == "/patents?q=TI%3D%E7%9F%B3%E5%A2%A8%E7%83%AF&as=expression&f=type%3Ainvention"
    assert _notices(db, people["licensee"].user_id) == []
    with db.session() as s:
        row = s.get(SavedSearch, saved_id)
        assert row.last_alert_count == 2 and row.alerts_sent == 1 and row.claim_token is None
    # the inbox shows it in the reader's language, with the count
    client_page = _inbox_text(services, company)
    assert "石墨烯" in client_page and "2" in client_page
    # run again: nothing new, nothing sent twice
    assert alerts.check_all(db, loaded)["notified"] == 0
    assert len(_notices(db, company.user_id)) == 1


def _inbox_text(services, actor) -> str:
    from ipcity.core import inbox
    from ipcity.web.templating import _tr_params

    with services.db.session() as s:
        return " ".join(_tr_params(i.title, i.params) for i in inbox.items_for(s, actor))


def test_a_patent_the_index_has_not_committed_waits_for_the_next_run(db, loaded, people, quick):
    company = people["company"]
    _save(db, company)
    pending = _add(db, loaded, "石墨烯复合材料", indexed=False)
    assert alerts.check_all(db, loaded)["notified"] == 0  # the index cannot find it yet: not lost, kept for later
    with db.session() as s:
        from ipcity.patents import store

        rec = store.get(s, pending)
    loaded.index([rec])
    with db.session(write=True) as s:
        loaded.commit(s)
        s.commit()
    assert alerts.check_all(db, loaded) == {"checked": 1, "notified": 1, "hits": 1}
    [notice] = _notices(db, company.user_id)
    assert notice.body == pending


def test_a_run_whose_claim_was_taken_over_sends_nothing(db, loaded, people, quick):
    company = people["company"]
    saved_id = _save(db, company)
    _add(db, loaded, "石墨烯电极")
    slow = alerts._claim(db, "slow-run")  # a run that claimed the search, then stalled past its lease
    assert [s.id for s in slow] == [saved_id]
    with db.session(write=True) as s:
        s.execute(update(SavedSearch).values(claimed_until=SavedSearch.created_at))
        s.commit()
    assert alerts.check_all(db, loaded)["notified"] == 1  # another run takes it over and sends the hit
    horizon = alerts._horizon(db)
    since = alerts._utc(slow[0].checked_at)
    found = alerts._search_window(db, loaded, slow, since, horizon)
    assert found[saved_id].total == 1
    assert alerts._finish(db, slow[0], "slow-run", since, horizon, found[saved_id]) is False  # not sent again
    assert len(_notices(db, company.user_id)) == 1


def test_concurrent_runs_send_each_hit_once(db, loaded, people, quick):
    company = people["company"]
    for i in range(3):
        _save(db, company, name=f"石墨烯{i}")
    for title in ("石墨烯涂层", "石墨烯油墨"):
        _add(db, loaded, title)
    results: list[dict] = []

    def run() -> None:
        results.append(alerts.check_all(db, loaded))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # each search is checked by one run at a time; a run that starts after another released it may check it
    # again over an empty window, which sends nothing: what must hold is one notice per search
    assert sum(r["notified"] for r in results) == 3 and sum(r["checked"] for r in results) >= 3
    notices = _notices(db, company.user_id)
    assert sorted(n.params["name"] for n in notices) == ["石墨烯0", "石墨烯1", "石墨烯2"]
    assert all(n.params["n"] == 2 for n in notices)
    assert alerts.check_all(db, loaded)["notified"] == 0


def test_a_search_deleted_or_switched_off_during_a_run_sends_nothing(db, loaded, people, quick):
    company = people["company"]
    deleted, switched = _save(db, company, name="删除"), _save(db, company, name="关闭")
    _add(db, loaded, "石墨烯传感器")
    claimed = alerts._claim(db, "run")
    with db.session(write=True) as s:
        saved.remove(s, company, deleted)
        saved.set_alert(s, company, switched, False)
        s.commit()
    horizon = alerts._horizon(db)
    for row in claimed:
        since = alerts._utc(row.checked_at)
        found = alerts._search_window(db, loaded, [row], since, horizon)
        assert alerts._finish(db, row, "run", since, horizon, found.get(row.id)) is False
    assert _notices(db, company.user_id) == []


def test_batches_cover_the_window_in_order(db, loaded, people, quick, monkeypatch):
    company = people["company"]
    _save(db, company)
    added = [_add(db, loaded, f"石墨烯第{i}种用途") for i in range(5)]
    monkeypatch.setattr(alerts, "BATCH", 2)
    with db.session() as s:
        since = alerts._utc(s.scalar(select(SavedSearch.checked_at)))
    batches = list(alerts.new_patents(db, since, alerts._horizon(db), batch=2))
    assert [len(b) for b in batches] == [2, 2, 1] and [p for b in batches for p in b] == added
    assert alerts.check_all(db, loaded)["hits"] == 5
    [notice] = _notices(db, company.user_id)
    assert notice.params["n"] == 5 and len(notice.body.split()) == 5
