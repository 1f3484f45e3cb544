"""This process's threads for the parts of one search that can run at once (a page and its facet counts, the
counts of the searches suggested beside an empty result). tantivy lets go of Python's GIL while it searches, so
they run on several cores; made on first use, and again in a forked worker, which inherits no threads."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
PREFIX = "ipcity-search"  # the threads' names: how a call knows it already runs on one
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_lock = threading.Lock()


def submit(work: Callable[..., R], *args) -> Future[R]:
    """`work(*args)` on one of the threads; done here, at once, when called from one of them: a thread waiting
    for work queued behind it on its own full pool would wait forever."""
    global _pool, _pool_pid
    if threading.current_thread().name.startswith(PREFIX):
        done: Future[R] = Future()
        try:
            done.set_result(work(*args))
        except BaseException as exc:  # handed to whoever asks for the result, as the pool would
            done.set_exception(exc)
        return done
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 2), thread_name_prefix=PREFIX)
            _pool_pid = os.getpid()
        pool = _pool
    return pool.submit(work, *args)


def each(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`work` of every item, in order: the first here, the others on the threads meanwhile."""
    if len(items) <= 1:
        return [work(item) for item in items]
    others = [submit(work, item) for item in items[1:]]
    return [work(items[0])] + [future.result() for future in others]
