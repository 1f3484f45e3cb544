"""Fixtures of patent navigation: the patent engine (shared with the patent tests) and a small register of
hand-made Chinese records."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipcity.core.roles import Actor
from ipcity.patents.ingest.runner import ingest_file
from tests.patents.conftest import DEMO, engine  # noqa: F401 - the engine fixture, re-used

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def register(db, engine):  # noqa: F811 - the fixture imported above
    """tests/navigation/data/topic.jsonl: 6 publications of 5 applications (one published as A and B),
    three in Shanghai (two in Pudong, one in Minhang) and two in Beijing; plus the WIPO ritonavir set."""
    actor = Actor.system("tests")
    ingest_file(db, engine, DATA / "topic.jsonl", actor)
    ingest_file(db, engine, DEMO / "ritonavir_wipo_landscape_804.csv.gz", actor)
    return engine
