"""Hostile and broken files in the drop folder (issue 11): one bad line, name or link costs that item, is a reject
with its reason, and everything else in the folder is stored."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from ingestion.files import jsonl_records, read_path
from ingestion.models import Document, Reject
from ingestion.store import store


def _good(i: int, day: str = "2024-04-08") -> str:
    return json.dumps({"id": f"good-{i}", "text": f"Deputy number {i} spoke about Kazakhstan today.",
                       "published_at": day})


def _split(items):
    items = list(items)
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    return docs, rejects


# Each of these lines once stopped the whole folder (exit 1, nothing stored) or cost more than itself.
BAD_LINES = {
    "lone surrogate": ('{"id": "s", "text": "broken \\ud800 text about Kazakhstan"}', "unpaired surrogate"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "huge integer": ('{"id": "n", "text": "numbers", "count": ' + "9" * 5000 + "}", "too many digits"),
    "broken IPv6 URL": ('{"id": "u", "text": "a link", "url": "http://[::1"}', "not a URL"),
    "zero-width text": ('{"id": "z", "text": "\\u200b\\u200c\\u200d\\ufeff"}', "no letters or digits"),
    "NUL text": ('{"id": "nul", "text": "' + "\\u0000" * 200 + '"}', "no letters or digits"),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_a_bad_line_is_one_reject_and_the_rest_is_stored(tmp_path, name):
    line, reason = BAD_LINES[name]
    (tmp_path / "in.jsonl").write_text("\n".join([_good(1), line, _good(2)]) + "\n", encoding="utf-8")
    docs, rejects = _split(read_path(tmp_path))
    assert [d.doc_id for d in docs] == ["good-1", "good-2"]
    assert len(rejects) == 1 and reason in rejects[0].reason and rejects[0].line_number == 2
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = store(con, docs + rejects)
    assert (result.stored, result.rejected) == (2, 1)


def test_an_invalid_utf8_line_costs_that_line_only(tmp_path):
    raw = (_good(1) + "\n").encode() + b'{"id": "bad", "text": "\xff\xfe caf\xe9"}\n' + (_good(2) + "\n").encode()
    (tmp_path / "in.jsonl").write_bytes(raw)
    docs, rejects = _split(read_path(tmp_path))
    assert [d.doc_id for d in docs] == ["good-1", "good-2"]
    assert [(r.line_number, r.stage) for r in rejects] == [(2, "parse")] and "not UTF-8" in rejects[0].reason


def test_a_raw_line_separator_inside_a_string_stays_in_its_record(tmp_path):
    line = json.dumps({"id": "ls", "text": "first part\u2028second part about Kazakhstan"}, ensure_ascii=False)
    (tmp_path / "in.jsonl").write_text(line + "\n", encoding="utf-8")
    docs, rejects = _split(read_path(tmp_path))
    assert rejects == [] and [d.text for d in docs] == ["first part\u2028second part about Kazakhstan"]


def test_jsonl_records_numbers_lines_as_an_editor_does():
    raw = b"\xef\xbb\xbf" + _good(1).encode() + b"\r\n\n" + _good(2).encode()
    assert [(n, obj["id"]) for n, _, obj, _ in jsonl_records(raw)] == [(1, "good-1"), (3, "good-2")]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and byte file names are POSIX here")
def test_links_out_of_the_folder_and_undecodable_names_are_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (outside / "secret.jsonl").write_text(json.dumps({"id": "leak", "text": "secret line"}) + "\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "leak.txt").symlink_to(outside / "secret.txt")
    (inbox / "leak.jsonl").symlink_to(outside / "secret.jsonl")
    (inbox / "ok.txt").write_text("A deputy spoke about Kazakhstan.", encoding="utf-8")
    (inbox / "alias.txt").symlink_to(inbox / "ok.txt")  # a link that stays inside the folder is a file like any other
    os.mkdir(os.fsencode(inbox) + b"/sub")
    with open(os.fsencode(inbox) + b"/sub/caf\xe9.txt", "wb") as f:
        f.write(b"A text in a file whose name is not UTF-8.")
    docs, rejects = _split(read_path(inbox))
    assert sorted(d.doc_id for d in docs) == ["alias.txt", "ok.txt"]
    reasons = {r.source_path: r.reason for r in rejects}
    assert "outside the folder" in reasons["leak.txt"] and "outside the folder" in reasons["leak.jsonl"]
    assert any("not valid UTF-8" in why for why in reasons.values())
    assert not any("root:" in r.payload or "secret line" in r.payload for r in rejects)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    store(con, docs + rejects)  # the rejects' names must be storable text
    assert con.execute("select count(*) from raw.rejects").fetchone()[0] == 3


def test_files_of_noise_are_rejects_not_documents(tmp_path):
    (tmp_path / "nul.txt").write_bytes(b"\x00" * 4096)
    (tmp_path / "control.txt").write_text("".join(chr(c) for c in range(1, 32)) * 20, encoding="utf-8")
    (tmp_path / "zw.txt").write_text("\u200b\u200c\u200d\u2060" * 50, encoding="utf-8")
    (tmp_path / "zw.html").write_text("<html><body><p>\u200b\u200b\u200b</p></body></html>", encoding="utf-8")
    docs, rejects = _split(read_path(tmp_path))
    assert docs == [] and len(rejects) == 4


def test_dates_outside_the_index_are_rejects_with_the_whole_document(tmp_path, monkeypatch):
    monkeypatch.setenv("GEORISK_START_DATE", "2023-01-01")
    tomorrow_plus = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    lines = [_good(1), _good(2, "1900-01-01"), _good(3, tomorrow_plus)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, rejects = _split(read_path(tmp_path))
    assert [d.doc_id for d in docs] == ["good-1"]
    assert [(r.stage, r.line_number) for r in rejects] == [("date", 2), ("date", 3)]
    assert "before the index's first day" in rejects[0].reason and "after today" in rejects[1].reason
    assert json.loads(rejects[0].payload)["id"] == "good-2"


def test_the_store_rejects_out_of_range_dates_from_any_source(tmp_path, monkeypatch):
    monkeypatch.setenv("GEORISK_START_DATE", "2023-01-01")
    (tmp_path / "a.txt").write_text("Published on 2024-04-08: a deputy spoke about Kazakhstan.", encoding="utf-8")
    doc = next(iter(read_path(tmp_path / "a.txt")))
    doc.published_date = doc.published_date.replace(year=1999)  # as a feed adapter could hand it over
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = store(con, [doc])
    assert (result.stored, result.rejected) == (0, 1)
    assert con.execute("select stage from raw.rejects").fetchall() == [("date",)]
