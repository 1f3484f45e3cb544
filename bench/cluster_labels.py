"""Cluster labels against gold key phrases: the key-phrase labels of `navigation.analyses.clusters` against the
TF-IDF word labels they replaced, on KPPatent-ZH.

    .venv/bin/python bench/cluster_labels.py [--data ../shared/data/cn-patent-abstracts-kppatent] [--folds 5]

Protocol: the 3,024 annotated abstracts of the train split, KFold(5, shuffle, seed 0) as `bench/keyphrases.py`.
Per fold, a `KeyphraseModel` is fitted on the other four fifths (so no label sees its own gold), the held-out
abstracts are clustered by `text_clusters` (k chosen by silhouette, seed 0), and each cluster gets both labels
(5 terms). A cluster's gold is the `GOLD_TOP` gold key phrases of at least 2 characters held by most of its
members (ties by phrase). Scores per cluster, macro-averaged over all clusters of all folds:
- exact F1@5: a label equal to a gold phrase (NFKC, lower case);
- partial F1@5: a label matching a gold phrase that it holds or that holds it (锂电池正极 ~ 正极): the gold is
  jieba words (飞行控制 is 飞行 + 控制 there), so a joined phrase never matches exactly.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ipcity.navigation.analyses import cluster_labels, clusters  # noqa: E402
from ipcity.patents.keyphrases import KeyphraseModel, read_annotated  # noqa: E402
from ipcity.patents.search.analysis import normalise_text, query_tokens  # noqa: E402

GOLD_TOP = 10
K = 5


def tfidf_labels(texts: list[str], assignments: np.ndarray, k: int, max_terms: int) -> list[list[str]]:
    """The labels before the key-phrase extractor (clusters.py up to commit 2e2296e, step 5, copied here): per
    cluster the whole words (precise mode) of highest mean TF-IDF, each labelling one cluster only, none nested."""
    def words(text: str) -> list[str]:
        return [t for t in query_tokens(text) if clusters._keep(t)]

    vectoriser, x = clusters._vectorise([words(t) for t in texts])
    if x is None:
        return [[] for _ in range(k)]
    vocabulary = vectoriser.get_feature_names_out()
    means = np.vstack([np.asarray(x[assignments == c].mean(axis=0)).ravel() for c in range(k)])
    owner = means.argmax(axis=0)
    out = []
    for c in range(k):
        order = [i for i in np.argsort(-means[c], kind="stable") if means[c, i] > 0]
        own = [i for i in order if owner[i] == c]
        candidates = own if len(own) >= min(2, len(order)) else order
        chosen: list[str] = []
        for i in candidates:
            term = str(vocabulary[i])
            if not any(term in t or t in term for t in chosen):
                chosen.append(term)
                if len(chosen) == max_terms:
                    break
        out.append(chosen)
    return out


def cluster_gold(golds: list[list[str]]) -> list[str]:
    counts: Counter = Counter()
    for gold in golds:
        counts.update({normalise_text(g).strip() for g in gold if len(normalise_text(g).strip()) >= 2})
    return [g for g, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:GOLD_TOP]]


def f1(labels: list[str], gold: list[str], partial: bool) -> float:
    labels = [normalise_text(label) for label in labels[:K]]

    def match(label: str, g: str) -> bool:
        return label == g or (partial and (g in label or label in g))

    hits = sum(any(match(label, g) for g in gold) for label in labels)
    found = sum(any(match(label, g) for label in labels) for g in gold)
    precision, recall = hits / K, found / len(gold) if gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision and recall else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/cn-patent-abstracts-kppatent")
    parser.add_argument("--folds", type=int, default=5, help="folds to run (of 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--members", type=int, default=None, help="members read per cluster (default: LABEL_MEMBERS)")
    parser.add_argument("--show", type=int, default=0, help="print the labels of this many clusters per fold")
    args = parser.parse_args()
    path = args.data / "train_abstract_keyphrases.jsonl.gz"
    if args.members:
        cluster_labels.LABEL_MEMBERS = args.members
    if not path.is_file():
        print(f"no data at {path}", file=sys.stderr)
        return 2
    from sklearn.model_selection import KFold

    texts, golds = read_annotated(path)
    scores: dict[str, list[float]] = {name: [] for name in ("old exact", "old partial", "new exact", "new partial")}
    seconds = {"old": 0.0, "new": 0.0}
    n_clusters = 0
    labeller = clusters.cluster_labels

    def timed(*a, **kw):  # the new labels' share of text_clusters
        started = time.perf_counter()
        try:
            return labeller(*a, **kw)
        finally:
            seconds["new"] += time.perf_counter() - started

    clusters.cluster_labels = timed
    for fold, (train, test) in enumerate(KFold(5, shuffle=True, random_state=args.seed).split(texts)):
        if fold >= args.folds:
            break
        model = KeyphraseModel.fit([texts[i] for i in train], [golds[i] for i in train])
        held = [texts[i] for i in test]
        result = clusters.text_clusters([(None, t) for t in held], seed=0, label_model=model)
        assignments = np.array(result.assignments)
        members = [[i for i, a in enumerate(result.assignments) if a == c.id] for c in result.clusters]
        new = [c.terms for c in result.clusters]
        started = time.perf_counter()
        old = tfidf_labels(held, assignments, result.k, K)
        seconds["old"] += time.perf_counter() - started
        for c, group in enumerate(members):
            gold = cluster_gold([golds[test[i]] for i in group])
            for name, labels in (("old", old[c]), ("new", new[c])):
                scores[f"{name} exact"].append(f1(labels, gold, partial=False))
                scores[f"{name} partial"].append(f1(labels, gold, partial=True))
            if c < args.show:
                print(f"fold {fold} cluster {c} ({len(group)}): gold {gold}\n  old {old[c]}\n  new {new[c]}")
        n_clusters += len(members)
        print(f"fold {fold}: {len(test)} abstracts, k = {result.k}", file=sys.stderr)
    print(f"members read per cluster: {cluster_labels.LABEL_MEMBERS}")
    print(f"{n_clusters} clusters over {min(args.folds, 5)} folds; cluster gold: top {GOLD_TOP} gold phrases "
          f"(>= 2 characters) by members holding them")
    print("| labels | exact F1@5 | partial F1@5 | seconds (labels only) |")
    print("|---|---|---|---|")
    for name, label in (("old", "TF-IDF words (before)"), ("new", "key phrases (clusters.py now)")):
        print(f"| {label} | {np.mean(scores[name + ' exact']):.4f} | {np.mean(scores[name + ' partial']):.4f} | "
              f"{seconds[name]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
