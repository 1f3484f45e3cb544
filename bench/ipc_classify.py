"""IPC subclass prediction from Chinese patent titles: 5-fold cross-validated micro P/R/F1.

    .venv/bin/python bench/ipc_classify.py [--data ../shared/data/cn-patent-titles-ipc] [--folds 5] [--jobs 1]

Data: cn-patent-titles-ipc (9,740 titles with all their IPC subclasses). Model: ipcity.patents.semantic.classify
(char 1–2-gram TF-IDF of the title, one-vs-rest linear SVMs, tuned threshold, at least one label per
document). Protocol: KFold(shuffle, seed 0); in each fold the classifier only learns subclasses that have at
least 5 documents in that fold's training part, and tunes its threshold on 15 % of that part.

Printed beside ours: the published baseline of the data set's source (char TF-IDF + one-vs-rest linear SVM on
title AND abstract, 5-fold out-of-fold), and a majority baseline (every document gets the most frequent
subclass of its training fold). Our model sees the title only, so it is expected to score lower.

Rows: `subclass (benchmark)` scores only the 342 subclasses with ≥ 5 documents in the whole file, the set the
published figure uses; `subclass (all)` scores every true subclass; `class` and `section` compare the
classes/sections of the predicted subclasses with those of all true subclasses.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

from ipcity.patents.semantic.classify import IpcClassifier, cross_validate, ipc_class, ipc_section, micro_scores

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "cn-patent-titles-ipc"
DATA_FILE = "cn_titles_ipc_subclasses.tsv.gz"
BENCHMARK_MIN_DOCS = 5
# Source: the data set's SOURCE.md / baseline_tfidf_svm_summary.json (title + abstract, 5-fold out-of-fold).
PUBLISHED = {
    "subclass (benchmark)": (0.4563, 0.5380, 0.4938),
    "subclass (all)": (0.4563, 0.5307, 0.4907),
    "class": (0.5562, 0.6093, 0.5815),
    "section": (0.7083, 0.7487, 0.7279),
}


def read_titles(folder: Path) -> tuple[list[str], list[list[str]]]:
    titles, labels = [], []
    with gzip.open(folder / DATA_FILE, "rt", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows)
        if header[:3] != ["publication_numbers", "title_zh", "ipc_subclasses"]:
            raise SystemExit(f"unexpected header in {folder / DATA_FILE}: {header}")
        for row in rows:
            titles.append(row[1])
            labels.append([label for label in row[2].split("|") if label])
    return titles, labels


def level_rows(predicted: list[list[str]], true: list[list[str]], benchmark: set[str]):
    yield "subclass (benchmark)", micro_scores([[x for x in p if x in benchmark] for p in predicted],
                                               [[x for x in t if x in benchmark] for t in true])
    yield "subclass (all)", micro_scores(predicted, true)
    yield "class", micro_scores([{ipc_class(x) for x in p} for p in predicted],
                                [{ipc_class(x) for x in t} for t in true])
    yield "section", micro_scores([{ipc_section(x) for x in p} for p in predicted],
                                  [{ipc_section(x) for x in t} for t in true])


def majority_predictions(labels: list[list[str]], folds: int, seed: int) -> list[list[str]]:
    from sklearn.model_selection import KFold

    predicted: list[list[str]] = [[] for _ in labels]
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(labels):
        top = Counter(label for i in train for label in labels[i]).most_common(1)[0][0]
        for i in test:
            predicted[i] = [top]
    return predicted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of cn-patent-titles-ipc")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    # One process is the fastest here: joblib's workers cost more in copying than the small SVMs gain
    # (measured: --jobs 2 used 79 s of CPU against 49 s for --jobs 1, with identical results).
    parser.add_argument("--jobs", type=int, default=1, help="processes for the one-vs-rest SVMs (default 1)")
    args = parser.parse_args()
    if not (args.data / DATA_FILE).is_file():
        print(f"数据集不存在 / data set not found: {args.data / DATA_FILE}\n"
              "Put cn-patent-titles-ipc beside the repository (../shared/data/) or pass --data FOLDER.",
              file=sys.stderr)
        return 2

    titles, labels = read_titles(args.data)
    counts = Counter(label for doc in labels for label in doc)
    benchmark = {label for label, n in counts.items() if n >= BENCHMARK_MIN_DOCS}
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} at start (other work slows the wall time), "
          f"Python {platform.python_version()}; --jobs {args.jobs}")
    print(f"data: {len(titles)} titles, {len(counts)} subclasses ({len(benchmark)} with >= {BENCHMARK_MIN_DOCS} docs), "
          f"{sum(map(len, labels)) / len(labels):.2f} subclasses per doc")
    started = time.perf_counter()
    cpu_started = time.process_time()

    def progress(fold: int, threshold: float) -> None:
        print(f"  fold {fold + 1}/{args.folds} done, threshold {threshold:+.2f}, {time.perf_counter() - started:.1f} s",
              flush=True)

    def make() -> IpcClassifier:
        return IpcClassifier(min_label_count=BENCHMARK_MIN_DOCS, seed=args.seed, n_jobs=args.jobs)

    predicted = cross_validate(titles, labels, make, folds=args.folds, seed=args.seed, progress=progress)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    majority = dict(level_rows(majority_predictions(labels, args.folds, args.seed), labels, benchmark))

    print(f"\nOURS = TITLE ONLY, {args.folds}-fold out-of-fold (KFold shuffle seed {args.seed}); {elapsed:.1f} s wall, "
          f"{cpu:.1f} s CPU{' in this process, workers not counted' if args.jobs != 1 else ''}; "
          "published baseline = title + abstract")
    print(f"{'level':22s} {'P':>6s} {'R':>6s} {'F1':>6s} | {'published F1':>12s} {'ours/published':>14s} | "
          f"{'majority F1':>11s}")
    for level, scores in level_rows(predicted, labels, benchmark):
        published = PUBLISHED[level][2]
        print(f"{level:22s} {scores.precision:6.4f} {scores.recall:6.4f} {scores.f1:6.4f} | {published:12.4f} "
              f"{scores.f1 / published:14.2f} | {majority[level].f1:11.4f}")
    cardinality = sum(map(len, predicted)) / len(predicted)
    print(f"predicted subclasses per doc: {cardinality:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
