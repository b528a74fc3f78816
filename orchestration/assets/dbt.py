"""The dbt project as Dagster assets: staging views and marts, with dbt tests as asset checks."""

import json
from datetime import UTC, datetime

from dagster import AssetExecutionContext, BackfillPolicy
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ..dbt_project import dbt_project
from ..partitions import daily_partitions, dbt_vars, window_dates
from .ingest import POOL


class LayerGroups(DagsterDbtTranslator):
    """Each dbt model in the group of its folder (staging, intermediate, marts); seeds in ``reference``."""

    def get_group_name(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else "marts"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerGroups(),
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
)
def georisk_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    first, last = window_dates(*context.partition_time_window)
    started = context.instance.get_run_record_by_id(context.run_id)
    as_of = started.create_timestamp if started else datetime.now(UTC)
    args = ["build", "--vars", json.dumps(dbt_vars(first, last, as_of))]
    yield from dbt.cli(args, context=context).stream()
