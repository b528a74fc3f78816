"""The Parquet feed that BI dashboards read: feed/<table>/date=YYYY-MM-DD/part_0.parquet.

The feed is hive-partitioned by `date`, and as the hive convention has it the date is in the folder name only, not
in the files as well: a reader that discovered the key from the path and found it in the files too had two types for
one column (pyarrow: "Field date has incompatible types: date32 vs string", issue 11). DuckDB and polars read the key
as a DATE; pyarrow infers only integers or text from folder names, so it reads the ISO text unless it is given the
key's type (`ds.partitioning(pa.schema([("date", pa.date32())]), flavor="hive")`), which the manifest states. Each
table also carries its own date column inside the files (index_date, accusation_date, ...).

Each day's folder is written beside the feed and moved into place with a rename, so a reader sees either the
previous day folder or the new one, never half of one. A day without rows has no folder (no placeholder rows)."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from core.atomic import atomic_write_text

# Bump when a column is removed or retyped (the contract test then needs a deliberate update); adding columns is
# compatible and keeps the version. 2: `date` is in the folder name only; a hive reader sees the same columns and
# types as in 1, a reader of single files without hive partitioning no longer finds `date` in them.
FEED_SCHEMA_VERSION = 2
# The hive partition key of every feed table, named in the path (date=YYYY-MM-DD), with the type readers give it.
PARTITION_COLUMNS = {"date": "DATE"}
CONTRACT_PATH = Path(__file__).resolve().parent / "feed_contract.json"

# Days one COPY writes. DuckDB counts memory for every partition a COPY has open, whether or not it holds rows: the
# tension index over a five-year history (1,768 days, one row each) ran out of a 1 GB limit (953 MB counted), while
# the process held 94 MB, and took 418 MB under a 3 GB limit.
DAYS_PER_COPY = 366

# feed table -> (warehouse relation, its date column)
FEED_TABLES: dict[str, tuple[str, str]] = {
    "tension_index": ("marts.tension_index_daily", "index_date"),
    "tension_index_drivers": ("marts.tension_index_drivers", "index_date"),
    "hostile_mention_frequency": ("marts.hostile_mention_frequency_daily", "index_date"),
    "hostile_mention_breakdown": ("marts.hostile_mention_breakdown_daily", "index_date"),
    "official_accusations": ("marts.official_accusations", "accusation_date"),
    "denials": ("marts.denials", "denial_date"),
    "threats": ("marts.threats", "threat_date"),
}


def write_feed(con: duckdb.DuckDBPyConnection, feed_root: Path, first: date, last: date) -> dict[str, int]:
    """Rewrite the feed's day folders for [first, last], then its manifest and success marker; returns rows
    written per table. Leftovers of a run killed while writing (.staging-*) are cleared first."""
    feed_root.mkdir(parents=True, exist_ok=True)
    for stale in feed_root.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = feed_root / f".staging-{uuid.uuid4().hex[:12]}"
    rows: dict[str, int] = {}
    try:
        # 0. A feed written by an older version carries the date inside its files too: stage its other days again
        # without it, so that the whole feed reads as one.
        if _written_before_partition_only(feed_root):
            _stage_without_date(con, feed_root, staging, first, last)
        # 1. Every table's days into the staging folder: the slow part, invisible to readers.
        for table, (relation, date_col) in FEED_TABLES.items():
            out = staging / table
            out.mkdir(parents=True, exist_ok=True)
            rows[table] = 0
            for a, b in _spans(first, last, DAYS_PER_COPY):
                query = (f"select *, {date_col} as date from {relation} "
                         f"where {date_col} between date '{a}' and date '{b}' order by all")
                n = con.execute(f"select count(*) from ({query})").fetchone()[0]
                rows[table] += n
                if n:
                    con.execute(
                        f"copy ({query}) to '{out}' (format parquet, compression zstd, partition_by (date), "
                        "write_partition_columns false, filename_pattern 'part_{i}', overwrite_or_ignore true)"
                    )
        # 2. Only then the renames, day folder by day folder: a crash before this point leaves the previous feed.
        _swap_all(staging, feed_root, first, last)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_manifest(con, feed_root)
    return rows


def _spans(first: date, last: date, days: int) -> list[tuple[date, date]]:
    """[first, last] as consecutive spans of at most `days` days."""
    if days < 1:
        raise ValueError(f"a span is at least one day, not {days}")
    spans, a = [], first
    while a <= last:
        b = min(last, a + timedelta(days=days - 1))
        spans.append((a, b))
        a = b + timedelta(days=1)
    return spans


def table_schemas(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Column name -> DuckDB type of every feed table as a hive reader sees it: the files' columns, then the
    partition key `date` from the folder name. The contract (feed_contract.json) describes this view."""
    schemas = {}
    for table, (relation, date_col) in FEED_TABLES.items():
        described = con.execute(f"describe select *, {date_col} as date from {relation}").fetchall()
        schemas[table] = {name: col_type for name, col_type, *_ in described}
    return schemas


