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


def _doc(doc_id: str, text: str, day: date = DAY):
    return make_document(doc_id=doc_id, source="test", source_path=doc_id, text=text, raw_payload=text,
                         published_at=day.isoformat(), language="en")


def _docs(n: int = 40):
    # ten days of four documents; every fifth (after the first day) is an exact copy of a text of the day
    # before, which an earlier batch stored: a duplicate
    return [_doc(f"d{i:02}", f"Report {i - 4 if i % 5 == 4 and i >= 4 else i} on the border talks.",
                 DAY + timedelta(days=i // 4)) for i in range(n)]


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


def test_batches_are_cut_at_the_batch_size_within_and_across_days(tmp_path):
    """Ten documents of one day, then two: batches of four cut the day and cross into the next (4, 4, 4), so
    that each is a whole number of row groups; the tables are those of one batch."""
    docs = _docs(12)  # days of four documents: the first ten moved to one day, then two on the next
    for d in docs[:10]:
        d.published_date, d.published_at = DAY, DAY.isoformat()
    seen = []
    parts, one = duckdb.connect(str(tmp_path / "parts.duckdb")), duckdb.connect(str(tmp_path / "one.duckdb"))
    a = store_in_batches(parts, iter(docs), batch=4, progress=lambda done, total: seen.append(done))
    b = store_in_batches(one, iter(docs), batch=1_000)
    assert seen == [4, 8, 12]
    assert a == b and parts.execute(TABLE).fetchall() == one.execute(TABLE).fetchall()
    # days of four in batches of six: every batch but the last ends inside a day
    seen.clear()
    six, whole = duckdb.connect(str(tmp_path / "six.duckdb")), duckdb.connect(str(tmp_path / "whole.duckdb"))
    a = store_in_batches(six, iter(_docs()), batch=6, progress=lambda done, total: seen.append(done))
    assert seen == [6, 12, 18, 24, 30, 36, 40]
    assert a == store_in_batches(whole, iter(_docs()), batch=1_000)
    assert six.execute(TABLE).fetchall() == whole.execute(TABLE).fetchall()


def test_a_bulk_load_leaves_no_partial_row_group_but_the_last(tmp_path):
    """A partial row group left by a batch is merged with its neighbours by a later checkpoint, which rewrites
    them (ingestion.bulk): batches of BATCH_DOCUMENTS leave whole row groups, whatever the days hold."""
    from core import warehouse
    from ingestion.bulk import BATCH_DOCUMENTS

    n = 2 * BATCH_DOCUMENTS + 10
    # three days of 2,734 documents: no day ends where a batch does
    docs = [_doc(f"d{i:05}", f"Report {i} on the talks.", DAY + timedelta(days=3 * i // n)) for i in range(n)]
    with warehouse.connect(tmp_path / "georisk.duckdb") as con:
        store_in_batches(con, iter(docs))
        rows = [r for (r,) in con.execute(
            "select sum(count) from pragma_storage_info('raw.documents') where column_id = 0 "
            "and segment_type = 'VARCHAR' group by row_group_id order by row_group_id").fetchall()]
    assert rows == [warehouse.ROW_GROUP_ROWS] * (2 * BATCH_DOCUMENTS // warehouse.ROW_GROUP_ROWS) + [10]


def test_a_load_makes_full_collections_rarer_only_while_it_runs(tmp_path, monkeypatch):
    """The garbage collector's thresholds are the process's: a load raises the last one while it stores, and puts
    it back afterwards, after a failed write too."""
    import gc

    before, during = gc.get_threshold(), []

    def failing(*args):
        during.append(gc.get_threshold())
        raise OSError("disk full (injected)")

    monkeypatch.setattr(store_module, "_write", failing)
    with pytest.raises(OSError, match="injected"):
        store_in_batches(duckdb.connect(str(tmp_path / "w.duckdb")), iter(_docs()), batch=4)
    assert during and during[0][:2] == before[:2] and during[0][2] > before[2]
    assert gc.get_threshold() == before


def test_a_batchs_documents_are_let_go_once_it_is_written(tmp_path, monkeypatch):
    """Memory holds a day and a batch, not the documents of earlier batches (an alias of the list of the
    input's rejects once kept the first day's documents to the end of the load, and a name for the day's list
    each day's until the next)."""
    import gc
    import weakref

    import ingestion.bulk as bulk

    real, seen, alive = bulk.plan_store, [], []

    def planning(con, part, **kw):
        seen.append([weakref.ref(d) for d in part if not isinstance(d, store_module.Reject)])
        if len(seen) == 18:  # the third batch of a day: every batch before it was planned and let go
            gc.collect()
            alive.extend(r for batch in seen[:17] for r in batch if r() is not None)
        return real(con, part, **kw)

    monkeypatch.setattr(bulk, "plan_store", planning)
    rejected = [store_module.Reject("test", "bad.jsonl", "validate", "not a document", 1)]
    docs = _docs()
    for i, d in enumerate(docs):  # days of eight documents in batches of two: several batches a day
        d.published_date = DAY + timedelta(days=i // 8)
        d.published_at = d.published_date.isoformat()
    store_in_batches(duckdb.connect(str(tmp_path / "w.duckdb")), iter(rejected + docs), batch=2)
    assert len(seen) == 20 and all(seen[:17]) and not alive


def test_overlapping_loads_put_the_thresholds_back_when_the_last_ends():
    """Two loads that overlap (as on two threads; entered here on one): the first to end must not restore the
    thresholds under the other, nor the other restore the raised ones it found."""
    import gc

    from ingestion.bulk import _rare_full_collections

    before = gc.get_threshold()
    first, second = _rare_full_collections(), _rare_full_collections()
    first.__enter__()
    second.__enter__()
    raised = gc.get_threshold()
    first.__exit__(None, None, None)
    assert gc.get_threshold() == raised and raised[2] > before[2]
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def _words(seed: int) -> str:
    return " ".join(f"w{seed}x{i}" for i in range(60))


LINKS = "select doc_id, near_duplicate_of from raw.documents order by doc_id"


def test_a_cut_inside_a_day_passes_over_a_stored_text_that_a_later_batch_replaces(tmp_path):
    """The first batch of a day sweeps the day's stored documents for the batches after it: a stored text that
    one of them replaces is no original for what follows, as when everything is stored at once."""
    new = [_doc("a0", _words(2)), _doc("a1", _words(3)), _doc("x", _words(4)),
           _doc("y", _words(1) + " and a line more")]  # y republishes x's stored text, which x replaces
    cons = []
    for name, batch in (("cut", 2), ("one", 1_000)):  # cut: [a0, a1] then [x, y]
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        store_module.store(con, [_doc("x", _words(1))])
        store_in_batches(con, iter(new), batch=batch)
        cons.append(con)
    assert cons[1].execute(LINKS).fetchall() == [("a0", None), ("a1", None), ("x", None), ("y", None)]
    assert cons[0].execute(LINKS).fetchall() == cons[1].execute(LINKS).fetchall()


def test_two_texts_under_one_id_are_never_cut_apart(tmp_path):
    """Two texts of one day under one id: one batch keeps the later, so a cut never falls between them."""
    docs = [_doc("a", _words(1)), _doc("b", _words(2)), _doc("c", _words(3)),
            _doc("c", _words(4)), _doc("d", _words(3) + " and a line more")]
    seen, cons = [], []
    for name, batch in (("cut", 3), ("one", 1_000)):
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        cons.append((store_in_batches(con, iter(docs), batch=batch, progress=lambda d, t: seen.append(d)), con))
    assert seen[:2] == [4, 5]  # the cut after three documents moved past the second c
    assert cons[0][0] == cons[1][0]
    assert cons[0][1].execute(TABLE).fetchall() == cons[1][1].execute(TABLE).fetchall()
