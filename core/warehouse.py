"""Opening the warehouse for writing, the same way from every writer.

Row groups are ROW_GROUP_ROWS rows, not DuckDB's 122,880. A raw document is about 10 kB (text and source record),
so a default row group is over a gigabyte, and DuckDB rewrites the open row group at every checkpoint: storing
5,000 documents at a time, each commit rewrote up to a gigabyte, and the cost of a batch grew with the batches
before it (150,000 documents: 45 s, against 12 s with small row groups; bench/ and docs/benchmarks.md).

The size is an option of ATTACH that the file does not keep: a writer opening the file with the default
merges the small row groups of any table it appends to (a rewrite of the whole table). So every writer of the
warehouse opens it here: the CLI, and Dagster's assets through orchestration.resources.WarehouseResource.

The file is written in DuckDB's storage format STORAGE_VERSION, which the file does keep (so dbt, opening it
the default way, writes it too). In the format DuckDB 1.5 writes by default (v0.10), a string longer than a few
kilobytes is stored uncompressed, in blocks of its own (187 MB of texts and records took 264 MB on disk). From
v1.2 such strings are compressed with zstd, chosen per segment when it is smaller; DuckDB 1.3 and later formats
prefer a dictionary-and-FSST encoding for them, six times larger on the benchmark's texts and slower to write.
Files in this format open in DuckDB 1.2 and later (the project requires 1.5). A warehouse made in the older
format is upgraded when first opened here; what it already holds stays as written until a table is rebuilt."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

# A multiple of DuckDB's vector size (2,048), and a bulk load's batch (ingestion.bulk.BATCH_DOCUMENTS): a
# transaction that appends at least a row group's rows has DuckDB write them to the file, compressed, instead of
# to the WAL and then again at the checkpoint. 5,000 documents in one transaction: 0.26 s and a 5 MB WAL with
# 4,096-row groups, against 1.6 s and a 47 MB WAL with 10,240.
ROW_GROUP_ROWS = 4_096
# DuckDB's own memory in every writer that opens the warehouse here (its default is 80% of the machine). It keeps
# what it reads and writes cached up to its limit, all of it on disk already: a million documents' bulk load held
# 4.8 GB without it. And the first checkpoint of a writer merges the partial row groups a bulk load left (one a
# batch, before its batches were whole row groups): the first materialize of a million held 4.4 GB doing it
# (capped, no process of that run held more than 2.2 GB).
# The feed export writes a span of days at a time to stay under it (outputs.feed.DAYS_PER_COPY).
MEMORY_LIMIT = "1GB"
STORAGE_VERSION = "v1.2.0"
# DuckDB's memory in dbt's process (its profile's settings; the default is 80% of the machine, and a build of a
# million documents' history held 19.9 GB, though it needs far less): past it, joins and aggregations spill to
# the warehouse's temporary folder.
DBT_MEMORY_LIMIT = "2GB"


def bulk_config() -> dict:
    """DuckDB's settings for a bulk load: one thread fewer than the machine's cores. The
    load plans each batch in Python on one thread while DuckDB writes the one before, and with DuckDB's threads
    on both of this machine's cores the planning thread got less than a core: a million documents' storing
    phase took 300.6 s with two threads and 255.8 s with one; whole ingestions later, 413.8 s and 390-399 s
    (docs/benchmarks.md)."""
    return {"threads": max(1, (os.cpu_count() or 1) - 1)}


def connect(path: str | Path, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection whose default catalog is the warehouse at `path`, named as duckdb.connect(path)
    names it (the file's stem), with ROW_GROUP_ROWS rows per row group, in STORAGE_VERSION's format, DuckDB's memory
    at MEMORY_LIMIT, spilling to the warehouse's path + ".tmp"; `config` is DuckDB's (e.g. bulk_config()), and
    overrides them."""
    path = Path(path)
    # what passes the limit spills beside the warehouse, as for a file opened directly (the connection's own
    # database is in memory, whose default is a .tmp folder wherever the process was started)
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": f"{path}.tmp", **(config or {})})
    try:
        name = path.stem.replace('"', '""')
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as \"{name}\" "
                    f"(row_group_size {ROW_GROUP_ROWS}, storage_version '{STORAGE_VERSION}')")
        con.execute(f'use "{name}"')
    except Exception:
        con.close()
        raise
    return con
