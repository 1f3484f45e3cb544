"""Build the shipped demo corpus (src/ipcity/patents/demo_data/) from ../shared/data.

Only sets whose licence allows redistribution are used (see ../shared/data/README.md, "ship"):
- cn-patent-titles-ipc (MIT; public patent record): converted to our JSONL format;
- PATENTSCOPE pizza export and the WIPO ritonavir landscape (WIPO public bibliographic data) and the
  Lens.org drones family export (Lens terms, attributed): copied as published, read by their readers.
Run: python scripts/build_demo_corpus.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ipcity.core.numbers import NumberError, parse_publication  # noqa: E402
from ipcity.patents.ingest.native import write_jsonl  # noqa: E402
from ipcity.patents.record import PatentRecord  # noqa: E402

OUT = ROOT / "src" / "ipcity" / "patents" / "demo_data"
COPIED = ("patent-landscape-wipo-manual/pizza_patentscope_24294.tsv.gz",
          "patent-landscape-wipo-manual/drones_lens_families_5884.csv.gz",
          "patent-landscape-wipo-manual/ritonavir_wipo_landscape_804.csv.gz")


def cn_titles(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            number = row["publication_numbers"].split("|")[0].strip()
            try:
                pub = parse_publication(number)
            except NumberError:
                continue
            yield PatentRecord(pub_number=pub.formatted, office="CN", kind=pub.kind, patent_type=pub.patent_type,
                               title=row["title_zh"].strip(), lang="zh",
                               ipc=[s for s in row["ipc_subclasses"].split("|") if s],
                               source="cn-patent-titles-ipc")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no data folder at {args.data}")
    OUT.mkdir(parents=True, exist_ok=True)
    count = write_jsonl(cn_titles(args.data / "cn-patent-titles-ipc" / "cn_titles_ipc_subclasses.tsv.gz"),
                        OUT / "cn_titles_ipc.jsonl.gz")
    print(f"cn_titles_ipc.jsonl.gz: {count} records")
    for rel in COPIED:
        shutil.copyfile(args.data / rel, OUT / Path(rel).name)
        print(f"{Path(rel).name}: copied")


if __name__ == "__main__":
    main()
