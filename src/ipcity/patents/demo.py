"""The demo corpus: real public patent data whose licence allows shipping it, and one clearly marked synthetic
Chinese set on real texts (see demo_data/NOTICE.md).

Loading it is a background job (progress on /jobs); `ipcity demo` runs it before serving.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ipcity.core import jobs
from ipcity.core.roles import Actor
from ipcity.patents.demo_register import ensure_demo_patents

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
# (file, reader) in load order: Chinese first, so the first page of a plain search is Chinese; the synthetic set
# first of all: the only one with Chinese abstracts, applicants, addresses, dates and legal status.
SYNTHETIC_FILE = "cn_synthetic_kppatent_3720.jsonl.gz"
DEMO_FILES = (
    (SYNTHETIC_FILE, "jsonl"),
    ("cn_titles_ipc.jsonl.gz", "jsonl"),
    ("pizza_patentscope_24294.tsv.gz", "patentscope"),
    ("drones_lens_families_5884.csv.gz", "lens"),
    ("ritonavir_wipo_landscape_804.csv.gz", "wipo-landscape"),
)


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    # The demo companies' own (fictional) granted patents, at once: the open licensing and pledge demos use them.
    ensure_demo_patents(session)
    jobs.enqueue(session, Actor.system("demo"), "patents.load_demo", {})
    return 1
