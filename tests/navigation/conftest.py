"""Fixtures of patent navigation: a patent engine and a small register of hand-made Chinese records."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipcity.core.roles import Actor
from ipcity.patents.engine import close_all, engine_for
from ipcity.patents.ingest.runner import ingest_file

DATA = Path(__file__).resolve().parent / "data"
DEMO = Path(__file__).resolve().parents[2] / "src" / "ipcity" / "patents" / "demo_data"


@pytest.fixture
def engine(settings):
    yield engine_for(settings)
    close_all()


@pytest.fixture
def register(db, engine):
    """tests/navigation/data/topic.jsonl: 6 publications of 5 applications (one published as A and B),
    three in Shanghai (two in Pudong, one in Minhang) and two in Beijing; plus the WIPO ritonavir set."""
    actor = Actor.system("tests")
    ingest_file(db, engine, DATA / "topic.jsonl", actor)
    ingest_file(db, engine, DEMO / "ritonavir_wipo_landscape_804.csv.gz", actor)
    return engine
