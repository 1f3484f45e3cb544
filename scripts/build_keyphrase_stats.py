"""Build the key-phrase extractor's statistics and weights, src/ipcity/patents/data/keyphrase_stats.json.gz.

    .venv/bin/python scripts/build_keyphrase_stats.py [--data ../shared/data/cn-patent-abstracts-kppatent] [--out PATH]

Chinese: `KeyphraseModel.fit` on the 3,024 annotated abstracts of KPPatent-ZH's train split
(`train_abstract_keyphrases.jsonl.gz`, MIT, © 2025 Gongbo Tang; see that folder's SOURCE.md): word statistics
(document frequency, keyphraseness, gold frequency), the abstracts' candidate words and gold key phrases for
the similar-abstract votes, and the two rankers' weights. The test split is not read.

English: document frequencies of Snowball stems over the English titles of the demo landscapes already shipped
in src/ipcity/patents/demo_data (PATENTSCOPE pizza set, Lens drones set), stems in at least 2 titles.

The file is gzipped JSON without a time stamp; a rebuild with the same rjieba and scikit-learn gives the same
figures.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
from collections import Counter
from pathlib import Path

from ipcity.patents.keyphrases import STATS_FILE, TRAIN_FILE, KeyphraseModel, _english_runs, read_annotated
from ipcity.patents.search.analysis import normalise_text, stem

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "cn-patent-abstracts-kppatent"
OUT = REPO / "src" / "ipcity" / "patents" / "data" / STATS_FILE
DEMO = REPO / "src" / "ipcity" / "patents" / "demo_data"
ENGLISH_TITLES = (("pizza_patentscope_24294.tsv.gz", "\t", "title"), ("drones_lens_families_5884.csv.gz", ",", "Title"))
MIN_ENGLISH_DF = 2


def english_title_df() -> tuple[dict[str, int], int]:
    df: Counter = Counter()
    n = 0
    csv.field_size_limit(1 << 24)
    for name, delimiter, column in ENGLISH_TITLES:
        with gzip.open(DEMO / name, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=delimiter):
                title = normalise_text(row.get(column) or "")
                if not title.strip():
                    continue
                n += 1
                df.update({stem(w) for run in _english_runs(title) for w in run})
    return {stem: c for stem, c in sorted(df.items()) if c >= MIN_ENGLISH_DF}, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of cn-patent-abstracts-kppatent")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not (args.data / TRAIN_FILE).is_file():
        print(f"data set not found: {args.data / TRAIN_FILE}\n"
              "Put cn-patent-abstracts-kppatent beside the repository (../shared/data/) or pass --data FOLDER.",
              file=sys.stderr)
        return 2
    texts, golds = read_annotated(args.data)
    english_df, english_docs = english_title_df()
    model = KeyphraseModel.fit(
        texts, golds, english_df=english_df, english_docs=english_docs,
        source="KPPatent-ZH train split (tanggongbo/KPPatent-ZH @ 0388144, MIT, (c) 2025 Gongbo Tang), "
               f"{len(texts)} abstracts; English stem DF over {english_docs} demo-landscape titles")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {len(model.vocab)} words, "
          f"{model.n_docs} abstracts, {len(english_df)} English stems from {english_docs} titles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
