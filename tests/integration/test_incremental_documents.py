"""intermediate.int_documents is kept per window (issue 12: a day's run must not resolve the publishers of the
whole history again): a window's run leaves the table as a full build made it, and a document whose update moved
it to another day is counted on that day only."""

import json
import shutil
import subprocess

import duckdb

from core.settings import DBT_PROJECT_DIR, Home
from orchestration.resources import dbt_executable, dbt_profiles_dir

COLUMNS = "doc_id, published_date, publisher_outlet_id, publisher_country, publisher_alignment"


def _dbt_window(home: Home, tmp_path, first, last) -> None:
    args = [dbt_executable(), "run", "--select", "int_documents", "--project-dir", str(DBT_PROJECT_DIR),
            "--profiles-dir", str(dbt_profiles_dir(home)), "--target-path", str(tmp_path / "target"),
            "--log-path", str(tmp_path / "logs"),
            "--vars", json.dumps({"start_date": str(first), "end_date": str(last)})]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]


def _rows(home: Home):
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(f"select {COLUMNS} from intermediate.int_documents order by doc_id").fetchall()


def test_a_window_run_keeps_int_documents_as_a_full_build_made_it(sample_home, tmp_path):
    home = Home(tmp_path / "home").ensure()
    shutil.copy(sample_home.warehouse, home.warehouse)
    full = _rows(home)
    days = sorted({r[1] for r in full})
    assert len(days) >= 3
    day = days[len(days) // 2]
    _dbt_window(home, tmp_path, day, day)
    assert _rows(home) == full

    # an updated text dated on another day: the document leaves its old day
    moved = next(r[0] for r in full if r[1] == day)
    new_day = days[-1]
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("update raw.documents set published_date = ? where doc_id = ?", [new_day, moved])
    _dbt_window(home, tmp_path, new_day, new_day)
    after = _rows(home)
    assert [r[1] for r in after if r[0] == moved] == [new_day]
    assert len(after) == len(full)
