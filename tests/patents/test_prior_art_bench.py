"""The prior-art benchmark's qrels (bench/prior_art.py): citations inside the set, numbers matched robustly."""

from __future__ import annotations

import pytest

from bench.prior_art import (
    CitationDoc,
    build_qrels,
    citation_docs,
    evaluate,
    number_key,
    read_set,
    without,
)
from tests.conftest import shared_data


def test_number_key_ignores_kind_spacing_padding_and_docdb_us_form():
    assert number_key("US 6,336,130 B1") == number_key("US06336130") == "US6336130"
    assert number_key("WO 96/04186 A1") == number_key("WO1996004186") == "WO1996004186"
    assert number_key("US2001034019A1") == number_key("US 2001/0034019 A1") == "US20010034019"
    assert number_key("EP784692A1") == number_key("EP 784692") == "EP784692"
    assert number_key("") is None


def test_qrels_link_citing_and_cited_both_ways_through_families():
    docs = [
        # A cites B by another spelling and C through a family member C has in the set's family column.
        CitationDoc("US5000001A", cited=("US 5,000,002 B1", "WO2001004335A2")),
        CitationDoc("US5000002A"),
        CitationDoc("EP1287152B1", family=("WO2001004335A2", "US7201907B1")),
        # D says that E cites it: E's own list is empty, D's citing list suffices.
        CitationDoc("WO2010066116A1", citing=("EP2377949A1",)),
        CitationDoc("EP2377949A1"),
        # F and G are one family; F cites G's family member: the same invention, not prior art.
        CitationDoc("US20100000001A1", cited=("WO2009000009A1",)),
        CitationDoc("WO2009000009A2", family=("US20100000001A1",)),
        # H cites nothing in the set (and a number that parses nowhere still counts as a citation).
        CitationDoc("US6000000A", cited=("US9999999B2", "XX-garbage")),
    ]
    qrels = build_qrels(docs)
    assert qrels.relevant == {
        "US5000001A": {"US5000002A", "EP1287152B1"},
        "US5000002A": {"US5000001A"},
        "EP1287152B1": {"US5000001A"},
        "WO2010066116A1": {"EP2377949A1"},
        "EP2377949A1": {"WO2010066116A1"},
    }
    assert qrels.links == 3 and qrels.pairs == 6
    assert qrels.same_family == 1
    assert qrels.citations == 6 and qrels.matched == 4


def test_evaluate_drops_the_query_and_scores_the_rest():
    ranking = without(["Q", "x", "R1", "y", "Q", "R2"], "Q")
    assert ranking == ["x", "R1", "y", "R2"]
    scores = evaluate(ranking, frozenset({"R1", "R2", "R3"}))
    assert scores["mrr"] == pytest.approx(0.5)
    assert scores["recall@10"] == scores["recall@100"] == pytest.approx(2 / 3)
    assert evaluate([], frozenset({"R1"})) == {"recall@10": 0.0, "recall@100": 0.0, "mrr": 0.0}


def test_the_real_synbio_set_gives_enough_queries():
    path = shared_data("patent-landscape-wipo-manual") / "synbio_thomson_645.tsv.gz"
    if not path.exists():
        pytest.skip(f"{path.name} is not in the shared data")
    records, refused = read_set(path)
    assert len(records) == 644 and refused == 0
    qrels = build_qrels(citation_docs(records))
    assert len(qrels.relevant) > 50
    ids = {r.pub_number for r in records}
    assert all(q in ids and rel <= ids and q not in rel for q, rel in qrels.relevant.items())
