"""Writes of the extraction results: one partition window replaced in one transaction, so a re-run of a day
gives the same rows and a crash leaves the previous ones."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from ingestion.store import ensure_schema as ensure_raw_schema

SIGNALS_DDL = """
create table if not exists raw.signals (
    signal_id varchar primary key,
    doc_id varchar not null,
    published_date date not null,
    kind varchar not null,
    category varchar,
    char_start bigint,
    char_end bigint,
    sentence_index bigint,
    sentence varchar,
    speaker_name varchar,
    speaker_id varchar,
    speaker_role varchar,
    speaker_country varchar,
    speaker_type varchar,
    target_name varchar,
    target_id varchar,
    target_type varchar,
    target_country varchar,
    claim varchar,
    cue varchar,
    score double,
    publisher varchar,
    is_reported_speech boolean
);
create table if not exists raw.document_assessments (
    doc_id varchar primary key,
    published_date date not null,
    language varchar,
    date_source varchar,
    target_mentioned boolean,
    tension_rating bigint,
    signal_count bigint
);
"""

SIGNAL_COLUMNS = [
    "signal_id", "doc_id", "published_date", "kind", "category", "char_start", "char_end", "sentence_index",
    "sentence", "speaker_name", "speaker_id", "speaker_role", "speaker_country", "speaker_type", "target_name",
    "target_id", "target_type", "target_country", "claim", "cue", "score", "publisher", "is_reported_speech",
]
ASSESSMENT_COLUMNS = ["doc_id", "published_date", "language", "date_source", "target_mentioned",
                      "tension_rating", "signal_count"]


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


def replace_extraction(con: duckdb.DuckDBPyConnection, first: date, last: date, docs: pl.DataFrame,
                       signals: pl.DataFrame, assessments: pl.DataFrame) -> None:
    """Replace the window's signals and assessments. The warehouse's published_date wins over the one the
    extractor worked out, so that a document stays in the partition it was stored under."""
    ensure_schema(con)
    dates = docs.select("doc_id", "published_date")
    sig = signals.drop("published_date", strict=False).join(dates, on="doc_id", how="inner").select(SIGNAL_COLUMNS)  # noqa: F841
    ass = (assessments.drop("published_date", strict=False).join(dates, on="doc_id", how="inner")  # noqa: F841
           .select(ASSESSMENT_COLUMNS))
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.signals where published_date between ? and ?", [first, last])
        con.execute("delete from raw.document_assessments where published_date between ? and ?", [first, last])
        con.execute(f"insert into raw.signals select {', '.join(SIGNAL_COLUMNS)} from sig")
        con.execute(f"insert into raw.document_assessments select {', '.join(ASSESSMENT_COLUMNS)} from ass")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
