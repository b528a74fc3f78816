"""What runs by itself: the morning schedule, the drop-folder sensor, and the freshness check of the index."""

from __future__ import annotations

import hashlib
import json

from dagster import (
    AssetKey,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    build_schedule_from_partitioned_job,
    build_sensor_for_freshness_checks,
    build_time_partition_freshness_checks,
    sensor,
)

from core.settings import Settings
from ingestion.collect import dates_in_files, drop_folder_changes

from .partitions import covering_range, partition_range_tags
from .resources import GeoriskHome

SCHEDULE_HOUR_UTC = Settings.current().schedule_hour_utc


def drop_run_key(first, last, fingerprints: dict) -> str:
    """The same files and days give the same key in every process (``hash()`` is salted per process, so a
    restarted daemon would re-run what it had already run)."""
    digest = hashlib.sha256(json.dumps(fingerprints, sort_keys=True).encode()).hexdigest()[:16]
    return f"drop:{first}:{last}:{digest}"


def build_automation(daily_pipeline):
    # Each morning, yesterday's partition (a daily schedule targets the partition that has just ended).
    schedule = build_schedule_from_partitioned_job(
        daily_pipeline, name="daily_pipeline_schedule", hour_of_day=SCHEDULE_HOUR_UTC, minute_of_hour=0,
        description=f"Materialises yesterday's partition at {SCHEDULE_HOUR_UTC:02d}:00 UTC "
                    "(GEORISK_SCHEDULE_HOUR_UTC); set GEORISK_NETWORK=1 for it to fetch the feeds.",
    )

    @sensor(job=daily_pipeline, minimum_interval_seconds=60,
            description="A new or changed file in GEORISK_HOME/inbox: materialise the days its documents fall on.")
    def drop_folder_sensor(context: SensorEvaluationContext, georisk_home: GeoriskHome):
        changed, fingerprints = drop_folder_changes(georisk_home.paths.inbox, json.loads(context.cursor or "{}"))
        if not changed:
            return SkipReason("no new or changed files in the drop folder")
        span = covering_range(dates_in_files(changed))
        context.update_cursor(json.dumps(fingerprints, sort_keys=True))
        if span is None:
            return SkipReason(f"{len(changed)} changed files held no documents")
        first, last = span
        return RunRequest(run_key=drop_run_key(first, last, fingerprints),
                          tags={**partition_range_tags(first, last), "georisk/trigger": "drop_folder"})

    # Yesterday's index partition should exist by mid-morning (UTC); a warning otherwise.
    freshness = build_time_partition_freshness_checks(
        assets=[AssetKey(["marts", "tension_index_daily"])], deadline_cron="0 9 * * *", timezone="UTC")
    freshness_sensor = build_sensor_for_freshness_checks(freshness_checks=freshness, name="index_freshness_sensor")
    return [schedule], [drop_folder_sensor, freshness_sensor], freshness
