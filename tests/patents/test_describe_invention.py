""""Describe your invention" on the demo corpus: a Chinese description of a drone battery-swap station finds
drone or battery-swap patents in its first ten, by meaning and in the fused ranking (issue 17).

The whole demo corpus is loaded through the real ingest path and the corpus encoder is trained on it, as
`ipcity demo` does, so the test measures what a person trying the demo gets."""

from __future__ import annotations

import re

import pytest

from ipcity.bootstrap import default_registry
from ipcity.core.config import load_settings
from ipcity.core.db import Database
from ipcity.core.roles import Actor
from ipcity.core.setup import initialise
from ipcity.patents import service
from ipcity.patents.demo import DEMO_DIR, DEMO_FILES
from ipcity.patents.engine import engine_for
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.search.analysis import query_tokens

DESCRIPTIONS = (
    "一种无人机自动换电站，无人机降落在停机平台后，机械臂取下电量不足的电池并换上充满电的电池，"
    "实现无人机长时间连续作业",
    "本发明涉及无人机电池更换装置：无人机返回基站后自动更换电池，基站对换下的电池充电",
)
# A drone or a battery swap, in either language (the corpus holds Chinese titles and English drone patents).
ON_TOPIC = re.compile(r"无人机|无人飞行器|换电|更换电池|电池更换|drone|unmanned (?:aerial |airborne )?vehicle|uav\b|"
                      r"battery (?:swap|exchange|replace)", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo-corpus")
    settings = load_settings(data_dir=tmp, database_url=f"sqlite:///{tmp}/ipcity.sqlite3", run_worker=False)
    db = Database(settings.database_url)
    initialise(db, default_registry())
    engine = engine_for(settings)
    for name, fmt in DEMO_FILES:
        ingest_file(db, engine, DEMO_DIR / name, Actor.system("test"), fmt)
    with db.session() as session:
        engine.train_encoder(session)
    yield db, engine
    engine.close()
    db.dispose()


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
@pytest.mark.parametrize("description", DESCRIPTIONS)
def test_a_described_drone_battery_swap_station_finds_drone_or_swap_patents(demo, mode, description):
    db, engine = demo
    with db.session() as session:
        result = service.search(session, engine, description, mode=mode, per_page=10, facets=())
    titles = [f"{row.record.title} {row.record.abstract[:200]}" for row in result.rows]
    assert len(titles) == 10
    assert ON_TOPIC.search(" ".join(titles[:3])), titles
    own_words = set(query_tokens(description))
    assert result.related and not own_words & set(result.related)  # "related terms" offer new words
    if mode == "semantic":  # by Chinese characters alone, the second description found none in ten
        assert len([t for t in titles if ON_TOPIC.search(t)]) >= 3, titles
