"""IPC subclass prediction from patent titles, Chinese and English: 5-fold cross-validated micro P/R/F1, the
earlier analyser and the current one side by side in the same run.

    .venv/bin/python bench/ipc_classify.py [--set zh|en] [--data FOLDER] [--folds 5] [--jobs 1]

Sets: `zh` = cn-patent-titles-ipc (9,740 Chinese titles with all their IPC subclasses); `en` = the PATENTSCOPE
pizza export of patent-landscape-wipo-manual (24,294 publications, read with the project's `patentscope`
reader; English titles, partly machine-translated by the source; kept: the first publication of each distinct
NFKC-folded, lower-cased title that has IPC codes, 14,357 titles — a family's members repeat a title, and
keeping them all would put copies of a test title into its training fold).

Models: ipcity.patents.semantic.classify. `old` = IpcClassifier(analyser="char", ipc_definitions=False): char
1–2-gram TF-IDF of every title (the model tuned on Chinese). `new` = IpcClassifier(ipc_definitions=True): the
default per-language analyser (char 1–2-grams of Chinese titles, stemmed words and word pairs of English ones)
plus the IPC scheme's titles of each subclass as training texts.
Protocol: KFold(shuffle, seed 0), the same folds for both models; in each fold a classifier learns only the
subclasses with at least 5 documents in that fold's training part, and tunes its threshold on 15 % of that
part (never on the test fold).

Printed beside them: for `zh`, the published baseline of the data set's source (char TF-IDF + one-vs-rest
linear SVM on title AND abstract, 5-fold out-of-fold; ours sees the title only); for both, a majority
baseline (every document gets the most frequent subclass of its training fold).

Rows: `subclass (benchmark)` scores only the subclasses with ≥ 5 documents in the whole set (for `zh` the 342
the published figure uses); `subclass (all)` scores every true subclass; `class` and `section` compare the
classes/sections of the predicted subclasses with those of all true subclasses.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import platform
import re
import sys
import time
from collections import Counter
from pathlib import Path

from ipcity.patents.ingest.base import Read
from ipcity.patents.ingest.formats import READERS
from ipcity.patents.search.analysis import normalise_text
from ipcity.patents.semantic.classify import IpcClassifier, cross_validate, ipc_class, ipc_section, micro_scores

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
SETS = {  # name: (default folder, file)
    "zh": (SHARED / "cn-patent-titles-ipc", "cn_titles_ipc_subclasses.tsv.gz"),
    "en": (SHARED / "patent-landscape-wipo-manual", "pizza_patentscope_24294.tsv.gz"),
}
BENCHMARK_MIN_DOCS = 5
# Source: the data set's SOURCE.md / baseline_tfidf_svm_summary.json (title + abstract, 5-fold out-of-fold).
PUBLISHED = {
    "subclass (benchmark)": (0.4563, 0.5380, 0.4938),
    "subclass (all)": (0.4563, 0.5307, 0.4907),
    "class": (0.5562, 0.6093, 0.5815),
    "section": (0.7083, 0.7487, 0.7279),
}
MODELS = {  # name: keyword arguments of IpcClassifier
    "old": {"analyser": "char", "ipc_definitions": False},
    "new": {"ipc_definitions": True},
}
_SUBCLASS = re.compile(r"[A-H]\d\d[A-Z]")


def read_chinese(path: Path) -> tuple[list[str], list[list[str]]]:
    titles, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows)
        if header[:3] != ["publication_numbers", "title_zh", "ipc_subclasses"]:
            raise SystemExit(f"unexpected header in {path}: {header}")
        for row in rows:
            titles.append(row[1])
            labels.append([label for label in row[2].split("|") if label])
    return titles, labels


def read_english(path: Path) -> tuple[list[str], list[list[str]]]:
    """The first record of each distinct title that has IPC codes, with the subclasses of its codes."""
    titles, labels, seen = [], [], set()
    for item in READERS["patentscope"].read(path):
        if not isinstance(item, Read):
            continue
        record = item.record
        subclasses = sorted({code.replace(" ", "")[:4] for code in record.ipc
                             if _SUBCLASS.fullmatch(code.replace(" ", "")[:4])})
        key = " ".join(normalise_text(record.title or "").split())
        if subclasses and key and key not in seen:
            seen.add(key)
            titles.append(record.title)
            labels.append(subclasses)
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
    parser.add_argument("--set", choices=sorted(SETS), default="zh", help="zh (Chinese titles) or en (English)")
    parser.add_argument("--data", type=Path, help="the set's folder (default: ../shared/data/...)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", default="old,new", help=f"comma-separated, of {', '.join(MODELS)}")
    # One process is the fastest here: joblib's workers cost more in copying than the small SVMs gain
    # (measured: --jobs 2 used 79 s of CPU against 49 s for --jobs 1, with identical results).
    parser.add_argument("--jobs", type=int, default=1, help="processes for the one-vs-rest SVMs (default 1)")
    args = parser.parse_args()
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    if not models or any(name not in MODELS for name in models):
        parser.error(f"--models takes names among {', '.join(MODELS)}")
    folder, file_name = SETS[args.set]
    path = (args.data or folder) / file_name
    if not path.is_file():
        print(f"数据集不存在 / data set not found: {path}\n"
              f"Put {folder.name} beside the repository (../shared/data/) or pass --data FOLDER.", file=sys.stderr)
        return 2

    titles, labels = (read_chinese if args.set == "zh" else read_english)(path)
    counts = Counter(label for doc in labels for label in doc)
    benchmark = {label for label, n in counts.items() if n >= BENCHMARK_MIN_DOCS}
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} at start (other work slows the wall time), "
          f"Python {platform.python_version()}; --jobs {args.jobs}")
    print(f"data ({args.set}): {path.name}, {len(titles)} titles, {len(counts)} subclasses ({len(benchmark)} with "
          f">= {BENCHMARK_MIN_DOCS} docs), {sum(map(len, labels)) / len(labels):.2f} subclasses per doc")

    results = {}
    for name in models:
        started = time.perf_counter()
        cpu_started = time.process_time()

        def progress(fold: int, threshold: float, name: str = name, started: float = started) -> None:
            print(f"  {name}: fold {fold + 1}/{args.folds} done, threshold {threshold:+.2f}, "
                  f"{time.perf_counter() - started:.1f} s", flush=True)

        def make(name: str = name) -> IpcClassifier:
            return IpcClassifier(min_label_count=BENCHMARK_MIN_DOCS, seed=args.seed, n_jobs=args.jobs,
                                 **MODELS[name])

        predicted = cross_validate(titles, labels, make, folds=args.folds, seed=args.seed, progress=progress)
        results[name] = (predicted, time.perf_counter() - started, time.process_time() - cpu_started)
    majority = dict(level_rows(majority_predictions(labels, args.folds, args.seed), labels, benchmark))

    print(f"\nTITLES ONLY ({args.set}), {args.folds}-fold out-of-fold (KFold shuffle seed {args.seed}), same folds "
          f"for every model{'; published baseline = title + abstract' if args.set == 'zh' else ''}")
    for name, (predicted, elapsed, cpu) in results.items():
        print(f"{name}: {MODELS[name] or 'defaults'}; {elapsed:.1f} s wall, {cpu:.1f} s CPU"
              f"{' in this process, workers not counted' if args.jobs != 1 else ''}; "
              f"predicted subclasses per doc {sum(map(len, predicted)) / len(predicted):.2f}")
    columns = "".join(f" {name + ' ' + x:>9s}" for name in results for x in ("P", "R", "F1"))
    published = f" | {'published F1':>12s}" if args.set == "zh" else ""
    print(f"{'level':22s}{columns}{published} | {'majority F1':>11s}")
    rows = {name: dict(level_rows(predicted, labels, benchmark)) for name, (predicted, _, _) in results.items()}
    for level in majority:
        cells = "".join(f" {s.precision:9.4f} {s.recall:9.4f} {s.f1:9.4f}"
                        for s in (rows[name][level] for name in results))
        extra = f" | {PUBLISHED[level][2]:12.4f}" if args.set == "zh" else ""
        print(f"{level:22s}{cells}{extra} | {majority[level].f1:11.4f}")
    if "old" in rows and "new" in rows:
        gain = rows["new"]["subclass (benchmark)"].f1 - rows["old"]["subclass (benchmark)"].f1
        print(f"new - old, subclass (benchmark) F1: {100 * gain:+.1f} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
