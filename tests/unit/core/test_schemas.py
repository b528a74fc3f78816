"""One declaration per raw table (core/schemas.py): the warehouse's tables, the extractor's frames and the dbt
sources all agree with it. Nothing here changes the declarations; each test reads what the code derives."""

import json

import duckdb
import polars as pl

from core.schemas import (
    DBT_SOURCES,
    DOCUMENT_ASSESSMENTS,
    DOCUMENTS,
    RAW_TABLES,
    SIGNALS,
    SOURCES_YML,
    dbt_sources_yml,
)
from indicators.extract import DOCUMENT_SCHEMA, SIGNAL_SCHEMA, extract
from ingestion.store import ensure_schema as ensure_ingestion_schema
from outputs.warehouse import ensure_schema as ensure_extraction_schema

COLS = ["doc_id", "text", "title", "url", "outlet", "published_at", "language"]


def _warehouse(path):
    con = duckdb.connect(str(path))
    ensure_ingestion_schema(con)
    ensure_extraction_schema(con)
    return con


def test_the_warehouse_tables_are_the_declarations(tmp_path):
    with _warehouse(tmp_path / "w.duckdb") as con:
        for t in RAW_TABLES:
            got = [(n, ty.lower()) for n, ty, *_ in con.execute(f"describe {t.qualified}").fetchall()]
            assert got == [(c.name, c.type) for c in t.columns], t.qualified


def test_an_older_warehouse_gains_the_columns_added_since(tmp_path):
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("create schema raw")
        first = DOCUMENTS.columns[:15]
        con.execute("create table raw.documents (" + ", ".join(f"{c.name} {c.type}" for c in first) + ")")
        ensure_ingestion_schema(con)
        names = [r[0] for r in con.execute("describe raw.documents").fetchall()]
    assert names == DOCUMENTS.column_names


def test_the_extractors_frames_are_the_declarations():
    row = {c: None for c in COLS} | {"doc_id": "d", "text": "Andrei Gurulyov said Kazakhstan will be next."}
    ex = extract(pl.DataFrame([row], schema={c: pl.Utf8 for c in COLS}), "KZ")
    assert ex.signals.height > 0
    assert list(ex.signals.schema.items()) == list(SIGNAL_SCHEMA.items())
    assert list(ex.documents.schema.items()) == list(DOCUMENT_SCHEMA.items())
    assert [c for c in SIGNALS.column_names if c != "published_date"] == list(SIGNAL_SCHEMA)
    assert DOCUMENT_ASSESSMENTS.column_names == list(DOCUMENT_SCHEMA)


def test_the_dbt_sources_file_is_derived_and_dbt_reads_the_same_columns():
    assert SOURCES_YML.read_text(encoding="utf-8") == dbt_sources_yml(), "run: python -m core.schemas"
    from georisk.runner import ensure_dbt_manifest

    manifest = json.loads(ensure_dbt_manifest().read_text(encoding="utf-8"))
    for t in DBT_SOURCES:
        (src,) = [s for s in manifest["sources"].values() if s["source_name"] == "raw" and s["name"] == t.name]
        assert list(src["columns"]) == t.column_names, t.name
        assert {n: c["data_type"] for n, c in src["columns"].items()} == {c.name: c.type for c in t.columns}
