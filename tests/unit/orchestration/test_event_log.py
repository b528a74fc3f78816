"""The home's event log (orchestration/event_log.py) records a run over a range of days as Dagster's own SQLite
storage does, with one planned event per asset instead of one per day: the same materialised partitions, the same
latest materialisation, the same check results, each record's id pointing at its own event."""

from datetime import date, timedelta

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    BackfillPolicy,
    DagsterEventType,
    DagsterInstance,
    DailyPartitionsDefinition,
    EventRecordsFilter,
    MaterializeResult,
    asset,
    materialize,
)

from core.settings import Home
from georisk.runner import prepare_dagster_home
from orchestration.event_log import BatchedSqliteEventLogStorage
from orchestration.partitions import partition_range_tags

FIRST, DAYS = date(2022, 1, 1), 120
days = DailyPartitionsDefinition(start_date="2021-01-01")


@asset(partitions_def=days, backfill_policy=BackfillPolicy.single_run(),
       check_specs=[AssetCheckSpec("positive", asset="counts")])
def counts(context):
    start, end = context.partition_time_window
    yield MaterializeResult(metadata={"days": (end - start).days})
    yield AssetCheckResult(check_name="positive", passed=True)


@asset(partitions_def=days, backfill_policy=BackfillPolicy.single_run(), deps=[counts])
def totals() -> None:
    return None


def _run(instance):
    last = FIRST + timedelta(days=DAYS - 1)
    result = materialize([counts, totals], instance=instance, tags=partition_range_tags(FIRST, last))
    assert result.success
    return result.run_id


def _view(instance, run_id):
    out = {}
    for name in ("counts", "totals"):
        key = AssetKey(name)
        records = instance.fetch_materializations(key, limit=1000).records
        by_id = {r.storage_id: r for r in records}
        latest = instance.get_asset_records([key])[0].asset_entry.last_materialization_record
        planned = instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
        out[name] = {
            "partitions": sorted(instance.get_materialized_partitions(key)),
            "records": sorted((r.partition_key, r.asset_materialization.metadata.get("days")) for r in records),
            "latest": (latest.partition_key, latest.run_id),
            # the summary row points at a stored event of this asset and partition
            "latest_is_stored": by_id[latest.storage_id].partition_key == latest.partition_key,
            "planned_partitions": sorted(
                k for r in planned if r.event_log_entry.dagster_event.asset_key == key
                for k in (r.event_log_entry.dagster_event.event_specific_data.partitions_subset.get_partition_keys()
                          if r.event_log_entry.dagster_event.event_specific_data.partitions_subset
                          else [r.event_log_entry.dagster_event.partition])),
        }
    evals = instance.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_CHECK_EVALUATION))
    out["checks"] = sorted((e.event_log_entry.dagster_event.event_specific_data.check_name,
                            e.event_log_entry.dagster_event.event_specific_data.passed) for e in evals)
    return out


@pytest.fixture()
def instances(tmp_path):
    home_dir = prepare_dagster_home(Home(tmp_path / "home"))
    (tmp_path / "plain").mkdir()
    with DagsterInstance.from_config(str(home_dir)) as ours, \
            DagsterInstance.local_temp(str(tmp_path / "plain")) as plain:
        yield ours, plain


def test_a_range_run_is_recorded_as_dagsters_own_storage_records_it(instances):
    ours, plain = instances
    assert isinstance(ours.event_log_storage, BatchedSqliteEventLogStorage)
    assert not isinstance(plain.event_log_storage, BatchedSqliteEventLogStorage)
    ours_run, plain_run = _run(ours), _run(plain)
    mine, theirs = _view(ours, ours_run), _view(plain, plain_run)
    expected_days = [(FIRST + timedelta(days=i)).isoformat() for i in range(DAYS)]
    for name in ("counts", "totals"):
        assert mine[name]["partitions"] == theirs[name]["partitions"] == expected_days
        assert mine[name]["records"] == theirs[name]["records"]
        assert mine[name]["latest"][0] == theirs[name]["latest"][0] == expected_days[-1]
        assert mine[name]["latest_is_stored"] and theirs[name]["latest_is_stored"]
        assert mine[name]["planned_partitions"] == theirs[name]["planned_partitions"] == expected_days
    assert mine["checks"] == theirs["checks"] == [("positive", True)]
    # one planned event per asset, not one per day
    planned = ours.get_records_for_run(ours_run, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
    assert len(planned) == 2
    assert len(plain.get_records_for_run(plain_run, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
               .records) == 2 * DAYS


def test_a_second_run_records_on_top_of_the_first(instances):
    ours, _ = instances
    first_run, second_run = _run(ours), _run(ours)
    records = ours.fetch_materializations(AssetKey("counts"), limit=1000).records
    assert len(records) == 2 * DAYS
    assert {r.run_id for r in records} == {first_run, second_run}
    assert ours.get_asset_records([AssetKey("counts")])[0].asset_entry.last_materialization_record.run_id == second_run


def test_a_georisk_written_config_is_brought_up_to_date_and_an_operators_is_left_alone(tmp_path):
    home = Home(tmp_path / "home")
    cfg = prepare_dagster_home(home) / "dagster.yaml"
    cfg.write_text("# Written by georisk. An older version.\ntelemetry:\n  enabled: false\n", encoding="utf-8")
    prepare_dagster_home(home)
    assert "BatchedSqliteEventLogStorage" in cfg.read_text(encoding="utf-8")
    own = "# mine\ntelemetry:\n  enabled: false\n"
    cfg.write_text(own, encoding="utf-8")
    prepare_dagster_home(home)
    assert cfg.read_text(encoding="utf-8") == own
