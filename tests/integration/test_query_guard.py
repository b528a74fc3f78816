"""`georisk query` on a small real published copy: time, memory and row limits, no file reads, literal tables."""

import csv
import io
import json
import subprocess
import sys
import time

import duckdb
import pytest
from test_cli import GEORISK

TRICKY = [":x: [bold]bold[/] [red]red[/red]", "plain \\[escaped] :smile:", "esc \x1b[31mred\x1b[0m bell\x07"]
DOCS = [[f"d{i}", t] for i, t in enumerate(TRICKY)]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A GEORISK_HOME whose published copy is a small DuckDB file, and a folder of data files beside it."""
    root = tmp_path_factory.mktemp("query_guard")
    path = root / "home" / "published" / "georisk.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.documents (doc_id varchar, text varchar)")
        con.executemany("insert into raw.documents values (?, ?)", DOCS)
    files = root / "files"
    files.mkdir()
    (files / "secret.csv").write_text("a,b\n1,2\n")
    (files / "secret.json").write_text('[{"a": 1}]')
    with duckdb.connect() as con:
        con.execute(f"copy (select 1 as a) to '{files / 'secret.parquet'}' (format parquet)")
    return {"env": {"GEORISK_HOME": str(root / "home"), "PATH": "/usr/bin:/bin"}, "db": path, "files": files}


def query(published, *args, timeout=60):
    return subprocess.run([GEORISK, "query", *args], capture_output=True, text=True, env=published["env"],
                          timeout=timeout)


@pytest.fixture
def query_here(published, monkeypatch, capsys):
    """The same command line run in this process (`georisk.cli.main`): for the many one-line refusals."""
    from georisk.cli import main

    monkeypatch.setenv("GEORISK_HOME", published["env"]["GEORISK_HOME"])

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["georisk", "query", *args])
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code
        cap = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, cap.out, cap.err)

    return run


def one_error_line(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[:500], proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


# --- 1. time, memory and rows


def test_a_runaway_query_is_stopped_at_the_timeout(published):
    start = time.monotonic()
    proc = query(published, "--timeout", "1",
                 "select count(*) from range(100000) a, range(100000) b, range(100000) c")
    assert time.monotonic() - start < 15
    assert one_error_line(proc) == "error: query stopped after 1 s (the --timeout limit)"


def test_a_huge_result_is_streamed_and_cut_at_max_rows(published):
    start = time.monotonic()
    proc = query(published, "--format", "csv", "--max-rows", "3", "select * from range(10000000000) t(n)")
    assert time.monotonic() - start < 15
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["n", "0", "1", "2"]
    assert "only the first 3 rows" in proc.stderr and "--max-rows" in proc.stderr


def test_rows_are_capped_by_default_and_said_so(published):
    proc = query(published, "--format", "json", "select * from range(20000) t(n)")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 10_000
    assert "only the first 10000 rows" in proc.stderr
    whole = query(published, "--format", "json", "select * from range(10000) t(n)")
    assert len(json.loads(whole.stdout)) == 10_000 and whole.stderr == ""


def test_out_of_memory_is_one_line(published):
    proc = query(published, "--memory-limit", "64MB", "select list(range) from range(100000000)")
    line = one_error_line(proc)
    assert line.startswith("error: query ran out of memory (the --memory-limit of 64MB)"), line


@pytest.mark.parametrize("args", [["--timeout", "0"], ["--max-rows", "0"], ["--memory-limit", "-1GB"]])
def test_bad_limits_are_one_line(query_here, args):
    one_error_line(query_here(*args, "select 1"))


# --- 2. reads of the tables only


FILE_READS = [
    "select size from read_blob('{db}')",
    "select * from '{db}'",
    "select * from query('select size from read_blob(''{db}'')')",
    "select * from read_csv('{files}/secret.csv')",
    "select * from read_parquet('{files}/secret.parquet')",
    "select * from read_json('{files}/secret.json')",
    "select * from glob('{files}/*')",
]


@pytest.mark.parametrize("sql", FILE_READS)
def test_reading_files_is_refused(published, query_here, sql):
    proc = query_here("--format", "csv", sql.format(db=published["db"], files=published["files"]))
    assert one_error_line(proc).startswith("error: reading files is not allowed in georisk query")
    assert proc.stdout == ""


@pytest.mark.parametrize("sql", [
    "delete from raw.documents", "attach '{files}/x.duckdb' as x", "copy raw.documents to '{files}/out.csv'",
    "export database '{files}/dump'", "install httpfs", "load parquet", "set enable_external_access = true",
    "pragma enable_profiling", "select 1; select 2",
])
def test_anything_but_one_read_is_refused(published, query_here, sql):
    proc = query_here(sql.format(files=published["files"]))
    line = one_error_line(proc)
    assert "only reads are allowed" in line or "exactly one statement" in line, line
    assert sorted(p.name for p in published["files"].iterdir()) == ["secret.csv", "secret.json", "secret.parquet"]


def test_the_connection_is_read_only_and_locked(published, monkeypatch):
    from georisk.cli import _published_connection

    monkeypatch.setenv("GEORISK_HOME", published["env"]["GEORISK_HOME"])
    with _published_connection() as con:
        assert con.execute("select count(*) from raw.documents").fetchone() == (len(TRICKY),)
        assert con.execute("select current_setting('access_mode')").fetchone() == ("read_only",)
        for statement in ["set enable_external_access = true", "set disabled_filesystems = ''",
                          "set memory_limit = '100GB'", "set lock_configuration = false"]:
            with pytest.raises(duckdb.Error, match="locked"):
                con.execute(statement)
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"select size from read_blob('{published['db']}')")


# --- 3. output as it is in the warehouse


def test_the_table_prints_cells_and_headers_literally(published):
    proc = query(published, 'select doc_id as "[bold]id[/]", text as ":smile: text" from raw.documents order by 1')
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "[bold]id[/]" in out and ":smile: text" in out
    assert ":x: [bold]bold[/] [red]red[/red]" in out
    assert "plain \\[escaped] :smile:" in out
    assert "esc \\x1b[31mred\\x1b[0m bell\\x07" in out  # control characters shown, not sent to the terminal
    assert "\x1b" not in out and "\x07" not in out
    assert "❌" not in out and "😄" not in out
    assert proc.stderr.strip() == "3 rows"


def test_csv_and_json_are_exact(published):
    sql = "select doc_id, text from raw.documents order by doc_id"
    rows = list(csv.reader(io.StringIO(query(published, "--format", "csv", sql).stdout)))
    assert rows == [["doc_id", "text"], *DOCS]
    data = json.loads(query(published, "--format", "json", sql).stdout)
    assert data == [{"doc_id": d, "text": t} for d, t in DOCS]
