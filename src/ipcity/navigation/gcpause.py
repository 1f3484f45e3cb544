"""The cyclic garbage collector paused while a run builds or counts a large topic.

Building a million NavRecords (and the sets and tuples of the analyses) allocates millions of container objects
that live to the end of the run; the collector kept scanning them, generation after generation, for nothing:
at 1,000,000 register rows it cost some 4 s of the scan and 3 s of the analyses (bench/navigation.py). Reference
counting still frees everything as usual; only the search for reference cycles waits until the block ends, when
the collector runs once if it was enabled before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
