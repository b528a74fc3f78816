"""Ingestion: the day's documents from the drop folder into raw.documents, rejects into raw.rejects."""

from dagster import AssetExecutionContext, AssetSpec, BackfillPolicy, MaterializeResult, multi_asset
from dagster_duckdb import DuckDBResource

from ingestion.collect import collect_drop_folder
from ingestion.store import ensure_schema, store

from ..partitions import daily_partitions, window_dates
from ..resources import GeoriskHome

POOL = "duckdb_writer"


@multi_asset(
    specs=[
        AssetSpec(["raw", "documents"], description="Canonical documents, one row each, deduplicated.",
                  kinds={"duckdb"}, group_name="ingestion"),
        AssetSpec(["raw", "rejects"], description="What could not be stored, with the stage and reason.",
                  kinds={"duckdb"}, group_name="ingestion"),
    ],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
)
def raw_documents(context: AssetExecutionContext, georisk_home: GeoriskHome, duckdb: DuckDBResource):
    """Collects the window's documents from the drop folder (documents already stored by `georisk ingest`
    stay as they are) and reports what the warehouse holds for those days."""
    first, last = window_dates(*context.partition_time_window)
    items = collect_drop_folder(georisk_home.paths.inbox, first, last)
    with duckdb.get_connection() as con:
        ensure_schema(con)
        result = store(con, items)
        in_window = con.execute(
            "select count(*) from raw.documents where published_date between ? and ?", [first, last]
        ).fetchone()[0]
        rejects = con.execute("select count(*) from raw.rejects").fetchone()[0]
    context.log.info(f"{first}..{last}: stored {result.stored}, updated {result.updated}, "
                     f"duplicates {result.duplicates}, rejected {result.rejected}; {in_window} documents in window")
    yield MaterializeResult(asset_key=["raw", "documents"], metadata={
        "documents_in_window": in_window, "stored": result.stored, "updated": result.updated,
        "duplicates": result.duplicates, "window": f"{first}..{last}",
    })
    yield MaterializeResult(asset_key=["raw", "rejects"], metadata={
        "rejected_this_run": result.rejected, "rejects_total": rejects,
    })
