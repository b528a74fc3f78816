"""Storing an input of any size with bounded memory: documents are spilled to disk by day, then stored in
batches in (date, id) order.

Order makes it linear: each batch's near-duplicate sweep reads only the days just before it, which earlier
batches stored, and a document's original always precedes it ((date, id) order is the one the sweep uses), so
the links are those of storing everything at once. Exact copies and same-URL conflicts keep the earliest
(date, id), as the daily runs do. Each batch is one transaction of BATCH_DOCUMENTS documents, cut from that order
wherever it falls (in a day or between two), the last one holding the rest: a whole number of DuckDB's row groups
(core.warehouse.ROW_GROUP_ROWS) when none is a duplicate or a reject. A batch of any other size leaves a partial row
group behind, which a later checkpoint merges with its neighbours by rewriting them: the closing checkpoint of a
load of 266,000 documents cut day by day into equal parts of 4,750 rewrote 264 MB in 9.6 s, and one of 100,000
documents in whole days of 3,300 (under a row group, so each went to the WAL) cost its writer twice as much per
document. A crash leaves whole batches behind, and a re-run stores the rest (stored ones come back as duplicates).
A batch is written on a thread of its own while the next is planned, one transaction at a time and in order."""

from __future__ import annotations

import contextlib
import gc
import pickle
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb

from core.warehouse import ROW_GROUP_ROWS

from .models import Document, PickledDocument, Reject
from .neardup import NearDuplicateIndex
from .store import StoredKeys, StoreResult, plan_store, store

# Memory grows about 0.1 MB per document of a batch (texts held as str, frame and DuckDB copies).
BATCH_DOCUMENTS = ROW_GROUP_ROWS
_OPEN_FILES = 64
# Python's full garbage collections happen this many times less often during a load. A full collection scans
# every object alive, and a load holds days of near-duplicate entries and a day of documents: a million
# documents' ingestion ran 56 of them in 14.2 s (0.25 s each), against 9 in 0.5 s for 100,000. The load makes no
# reference cycles of its own; those of the libraries it calls wait for a later collection.
_FULL_COLLECTIONS_RARER = 10


