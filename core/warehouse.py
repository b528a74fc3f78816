"""Opening the warehouse for writing, the same way from every writer.

Row groups are ROW_GROUP_ROWS rows, not DuckDB's 122,880. A raw document is about 10 kB (text and source record),
so a default row group is over a gigabyte, and DuckDB rewrites the open row group at every checkpoint: storing
5,000 documents at a time, each commit rewrote up to a gigabyte, and the cost of a batch grew with the batches
before it (150,000 documents: 45 s, against 12 s with small row groups; bench/ and docs/benchmarks.md).

The size is an option of ATTACH that the file does not keep: a writer opening the file with the default
merges the small row groups of any table it appends to (a rewrite of the whole table). So every writer of the
warehouse opens it here: the CLI, and Dagster's assets through orchestration.resources.WarehouseResource."""

from __future__ import annotations

from pathlib import Path

import duckdb

# A multiple of DuckDB's vector size (2,048); about 100 MB of raw documents, 10,240 rows of a narrow table.
ROW_GROUP_ROWS = 10_240
# DuckDB's own memory for a bulk load (`georisk ingest --from`; its default is 80% of the machine): it keeps the
# blocks it wrote cached up to its limit, which made a million documents' ingestion hold 4.8 GB. Only there: the
# feed export of a five-year backfill needs more than 1 GB, and the other writers hold far less than a bulk load.
BULK_MEMORY_LIMIT = "1GB"


def connect(path: str | Path, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection whose default catalog is the warehouse at `path`, named as duckdb.connect(path)
    names it (the file's stem), with ROW_GROUP_ROWS rows per row group; `config` is DuckDB's (e.g.
    {"memory_limit": BULK_MEMORY_LIMIT})."""
    path = Path(path)
    con = duckdb.connect(config=config or {})
    try:
        name = path.stem.replace('"', '""')
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as \"{name}\" "
                    f"(row_group_size {ROW_GROUP_ROWS})")
        con.execute(f'use "{name}"')
    except Exception:
        con.close()
        raise
    return con
