"""Signal extraction over the window's documents; the same code path as `georisk extract`."""

from dagster import AssetExecutionContext, AssetSpec, BackfillPolicy, MaterializeResult, multi_asset
from dagster_duckdb import DuckDBResource

from indicators.extract import extract
from outputs.warehouse import documents_in_window, replace_extraction

from ..partitions import daily_partitions, window_dates
from .ingest import POOL


@multi_asset(
    specs=[
        AssetSpec(["raw", "signals"], deps=[["raw", "documents"]], kinds={"duckdb", "polars"},
                  description="Sentence-level signals: hostile mentions, accusations, denials, threats.",
                  group_name="raw"),
        AssetSpec(["raw", "document_assessments"], deps=[["raw", "documents"]], kinds={"duckdb", "polars"},
                  description="Per-document language, date, target mention and 0-3 tension rating.",
                  group_name="raw"),
    ],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
)
def document_signals(context: AssetExecutionContext, duckdb: DuckDBResource):
    first, last = window_dates(*context.partition_time_window)
    with duckdb.get_connection() as con:
        docs = documents_in_window(con, first, last)
        result = extract(docs)
        replace_extraction(con, first, last, docs, result.signals, result.documents)
    by_kind = {k: int(n) for k, n in result.signals.group_by("kind").len().iter_rows()} if result.signals.height else {}
    context.log.info(f"{first}..{last}: {docs.height} documents, {result.signals.height} signals {by_kind}")
    yield MaterializeResult(asset_key=["raw", "signals"], metadata={
        "documents": docs.height, "signals": result.signals.height, **{f"signals_{k}": n for k, n in by_kind.items()},
    })
    yield MaterializeResult(asset_key=["raw", "document_assessments"], metadata={"documents": result.documents.height})
