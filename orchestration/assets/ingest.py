"""Ingestion: the day's documents from the drop folder into raw.documents, rejects into raw.rejects."""

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    Config,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ingestion.daily import ingest_window, network_default
from ingestion.store import ensure_schema

from ..partitions import daily_partitions, window_dates
from ..resources import GeoriskHome

POOL = "duckdb_writer"


class IngestConfig(Config):
    network: bool = Field(default_factory=network_default,
                          description="Also fetch feeds, official pages and GDELT (default: env GEORISK_NETWORK).")


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
def raw_documents(context: AssetExecutionContext, config: IngestConfig, georisk_home: GeoriskHome,
                  duckdb: DuckDBResource):
    """Collects the window's documents from the configured sources (config/sources.yaml): the drop folder and
    Telegram exports always, feeds, official pages and GDELT when `network` is on. Documents stored earlier
    by `georisk ingest` stay as they are."""
    first, last = window_dates(*context.partition_time_window)
    with duckdb.get_connection() as con:
        ensure_schema(con)
        report = ingest_window(con, georisk_home.paths.root, first, last, network=config.network)
        result = report.result
        in_window = con.execute(
            "select count(*) from raw.documents where published_date between ? and ?", [first, last]
        ).fetchone()[0]
        rejects = con.execute("select count(*) from raw.rejects").fetchone()[0]
    context.log.info(f"{first}..{last}: stored {result.stored}, updated {result.updated}, "
                     f"duplicates {result.duplicates}, rejected {result.rejected}; {in_window} documents in window")
    sources = {sid: {"documents": s.documents, "rejects": s.rejects, "failed": s.failed, "notes": s.notes[:5]}
               for sid, s in sorted(report.sources.items())}
    yield MaterializeResult(asset_key=["raw", "documents"], metadata={
        "documents_in_window": in_window, "stored": result.stored, "updated": result.updated,
        "duplicates": result.duplicates, "near_duplicates": result.near_duplicates, "window": f"{first}..{last}",
        "network": config.network, "sources": MetadataValue.json(sources),
    })
    yield MaterializeResult(asset_key=["raw", "rejects"], metadata={
        "rejected_this_run": result.rejected, "rejects_total": rejects,
    })
