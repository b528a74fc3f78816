"""Extraction of a partition window: a chunk of whole days at a time (outputs.warehouse.chunk_days), each
replaced in its own transaction, with the chunks extracted on every core.

Extraction is a pure function of a chunk's documents (each document on its own), so worker processes can do it
while this process, the warehouse's only writer, reads the next chunk and writes the finished ones in order:
the same rows as one process. A chunk goes to the workers in slices of at most SLICE_DOCUMENTS documents: a
busy day is one chunk (days are never split), and a worker extracting 33,000 documents at once held 1.2 GB."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date

import duckdb
import polars as pl

from indicators.extract import Extraction, extract

from .warehouse import chunk_days, day_counts, documents_in_window, replace_extraction

SLICE_DOCUMENTS = 5_000


def slices(docs: pl.DataFrame, size: int = SLICE_DOCUMENTS) -> list[pl.DataFrame]:
    """`docs` in consecutive slices of at most `size` rows (one, possibly empty, for a small frame)."""
    return [docs.slice(k, size) for k in range(0, docs.height, size)] or [docs]


def combine(parts: list[Extraction]) -> Extraction:
    """The extraction of a frame from those of its slices, in order."""
    if len(parts) == 1:
        return parts[0]
    return Extraction(pl.concat([p.signals for p in parts], how="vertical_relaxed"),
                      pl.concat([p.documents for p in parts], how="vertical_relaxed"))


def extract_window(con: duckdb.DuckDBPyConnection, first: date, last: date, workers: int = 1,
                   limit: int = 20_000, slice_size: int = SLICE_DOCUMENTS) -> Iterator[tuple[int, Extraction]]:
    """Extract and replace the signals of [first, last], yielding (documents, result) per chunk of about
    `limit` documents, extracted `slice_size` documents at a time. With `workers` above one and more than one
    slice, slices are extracted by that many processes while the chunk before is written."""
    counts = day_counts(con, first, last)
    chunks = chunk_days(counts, first, last, limit)
    if workers <= 1 or (len(chunks) < 2 and sum(n for _, n in counts) <= slice_size):
        for a, b in chunks:
            docs = documents_in_window(con, a, b)
            result = combine([extract(s) for s in slices(docs, slice_size)])
            replace_extraction(con, a, b, docs, result.signals, result.documents)
            yield docs.height, result
        return
    # spawned, not forked: this process holds DuckDB's threads and locks
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        # per chunk: its days, its documents' dates (all the write needs of them) and its slices' futures
        pending: deque[tuple[date, date, pl.DataFrame, list[Future]]] = deque()

        def write_oldest() -> tuple[int, Extraction]:
            a, b, dates, futures = pending.popleft()
            result = combine([f.result() for f in futures])
            replace_extraction(con, a, b, dates, result.signals, result.documents)
            return dates.height, result

        for a, b in chunks:
            docs = documents_in_window(con, a, b)
            pending.append((a, b, docs.select("doc_id", "published_date"),
                            [pool.submit(extract, s) for s in slices(docs, slice_size)]))
            del docs  # the slices are held by their tasks until a worker takes them
            while len(pending) > 1:  # the next chunk's slices are queued before waiting for this one's
                yield write_oldest()
        while pending:
            yield write_oldest()

