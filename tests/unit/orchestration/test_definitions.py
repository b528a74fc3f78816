from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from dagster import AssetKey

from orchestration.partitions import partition_range_tags, window_dates


def test_definitions_load_with_the_whole_asset_graph():
    from orchestration.definitions import DAILY_JOB, defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    expected = {
        "raw/documents", "raw/rejects", "raw/signals", "raw/document_assessments",
        "staging/stg_documents", "staging/stg_signals", "marts/days", "marts/hostile_mention_frequency_daily",
        "marts/official_accusations", "marts/denial_counts_daily", "marts/tension_index_daily",
        "marts/tension_index_drivers", "parquet_feed", "analyst_copy",
    }
    assert expected <= keys
    # Every dependency is an asset the pipeline materialises: none dangles as an unknown external key.
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    for key in materializable:
        assert graph.get(key).parent_keys <= materializable, key.to_user_string()
    # dbt sources are wired to the Python assets that write them, and the feed waits for the marts
    assert AssetKey(["raw", "signals"]) in graph.get(AssetKey(["staging", "stg_signals"])).parent_keys
    assert AssetKey(["marts", "tension_index_daily"]) in graph.get(AssetKey("parquet_feed")).parent_keys
    job = defs.resolve_job_def(DAILY_JOB)
    assert job.partitions_def is not None


def test_window_dates_are_inclusive_days():
    start = datetime(2024, 4, 6, tzinfo=UTC)
    assert window_dates(start, datetime(2024, 4, 7, tzinfo=UTC)) == (date(2024, 4, 6), date(2024, 4, 6))
    assert window_dates(start, datetime(2024, 4, 9, tzinfo=UTC)) == (date(2024, 4, 6), date(2024, 4, 8))
    with pytest.raises(ValueError):
        window_dates(start, start)


def test_partition_range_tags():
    assert partition_range_tags(date(2024, 3, 1), date(2024, 4, 30)) == {
        "dagster/asset_partition_range_start": "2024-03-01",
        "dagster/asset_partition_range_end": "2024-04-30",
    }


def test_covering_range_spans_the_first_to_the_last_day_however_far_apart():
    from orchestration.partitions import covering_range

    d = date.fromisoformat
    days = [d("2024-04-08"), d("2024-04-06"), d("2023-11-08"), d("2026-11-21"), d("2024-04-06")]
    assert covering_range(days) == (d("2023-11-08"), d("2026-11-21"))
    assert covering_range([d("2024-04-06")]) == (d("2024-04-06"), d("2024-04-06"))
    assert covering_range([]) is None


def test_dbt_vars_carry_the_window_and_a_utc_as_of():
    from datetime import timedelta, timezone

    from orchestration.partitions import dbt_vars

    as_of = datetime(2024, 4, 9, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=5)))
    assert dbt_vars(date(2024, 4, 6), date(2024, 4, 8), as_of) == {
        "start_date": "2024-04-06", "end_date": "2024-04-08", "as_of": "2024-04-09 03:30:15"}
    with pytest.raises(ValueError):
        dbt_vars(date(2024, 4, 8), date(2024, 4, 6), as_of)


def test_resources_point_dbt_at_the_homes_warehouse_without_touching_the_environment(tmp_path):
    import os

    import yaml

    from core import warehouse
    from core.settings import Home
    from orchestration.resources import build_resources

    before = dict(os.environ)
    homes = [Home(tmp_path / name).ensure() for name in ("a", "b")]
    resources = [build_resources(h) for h in homes]
    assert dict(os.environ) == before
    for home, res in zip(homes, resources, strict=True):
        profile = yaml.safe_load((Path(res["dbt"].profiles_dir) / "profiles.yml").read_text(encoding="utf-8"))
        assert profile["georisk"]["outputs"]["local"]["path"] == str(home.warehouse) == res["duckdb"].database
        assert profile["georisk"]["outputs"]["local"]["settings"] == {"memory_limit": warehouse.DBT_MEMORY_LIMIT}


def test_the_multiprocess_job_is_the_daily_job_with_a_process_per_step(georisk_home):
    # bench/multiprocess.py runs it over the sample against the in-process run (docs/benchmarks.md)
    from orchestration.definitions import DAILY_JOB, build_definitions, multiprocess_daily_pipeline

    job = multiprocess_daily_pipeline()
    assert job.executor_def.name == "multiprocess"
    daily = build_definitions(georisk_home).resolve_job_def(DAILY_JOB)
    assert daily.executor_def.name == "in_process"
    assert set(job.asset_layer.executable_asset_keys) == set(daily.asset_layer.executable_asset_keys)
