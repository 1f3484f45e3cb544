"""The bulk ingest's preparation: every record parsed, normalised, checked and analysed once, into what the
register and the search index store, in processes beside the one that writes.

A prepared item is (line, reason refused, warnings, register row, index document, encoder text): the register row
is the record's columns and content hash as `store.upsert_rows` writes them, the document is the backend's own
field values (`engine.prepared_document`), so the writing process does no JSON, hashing or tokenising.

Preparing processes (`preparers`) each read the whole file and prepare every `preparers`-th batch; the writer
takes the batches back in file order. Each sends through a bounded queue (QUEUE_BATCHES), so memory stays flat
whatever the file's size, and each stops by itself when the writer is gone (a writer killed with -9 leaves no
process behind). A file refused part-way (SourceRefused) or a reader's error reaches the writer after the batches
read before it, as if it had been read there.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue as queues
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TypeVar

from ipcity.patents.engine import prepared_document
from ipcity.patents.ingest.base import Item, Rejected, SplitReader
from ipcity.patents.ingest.formats import reader_for
from ipcity.patents.ingest.limits import Limits, SourceRefused, check_record
from ipcity.patents.normalise import RecordError, normalise
from ipcity.patents.search.document import index_doc
from ipcity.patents.store import RegisterRow, register_row, texts

QUEUE_BATCHES = 4  # batches a preparing process may have ready ahead of the writer (memory: a few MB each)
WAIT_S = 1.0  # how often a waiting process looks whether the other side is still there

T = TypeVar("T")
BulkPrepared = tuple[int, str, tuple[str, ...], RegisterRow | None, object, str]


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter); itertools.batched from Python 3.12."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def batches(reader, path: Path, skip: int, size: int, limits: Limits) -> Iterator[list[Item]]:
    """The reader's items after the first `skip`, a batch at a time."""
    return chunked(islice(reader.read(path, limits), skip, None), size)


def prepare_rows(items: list[Item], limits: Limits, backend: str, with_texts: bool) -> list[BulkPrepared]:
    """Normalise, check against the limits and prepare a batch for the register and the index `backend`:
    (line, reason refused, warnings, register row, index document, encoder text)."""
    out: list[BulkPrepared] = []
    for item in items:
        if isinstance(item, Rejected):
            out.append((item.line, item.reason, (), None, None, ""))
            continue
        warnings = list(item.warnings)
        try:
            rec = check_record(normalise(item.record, warnings), limits)
        except RecordError as exc:
            out.append((item.line, str(exc), (), None, None, ""))
            continue
        out.append((item.line, "", tuple(warnings), register_row(rec), prepared_document(backend, index_doc(rec)),
                    texts([rec])[0] if with_texts else ""))
    return out


@contextmanager
def prepared_batches(fmt: str, path: Path, skip: int, size: int, limits: Limits, backend: str, with_texts: bool,
                     preparers: int) -> Iterator[Iterator[list[BulkPrepared]]]:
    """The file's prepared batches in order: from `preparers` processes, or prepared here when 0."""
    if preparers <= 0:
        reader = reader_for(path, fmt)
        yield (prepare_rows(batch, limits, backend, with_texts) for batch in batches(reader, path, skip, size, limits))
        return
    # spawn, not fork: the writer may run threads (web server, job worker, tantivy) that fork would copy.
    context = multiprocessing.get_context("spawn")
    channels = [context.Queue(maxsize=QUEUE_BATCHES) for _ in range(preparers)]
    processes = [context.Process(target=_produce, daemon=True, name=f"ipcity-ingest-prepare-{k}",
                                 args=(fmt, str(path), skip, size, limits, backend, with_texts, k, preparers,
                                       channels[k], os.getpid()))
                 for k in range(preparers)]
    for process in processes:
        process.start()
    try:
        yield _in_order(channels, processes)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for channel in channels:
            channel.close()
            channel.cancel_join_thread()


def _in_order(channels, processes) -> Iterator[list[BulkPrepared]]:
    number = 0
    while True:
        k = number % len(channels)
        message = _receive(channels[k], processes[k])
        if message[0] == "batch":
            yield message[1]
            number += 1
        elif message[0] == "end":
            return
        elif message[0] == "refused":
            raise SourceRefused(*message[1:])
        else:
            raise message[1]


def _receive(channel, process):
    while True:
        try:
            return channel.get(timeout=WAIT_S)
        except queues.Empty:
            if not process.is_alive():
                try:  # what it put just before it ended
                    return channel.get(timeout=WAIT_S)
                except queues.Empty:
                    raise RuntimeError(f"准备数据的进程意外结束 / the preparing process ended unexpectedly "
                                       f"(exit code {process.exitcode})") from None


def _produce(fmt: str, path: str, skip: int, size: int, limits: Limits, backend: str, with_texts: bool, k: int,
             preparers: int, channel, writer: int) -> None:
    """A preparing process: read the file, prepare batch k, k + preparers, … and send them in order. A reader
    that cuts records apart before parsing them (base.SplitReader) has only those batches parsed here."""
    try:
        reader = reader_for(Path(path), fmt)
        if isinstance(reader, SplitReader):
            units = chunked(islice(reader.units(Path(path), limits), skip, None), size)
            mine = ([reader.parse(unit, limits) for unit in batch]
                    for number, batch in enumerate(units) if number % preparers == k)
        else:
            mine = (batch for number, batch in enumerate(batches(reader, Path(path), skip, size, limits))
                    if number % preparers == k)
        for batch in mine:
            _send(channel, ("batch", prepare_rows(batch, limits, backend, with_texts)), writer)
        _send(channel, ("end",), writer)
    except SourceRefused as exc:
        _send(channel, ("refused", exc.zh, exc.en, exc.line), writer)
    except Exception as exc:  # the writer raises it as the reader's own error
        _send(channel, ("error", _portable(exc)), writer)


def _portable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _send(channel, message, writer: int) -> None:
    while True:
        try:
            channel.put(message, timeout=WAIT_S)
            return
        except queues.Full:
            if os.getppid() != writer:  # the writer is gone (killed): nobody will read this
                os._exit(0)
