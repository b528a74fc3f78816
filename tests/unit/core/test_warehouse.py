"""Every writer opens the warehouse with small row groups (core.warehouse): a reopened file keeps them, so a
commit rewrites one small row group, not a gigabyte of raw documents."""

import duckdb

from core import warehouse


def _row_groups(con, table: str) -> int:
    return con.execute("select count(distinct row_group_id) from pragma_storage_info(?)", [table]).fetchone()[0]


def test_row_groups_are_small_and_stay_small_across_writers(tmp_path):
    path = tmp_path / "georisk.duckdb"
    rows = 3 * warehouse.ROW_GROUP_ROWS
    with warehouse.connect(path) as con:
        assert con.execute("select current_database()").fetchone()[0] == "georisk"  # as duckdb.connect names it
        con.execute("create schema raw")
        con.execute("create table raw.t as select range as i, repeat('x', 50) as s from range(?)", [rows])
    with warehouse.connect(path, {"memory_limit": warehouse.BULK_MEMORY_LIMIT}) as con:  # a second writer appends, and its checkpoint keeps the small groups
        con.execute("insert into raw.t select range, 'y' from range(?)", [warehouse.ROW_GROUP_ROWS])
        con.execute("checkpoint")
        assert _row_groups(con, "raw.t") == 4
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"  # 1 GB
    with duckdb.connect(str(path)) as con:  # DuckDB's default opening would merge them: why every writer uses it
        con.execute("insert into raw.t select range, 'z' from range(10)")
        con.execute("checkpoint")
        assert _row_groups(con, "raw.t") < 4
        assert con.execute("select count(*) from raw.t").fetchone()[0] == rows + warehouse.ROW_GROUP_ROWS + 10
