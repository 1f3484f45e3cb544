"""The demo topics (navigation/demo.py) are valid, and the Shanghai one, run on the synthetic Chinese demo set, gives
Shanghai-against-China figures worth showing: a focus share, a rank, districts, provinces and a gap analysis."""

from __future__ import annotations

import pytest

from ipcity.core.roles import Actor
from ipcity.navigation import pipeline, service
from ipcity.navigation.demo import DEMO_TOPICS
from ipcity.patents.demo import DEMO_DIR, SYNTHETIC_FILE
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.regions import PROVINCE

SHANGHAI = next(form for form in DEMO_TOPICS if form["focus_region"] == "31")


def test_every_demo_topic_is_a_valid_definition():
    for form in DEMO_TOPICS:
        definition = service.validate_definition(form)
        assert definition.kind == form["kind"] and definition.focus_region == form["focus_region"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_shanghai_topic_compares_shanghai_with_china(db, engine):
    ingest_file(db, engine, DEMO_DIR / SYNTHETIC_FILE, Actor.system("tests"))
    definition = service.validate_definition(SHANGHAI)
    with db.session() as s:
        results = pipeline.run(s, definition, engine=engine)
    assert results.records >= 150 and results.cn_records == results.records  # every application has a region
    focus = results.focus
    assert focus.code == "31" and focus.level == PROVINCE and focus.name == "上海市"
    assert 50 <= focus.count < results.records and 0.3 <= focus.share <= 0.8
    assert focus.rank is not None and focus.peers_with_filings >= 8
    assert len(results.subregions.rows) >= 3 and results.subregions.rows[0].code.startswith("31")
    assert len(results.provinces.rows) >= 8
    assert results.gap.focus_applications == focus.count and results.gap.rows
    assert results.ranking[0].name.startswith("申江") and results.ranking[0].kind == "company"
    assert results.trend.total == results.records and len(results.trend.years) >= 10
