"""Writes of the extraction results: one partition window replaced in one transaction, so a re-run of a day
gives the same rows and a crash leaves the previous ones."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from core.schemas import DOCUMENT_ASSESSMENTS, SIGNALS
from core.transaction import transaction
from ingestion.store import ensure_schema as ensure_raw_schema

SIGNALS_DDL = SIGNALS.ddl() + "\n" + DOCUMENT_ASSESSMENTS.ddl()
SIGNAL_COLUMNS = SIGNALS.column_names
ASSESSMENT_COLUMNS = DOCUMENT_ASSESSMENTS.column_names


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    ensure_raw_schema(con)
    con.execute(SIGNALS_DDL)


def documents_in_window(con: duckdb.DuckDBPyConnection, first: date, last: date) -> pl.DataFrame:
    ensure_schema(con)
    return con.execute(
        "select doc_id, text, title, url, outlet, published_at, language, published_date "
        "from raw.documents where published_date between ? and ? order by doc_id",
        [first, last],
    ).pl()


def day_counts(con: duckdb.DuckDBPyConnection, first: date, last: date) -> list[tuple[date, int]]:
    """(day, documents) of every day of [first, last] that has documents, in day order."""
    ensure_schema(con)
    return con.execute("select published_date, count(*) from raw.documents where published_date between ? and ? "
                       "group by 1 order by 1", [first, last]).fetchall()


def chunk_days(counts: list[tuple[date, int]], first: date, last: date, limit: int) -> list[tuple[date, date]]:
    """[first, last] cut into runs of whole days holding about `limit` documents each, from its day_counts (a
    chunk ends with the day that reaches the limit, so one busy day may exceed it), so that extracting a long
    backfill holds one chunk in memory, not the whole window. Days without documents fall inside a chunk, so
    that the chunks together cover the window."""
    chunks, start, held = [], first, 0
    for k, (day, n) in enumerate(counts):
        held += n
        if held >= limit and k < len(counts) - 1:
            chunks.append((start, day))
            start, held = day + timedelta(days=1), 0
    chunks.append((start, last))
    return chunks


def replace_extraction(con: duckdb.DuckDBPyConnection, first: date, last: date, docs: pl.DataFrame,
                       signals: pl.DataFrame, assessments: pl.DataFrame) -> None:
    """Replace the window's signals and assessments. The warehouse's published_date wins over the one the
    extractor worked out, so that a document stays in the partition it was stored under."""
    ensure_schema(con)
    dates = docs.select("doc_id", "published_date")
    sig = signals.drop("published_date", strict=False).join(dates, on="doc_id", how="inner").select(SIGNAL_COLUMNS)  # noqa: F841
    ass = (assessments.drop("published_date", strict=False).join(dates, on="doc_id", how="inner")  # noqa: F841
           .select(ASSESSMENT_COLUMNS))
    with transaction(con):
        con.execute("delete from raw.signals where published_date between ? and ?", [first, last])
        con.execute("delete from raw.document_assessments where published_date between ? and ?", [first, last])
        con.execute(f"insert into raw.signals select {', '.join(SIGNAL_COLUMNS)} from sig")
        con.execute(f"insert into raw.document_assessments select {', '.join(ASSESSMENT_COLUMNS)} from ass")
