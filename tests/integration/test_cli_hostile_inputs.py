"""`georisk ingest` and `georisk extract` on a folder that mixes good and broken lines (issue 11): every good
document is stored or extracted, every bad line is one reject line, and the command does not crash."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

GEORISK = str(Path(sys.executable).parent / "georisk")

GOOD = [json.dumps({"id": f"good-{i}", "text": f"Duma deputy number {i} said that Kazakhstan will be next.",
                    "published_at": "2024-04-08"}) for i in range(3)]
BROKEN = [
    '{"id": "s", "text": "broken \\ud800 text"}',
    "[" * 100_000 + "]" * 100_000,
    '{"id": "n", "text": "x", "count": ' + "9" * 5000 + "}",
    '{"id": "u", "text": "a link", "url": "http://[::1"}',
]


def _write(path: Path) -> None:
    raw = "\n".join([GOOD[0], *BROKEN, GOOD[1]]).encode() + b'\n{"id": "b", "text": "\xff"}\n' + GOOD[2].encode()
    path.write_bytes(raw + b"\n")


def _run(*args, home: Path):
    env = {**os.environ, "GEORISK_HOME": str(home)}
    return subprocess.run([GEORISK, *args], capture_output=True, text=True, env=env, timeout=300)


def test_ingest_stores_the_good_lines_and_rejects_each_bad_one(tmp_path):
    (tmp_path / "in").mkdir()
    _write(tmp_path / "in" / "mixed.jsonl")
    proc = _run("ingest", "--from", str(tmp_path / "in"), home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "stored 3" in proc.stdout and "rejected 5" in proc.stdout
    assert len([x for x in proc.stderr.splitlines() if x.startswith("rejected mixed.jsonl:")]) == 5
    con = duckdb.connect(str(tmp_path / "home" / "warehouse" / "georisk.duckdb"), read_only=True)
    assert con.execute("select count(*) from raw.documents").fetchone()[0] == 3
    assert sorted(n for (n,) in con.execute("select line_number from raw.rejects").fetchall()) == [2, 3, 4, 5, 7]


def test_extract_skips_each_bad_line_and_extracts_the_rest(tmp_path):
    _write(tmp_path / "mixed.jsonl")
    proc = _run("extract", str(tmp_path / "mixed.jsonl"), "--out", str(tmp_path / "out"), home=tmp_path / "home")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len([x for x in proc.stderr.splitlines() if ": skipped: " in x]) == 5
    docs = [json.loads(x) for x in (tmp_path / "out" / "documents.jsonl").read_text().splitlines()]
    assert [d["doc_id"] for d in docs] == ["good-0", "good-1", "good-2"]
