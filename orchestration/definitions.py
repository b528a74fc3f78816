"""The Dagster definitions: the one object `dagster dev` and `georisk materialize` load."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from core.settings import Home, home

from .assets.dbt import georisk_dbt_assets
from .assets.extract import document_signals
from .assets.ingest import raw_documents
from .assets.outputs import analyst_copy, daily_brief, parquet_feed
from .automation import build_automation
from .partitions import daily_partitions
from .resources import build_resources

DAILY_JOB = "daily_pipeline"

ASSETS = [raw_documents, document_signals, georisk_dbt_assets, parquet_feed, daily_brief, analyst_copy]

daily_pipeline = define_asset_job(
    DAILY_JOB,
    selection=AssetSelection.assets(*ASSETS),
    partitions_def=daily_partitions,
    description="Ingest, extract, dbt build, feed and publish for a day or a range of days (one run).",
)


SCHEDULES, SENSORS, FRESHNESS_CHECKS = build_automation(daily_pipeline)


def build_definitions(georisk_home: Home) -> Definitions:
    return Definitions(
        assets=ASSETS,
        asset_checks=FRESHNESS_CHECKS,
        jobs=[daily_pipeline],
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(georisk_home),
        # One process: DuckDB allows one writer, and a process per step costs 2-3 s each on 2 cores.
        executor=in_process_executor,
    )


defs = build_definitions(home())
