"""Exact cosine nearest-neighbour search over unit vectors in numpy, keyed by string ids.

Exact search is the default because it is simple and fast enough for a city's corpus (design NOTES,
"Vectors": 7 ms a query at 200k × 384 float32); an approximate index (faiss, pgvector) can come later
behind the same methods. Rows are stored L2-normalised, so a dot product is the cosine.

`float16` storage halves memory (1M × 256: 512 MB instead of 1 GB) but numpy has no fast float16 product,
so rows are converted to float32 block by block, and that conversion dominates: measured on the 2-core
machine (busy, so slower than idle) at 1M × 256, a query took ~130 ms on float32 and ~450 ms on float16;
restricted to 20k `allowed` ids, 32 ms and 82 ms. Prefer float32 unless memory is what is short.

On disk an index is a directory whose `CURRENT` file names the version folder holding `vectors.npy`,
`ids.json` and `meta.json`. `save` writes a new version folder and then replaces `CURRENT` in one
`os.replace`, so a reader sees either the old index or the new one, never a mix; `load` memory-maps the
vectors. One writer at a time (the indexing job); readers may be many processes.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

DTYPES = ("float32", "float16")
CURRENT = "CURRENT"
_BLOCK = 1024  # rows converted and scored at a time when the storage is float16 (fastest block measured)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return vectors / norms


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class VectorIndex:
    def __init__(self, dim: int, *, dtype: str = "float32", encoder: str | None = None):
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}")
        self.dim = int(dim)
        self.dtype = np.dtype(dtype)
        self.encoder = encoder  # name of the encoder that made the vectors, to refuse mixing models
        self._matrix = np.zeros((0, self.dim), dtype=self.dtype)
        self._alive = np.zeros(0, dtype=bool)
        self._ids: list[str | None] = []  # row -> id; None for a removed row
        self._row: dict[str, int] = {}
        self._used = 0  # rows in use (alive or removed) at the top of _matrix

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    def ids(self) -> list[str]:
        return [doc_id for doc_id in self._ids if doc_id is not None]

    def vector(self, doc_id: str) -> np.ndarray:
        """The stored (unit) vector of a document, as float32 (e.g. to find documents like it)."""
        return np.asarray(self._matrix[self._row[doc_id]], dtype=np.float32)

    # --- changes ----------------------------------------------------------------------------------------

    def _writable(self, rows_needed: int) -> None:
        """Own a writable buffer with room for `rows_needed` rows (a loaded index is a read-only memmap)."""
        capacity = self._matrix.shape[0]
        if rows_needed <= capacity and self._matrix.flags.writeable and not isinstance(self._matrix, np.memmap):
            return
        new_capacity = max(rows_needed, capacity if rows_needed <= capacity else 2 * capacity, 1024)
        matrix = np.zeros((new_capacity, self.dim), dtype=self.dtype)
        matrix[: self._used] = self._matrix[: self._used]
        alive = np.zeros(new_capacity, dtype=bool)
        alive[: self._used] = self._alive[: self._used]
        self._matrix, self._alive = matrix, alive

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add documents or replace those already present (the vectors are normalised on the way in)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}, got shape {vectors.shape}")
        if not len(ids):
            return
        vectors = _unit_rows(vectors)
        last = {doc_id: i for i, doc_id in enumerate(ids)}  # an id given twice keeps its last vector
        self._writable(self._used + sum(1 for doc_id in last if doc_id not in self._row))
        rows = np.empty(len(last), dtype=np.int64)
        for slot, doc_id in enumerate(last):
            row = self._row.get(doc_id)
            if row is None:
                row = self._row[doc_id] = self._used
                self._used += 1
                self._ids.append(doc_id)
            rows[slot] = row
        self._matrix[rows] = vectors[list(last.values())]
        self._alive[rows] = True

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents (unknown ids are ignored); returns how many were removed."""
        rows = [self._row.pop(doc_id) for doc_id in set(ids) if doc_id in self._row]
        if not rows:
            return 0
        for row in rows:
            self._alive[row] = False
            self._ids[row] = None
        if self._used - len(self._row) > max(1024, len(self._row)):  # mostly holes: pack the rows
            self._compact()
        return len(rows)

    def _compact(self) -> None:
        keep = np.flatnonzero(self._alive[: self._used])
        self._matrix = np.ascontiguousarray(self._matrix[keep])
        self._alive = np.ones(len(keep), dtype=bool)
        self._ids = [self._ids[row] for row in keep]
        self._row = {doc_id: row for row, doc_id in enumerate(self._ids)}
        self._used = len(keep)

    # --- search -----------------------------------------------------------------------------------------

    def _scores(self, query: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        if rows is not None:
            return np.asarray(self._matrix[rows], dtype=np.float32) @ query
        if self.dtype == np.float32:
            return self._matrix[: self._used] @ query
        scores = np.empty(self._used, dtype=np.float32)
        block = np.empty((_BLOCK, self.dim), dtype=np.float32)  # reused: a cache-sized float32 copy
        for start in range(0, self._used, _BLOCK):
            end = min(start + _BLOCK, self._used)
            rows = block[: end - start]
            rows[...] = self._matrix[start:end]
            scores[start:end] = rows @ query
        return scores

    def search(self, vector: Sequence[float] | np.ndarray, k: int,
               allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """The `k` documents most similar to `vector` by cosine, best first (ties by id), as (id, score).

        `allowed` restricts the search to those ids (the candidates a filtered query left); ids not in
        the index are ignored.
        """
        query = np.asarray(vector, dtype=np.float32).ravel()
        if query.shape != (self.dim,):
            raise ValueError(f"query has dimension {query.size}, the index {self.dim}")
        norm = float(np.linalg.norm(query))
        if k <= 0 or norm == 0 or not self._row:
            return []
        query = query / norm
        if allowed is not None:
            rows = np.fromiter((self._row[doc_id] for doc_id in allowed if doc_id in self._row), dtype=np.int64)
            if rows.size == 0:
                return []
            scores = self._scores(query, rows)
        else:
            rows = None
            scores = self._scores(query, None)
            scores[~self._alive[: self._used]] = -np.inf
        take = min(k, len(scores))
        top = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
        found = []
        for position in top:
            score = float(scores[position])
            if score == -np.inf:
                continue
            row = int(rows[position]) if rows is not None else int(position)
            found.append((self._ids[row], score))
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found

    # --- persistence ------------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> None:
        """Write a new version of the index and switch `CURRENT` to it atomically; older versions go."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        version = f"v-{uuid.uuid4().hex[:12]}"
        staging = directory / f".{version}.tmp"
        staging.mkdir()
        keep = np.flatnonzero(self._alive[: self._used])
        with open(staging / "vectors.npy", "wb") as handle:
            np.save(handle, np.ascontiguousarray(self._matrix[keep]), allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())
        ids = [self._ids[row] for row in keep]
        (staging / "ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
        meta = {"format": 1, "dim": self.dim, "dtype": self.dtype.name, "encoder": self.encoder, "count": len(ids)}
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync_dir(staging)
        os.replace(staging, directory / version)
        pointer = directory / f".{CURRENT}.{version}.tmp"
        with open(pointer, "w", encoding="utf-8") as handle:
            handle.write(version)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, directory / CURRENT)
        _fsync_dir(directory)
        for old in directory.glob("v-*"):  # readers that memory-mapped an old version keep their mapping
            if old.name != version and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: str | Path, *, mmap: bool = True) -> VectorIndex:
        directory = Path(directory)
        version = directory / (directory / CURRENT).read_text(encoding="utf-8").strip()
        meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
        index = cls(meta["dim"], dtype=meta["dtype"], encoder=meta.get("encoder"))
        matrix = np.load(version / "vectors.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
        ids = json.loads((version / "ids.json").read_text(encoding="utf-8"))
        if matrix.shape != (len(ids), index.dim) or matrix.dtype != index.dtype:
            raise ValueError(f"{version}: vectors {matrix.shape} {matrix.dtype} do not match ids and meta.json")
        index._matrix = matrix
        index._alive = np.ones(len(ids), dtype=bool)
        index._ids = list(ids)
        index._row = {doc_id: row for row, doc_id in enumerate(ids)}
        index._used = len(ids)
        if len(index._row) != len(ids):
            raise ValueError(f"{version}: ids.json repeats an id")
        return index
