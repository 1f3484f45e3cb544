"""Open the configured search backend: `tantivy` (embedded default) or `milvus` (scale)."""

from __future__ import annotations

from pathlib import Path

from ipcity.patents.search.contract import SearchBackend

BACKENDS = ("tantivy", "milvus")


def open_backend(kind: str, path: Path, *, uri: str | None = None, dim: int | None = None,
                 token: str = "") -> SearchBackend:
    """`path` is the backend's own folder under the data directory; `uri` a Milvus server address
    (default: a milvus-lite file inside `path`) and `token` its credentials (Settings.milvus_token); `dim` the
    embedding size when vectors are stored."""
    if kind == "tantivy":
        from ipcity.patents.search.tantivy_backend import TantivyBackend

        return TantivyBackend(path, dim=dim)
    if kind == "milvus":
        from ipcity.patents.search.milvus_backend import MilvusBackend

        return MilvusBackend(path, uri=uri, dim=dim, token=token)
    raise ValueError(f"unknown search backend {kind!r}; known: {', '.join(BACKENDS)}")
