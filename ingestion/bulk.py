"""Storing an input of any size with bounded memory: documents are spilled to disk by day, then stored in
batches in (date, id) order.

Order makes it linear: each batch's near-duplicate sweep reads only the days just before it, which earlier
batches stored, and a document's original always precedes it ((date, id) order is the one the sweep uses), so
the links are those of storing everything at once. Exact copies and same-URL conflicts keep the earliest
(date, id), as the daily runs do. Each batch is one transaction; a day of up to BATCH_DOCUMENTS documents is
never split, a busier one is (memory would otherwise grow with it), into equal parts: cut into full batches and
a remainder, the remainder's rows (under a row group's, core.warehouse.ROW_GROUP_ROWS) went to DuckDB's WAL and
the next commit checkpointed them, 1.3-2.2 s once a day at 33,000 documents a day, while planning waited. Each
part leaves a partial row group, which the next writer's first checkpoint merges (with DuckDB's memory capped,
core.warehouse.MEMORY_LIMIT). A crash leaves whole batches behind, and a re-run stores the
rest (stored ones come back as duplicates). A batch is written on a thread of its own while the next is planned,
one transaction at a time and in order."""

from __future__ import annotations

import contextlib
import pickle
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb

from .models import Document, PickledDocument, Reject
from .neardup import NearDuplicateIndex
from .store import StoredKeys, StoreResult, plan_store, store

# Memory grows about 0.1 MB per document of a batch (texts held as str, frame and DuckDB copies).
BATCH_DOCUMENTS = 5_000
_OPEN_FILES = 64


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


def store_in_batches(con: duckdb.DuckDBPyConnection, items: Iterable[Document | PickledDocument | Reject],
                     batch: int = BATCH_DOCUMENTS, progress: Callable[[int, int], None] | None = None,
                     on_reject: Callable[[Reject], None] | None = None, validators=None,
                     kept_through: date | None = None) -> StoreResult:
    """Store `items` (read once, in any order) in batches of at most `batch` documents: whole days, but for a
    day busier than that, which is split.
    `progress(stored so far, total)` is called after each batch; `on_reject` sees each reject of the input.
    The input's rejects go with the first batch (alone when they are many), `validators` and `kept_through`
    (see store.store) with the last: an input of one day or less is one transaction, as store.store makes it."""
    result = StoreResult()
    rejects: list[Reject] = []
    with tempfile.TemporaryDirectory(prefix="georisk-spill-") as tmp:
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
        pending: list[Document | Reject] = rejects
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

        def flush(part: list[Document | Reject], last: bool) -> None:
            nonlocal result, done, writing
            planned, write = plan_store(con, part, neardup_index=index, stored_keys=keys, reader=reader,
                                        settle=settle,
                                        **({"validators": validators, "kept_through": kept_through} if last else {}))
            settle()  # one transaction at a time, in order
            writing = writer.submit(write)
            result += planned
            done += sum(isinstance(i, Document) for i in part)
            if progress:
                progress(done, total)

        with ThreadPoolExecutor(1, thread_name_prefix="georisk-writer") as writer:
            try:
                for k, day in enumerate(days):
                    docs = spill.day(day)
                    (Path(tmp) / f"{day}.pickle").unlink()
                    if len(pending) + len(docs) > batch and any(isinstance(i, Document) for i in pending):
                        flush(pending, last=False)  # whole days so far
                        pending = []
                    if len(docs) > batch:  # a day busier than a batch: in equal parts, the last one kept pending
                        parts = -(-len(docs) // batch)
                        bounds = [len(docs) * i // parts for i in range(parts + 1)]
                        for a, b in zip(bounds[:-2], bounds[1:-1], strict=True):
                            flush(pending + docs[a:b], last=False)
                            pending = []
                        docs = docs[bounds[-2]:]
                    pending += docs
                    if k == len(days) - 1:
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
