"""Extraction of a partition window: a chunk of whole days at a time (outputs.warehouse.window_chunks), each
replaced in its own transaction, with the chunks extracted on every core.

Extraction is a pure function of a chunk's documents (each document on its own), so worker processes can do it
while this process, the warehouse's only writer, reads the next chunk and writes the finished ones in order:
the same rows as one process."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import duckdb

from indicators.extract import Extraction, extract

from .warehouse import documents_in_window, replace_extraction, window_chunks


def extract_window(con: duckdb.DuckDBPyConnection, first: date, last: date, workers: int = 1,
                   limit: int = 20_000) -> Iterator[tuple[int, Extraction]]:
    """Extract and replace the signals of [first, last], yielding (documents, result) per chunk of about
    `limit` documents. With `workers` above one and more than one chunk, chunks are extracted by that many
    processes, a few ahead of the writes."""
    chunks = window_chunks(con, first, last, limit)
    if workers <= 1 or len(chunks) < 2:
        for a, b in chunks:
            docs = documents_in_window(con, a, b)
            result = extract(docs)
            replace_extraction(con, a, b, docs, result.signals, result.documents)
            yield docs.height, result
        return
    # spawned, not forked: this process holds DuckDB's threads and locks
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque = deque()

        def write_oldest() -> tuple[int, Extraction]:
            a, b, docs, future = pending.popleft()
            result = future.result()
            replace_extraction(con, a, b, docs, result.signals, result.documents)
            return docs.height, result

        for a, b in chunks:
            docs = documents_in_window(con, a, b)
            pending.append((a, b, docs, pool.submit(extract, docs)))
            while len(pending) > workers:
                yield write_oldest()
        while pending:
            yield write_oldest()

