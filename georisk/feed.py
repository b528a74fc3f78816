"""The Parquet feed that BI dashboards read: feed/<table>/date=YYYY-MM-DD/part_0.parquet.

Each day's folder is written beside the feed and moved into place with a rename, so a reader sees either the
previous day folder or the new one, never half of one. A day without rows has no folder (no placeholder rows)."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path

import duckdb

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
    """Rewrite the feed's day folders for [first, last]; returns rows written per table."""
    feed_root.mkdir(parents=True, exist_ok=True)
    staging = feed_root / f".staging-{uuid.uuid4().hex[:12]}"
    rows: dict[str, int] = {}
    try:
        for table, (relation, date_col) in FEED_TABLES.items():
            out = staging / table
            out.mkdir(parents=True)
            query = (f"select *, {date_col} as date from {relation} "
                     f"where {date_col} between date '{first}' and date '{last}' order by all")
            n = con.execute(f"select count(*) from ({query})").fetchone()[0]
            rows[table] = n
            if n:
                con.execute(
                    f"copy ({query}) to '{out}' (format parquet, compression zstd, partition_by (date), "
                    "write_partition_columns true, filename_pattern 'part_{i}', overwrite_or_ignore true)"
                )
            _swap_days(out, feed_root / table, first, last)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return rows


def _swap_days(new_table_dir: Path, table_dir: Path, first: date, last: date) -> None:
    table_dir.mkdir(parents=True, exist_ok=True)
    day = first
    while day <= last:
        name = f"date={day.isoformat()}"
        new, current = new_table_dir / name, table_dir / name
        if new.exists():
            if current.exists():
                old = table_dir / f".old-{name}-{uuid.uuid4().hex[:8]}"
                os.replace(current, old)
                os.replace(new, current)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(new, current)
        elif current.exists():
            shutil.rmtree(current)
        day += timedelta(days=1)
