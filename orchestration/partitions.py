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


# Days with documents closer than this are run together (the days between cost little); farther apart, they
# get a run each, so that a few stray old documents do not make one run span years of empty partitions.
MAX_GAP_DAYS = 14


def day_ranges(days: list[date], max_gap: int = MAX_GAP_DAYS) -> list[tuple[date, date]]:
    """Sorted days grouped into ranges whose neighbours are at most `max_gap` days apart."""
    ranges: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if ranges and (d - ranges[-1][1]).days <= max_gap:
            ranges[-1] = (ranges[-1][0], d)
        else:
            ranges.append((d, d))
    return ranges
