"""A big JSON Lines file is parsed by worker processes: the same documents and rejects, in the same order, as
the one-process reader, with each document's shingles computed on the way and the document pickled by the
worker; ingestion.bulk stores them as it stores documents."""

import json
from dataclasses import astuple

import duckdb
import numpy as np

import ingestion.files as files
from ingestion.files import read_path
from ingestion.models import Document, PickledDocument, Reject
from ingestion.neardup import shingles

TEXT = "Astana, April 8, 2024. " + " ".join(f"word{i}" for i in range(60))


def _lines() -> list[bytes]:
    good = [json.dumps({"id": f"d{i}", "text": f"{TEXT} number {i}", "language": "en"}).encode() for i in range(40)]
    return [
        b"\xef\xbb\xbf" + good[0],  # a byte-order mark before the first line
        *good[1:10],
        b"{not json",
        b"",
        json.dumps({"id": "d3", "text": "the same id as line 4, another text"}).encode(),  # a repeat
        b"\xff\xfe not utf-8",
        json.dumps({"id": "x"}).encode(),
        *good[10:25],
        json.dumps({"id": "d20", "text": "a repeat in a later chunk"}).encode(),
        b"   ",
        *good[25:],
    ]


def _key(item):
    if isinstance(item, PickledDocument):
        item = item.load()
    if isinstance(item, Document):
        return ("doc", *(v for k, v in zip(Document.__dataclass_fields__, astuple(item), strict=True)
                         if k not in ("fetched_at", "shingles")))
    return ("reject", *astuple(item))


def test_workers_give_the_same_items_in_the_same_order(tmp_path, monkeypatch):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(_lines()) + b"\n")
    one = list(read_path(path))
    monkeypatch.setattr(files, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(files, "_CHUNK_BYTES", 600)  # many chunks, so that order and repeats cross them
    many = list(read_path(path, workers=2))
    assert [_key(i) for i in many] == [_key(i) for i in one]
    rejects = [i for i in many if isinstance(i, Reject)]
    assert sorted(r.line_number for r in rejects if "repeats an earlier line" in r.reason) == [13, 31]
    assert not any(isinstance(i, Document) for i in many)
    docs = [i.load() for i in many if isinstance(i, PickledDocument)]
    assert len(docs) == 40 and all(d.shingles is not None for d in docs)
    assert all(np.array_equal(d.shingles, shingles(d.text)) for d in docs)
    assert all(i.shingles is None for i in one if isinstance(i, Document))


def test_a_small_file_is_read_in_process(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(_lines()))
    docs = [i for i in read_path(path, workers=2) if isinstance(i, Document)]
    assert docs and all(d.shingles is None for d in docs)  # below PARALLEL_MIN_BYTES: no workers started


def test_pickled_documents_store_as_documents(tmp_path, monkeypatch):
    from ingestion.bulk import store_in_batches
    from ingestion.store import store

    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(_lines()))
    monkeypatch.setattr(files, "PARALLEL_MIN_BYTES", 0)
    one, many = duckdb.connect(str(tmp_path / "one.duckdb")), duckdb.connect(str(tmp_path / "many.duckdb"))
    a = store(one, read_path(path))
    b = store_in_batches(many, read_path(path, workers=2), batch=7)
    assert a == b and a.stored == 40 and a.rejected == 5
    table = "select * exclude (fetched_at) from raw.documents order by doc_id"
    assert many.execute(table).fetchall() == one.execute(table).fetchall()