class _DaySpill:
    """Documents pickled into one file per day, with a bounded number of files open at once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.counts: dict[date, int] = {}
        self._open: OrderedDict[date, object] = OrderedDict()

    def add(self, doc: Document | PickledDocument) -> None:
        day = doc.published_date
        f = self._open.pop(day, None)
        if f is None:
            if len(self._open) >= _OPEN_FILES:
                self._open.popitem(last=False)[1].close()
            f = open(self.folder / f"{day}.pickle", "ab")  # noqa: SIM115 - closed when evicted or in close()
        self._open[day] = f
        if isinstance(doc, PickledDocument):
            f.write(doc.data)  # the same bytes pickle.dump would write
        else:
            pickle.dump(doc, f, protocol=pickle.HIGHEST_PROTOCOL)
        self.counts[day] = self.counts.get(day, 0) + 1

    def close(self) -> None:
        while self._open:
            self._open.popitem()[1].close()

    def day(self, day: date) -> list[Document]:
        docs = []
        with open(self.folder / f"{day}.pickle", "rb") as f:
            while True:
                try:
                    docs.append(pickle.load(f))
                except EOFError:
                    break
        return sorted(docs, key=lambda d: d.doc_id)


_loads_running = 0
_thresholds: tuple[int, int, int] = (0, 0, 0)  # the collector's, as the first of the loads running found them
_loads_lock = threading.Lock()


@contextlib.contextmanager
def _rare_full_collections():
    """Full garbage collections _FULL_COLLECTIONS_RARER times less often, for the process, while in the block;
    loads on several threads at once put the thresholds back when the last one ends."""
    global _loads_running, _thresholds
    with _loads_lock:
        if not _loads_running:
            _thresholds = gc.get_threshold()
            young, middle, full = _thresholds
            gc.set_threshold(young, middle, full * _FULL_COLLECTIONS_RARER)
        _loads_running += 1
    try:
        yield
    finally:
        with _loads_lock:
            _loads_running -= 1
            if not _loads_running:
                gc.set_threshold(*_thresholds)


def store_in_batches(con: duckdb.DuckDBPyConnection, items: Iterable[Document | PickledDocument | Reject],
                     batch: int = BATCH_DOCUMENTS, progress: Callable[[int, int], None] | None = None,
                     on_reject: Callable[[Reject], None] | None = None, validators=None,
                     kept_through: date | None = None) -> StoreResult:
    """Store `items` (read once, in any order) in batches of `batch` documents in (date, id) order, the last
    holding the rest.
    `progress(stored so far, total)` is called after each batch; `on_reject` sees each reject of the input.
    The input's rejects go with the first batch (alone when they are many), `validators` and `kept_through`
    (see store.store) with the last: an input of one day or less is one transaction, as store.store makes it."""
    if batch < 1:
        raise ValueError(f"a batch holds at least one document, not {batch}")
    result = StoreResult()
    rejects: list[Reject] = []
    with tempfile.TemporaryDirectory(prefix="georisk-spill-") as tmp, _rare_full_collections():
        spill = _DaySpill(Path(tmp))
        try:
            for item in items:
                if isinstance(item, Reject):
                    if on_reject:
                        on_reject(item)
                    rejects.append(item)
                    if len(rejects) >= batch:
                        result += store(con, rejects)
                        rejects = []
                else:
                    spill.add(item)
        finally:
            spill.close()
        # one index carried from batch to batch: each batch reads only its own days from the warehouse
        index, total, done = NearDuplicateIndex(), sum(spill.counts.values()), 0
        keys = StoredKeys(con)
        days = sorted(spill.counts)
        pending: list[Document | Reject] = list(rejects)  # (a list of its own: `rejects` must not hold documents)
        # A batch is planned (read back, classified, swept, on this thread) while the one before is written (on
        # the writer thread, where DuckDB's insert, compression and commit run without the GIL). Planning reads
        # through a cursor, and waits for the write in progress only when a read could see it (store.plan_store).
        # (StoredKeys made the schema: planning only reads)
        reader = con.cursor()
        reader.execute('use "{}"'.format(con.execute("select current_database()").fetchone()[0].replace('"', '""')))
        writing: Future | None = None

        def settle() -> None:
            nonlocal writing
            if writing is not None:
                done_writing, writing = writing, None
                done_writing.result()

        def flush(part: list[Document | Reject], last: bool, later: dict[str, str] | None = None) -> None:
            nonlocal result, done, writing
            planned, write = plan_store(con, part, neardup_index=index, stored_keys=keys, reader=reader,
                                        settle=settle, later=later,
                                        **({"validators": validators, "kept_through": kept_through} if last else {}))
            settle()  # one transaction at a time, in order
            writing = writer.submit(write)
            result += planned
            done += sum(isinstance(i, Document) for i in part)
            if progress:
                progress(done, total)

        with ThreadPoolExecutor(1, thread_name_prefix="georisk-writer") as writer:
            try:
                head = len(pending)  # the input's rejects, which go with the first batch
                for day in days:
                    docs = spill.day(day)
                    (Path(tmp) / f"{day}.pickle").unlink()
                    # a batch ending in this day sweeps its stored documents for the batches after it too
                    # (store._link_near_duplicates), which must know what those replace
                    later = {d.doc_id: d.content_hash for d in docs}
                    pending += docs
                    del docs  # (pending alone holds the day: a batch's documents go once it is planned)
                    while len(pending) - head > batch:  # (the last batch, however many, is flushed below)
                        cut = head + batch
                        while cut < len(pending) and pending[cut].doc_id == pending[cut - 1].doc_id:
                            cut += 1  # two texts under one id go in one batch, where the later replaces the first
                        if cut == len(pending):
                            break
                        flush(pending[:cut], last=False, later=later)
                        pending, head = pending[cut:], 0
                if days:
                    flush(pending, last=True)
            except BaseException:
                if writing is not None:  # let the write in progress end before the error goes up
                    with contextlib.suppress(Exception):
                        writing.result()
                raise
            settle()
        reader.close()
        if not days:
            result += store(con, pending, validators=validators, kept_through=kept_through)
    return result
