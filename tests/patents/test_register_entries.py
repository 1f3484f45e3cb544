"""The register as services use it (patents/register.py): find by any number, entries, positions (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditEntry
from ipcity.patents import position as pos
from ipcity.patents import register, store
from tests.support.register import add_patent

ON = date(2026, 11, 24)
ACTOR = Actor.system("tests")


def test_find_by_patent_application_or_publication_number_prefers_the_grant(session):
    rec = add_patent(session, 4321)
    app = rec.app_number
    # the application publication of the same right
    early = store.to_record(session.scalar(select(register.Patent).where(register.Patent.pub_number == rec.pub_number)))
    early.pub_number, early.kind, early.grant_date = "CN119999999A", "A", None
    store.upsert(session, [early])
    for number in (app, "ZL" + app[2:], app[2:].replace(".", ""), rec.pub_number, "CN119999999A"):
        assert register.find(session, number).pub_number == rec.pub_number, number
    with pytest.raises(NotFound):
        register.find(session, "ZL202010009999.1" if app != "CN202010009999.1" else "ZL202010009998.3")
    with pytest.raises(DomainError) as err:
        register.find(session, "  ")
    assert err.value.field == "patent_number"


def test_entries_recorded_changed_closed_and_audited(session):
    rec = add_patent(session, 77)
    key = register.key_of(rec)
    register.record_entry(session, ACTOR, key, pos.PLEDGE, start=date(2026, 1, 5), end=date(2028, 1, 5),
                          reference="P-1", detail={"pledgee": "测试银行"})
    p = register.position(session, rec.app_number, on=ON)
    assert [e.detail["pledgee"] for e in p.pledges] == ["测试银行"] and p.pledges[0].detail["source"] == "platform"
    assert register.update_entry(session, ACTOR, key, pos.PLEDGE, "P-1", end=date(2026, 6, 1)) == 1
    assert register.position(session, rec, on=ON).pledges == ()  # the debt term now ended before the day
    assert register.update_entry(session, ACTOR, key, pos.PLEDGE, "P-1", end=date(2029, 1, 1)) == 1
    assert register.close_entries(session, ACTOR, key, pos.PLEDGE, "P-1", on=date(2026, 11, 1), reason="还清") == 1
    assert register.position(session, rec, on=ON).pledges == ()
    assert register.close_entries(session, ACTOR, key, pos.PLEDGE, "P-1") == 0  # nothing open any more
    session.commit()  # audit entries join the chain when their transaction commits
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "patent_register_entry")).all()
    assert actions.count("patent.register.entry") == 1 and actions.count("patent.register.close") == 1
    assert actions.count("patent.register.change") == 2
    with pytest.raises(ValueError):
        register.record_entry(session, ACTOR, key, "mortgage", start=ON)


def test_positions_of_many_with_one_query(session):
    recs = [add_patent(session, n) for n in (11, 12, 13)]
    register.record_entry(session, ACTOR, recs[1].app_number, pos.LICENCE, start=date(2025, 1, 1),
                          detail={"licence_type": pos.SOLE})
    out = register.positions(session, recs, on=ON)
    assert set(out) == {r.app_number for r in recs}
    assert [len(out[r.app_number].exclusive_licences) for r in recs] == [0, 1, 0]
