"""VectorIndex: exact cosine search checked against a brute-force computation."""

from __future__ import annotations

import numpy as np
import pytest

from ipcity.patents.semantic.vectors import VectorIndex

DIM = 32


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    ids = [f"CN{100000 + i}A" for i in range(3000)]
    vectors = rng.standard_normal((len(ids), DIM)).astype(np.float32)
    queries = rng.standard_normal((25, DIM)).astype(np.float32)
    return ids, vectors, queries


def brute_force(ids, vectors, query, k, allowed=None):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    q = query / np.linalg.norm(query)
    scored = [(doc_id, float(score)) for doc_id, score in zip(ids, unit @ q, strict=True)
              if allowed is None or doc_id in allowed]
    return sorted(scored, key=lambda hit: -hit[1])[:k]


def assert_same_hits(found, expected, tolerance=1e-5):
    assert [doc_id for doc_id, _ in found] == [doc_id for doc_id, _ in expected]
    np.testing.assert_allclose([s for _, s in found], [s for _, s in expected], atol=tolerance)


def build(data, dtype="float32"):
    ids, vectors, _ = data
    index = VectorIndex(DIM, dtype=dtype, encoder="test-encoder")
    index.add(ids[:1000], vectors[:1000])
    index.add(ids[1000:], vectors[1000:])  # grows past the first buffer
    return index


def test_search_equals_brute_force(data):
    ids, vectors, queries = data
    index = build(data)
    assert len(index) == 3000
    for query in queries:
        assert_same_hits(index.search(query, 10), brute_force(ids, vectors, query, 10))
    assert len(index.search(queries[0], 5000)) == 3000
    assert index.search(queries[0], 0) == []
    assert index.search(np.zeros(DIM), 3) == []


def test_allowed_restricts_to_candidates(data):
    ids, vectors, queries = data
    index = build(data)
    allowed = set(ids[::7]) | {"CN-not-indexed"}
    for query in queries[:10]:
        found = index.search(query, 10, allowed=allowed)
        assert_same_hits(found, brute_force(ids, vectors, query, 10, allowed=allowed))
        assert {doc_id for doc_id, _ in found} <= allowed
    assert index.search(queries[0], 10, allowed=set()) == []
    assert index.search(queries[0], 10, allowed={"CN-not-indexed"}) == []


def test_remove_and_replace(data):
    ids, vectors, queries = data
    index = build(data)
    query = queries[0]
    best = index.search(query, 3)
    removed = [doc_id for doc_id, _ in best[:2]]
    assert index.remove(removed + ["CN-unknown"]) == 2
    assert len(index) == 2998 and removed[0] not in index
    keep = [i for i, doc_id in enumerate(ids) if doc_id not in removed]
    remaining_ids = [ids[i] for i in keep]
    assert_same_hits(index.search(query, 10), brute_force(remaining_ids, vectors[keep], query, 10))
    assert index.search(query, 5, allowed=set(removed)) == []
    # Adding an id again replaces its vector: make the third-best the exact query direction.
    index.add([best[2][0]], query[None, :] * 3)
    top_id, top_score = index.search(query, 1)[0]
    assert top_id == best[2][0] and top_score == pytest.approx(1.0, abs=1e-6)
    assert len(index) == 2998


def test_an_id_given_twice_in_one_add_keeps_its_last_vector():
    index = VectorIndex(3)
    index.add(["a", "b", "a"], np.array([[1, 0, 0], [0, 1, 0], [0, 0, 2]], dtype=np.float32))
    assert len(index) == 2
    np.testing.assert_allclose(index.vector("a"), [0, 0, 1])  # stored normalised
    assert index.search([0, 0, 1], 2) == [("a", pytest.approx(1.0)), ("b", pytest.approx(0.0))]


def test_removing_most_rows_compacts_and_stays_exact(data):
    ids, vectors, queries = data
    index = build(data)
    index.remove(ids[:2500])
    assert index._used == 500  # packed: the holes are gone
    for query in queries[:5]:
        assert_same_hits(index.search(query, 10), brute_force(ids[2500:], vectors[2500:], query, 10))


def test_save_load_round_trip_is_memory_mapped_and_atomic(data, tmp_path):
    ids, vectors, queries = data
    index = build(data)
    index.remove(ids[:10])
    target = tmp_path / "vectors"
    index.save(target)
    first_version = (target / "CURRENT").read_text()
    loaded = VectorIndex.load(target)
    assert isinstance(loaded._matrix, np.memmap)
    assert loaded.encoder == "test-encoder" and len(loaded) == 2990 and "CN100000A" not in loaded
    for query in queries[:5]:
        assert_same_hits(loaded.search(query, 10), index.search(query, 10), tolerance=0)
    # A loaded (read-only, mapped) index can still change, and saving again replaces the version.
    loaded.add(["CN999999A"], queries[0][None, :])
    assert loaded.search(queries[0], 1)[0][0] == "CN999999A"
    loaded.save(target)
    versions = sorted(path.name for path in target.iterdir() if path.name.startswith("v-"))
    assert versions == [(target / "CURRENT").read_text()] and versions[0] != first_version
    assert not list(target.glob(".*tmp"))
    assert VectorIndex.load(target).search(queries[0], 1)[0][0] == "CN999999A"


def test_float16_storage_halves_memory_and_keeps_the_ranking(data, tmp_path):
    ids, vectors, queries = data
    half = build(data, dtype="float16")
    assert half._matrix.dtype == np.float16
    agree = 0
    for query in queries:
        found = half.search(query, 10)
        expected = brute_force(ids, vectors, query, 10)
        np.testing.assert_allclose([s for _, s in found], [s for _, s in expected], atol=2e-3)
        agree += found[0][0] == expected[0][0]
    assert agree >= 23  # float16 may swap near-ties, nothing more
    half.save(tmp_path / "h")
    assert VectorIndex.load(tmp_path / "h")._matrix.dtype == np.float16


def test_rejects_wrong_dimensions(data):
    index = VectorIndex(DIM)
    with pytest.raises(ValueError):
        index.add(["a"], np.ones((1, DIM + 1)))
    with pytest.raises(ValueError):
        index.add(["a", "b"], np.ones((1, DIM)))
    index.add(["a"], np.ones((1, DIM)))
    with pytest.raises(ValueError):
        index.search(np.ones(DIM - 1), 3)
