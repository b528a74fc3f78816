"""Daily operations: the schedule's partition, the drop-folder sensor, and the feed under failure."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from datetime import UTC, datetime

import duckdb
import polars as pl
from dagster import build_schedule_context, build_sensor_context

from orchestration.definitions import defs
from orchestration.resources import GeoriskHome
from outputs import feed as feed_mod


def test_the_morning_schedule_runs_yesterdays_partition():
    schedule = defs.resolve_schedule_def("daily_pipeline_schedule")
    for when, expected in ((datetime(2024, 4, 9, 6, 0, tzinfo=UTC), "2024-04-08"),
                           (datetime(2024, 3, 1, 6, 0, tzinfo=UTC), "2024-02-29")):
        ctx = build_schedule_context(scheduled_execution_time=when)
        (request,) = schedule.evaluate_tick(ctx).run_requests
        assert request.partition_key == expected


def test_the_drop_folder_sensor_picks_up_a_new_file_once(tmp_path):
    sensor = defs.resolve_sensor_def("drop_folder_sensor")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    resources = {"georisk_home": GeoriskHome(root=str(tmp_path))}

    def tick(cursor):
        ctx = build_sensor_context(cursor=cursor, resources=resources)
        return sensor.evaluate_tick(ctx), ctx.cursor

    result, cursor = tick(None)
    assert not result.run_requests and result.skip_message
    (inbox / "a.txt").write_text("date 2024-04-06\nAstana and Moscow talked about grain.", encoding="utf-8")
    (inbox / "b.jsonl").write_text(json.dumps({"id": "b", "text": "Kazakhstan news", "published_at": "2024-04-08"}),
                                   encoding="utf-8")
    result, cursor = tick(cursor)
    (request,) = result.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2024-04-06"
    assert request.tags["dagster/asset_partition_range_end"] == "2024-04-08"
    again, cursor = tick(cursor)
    assert not again.run_requests  # the same files: nothing new
    (inbox / "c.txt").write_text("date 2024-05-20\nA later note about Astana.", encoding="utf-8")
    later, cursor = tick(cursor)
    (request,) = later.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2024-05-20"


def test_the_drop_run_key_is_the_same_in_another_process():
    # a restarted daemon must not re-run what it ran: the key cannot depend on the process's hash salt
    import subprocess
    import sys

    code = ("import datetime as d; from orchestration.automation import drop_run_key; "
            "print(drop_run_key(d.date(2024, 4, 6), d.date(2024, 4, 8), {'inbox/a.txt': [1, 2], 'inbox/b.jsonl': [3]}))")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert len(keys) == 1 and next(iter(keys)).startswith("drop:2024-04-06:2024-04-08:")


def _snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _kill_before_swap(warehouse, feed_root):
    def die(*_a, **_k):
        os.kill(os.getpid(), signal.SIGKILL)
    feed_mod._swap_all = die
    with duckdb.connect(warehouse, read_only=True) as con:
        feed_mod.write_feed(con, feed_root, datetime(2024, 3, 1).date(), datetime(2024, 4, 29).date())


def test_feed_schema_matches_the_committed_contract_and_has_a_manifest(sample_home):
    contract = json.loads(feed_mod.CONTRACT_PATH.read_text(encoding="utf-8"))
    for table, columns in contract.items():
        files = sorted((sample_home.feed / table).glob("date=*/*.parquet"))
        if not files:
            continue
        with duckdb.connect() as con:
            # the contract describes what a hive reader sees: the files' columns and `date` from the folder name
            described = con.execute(f"describe select * from read_parquet({[str(f) for f in files]}, "
                                    "hive_partitioning = true, union_by_name = true)").fetchall()
        actual = {name: typ for name, typ, *_ in described}
        assert feed_mod.contract_violations({table: actual}, {table: columns}) == [], table
    manifest = json.loads((sample_home.feed / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == feed_mod.FEED_SCHEMA_VERSION and manifest["methodology_version"]
    per_day = manifest["tables"]["tension_index"]["rows_per_partition"]
    on_disk = {p.parent.name.removeprefix("date="): pl.read_parquet(p).height
               for p in (sample_home.feed / "tension_index").glob("date=*/*.parquet")}
    assert per_day == on_disk
    assert (sample_home.feed / "_SUCCESS").read_text().strip() == manifest["generated_at"]


def test_contract_violations_name_removed_and_retyped_columns():
    contract = {"t": {"a": "DATE", "b": "BIGINT"}}
    assert feed_mod.contract_violations({"t": {"a": "DATE", "b": "BIGINT", "c": "VARCHAR"}}, contract) == []
    assert feed_mod.contract_violations({"t": {"a": "VARCHAR"}}, contract) == ["t.a retyped DATE -> VARCHAR",
                                                                                 "t.b removed"]
    assert feed_mod.contract_violations({}, contract) == ["table t removed"]


def test_a_writer_killed_during_the_feed_write_leaves_the_previous_feed(sample_home, tmp_path):
    feed_root = tmp_path / "feed"
    warehouse = str(sample_home.published)
    with duckdb.connect(warehouse, read_only=True) as con:
        feed_mod.write_feed(con, feed_root, datetime(2024, 3, 1).date(), datetime(2024, 4, 29).date())
    before = _snapshot(feed_root)
    child = multiprocessing.get_context("fork").Process(target=_kill_before_swap, args=(warehouse, feed_root))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    assert list(feed_root.glob(".staging-*")), "the killed writer had staged files"
    after = {k: v for k, v in _snapshot(feed_root).items() if not k.startswith(".staging-")}
    assert after == before  # readers see exactly the previous feed, manifest and marker included
    with duckdb.connect(warehouse, read_only=True) as con:
        feed_mod.write_feed(con, feed_root, datetime(2024, 3, 1).date(), datetime(2024, 4, 29).date())
    assert not list(feed_root.glob(".staging-*"))


def test_briefs_quote_their_sources_for_each_day_with_documents(sample_home):
    briefs = sorted(sample_home.briefs.glob("*.md"))
    with duckdb.connect(str(sample_home.published), read_only=True) as con:
        days = {r[0].isoformat() for r in con.execute(
            "select index_date from marts.tension_index_daily where document_count > 0").fetchall()}
        top = con.execute("select top_driver_sentence from marts.tension_index_daily "
                          "where index_date = date '2024-04-07'").fetchone()[0]
    assert {b.stem for b in briefs} == days
    text = (sample_home.briefs / "2024-04-07.md").read_text(encoding="utf-8")
    assert text.startswith("# Kazakhstan tension brief, 2024-04-07")
    assert " ".join(top.split())[:80] in text  # the top driver, quoted
