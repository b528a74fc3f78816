"""A window extracted on several processes gives the rows one process gives, chunk by chunk, and leaves the
same tables."""

import duckdb
from conftest import SAMPLE_CORPUS

from core import warehouse
from ingestion.files import read_path
from ingestion.store import store
from outputs.extraction import extract_window

TABLES = {"raw.signals": "signal_id", "raw.document_assessments": "doc_id"}


def _warehouse(path) -> duckdb.DuckDBPyConnection:
    con = warehouse.connect(path)
    store(con, read_path(SAMPLE_CORPUS))
    return con


def _rows(con) -> dict[str, list]:
    return {t: con.execute(f"select * from {t} order by {key}").fetchall() for t, key in TABLES.items()}


def test_workers_write_the_rows_of_one_process(tmp_path):
    one, many = _warehouse(tmp_path / "one.duckdb"), _warehouse(tmp_path / "many.duckdb")
    first, last = one.execute("select min(published_date), max(published_date) from raw.documents").fetchone()
    a = list(extract_window(one, first, last, workers=1, limit=5))
    b = list(extract_window(many, first, last, workers=2, limit=5))
    assert len(a) == len(b) >= 3  # several chunks, so that workers and the order of writes are exercised
    assert [n for n, _ in b] == [n for n, _ in a]
    for (_, x), (_, y) in zip(a, b, strict=True):
        assert x.signals.equals(y.signals) and x.documents.equals(y.documents)
    got = _rows(many)
    assert got == _rows(one) and got["raw.signals"]  # the same rows, and rows there are


def test_slices_of_a_chunk_give_the_rows_of_the_whole_chunk(tmp_path):
    """A chunk extracted a few documents at a time (one process, then workers) gives the rows of the chunk
    extracted at once: extraction is a function of each document on its own."""
    whole = _warehouse(tmp_path / "whole.duckdb")
    first, last = whole.execute("select min(published_date), max(published_date) from raw.documents").fetchone()
    expected = list(extract_window(whole, first, last, workers=1, limit=10**6, slice_size=10**6))
    assert len(expected) == 1 and expected[0][0] > 7  # one chunk of more than two slices
    for workers in (1, 2):
        con = _warehouse(tmp_path / f"sliced_{workers}.duckdb")
        got = list(extract_window(con, first, last, workers=workers, limit=10**6, slice_size=3))
        assert [n for n, _ in got] == [n for n, _ in expected]
        assert got[0][1].signals.equals(expected[0][1].signals)
        assert got[0][1].documents.equals(expected[0][1].documents)
        assert _rows(con) == _rows(whole)