def contract_violations(actual: dict[str, dict[str, str]], contract: dict[str, dict[str, str]]) -> list[str]:
    """What a dashboard built on the contract would break on: a removed table or column, or a changed type.
    New tables and columns are allowed (schemas only grow)."""
    problems = []
    for table, columns in contract.items():
        if table not in actual:
            problems.append(f"table {table} removed")
            continue
        for col, typ in columns.items():
            if col not in actual[table]:
                problems.append(f"{table}.{col} removed")
            elif actual[table][col] != typ:
                problems.append(f"{table}.{col} retyped {typ} -> {actual[table][col]}")
    return problems


def write_manifest(con: duckdb.DuckDBPyConnection, feed_root: Path) -> dict:
    """_manifest.json (tables, columns and types, rows per day, versions, generated_at), then _SUCCESS: a
    dashboard that sees _SUCCESS newer than its last read knows a complete run has landed."""
    methodology = con.execute(
        "select value from reference.index_parameters where parameter = 'methodology_version'").fetchone()
    manifest = {
        "schema_version": FEED_SCHEMA_VERSION,
        "methodology_version": methodology[0] if methodology else None,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "tables": {},
    }
    schemas = table_schemas(con)
    for table, (relation, date_col) in FEED_TABLES.items():
        per_day = con.execute(f"select {date_col}, count(*) from {relation} group by 1 order by 1").fetchall()
        manifest["tables"][table] = {
            "path": f"{table}/date=YYYY-MM-DD/part_0.parquet",
            "columns": [{"name": n, "type": t} for n, t in schemas[table].items()],
            # in the folder name only, not inside the files
            "partition_columns": PARTITION_COLUMNS,
            "rows_per_partition": {d.isoformat(): n for d, n in per_day},
        }
    atomic_write_text(feed_root / "_manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    atomic_write_text(feed_root / "_SUCCESS", manifest["generated_at"] + "\n")
    return manifest


def _swap_all(staging: Path, feed_root: Path, first: date, last: date) -> None:
    for table in FEED_TABLES:
        _swap_days(staging / table, feed_root / table, first, last)


def _swap_days(new_table_dir: Path, table_dir: Path, first: date, last: date) -> None:
    table_dir.mkdir(parents=True, exist_ok=True)
    day = first
    while day <= last:
        name = f"date={day.isoformat()}"
        new, current = new_table_dir / name, table_dir / name
        if new.exists():
            _replace_day(new, current)
        elif current.exists():
            shutil.rmtree(current)
        day += timedelta(days=1)
    # days outside the window staged again by the upgrade of an older feed
    for new in sorted(new_table_dir.glob("date=*")) if new_table_dir.exists() else []:
        _replace_day(new, table_dir / new.name)


def _replace_day(new: Path, current: Path) -> None:
    if current.exists():
        old = current.parent / f".old-{current.name}-{uuid.uuid4().hex[:8]}"
        os.replace(current, old)
        os.replace(new, current)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, current)


def _written_before_partition_only(feed_root: Path) -> bool:
    """The feed's manifest is from a schema version before the date left the files (or is missing)."""
    try:
        version = json.loads((feed_root / "_manifest.json").read_text(encoding="utf-8")).get("schema_version")
    except (OSError, ValueError):
        version = None
    return not isinstance(version, int) or version < 2  # 2: the version that took the date out of the files


def _stage_without_date(con: duckdb.DuckDBPyConnection, feed_root: Path, staging: Path, first: date,
                        last: date) -> None:
    """Stage every day folder outside [first, last] whose files carry `date` inside again, without it (the same
    rows otherwise); the window's days are written anew anyway."""
    for table in FEED_TABLES:
        for day_dir in sorted((feed_root / table).glob("date=*")):
            try:
                day = date.fromisoformat(day_dir.name.removeprefix("date="))
            except ValueError:
                continue
            files = sorted(day_dir.glob("*.parquet"))
            if first <= day <= last or not any(_has_date_column(con, f) for f in files):
                continue
            out = staging / table / day_dir.name
            out.mkdir(parents=True)
            for f in files:
                if _has_date_column(con, f):
                    con.execute(f"copy (select * exclude (date) from read_parquet('{f}', hive_partitioning = false)) "
                                f"to '{out / f.name}' (format parquet, compression zstd)")
                else:
                    shutil.copy2(f, out / f.name)


def _has_date_column(con: duckdb.DuckDBPyConnection, file: Path) -> bool:
    return con.execute("select count(*) from parquet_schema(?) where name = 'date'", [str(file)]).fetchone()[0] > 0
