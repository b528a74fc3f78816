"""The dbt project as Dagster assets: staging views and marts, with dbt tests as asset checks."""

import os

from dagster import AssetExecutionContext, BackfillPolicy
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from ..dbt_project import dbt_project
from ..partitions import daily_partitions
from .ingest import POOL


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
)
def georisk_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    # dbt runs as a subprocess and finds the warehouse through this variable (see dbt/profiles.yml).
    os.environ["GEORISK_WAREHOUSE"] = duckdb.database
    yield from dbt.cli(["build"], context=context).stream()
