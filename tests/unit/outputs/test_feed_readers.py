"""Issue 11: the feed as BI tools read it. pyarrow's hive discovery, polars and DuckDB read every table, and see its
`date` (the partition key, in the folder name only) as a date; what they see is what the contract describes."""

import json
from datetime import date, timedelta

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from outputs import feed as feed_mod

DAYS = [date(2024, 4, 6), date(2024, 4, 7), date(2024, 4, 9)]
CONTRACT = json.loads(feed_mod.CONTRACT_PATH.read_text(encoding="utf-8"))


def _empty_marts(con) -> None:
    """Every mart the feed exports, empty, with the contract's columns and types, and the methodology version."""
    con.execute("create schema marts; create schema reference")
    con.execute("create table reference.index_parameters as select 'methodology_version' as parameter, "
                "'1.0' as value")
    for table, (relation, _) in feed_mod.FEED_TABLES.items():
        columns = {c: t for c, t in CONTRACT[table].items() if c != "date"}
        con.execute(f"create table {relation} ({', '.join(f'{c} {t}' for c, t in columns.items())})")


def _small_warehouse(path) -> str:
    """Every mart the feed exports, with the contract's columns and types and a few rows on DAYS (two on the
    first day), and the methodology version: a real DuckDB file, small enough for a unit test."""
    with duckdb.connect(str(path)) as con:
        _empty_marts(con)
        for table, (relation, date_col) in feed_mod.FEED_TABLES.items():
            columns = {c: t for c, t in CONTRACT[table].items() if c != "date"}
            for n, day in enumerate([DAYS[0], *DAYS]):
                values = [f"date '{day}'" if c == date_col else f"'{table}-{n}'" if t == "VARCHAR" else
                          str(n) if t in ("BIGINT", "DOUBLE") else "null" for c, t in columns.items()]
                con.execute(f"insert into {relation} values ({', '.join(values)})")
    return str(path)


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    root = tmp_path_factory.mktemp("feed")
    warehouse = _small_warehouse(root / "w.duckdb")
    with duckdb.connect(warehouse, read_only=True) as con:
        feed_mod.write_feed(con, root / "feed", DAYS[0], DAYS[-1])
        schemas = feed_mod.table_schemas(con)
    return root / "feed", schemas


def _own_dates(table, frame_dates, own_dates):
    assert sorted(frame_dates) == sorted(own_dates), table
    assert sorted(set(frame_dates)) == DAYS


@pytest.mark.parametrize("table", list(feed_mod.FEED_TABLES))
def test_pyarrow_hive_discovery_reads_every_table(feed, table):
    root, _schemas = feed
    own = feed_mod.FEED_TABLES[table][1]
    # The plain hive flavour: pyarrow infers a partition key's type from the folder names alone (int32 or string),
    # so `date` comes as its ISO text; this used to fail on date32 (in the files) vs string (in the path).
    plain = ds.dataset(root / table, format="parquet", partitioning="hive").to_table()
    assert plain.schema.field("date").type == pa.string()
    assert plain.column("date").to_pylist() == [d.isoformat() for d in plain.column(own).to_pylist()]
    # Told the key's type, as the manifest gives it, pyarrow reads it as a date.
    typed = ds.dataset(root / table, format="parquet",
                       partitioning=ds.partitioning(pa.schema([("date", pa.date32())]), flavor="hive")).to_table()
    assert typed.schema.field("date").type == pa.date32()
    _own_dates(table, typed.column("date").to_pylist(), typed.column(own).to_pylist())
    assert pq.read_table(root / table, partitioning="hive").num_rows == len(DAYS) + 1


@pytest.mark.parametrize("table", list(feed_mod.FEED_TABLES))
def test_polars_and_duckdb_read_every_table_with_a_date_column(feed, table):
    root, schemas = feed
    own = feed_mod.FEED_TABLES[table][1]
    frame = pl.scan_parquet(root / table / "**" / "*.parquet", hive_partitioning=True).collect()
    assert frame.schema["date"] == pl.Date
    _own_dates(table, frame["date"].to_list(), frame[own].to_list())
    with duckdb.connect() as con:
        glob = f"read_parquet('{root / table}/*/*.parquet', hive_partitioning = true)"
        described = {name: typ for name, typ, *_ in con.execute(f"describe select * from {glob}").fetchall()}
        rows = con.execute(f"select date, {own} from {glob}").fetchall()
    # a hive reader sees what the contract describes: the files' columns, then `date` from the folder name
    assert described == schemas[table]
    assert feed_mod.contract_violations({table: described}, {table: CONTRACT[table]}) == []
    _own_dates(table, [r[0] for r in rows], [r[1] for r in rows])


