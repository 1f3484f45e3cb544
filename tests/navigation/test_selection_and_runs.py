"""From the register to a finished run: topic selection, merging publications, results, report, access."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.jobs import run_pending
from ipcity.core.tables import AuditEntry
from ipcity.navigation import dataset, pipeline, report_builder, service
from ipcity.navigation.domain import TopicDefinition
from ipcity.navigation.tables import NavRun


def select_(session, engine, **definition):
    return dataset.select_records(session, TopicDefinition(**definition), engine=engine)


def numbers(selection) -> set[str]:
    return {r.pub_number for r in selection.records}


def test_query_topic_merges_the_publications_of_one_application(session, register):
    chosen = select_(session, register, kind="query", query="锂电池")
    # 5 publications mention 锂电池; CN115100001 A and B are one application, represented by B (the latest)
    assert chosen.publications == 5
    assert numbers(chosen) == {"CN115100001B", "CN115100002A", "CN115100003A", "CN115100004A"}
    merged = next(r for r in chosen.records if r.pub_number == "CN115100001B")
    assert (merged.pub_year, merged.app_year, merged.legal_status, merged.cited_by) == (2020, 2020, "valid", 5)
    assert merged.events == ("transfer",)
    assert merged.region_code.startswith("310115")  # 浦东新区
    assert str(chosen.data_date) == "2022-08-01"  # the newest publication among the chosen


def test_ipc_topic_covers_subclass_main_group_and_exact_subgroup(session, register):
    assert numbers(select_(session, register, kind="ipc", ipc_codes=["B64C"])) == {"CN115100005A"}
    assert numbers(select_(session, register, kind="ipc", ipc_codes=["H01M10/00"])) == {
        "CN115100001B", "CN115100003A", "CN115100004A"}  # H01M10/0525, /0567, /48
    assert numbers(select_(session, register, kind="ipc", ipc_codes=["H01M10/0567"])) == {"CN115100003A"}


def test_period_filters_on_the_application_year(session, register):
    chosen = select_(session, register, kind="ipc", ipc_codes=["H01M"], start_year=2021, end_year=2021)
    assert numbers(chosen) == {"CN115100002A", "CN115100003A"}


def test_number_list_with_and_without_kind_codes(session, register):
    chosen = select_(session, register, kind="numbers",
                     numbers=["CN115100001", "CN115100003A", "CN202210100005.6", "CN119999999A"])
    # CN115100001 without kind finds A and B (one application); the application number finds CN115100005A
    assert numbers(chosen) == {"CN115100001B", "CN115100003A", "CN115100005A"}


def test_strategic_emerging_industry_topic(session, register):
    # 5.x 新能源汽车产业 — H01M10/0525 and H01M4/58 lithium batteries belong to it in the concordance
    chosen = select_(session, register, kind="sei", sei_code="5")
    assert "CN115100001B" in numbers(chosen) and "CN115100005A" not in numbers(chosen)


def test_results_survive_json_and_build_reports_in_both_languages(session, register):
    definition = TopicDefinition(kind="ipc", ipc_codes=["H01M", "B64C", "G01R"], focus_region="31")
    results = pipeline.run(session, definition, engine=register)
    again = pipeline.load(pipeline.dump(results))
    assert again == results
    assert results.records == 5 and results.cn_records == 5
    assert results.focus.count == 3 and results.focus.rank == 1  # Shanghai 3, Beijing 2
    # a municipality lists its districts: 浦东新区 2, 闵行区 1
    assert [(row.code, row.count) for row in results.subregions.rows] == [("310115", 2), ("310112", 1)]
    zh = report_builder.build(again, definition, title="测试导航", lang="zh")
    en = report_builder.build(again, definition, title="Test", lang="en")
    assert [s.key for s in zh.sections] == [s.key for s in en.sections]
    assert "gap" in [s.key for s in zh.sections]
    keys = [c.key for c in zh.charts()]
    assert len(keys) == len(set(keys)) and {"trend", "applicants", "ipc_year", "network", "gap"} <= set(keys)
    top = next(c for c in zh.charts() if c.key == "applicants")
    assert top.categories[0] == "上海甲新能源有限公司" and top.series[0][1][0] == 2


def test_a_run_end_to_end_stores_results_and_a_pdf(services, people, register):
    with services.db.session() as s:
        topic = service.create_topic(s, people["lead_handler"], {
            "name": "锂电池导航", "kind": "query", "query": "锂电池", "focus_region": "31", "shared": "1"})
        s.commit()
        run = service.start_run(s, services, people["lead_handler"], topic.id)
        run_id = run.id
    assert run_pending(services.db, services.registry, services) == 1
    with services.db.session() as s:
        run = s.get(NavRun, run_id)
        assert run.status == "done", run.message
        assert run.records == 4 and run.publications == 5
        assert set(run.timings["seconds"]) >= {"select", "analyse", "clusters", "report", "pdf"}
        pdf = service.report_file(s, services.db, services.files, run, "zh", "pdf")
        assert pdf.startswith(b"%PDF")
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "nav_topic")).all()
        assert actions == ["create", "run"]


def test_topics_are_seen_by_their_unit_only_when_shared(services, people):
    with services.db.session() as s:
        private = service.create_topic(s, people["lead_handler"], {"name": "私有", "kind": "query", "query": "x"})
        shared = service.create_topic(s, people["lead_handler"], {"name": "共享", "kind": "query", "query": "x",
                                                                  "shared": "on"})
        s.commit()
        colleague, other_unit = people["reviewer"], people["pudong"]  # same unit / another unit
        assert [r.topic.name for r in service.list_topics(s, colleague)] == ["共享"]
        assert service.list_topics(s, other_unit) == []
        with pytest.raises(PermissionDenied):
            service.get_topic(s, colleague, private.id)
        with pytest.raises(PermissionDenied):
            service.update_topic(s, colleague, shared.id, {"name": "改名", "kind": "query", "query": "y"})
        assert {r.topic.name for r in service.list_topics(s, people["admin"])} == {"私有", "共享"}


def test_a_refused_edit_changes_nothing(services, people):
    with services.db.session() as s:
        topic = service.create_topic(s, people["lead_handler"], {"name": "原名", "kind": "ipc", "ipc_codes": "H01M"})
        s.commit()
        with pytest.raises(DomainError) as info:
            service.update_topic(s, people["lead_handler"], topic.id, {"name": "", "kind": "ipc", "ipc_codes": "??"})
        s.rollback()
        assert {f for f, _ in info.value.problems} == {"name", "ipc_codes"}
        assert (s.get(type(topic), topic.id).name, s.get(type(topic), topic.id).definition["ipc_codes"]) == (
            "原名", ["H01M"])
