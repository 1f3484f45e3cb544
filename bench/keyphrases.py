"""Key-phrase extraction on real Chinese patent abstracts: 5-fold cross-validated F1@5 (and P@5, R@5, F1@10).

    .venv/bin/python bench/keyphrases.py [--data ../shared/data/cn-patent-abstracts-kppatent] [--folds 5] [--seed 0]

Data (real, not synthetic): the train split of KPPatent-ZH (`train_abstract_keyphrases.jsonl.gz`, 3,024 Chinese
patent abstracts with gold key phrases; MIT, (c) 2025 Gongbo Tang; see the folder's SOURCE.md). The test split's
gold key phrases are held out elsewhere and are not used.

Protocol: KFold(folds, shuffle, seed); in each fold every method fits its statistics (document frequencies,
keyphraseness, the rankers) on the training part only and ranks the words of each held-out abstract (no title
in this split). Exact match after NFKC + lower case; P@k = hits in the first k / k, R@k = hits / gold phrases,
F1@k per abstract, all averaged over abstracts (macro).

Rows:
- `extractor`: ipcity.patents.keyphrases (the fitted ranker, words of the text and the similar abstracts'
  key phrases), as `keyphrases(..., merge=False)` returns them;
- `extractor, text words only`: the same without the words the abstract lacks;
- `extractor, no single characters`: the same without one-character words;
- `extractor, merge=True`: the phrases for people (adjacent chosen words joined); a different unit from the
  gold words, so its exact-match figure is low by construction; for reference only;
- `TF-IDF (jieba words)`: tf × log((N+1)/(df+1)) over jieba's precise-mode words (stock dictionary, the
  extractor's stop words removed), df from the training part;
- `TF-IDF (search analysis)`: the same over the search index's query tokens (patent-term dictionary,
  analysis.query_tokens);
- `first k words`: the first distinct jieba words of the abstract (stop words removed).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

from ipcity.patents import keyphrases as kp
from ipcity.patents.search.analysis import query_tokens

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "cn-patent-abstracts-kppatent"
DATA_FILE = kp.TRAIN_FILE
K = 10


def text_words(doc) -> list[str]:
    """Jieba precise-mode words of an analysed abstract, stop words and non-words removed, in text order."""
    return [w for w, _ in doc.tokens if kp._candidate(w)]


def tfidf_rankings(words: list[list[str]], folds: int, seed: int) -> list[list[str]]:
    from sklearn.model_selection import KFold

    out: list[list[str]] = [[] for _ in words]
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(words):
        df = Counter(w for i in train for w in set(words[i]))
        n = len(train)
        for i in test:
            tf = Counter(words[i])
            first = {w: j for j, w in reversed(list(enumerate(words[i])))}
            score = {w: c * math.log((n + 1) / (df[w] + 1)) for w, c in tf.items()}
            out[i] = sorted(score, key=lambda w: (-score[w], first[w]))[:K]
    return out


NEAR_DUPLICATE = 0.5


def without_near_duplicate(docs) -> list[int]:
    """Abstracts whose most similar other abstract (TF-IDF of their word sets, cosine) is below NEAR_DUPLICATE."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(analyzer=lambda words: words, binary=True).fit_transform([set(d.words) for d in docs])
    similarity = (matrix @ matrix.T).tocsr()
    similarity.setdiag(0)
    best = np.asarray(similarity.max(axis=1).todense()).ravel()
    return [i for i, b in enumerate(best) if b < NEAR_DUPLICATE]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of cn-patent-abstracts-kppatent")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (args.data / DATA_FILE).is_file():
        print(f"data set not found: {args.data / DATA_FILE}\n"
              "Put cn-patent-abstracts-kppatent beside the repository (../shared/data/) or pass --data FOLDER.",
              file=sys.stderr)
        return 2

    texts, golds = kp.read_annotated(args.data)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} at start, Python {platform.python_version()}")
    n_gold = sum(len({kp.normalise_text(x) for x in g}) for g in golds)
    print(f"data: KPPatent-ZH train split (real Chinese patent abstracts, MIT), {len(texts)} abstracts, "
          f"{n_gold / len(texts):.2f} gold key phrases per abstract; {args.folds}-fold KFold, shuffle seed {args.seed}")

    started = time.perf_counter()
    docs = [kp.analyse(kp._document("", t)) for t in texts]
    analysed = time.perf_counter() - started

    def progress(fold: int) -> None:
        print(f"  fold {fold + 1}/{args.folds} fitted and ranked, {time.perf_counter() - started:.1f} s", flush=True)

    ranked = kp.cross_validate(texts, golds, args.folds, args.seed, docs=docs, progress=progress)
    elapsed = time.perf_counter() - started
    words = [[w for w, _ in r] for r in ranked]
    normalised = [doc.text for doc in docs]
    rows = {
        "extractor": words,
        "extractor, text words only": [[w for w in ws if w in t] for ws, t in zip(words, normalised, strict=True)],
        "extractor, no single characters": [[w for w in ws if len(w) > 1] for ws in words],
        "extractor, merge=True (other unit)": [kp.merged(doc, r, K) for doc, r in zip(docs, ranked, strict=True)],
        "TF-IDF (jieba words)": tfidf_rankings([text_words(doc) for doc in docs], args.folds, args.seed),
        "TF-IDF (search analysis)": tfidf_rankings([query_tokens(t) for t in texts], args.folds, args.seed),
        "first k words": [list(dict.fromkeys(text_words(doc)))[:K] for doc in docs],
    }

    print(f"\n{args.folds}-fold out-of-fold, exact match, macro over {len(texts)} abstracts; extractor: "
          f"{elapsed:.1f} s wall (analysis {analysed:.1f} s, {args.folds} fits and rankings)")
    print(f"{'method':38s} {'P@5':>6s} {'R@5':>6s} {'F1@5':>6s} {'F1@10':>6s}")
    for name, predicted in rows.items():
        at5 = kp.scores_at_k(predicted, golds, 5)
        at10 = kp.scores_at_k(predicted, golds, 10)
        print(f"{name:38s} {at5.precision:6.4f} {at5.recall:6.4f} {at5.f1:6.4f} {at10.f1:6.4f}")
    from sklearn.model_selection import KFold

    per_fold = [kp.scores_at_k([words[i] for i in test], [golds[i] for i in test], 5).f1
                for _, test in KFold(args.folds, shuffle=True, random_state=args.seed).split(texts)]
    print("extractor F1@5 per fold: " + ", ".join(f"{f:.4f}" for f in per_fold))
    unique = without_near_duplicate(docs)
    print(f"on the {len(unique)} abstracts with no other abstract of the split at cosine >= {NEAR_DUPLICATE} "
          f"(the other {len(texts) - len(unique)} have a near duplicate, e.g. a family member, whose key phrases the "
          "neighbour votes can copy):")
    for name in ("extractor", "extractor, text words only", "TF-IDF (jieba words)"):
        at5 = kp.scores_at_k([rows[name][i] for i in unique], [golds[i] for i in unique], 5)
        print(f"  {name:36s} {at5.precision:6.4f} {at5.recall:6.4f} {at5.f1:6.4f}")
    f1 = kp.scores_at_k(words, golds, 5).f1
    print(f"goal F1@5 >= 0.25: {'MET' if f1 >= 0.25 else 'NOT met'} ({f1:.4f})")
    top5 = max(sum(len(ws[:5]) for ws in words), 1)
    singles = sum(len(w) == 1 for ws in words for w in ws[:5]) / top5
    absent = sum(w not in t for ws, t in zip(words, normalised, strict=True) for w in ws[:5]) / top5
    gold_sets = [{kp.normalise_text(g) for g in gs} for gs in golds]
    gold_singles = sum(len(g) == 1 for gs in gold_sets for g in gs) / n_gold
    gold_absent = sum(g not in t for gs, t in zip(gold_sets, normalised, strict=True) for g in gs) / n_gold
    print(f"extractor's top 5: {singles:.1%} single characters, {absent:.1%} words the abstract lacks; "
          f"gold: {gold_singles:.1%} single characters, {gold_absent:.1%} not in the abstract")

    model = kp.default_model()
    sample = texts[:300]
    started = time.perf_counter()
    for text in sample:
        kp.keyphrases("", text, 5)
    per_doc = (time.perf_counter() - started) / len(sample) * 1000
    print(f"latency of keyphrases() with the shipped model ({model.n_docs} abstracts): {per_doc:.1f} ms per abstract "
          f"(mean over {len(sample)}; the shipped model was fitted on this split, so only its speed is measured here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
