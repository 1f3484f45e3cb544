"""The corpus encoder joined with a sentence-transformers model (setting `corpus+st-package:<name>` or
`corpus+st:<path>`).

Why: on the real prior-art set (bench/prior_art.py, English synbio abstracts, 169 queries) the corpus encoder
alone reaches recall@100 0.764 / MRR 0.356, the shipped English all-MiniLM-L6-v2 alone 0.750 / 0.332, and
their sum of cosines with the model weighted 0.7 reaches 0.790 / 0.386: the two err on different documents.
Every other change to the corpus encoder measured (BM25 weighting before the projection, word bigrams, other
dimensions, pseudo-relevance feedback) stayed within ±0.02 of it (docs/search.md, "Encoders measured").

How: each part's unit vector is concatenated, the model's scaled by √weight, and the whole re-normalised. For
two texts that both have both parts, the cosine is then (cos_corpus + weight × cos_model) / (1 + weight): the
weighted sum, ranked the same. The model maps most Chinese characters to [UNK] (design NOTES), so a text
that is mostly Chinese gets a zero model part and is compared by the corpus part alone.

Not the default: the model needs torch (the `st` extra) and encodes ~100× slower than the corpus encoder
(docs/search.md gives the figures), so an installation chooses it for an English register it can afford to
embed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ipcity.patents.semantic.encoder import Encoder

PREFIX = "corpus+"
# measured on bench/prior_art.py: weights 0.3 / 0.5 / 0.7 / 1.0 / 1.5 gave recall@100 .760 / .782 / .790 / .781 / .780
DEFAULT_MODEL_WEIGHT = 0.7
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
CJK_SHARE = 0.3  # a text whose letters are at least this share CJK is "mostly Chinese" to the model part


def mostly_cjk(text: str) -> bool:
    letters = _LETTER.findall(text)
    return bool(letters) and sum(1 for ch in letters if _CJK.match(ch)) >= CJK_SHARE * len(letters)


class MixedEncoder:
    def __init__(self, corpus: Encoder, model: Encoder, model_weight: float = DEFAULT_MODEL_WEIGHT):
        if model_weight <= 0:
            raise ValueError("model_weight must be positive")
        self.corpus, self.model = corpus, model
        self.model_weight = model_weight
        self._scale = math.sqrt(model_weight)
        self.dim = corpus.dim + model.dim
        self.name = f"mixed:{corpus.name}+{model.name}:{model_weight:g}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        corpus_part = self.corpus.encode(texts)
        english = [i for i, text in enumerate(texts) if not mostly_cjk(text)]
        model_part = np.zeros((len(texts), self.model.dim), dtype=np.float32)
        if english:
            model_part[english] = self.model.encode([texts[i] for i in english]) * self._scale
        joined = np.hstack([corpus_part, model_part])
        norms = np.linalg.norm(joined, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return (joined / norms).astype(np.float32, copy=False)

    def save(self, directory) -> None:
        """Only the corpus part is trained here; the model is found again from the setting."""
        self.corpus.save(directory)


def model_spec(setting: str) -> str | None:
    """`st-package:<name>` of the setting `corpus+st-package:<name>`; None when the setting is not a mix."""
    return setting[len(PREFIX):] if setting.startswith(PREFIX) else None