def test_the_date_is_in_the_path_only_and_the_manifest_says_so(feed):
    root, _schemas = feed
    for table in feed_mod.FEED_TABLES:
        for f in (root / table).glob("date=*/*.parquet"):
            assert "date" not in pq.read_schema(f).names, f
    manifest = json.loads((root / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == feed_mod.FEED_SCHEMA_VERSION == 2
    for table, entry in manifest["tables"].items():
        assert entry["partition_columns"] == {"date": "DATE"}
        assert {"name": "date", "type": "DATE"} in entry["columns"], table


def test_a_feed_written_before_keeps_no_date_inside_its_files(tmp_path):
    # A home whose feed was written with the date inside the files (schema version 1): the next run rewrites
    # every old day folder, not only its own window, so that the whole feed reads as one.
    warehouse = _small_warehouse(tmp_path / "w.duckdb")
    root = tmp_path / "feed"
    with duckdb.connect(warehouse, read_only=True) as con:
        for table, (relation, date_col) in feed_mod.FEED_TABLES.items():
            (root / table).mkdir(parents=True)
            con.execute(f"copy (select *, {date_col} as date from {relation}) to '{root / table}' (format parquet, "
                        "partition_by (date), write_partition_columns true, filename_pattern 'part_{i}')")
        (root / "_manifest.json").write_text(json.dumps({"schema_version": 1, "tables": {}}), encoding="utf-8")
        before = {t: pl.read_parquet(root / t / "**" / "*.parquet", hive_partitioning=True).sort(pl.all())
                  for t in feed_mod.FEED_TABLES}
        feed_mod.write_feed(con, root, DAYS[-1], DAYS[-1])  # a window of the last day only
    for table in feed_mod.FEED_TABLES:
        assert not [f for f in (root / table).glob("date=*/*.parquet") if "date" in pq.read_schema(f).names]
        after = pl.read_parquet(root / table / "**" / "*.parquet", hive_partitioning=True)
        assert after.select(before[table].columns).sort(pl.all()).equals(before[table]), table
        assert ds.dataset(root / table, format="parquet", partitioning="hive").count_rows() == len(DAYS) + 1
    assert not list(root.glob(".staging-*")) and not list(root.glob("*/.old-*"))


def test_a_long_history_is_exported_under_a_small_memory_limit(tmp_path):
    """DuckDB counts memory for every partition a COPY has open: one COPY over 2,000 days ran out of 512 MB (and
    a five-year history out of 1 GB) while holding far less. The feed is written a span of days at a time."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        _empty_marts(con)
        con.execute("insert into marts.tension_index_daily (index_date, document_count) "
                    "select d::date, row_number() over () from generate_series(date '2019-01-01', "
                    "date '2019-01-01' + interval 1999 day, interval 1 day) t(d)")
    first, last = date(2019, 1, 1), date(2024, 6, 22)
    with duckdb.connect(str(path), read_only=True, config={"memory_limit": "512MB"}) as con:
        rows = feed_mod.write_feed(con, tmp_path / "feed", first, last)
    assert rows["tension_index"] == 2000
    folders = sorted((tmp_path / "feed" / "tension_index").glob("date=*"))
    assert len(folders) == 2000 and folders[0].name == "date=2019-01-01" and folders[-1].name == "date=2024-06-22"
    back = pl.read_parquet(tmp_path / "feed" / "tension_index" / "**" / "*.parquet", hive_partitioning=True)
    assert back.height == 2000
    assert back.filter(pl.col("index_date") == pl.col("date")).height == 2000
    assert sorted(back["document_count"].to_list()) == list(range(1, 2001))


def test_spans_cover_the_window_once_in_order():
    first, last = date(2020, 2, 27), date(2021, 3, 2)
    for days in (1, 2, 7, 366, 1000):
        spans = feed_mod._spans(first, last, days)
        covered = [a + timedelta(days=k) for a, b in spans for k in range((b - a).days + 1)]
        assert covered == [first + timedelta(days=k) for k in range((last - first).days + 1)]
        assert all((b - a).days < days for a, b in spans)
    assert feed_mod._spans(last, first, 7) == []
    with pytest.raises(ValueError):
        feed_mod._spans(first, last, 0)
