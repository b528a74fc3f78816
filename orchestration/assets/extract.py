"""Signal extraction over the window's documents; the same code path as `georisk extract`."""

import os
from collections import Counter

from dagster import AssetExecutionContext, AssetSpec, BackfillPolicy, MaterializeResult, multi_asset
from dagster_duckdb import DuckDBResource

from outputs.extraction import extract_window

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
    n_docs, n_assessed, by_kind = 0, 0, Counter()
    with duckdb.get_connection() as con:
        # a long backfill a chunk of whole days at a time, each replaced in its own transaction, on every core
        for height, result in extract_window(con, first, last, workers=os.cpu_count() or 1):
            n_docs, n_assessed = n_docs + height, n_assessed + result.documents.height
            if result.signals.height:
                by_kind.update({k: int(n) for k, n in result.signals.group_by("kind").len().iter_rows()})
    n_signals = sum(by_kind.values())
    context.log.info(f"{first}..{last}: {n_docs} documents, {n_signals} signals {dict(sorted(by_kind.items()))}")
    yield MaterializeResult(asset_key=["raw", "signals"], metadata={
        "documents": n_docs, "signals": n_signals, **{f"signals_{k}": n for k, n in sorted(by_kind.items())},
    })
    yield MaterializeResult(asset_key=["raw", "document_assessments"], metadata={"documents": n_assessed})
