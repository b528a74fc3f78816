"""Every writer opens the warehouse with small row groups (core.warehouse): a reopened file keeps them, so a
commit rewrites one small row group, not a gigabyte of raw documents."""

import os

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
    with warehouse.connect(path, warehouse.bulk_config()) as con:  # a second writer appends, and its checkpoint keeps the small groups
        con.execute("insert into raw.t select range, 'y' from range(?)", [warehouse.ROW_GROUP_ROWS])
        con.execute("checkpoint")
        assert _row_groups(con, "raw.t") == 4
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"  # MEMORY_LIMIT
        # a core left to the Python thread that plans the next batch (one thread on a one-core machine)
        assert con.execute("select current_setting('threads')").fetchone()[0] == max(1, (os.cpu_count() or 1) - 1)
    with duckdb.connect(str(path)) as con:  # DuckDB's default opening would merge them: why every writer uses it
        con.execute("insert into raw.t select range, 'z' from range(10)")
        con.execute("checkpoint")
        assert _row_groups(con, "raw.t") < 4
        assert con.execute("select count(*) from raw.t").fetchone()[0] == rows + warehouse.ROW_GROUP_ROWS + 10


def test_long_texts_are_compressed_in_a_new_warehouse_and_in_what_dbt_writes_to_it(tmp_path):
    path = tmp_path / "georisk.duckdb"
    texts = "select 'doc ' || range || ' ' || repeat('Kazakhstan border talks resumed on Tuesday. ', 100) as text " \
            "from range(3000)"
    with warehouse.connect(path) as con:
        con.execute(f"create table docs as {texts}")
        con.execute("checkpoint")
        tags = con.execute("select tags from duckdb_databases() where database_name = 'georisk'").fetchone()[0]
        assert tags["storage_version"].startswith(warehouse.STORAGE_VERSION)
        assert {c for (c,) in con.execute("select distinct compression from pragma_storage_info('docs') "
                                          "where column_name = 'text' and segment_type = 'VARCHAR'").fetchall()} \
            == {"ZSTD"}
    with duckdb.connect(str(path)) as con:  # as dbt opens it: the format is the file's
        con.execute("create table copied as select * from docs")
        con.execute("checkpoint")
        assert {c for (c,) in con.execute("select distinct compression from pragma_storage_info('copied') "
                                          "where column_name = 'text' and segment_type = 'VARCHAR'").fetchall()} \
            == {"ZSTD"}
    # 3,000 texts of 4.5 kB each: stored as written they would take 13.5 MB
    assert path.stat().st_size < 5e6


def test_a_bulk_loads_batch_is_written_to_the_file_not_the_wal(tmp_path):
    from ingestion.bulk import BATCH_DOCUMENTS

    path = tmp_path / "georisk.duckdb"
    with warehouse.connect(path, {"checkpoint_threshold": "1TB"}) as con:  # no automatic checkpoint
        con.execute("create table docs (doc_id varchar, text varchar)")
        con.execute("checkpoint")
        con.execute("insert into docs select 'd' || range, repeat(md5(range::varchar), 30) from range(?)",
                    [BATCH_DOCUMENTS])  # about 1 kB each, 5 MB in all
        wal = path.with_name(path.name + ".wal")
        assert not wal.exists() or wal.stat().st_size < 500_000


def test_every_writer_has_duckdbs_memory_capped_unless_it_asks_otherwise(tmp_path):
    path = tmp_path / "georisk.duckdb"
    with warehouse.connect(path) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"  # MEMORY_LIMIT
        # past it, DuckDB spills beside the warehouse, not into the folder the process was started in
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == f"{path}.tmp"
    with warehouse.connect(path, {"memory_limit": "2GB"}) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "1.8 GiB"
    assert "memory_limit" not in warehouse.bulk_config()  # the bulk load has the same cap as every writer
