"""Daily partitions and the small pure functions that turn a partition window into what each stage needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dagster import DailyPartitionsDefinition

from core.settings import start_date

daily_partitions = DailyPartitionsDefinition(start_date=start_date(), timezone="UTC")


def window_dates(start: datetime, end: datetime) -> tuple[date, date]:
    """A Dagster time window [start, end) as the first and last day it covers, both inclusive."""
    first = start.date()
    last = (end - timedelta(days=1)).date()
    if last < first:
        raise ValueError(f"empty partition window {start} .. {end}")
    return first, last


def partition_range_tags(first: date, last: date) -> dict[str, str]:
    """Run tags that make one run cover a range of daily partitions (a single-run backfill)."""
    return {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }


def dbt_vars(first: date, last: date, as_of: datetime) -> dict[str, str]:
    """What one dbt invocation needs to rebuild a window of days: the window and the run's as-of time (UTC)."""
    if last < first:
        raise ValueError(f"window ends ({last}) before it starts ({first})")
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    return {"start_date": first.isoformat(), "end_date": last.isoformat(),
            "as_of": as_of.replace(microsecond=0).isoformat(sep=" ")}


def covering_range(days: list[date]) -> tuple[date, date] | None:
    """The one range of days a run covers for these days: from the first to the last, however far apart. One
    run over years of days costs about what a run over one day does (the event log writes a run's per-day
    events in batches, orchestration/event_log.py), where one run per cluster of days took minutes each."""
    return (min(days), max(days)) if days else None
