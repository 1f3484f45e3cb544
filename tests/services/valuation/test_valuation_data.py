"""Valuation inputs from the register and the corpus, on SQLite and PostgreSQL: field activity counted with one
aggregate query, register entries counted as licences, pledges and disputes, summaries for a pledge, the stored
report."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.roles import Actor
from ipcity.core.tables import Attachment, AuditEntry
from ipcity.patents import position, register, store
from ipcity.patents.demo_register import ensure_demo_patents
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.record import UTILITY, LegalEvent
from ipcity.patents.register_scan import activity_rows
from ipcity.services.valuation import access, service
from ipcity.services.valuation import inputs as valuation_inputs
from ipcity.services.valuation.domain import IN_FORCE
from tests.patents.conftest import DEMO, engine  # noqa: F401 - the engine fixture, re-used
from tests.support.clock import pin_today
from tests.support.register import add_patent

ON = date(2026, 11, 24)  # window: recent 2022–2024, earlier 2019–2021


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, ON.isoformat())


def test_field_activity_counts_applications_per_subclass_and_year(session):
    serial = iter(range(100, 200))
    for year, count in ((2019, 3), (2020, 3), (2021, 4), (2022, 10), (2023, 12), (2024, 8)):
        for _ in range(count):
            add_patent(session, next(serial), app_date=date(year, 5, 1), ipc=("H01M10/0525",))
    for year in (2023, 2024):
        add_patent(session, next(serial), app_date=date(year, 2, 1), ipc=("G06N3/08",))
    add_patent(session, next(serial), app_date=date(2015, 2, 1), ipc=("G06N3/08",))  # outside the window
    first = add_patent(session, next(serial), app_date=date(2024, 3, 3), ipc=("H01M4/04",))
    # The A publication of the same application: one application, two rows — counted once.
    store.upsert(session, [dataclasses.replace(first, pub_number="CN999000001A", kind="A", grant_date=None)])
    session.flush()
    rows = activity_rows(session, 2019, 2024)
    counts = {(s, y): n for s, y, n in rows}
    assert counts[("H01M", 2024)] == 9 and counts[("H01M", 2019)] == 3 and counts[("G06N", 2023)] == 1
    assert ("G06N", 2015) not in counts
    fa = valuation_inputs.field_activity(session, ON, cached=False)
    assert fa.recent("H01M") == 31 and fa.earlier("H01M") == 10
    assert fa.growth("H01M") == pytest.approx((31 / 10) ** (1 / 3) - 1)
    assert fa.activity("H01M") == 100.0 and fa.activity("G06N") == 50.0
    assert fa.growth("G06N") is None  # too few earlier applications


def test_field_activity_is_cached_until_the_data_change(session):
    add_patent(session, 1, app_date=date(2023, 5, 1), ipc=("H01M10/0525",))
    first = valuation_inputs.field_activity(session, ON)
    assert valuation_inputs.field_activity(session, ON) is first
    add_patent(session, 2, app_date=date(2023, 6, 1), ipc=("H01M10/0525",))
    again = valuation_inputs.field_activity(session, ON)
    assert again is not first and again.recent("H01M") == 2


def test_register_entries_count_as_licences_pledges_and_disputes(session, people):
    rec = add_patent(session, 7, events=(LegalEvent("grant", date(2022, 6, 7), "GR01", "授权"),
                                         LegalEvent("transfer", date(2023, 2, 1), "", "专利权的转移")),
                     cited_by=4, family_size=3,
                     claims="1. 一种锂电池极片涂布装置，包括涂布辊。\n"
                            "2. 根据权利要求1所述的装置，其特征在于，涂布辊为陶瓷辊。")
    key = register.key_of(rec)
    actor = people["admin"]
    register.record_entry(session, actor, key, position.LICENCE, start=date(2023, 1, 1), end=date(2027, 1, 1),
                          reference="L1", detail={"licence_type": position.EXCLUSIVE})
    register.record_entry(session, actor, key, position.PLEDGE, start=date(2023, 3, 1), end=date(2024, 3, 1),
                          reference="P1")
    register.close_entries(session, actor, key, position.PLEDGE, "P1", on=date(2024, 3, 1))
    register.record_entry(session, actor, key, position.PRESERVATION, start=date(2024, 5, 1), reference="C1")
    register.close_entries(session, actor, key, position.PRESERVATION, "C1", on=date(2024, 9, 1))
    register.record_entry(session, actor, key, position.INVALIDATION_REQUEST, start=date(2026, 1, 5), reference="I1")
    [inputs] = valuation_inputs.inputs_for(session, [register.find(session, key)], ON)
    values = inputs.values
    assert values["licences"] == 2  # one exclusive licence counts double
    assert values["pledges"] == 1  # closed, but history
    assert values["disputes"] == 2  # a lifted preservation order and a pending invalidation request
    assert values["transfers"] == 1 and values["cited_by"] == 4 and values["family_size"] == 3
    assert values["claim_count"] == 2 and values["independent_claims"] == 1
    assert values["legal_status"] == IN_FORCE
    assert values["remaining_term"] == pytest.approx((date(2040, 3, 1) - ON).days / 365.25, abs=0.01)


def test_evaluate_applies_access_and_reports_every_bad_number(session, people):
    own = add_patent(session, 1)
    other = add_patent(session, 2, owners=("测试制造公司",))
    [mine] = service.evaluate(session, own.app_number, actor=people["company"])
    assert mine.card.overall is not None and mine.number.startswith("ZL")
    with pytest.raises(DomainError) as err:
        service.evaluate(session, f"{own.app_number}, {other.app_number}", actor=people["company"])
    assert err.value.field == "numbers" and "only the patents it holds" in err.value.message.msgid
    assert len(service.evaluate(session, [own.app_number, other.app_number], actor=people["bank"])) == 2
    with pytest.raises(NotFound):
        service.evaluate(session, "ZL202010999999.9 CN202010999998.X", actor=people["bank"])


def test_pledged_or_preserved_patents_get_no_pledge_rate(session, people):
    rec = add_patent(session, 3, patent_type=UTILITY)
    register.record_entry(session, people["admin"], register.key_of(rec), position.PLEDGE, start=date(2025, 1, 1),
                          end=date(2028, 1, 1), reference="P9", detail={"pledgee": "测试银行"})
    [v] = service.evaluate(session, rec.app_number)
    assert v.advice.rate == 0 and v.advice.barred and [b.ground for b in v.advice.bars] == [9]
    assert "refusal ground 9" in v.advice.reasons[0].render("en")


def test_summaries_and_the_stored_report(session, people):
    rec = add_patent(session, 4, cited_by=10, family_size=2)
    [summary] = service.summaries(session, [rec.app_number])
    assert summary.indicative_value is None and 0 < summary.score <= 100 and summary.grade in "ABCDE"
    assert 0 <= summary.suggested_pledge_rate <= 1
    assert summary.report_url == f"/pledge/valuation/report.pdf?numbers={summary.number}&scenario=finance"
    income = {"revenue": "2000000", "royalty_rate": "0.04", "discount_rate": "0.12", "economic_life": "5"}
    valuations = service.evaluate(session, rec.app_number, income=income, actor=people["bank"])
    [att] = service.record_report(session, people["bank"], valuations, b"%PDF-1.7\n% test report\n")
    session.commit()  # audit entries join the chain when their transaction commits
    assert session.get(Attachment, att.id).owner_type == service.REPORT_OWNER
    entry = session.query(AuditEntry).filter_by(action=service.AUDIT_ACTION).one()
    assert entry.object_id == rec.app_number and '"present_value"' in entry.detail
    [again] = service.summaries(session, [rec.app_number])
    pv = valuations[0].income.present_value
    assert again.indicative_value == pytest.approx(pv, abs=0.01)
    assert pv == pytest.approx(sum(80_000 / 1.12 ** t for t in range(1, 6)))
    assert access.may_see_report(session, people["bank"], rec.app_number)
    assert not access.may_see_report(session, people["licensee"], rec.app_number)
    assert service.summaries(session, [rec.app_number], scenario="licensing")[0].indicative_value is None


# --- the demo: the register check and a corpus that ends years before the valuation date ----------------------

@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_patents_get_field_activity_and_the_pledge_check(db, engine, session, people):  # noqa: F811
    """The shipped drone corpus (Lens, applications up to 2016) and the demo register: a patent in a busy subclass
    gets a non-zero field activity measured over the corpus's own last years, and the demo patent whose annual fee
    is unpaid (in its grace period) gets no pledge rate, on ground 4 as the pledge registration would refuse it."""
    ingest_file(db, engine, DEMO / "drones_lens_families_5884.csv.gz", Actor.system("tests"))
    records = {r.title: r for r in ensure_demo_patents(session)}
    fa = valuation_inputs.field_activity(session, ON, cached=False)
    assert fa.window == (2011, 2016) and fa.requested_last == 2024  # the corpus ends in 2016, not in 2024
    busiest = max(fa.counts, key=fa.recent)
    assert fa.activity(busiest) == 100.0 and fa.recent(busiest) > 100

    drone = records["基于视觉识别的无人机电力巡检缺陷检测方法（演示）"]  # G06V: a subclass created in 2022
    robot = records["一种工业机器人关节减速器的磨损预测方法（演示）"]  # G05B: active among the drone filings
    cleaner = records["一种光伏组件清洁机器人路径规划方法（演示）"]  # its annual fee is unpaid (demo register)
    by_key = {v.key: v for v in service.evaluate(session, [drone.app_number, robot.app_number, cleaner.app_number])}
    activity = {k: next(i for i in v.card.indicators if i.key == "field_activity").value for k, v in by_key.items()}
    assert activity[robot.app_number] > 50  # was 0 for every patent: the window lay after the corpus's end
    assert activity[drone.app_number] == 0.0
    assert by_key[robot.app_number].activity_window == (2011, 2016) and by_key[robot.app_number].activity_cut_short

    barred = by_key[cleaner.app_number]
    assert barred.position.in_force and barred.position.fees.unpaid
    assert barred.advice.barred and [b.ground for b in barred.advice.bars] == [4]
    [summary] = service.summaries(session, [cleaner.app_number])
    assert summary.suggested_pledge_rate is None and [b.key for b in summary.bars] == ["fees_unpaid"]
    assert not by_key[robot.app_number].advice.barred
