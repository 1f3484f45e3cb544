"""The threads one search runs its parts on (search/threads.py): order, errors, and no wait on a full pool."""

from __future__ import annotations

import threading

import pytest

from ipcity.patents.search import threads


def test_threads_keep_the_order_and_run_beside_the_caller():
    seen: set[str] = set()

    def work(item: int) -> int:
        seen.add(threading.current_thread().name)
        return item * item

    assert threads.each(work, list(range(8))) == [i * i for i in range(8)]
    assert threads.each(work, []) == []
    assert threads.each(work, [3]) == [9]
    assert threading.current_thread().name in seen and any(n.startswith("ipcity-search") for n in seen)


def test_threads_raise_the_error_of_an_item():
    def work(item: int) -> int:
        if item == 2:
            raise ValueError("item 2")
        return item

    with pytest.raises(ValueError, match="item 2"):
        threads.each(work, [0, 1, 2, 3])


def test_threads_nested_work_never_waits_on_its_own_full_pool():
    """A search run on a thread (search_each) that hands its facets to the threads: with every thread busy this
    way, a queued inner task would never start. Inner work on a thread is done in place instead."""
    def outer(item: int) -> int:
        return sum(threads.each(lambda k: k + item, list(range(4))))

    finished: list[list[int]] = []
    runner = threading.Thread(target=lambda: finished.append(threads.each(outer, list(range(16)))), daemon=True)
    runner.start()
    runner.join(timeout=30)
    assert finished == [[sum(k + i for k in range(4)) for i in range(16)]]
