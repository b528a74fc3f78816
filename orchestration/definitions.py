"""The Dagster definitions: the one object `dagster dev` and `georisk materialize` load."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Definitions,
    ExecutorDefinition,
    JobDefinition,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)

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


def build_definitions(georisk_home: Home, executor: ExecutorDefinition = in_process_executor) -> Definitions:
    return Definitions(
        assets=ASSETS,
        asset_checks=FRESHNESS_CHECKS,
        jobs=[daily_pipeline],
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(georisk_home),
        # One process by default: DuckDB allows one writer, and a process per step costs 2-3 s each on 2 cores.
        executor=executor,
    )


def multiprocess_daily_pipeline() -> JobDefinition:
    """The daily job with a process per step (Dagster's multiprocess executor; `max_concurrent` in the run
    config's execution), for `dagster.execute_job(reconstructable(multiprocess_daily_pipeline), ...)` with the
    home in GEORISK_HOME. Every step that writes the warehouse takes the one slot of the pool duckdb_writer from
    the instance, so steps in different processes never open the file together
    (bench/multiprocess.py runs it over the sample against the in-process run)."""
    return build_definitions(home(), executor=multiprocess_executor).resolve_job_def(DAILY_JOB)


defs = build_definitions(home())
