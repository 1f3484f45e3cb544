"""Fixtures of the patent engine: an engine per test data directory, and a small loaded register."""

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
def loaded(db, engine):
    """The hand-written Chinese sample (tests/patents/data/sample.jsonl) and the WIPO ritonavir landscape."""
    actor = Actor.system("tests")
    ingest_file(db, engine, DATA / "sample.jsonl", actor)
    ingest_file(db, engine, DEMO / "ritonavir_wipo_landscape_804.csv.gz", actor)
    return engine
