"""A bulk load plans each batch while the one before is written on a writer thread (ingestion.bulk): the same
tables as storing in one process and order, and a failed write stops the load with whole batches behind it,
which a re-run completes."""

from datetime import date, timedelta

import duckdb
import pytest

import ingestion.store as store_module
from ingestion.bulk import store_in_batches
from ingestion.files import make_document

DAY = date(2024, 4, 1)
TABLE = "select * exclude (fetched_at) from raw.documents order by doc_id"


def _docs(n: int = 40):
    # ten days of four documents; every fifth (after the first day) is an exact copy of a text of the day
    # before, which an earlier batch stored: a duplicate
    out = []
    for i in range(n):
        day = DAY + timedelta(days=i // 4)
        text = f"Report {i - 4} on the border talks." if i % 5 == 4 and i >= 4 else f"Report {i} on the border talks."
        out.append(make_document(doc_id=f"d{i:02}", source="test", source_path=f"d{i:02}", text=text,
                                 raw_payload=text, published_at=day.isoformat(), language="en"))
    return out


def test_batches_written_beside_the_planning_give_the_tables_of_one_batch(tmp_path):
    small, one = duckdb.connect(str(tmp_path / "small.duckdb")), duckdb.connect(str(tmp_path / "one.duckdb"))
    a = store_in_batches(small, iter(_docs()), batch=4)  # ten batches
    b = store_in_batches(one, iter(_docs()), batch=1_000)
    assert a == b and a.stored + a.duplicates == 40 and a.duplicates > 0
    assert small.execute(TABLE).fetchall() == one.execute(TABLE).fetchall()


def test_a_failed_write_leaves_whole_batches_and_a_rerun_completes_them(tmp_path, monkeypatch):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    real, calls = store_module._write, []

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full (injected)")
        real(*args)

    monkeypatch.setattr(store_module, "_write", failing)
    with pytest.raises(OSError, match="injected"):
        store_in_batches(con, iter(_docs()), batch=4)
    stored = [d for (d,) in con.execute("select published_date from raw.documents").fetchall()]
    assert sorted(set(stored)) == [DAY, DAY + timedelta(days=1)]  # the first two batches, whole
    monkeypatch.setattr(store_module, "_write", real)
    store_in_batches(con, iter(_docs()), batch=4)
    reference = duckdb.connect(str(tmp_path / "ref.duckdb"))
    store_in_batches(reference, iter(_docs()), batch=1_000)
    assert con.execute(TABLE).fetchall() == reference.execute(TABLE).fetchall()


def test_a_day_busier_than_a_batch_is_cut_into_equal_parts(tmp_path):
    """Ten documents of one day in batches of at most four: 3, 3 and 4, not 4, 4 and a remainder of 2 (a small
    part is written to DuckDB's WAL and checkpointed by the next commit); the tables are those of one batch."""
    docs = _docs(12)  # days of four documents: the first ten moved to one day, then two on the next
    for d in docs[:10]:
        d.published_date, d.published_at = DAY, DAY.isoformat()
    seen = []
    parts, one = duckdb.connect(str(tmp_path / "parts.duckdb")), duckdb.connect(str(tmp_path / "one.duckdb"))
    a = store_in_batches(parts, iter(docs), batch=4, progress=lambda done, total: seen.append(done))
    b = store_in_batches(one, iter(docs), batch=1_000)
    assert seen == [3, 6, 10, 12]
    assert a == b and parts.execute(TABLE).fetchall() == one.execute(TABLE).fetchall()
