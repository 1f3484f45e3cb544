"""Semantic patent search: text encoders, an exact vector index, rank fusion and IPC prediction.

- encoder.py — the Encoder protocol and `load_encoder("corpus:<dir>" | "st:<path>" | "st-package:<name>")`;
- corpus_encoder.py — the default encoder, TF-IDF + SVD trained on the corpus (offline, any language);
- st_encoder.py — a local sentence-transformers model (optional: needs torch and sentence-transformers);
- vectors.py — VectorIndex, exact cosine top-k with candidate filtering, atomic save, memory-mapped load;
- fusion.py — reciprocal rank fusion of keyword and semantic rankings;
- classify.py — IPC subclass prediction from titles (scikit-learn).
"""

from ipcity.patents.semantic.encoder import Encoder, discover_st_model, load_encoder
from ipcity.patents.semantic.fusion import rrf
from ipcity.patents.semantic.vectors import VectorIndex

__all__ = ["Encoder", "VectorIndex", "discover_st_model", "load_encoder", "rrf"]
