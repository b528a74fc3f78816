"""A big JSON Lines file is parsed by worker processes: the same documents and rejects, in the same order, as
the one-process reader, with each document's shingles computed on the way."""

import json
from dataclasses import astuple

import numpy as np

import ingestion.files as files
from ingestion.files import read_path
from ingestion.models import Document, Reject
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
    docs = [i for i in many if isinstance(i, Document)]
    assert len(docs) == 40 and all(d.shingles is not None for d in docs)
    assert all(np.array_equal(d.shingles, shingles(d.text)) for d in docs)
    assert all(i.shingles is None for i in one if isinstance(i, Document))


def test_a_small_file_is_read_in_process(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(_lines()))
    docs = [i for i in read_path(path, workers=2) if isinstance(i, Document)]
    assert docs and all(d.shingles is None for d in docs)  # below PARALLEL_MIN_BYTES: no workers started
