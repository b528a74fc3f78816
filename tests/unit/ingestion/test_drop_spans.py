"""A day's run reads only the drop-folder files that can hold its days (collect.FileSpan), so that its cost does
not grow with the archives in the folder; a changed, new or gone file is noticed."""

import json
import os
from datetime import date

import duckdb

from ingestion.collect import FileSpan, collect_drop_folder
from ingestion.daily import ingest_window
from ingestion.models import Document, Reject
from ingestion.store import load_drop_spans


def _jsonl(path, days, prefix):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": f"{prefix}{i}", "text": f"Text {prefix}{i} about Astana.",
                                        "published_at": f"{d}T09:00:00Z", "language": "en"}) + "\n"
                            for i, d in enumerate(days)), encoding="utf-8")
    return path


def _garble_keeping_fingerprint(path):
    """Same size and modification time, other bytes: read again, the file would give only rejects."""
    st = path.stat()
    path.write_bytes(b"x" * st.st_size)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _ids(items):
    return sorted(i.doc_id for i in items if isinstance(i, Document))


def test_a_file_whose_days_lie_outside_the_window_is_not_read_again(tmp_path):
    archive = _jsonl(tmp_path / "archive" / "2023.jsonl", [date(2023, 1, 5), date(2023, 3, 9)], "a")
    _jsonl(tmp_path / "today.jsonl", [date(2024, 4, 10)], "t")
    spans: dict[str, FileSpan] = {}
    assert _ids(collect_drop_folder(tmp_path, date(2024, 4, 10), date(2024, 4, 10), spans)) == ["t0"]
    assert spans["archive/2023.jsonl"].first_date == date(2023, 1, 5)
    assert spans["archive/2023.jsonl"].last_date == date(2023, 3, 9)
    assert spans["today.jsonl"].first_date == spans["today.jsonl"].last_date == date(2024, 4, 10)

    _garble_keeping_fingerprint(archive)
    again = collect_drop_folder(tmp_path, date(2024, 4, 10), date(2024, 4, 10), spans)
    assert _ids(again) == ["t0"] and not [i for i in again if isinstance(i, Reject)]
    # a window inside its span reads it (and finds what it now holds)
    inside = collect_drop_folder(tmp_path, date(2023, 2, 1), date(2023, 2, 1), spans)
    assert not _ids(inside) and any(isinstance(i, Reject) for i in inside)


def test_a_changed_new_or_removed_file_is_noticed(tmp_path):
    archive = _jsonl(tmp_path / "old.jsonl", [date(2023, 1, 5)], "a")
    spans: dict[str, FileSpan] = {}
    collect_drop_folder(tmp_path, date(2024, 4, 10), date(2024, 4, 10), spans)
    # the archive now also holds the window's day: another fingerprint, so it is read
    _jsonl(archive, [date(2023, 1, 5), date(2024, 4, 10)], "a")
    _jsonl(tmp_path / "new.jsonl", [date(2024, 4, 10)], "n")
    assert _ids(collect_drop_folder(tmp_path, date(2024, 4, 10), date(2024, 4, 10), spans)) == ["a1", "n0"]
    archive.unlink()
    collect_drop_folder(tmp_path, date(2024, 4, 10), date(2024, 4, 10), spans)
    assert set(spans) == {"new.jsonl"}


def test_a_document_refused_for_its_date_keeps_its_file_in_reach(tmp_path):
    # dated after today: a reject now, a document on its day; the file must still be read on that day
    future = date.today().replace(year=date.today().year + 1)
    _jsonl(tmp_path / "f.jsonl", [date(2023, 1, 5), future], "f")
    spans: dict[str, FileSpan] = {}
    items = collect_drop_folder(tmp_path, date(2023, 1, 5), date(2023, 1, 5), spans)
    assert [r.stage for r in items if isinstance(r, Reject)] == ["date"]
    assert spans["f.jsonl"].last_date == future
    assert not spans["f.jsonl"].outside(future, future)


def test_a_file_with_no_dated_document_is_always_read_again(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    spans: dict[str, FileSpan] = {}
    for _ in range(2):
        items = collect_drop_folder(tmp_path, date(2024, 4, 10), date(2024, 4, 10), spans)
        assert [r.stage for r in items if isinstance(r, Reject)] == ["parse"]


def test_runs_record_the_spans_in_the_warehouse_and_skip_by_them(tmp_path):
    home = tmp_path / "home"
    inbox = home / "inbox"
    archive = _jsonl(inbox / "archive.jsonl", [date(2023, 1, 5), date(2023, 1, 6)], "a")
    _jsonl(inbox / "day.jsonl", [date(2024, 4, 10)], "d")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = ingest_window(con, home, date(2023, 1, 5), date(2023, 1, 6), network=False)
        assert first.result.stored == 2
        span = load_drop_spans(con)["archive.jsonl"]
        assert (span.first_date, span.last_date) == (date(2023, 1, 5), date(2023, 1, 6))
        _garble_keeping_fingerprint(archive)
        second = ingest_window(con, home, date(2024, 4, 10), date(2024, 4, 10), network=False)
        assert (second.result.stored, second.result.rejected) == (1, 0)
        assert con.execute("select count(*) from raw.documents").fetchone()[0] == 3
