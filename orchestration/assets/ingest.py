"""Ingestion: the window's documents from the configured sources into raw.documents, rejects into raw.rejects,
with the checks that stop a broken ingestion from reaching the index."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    Config,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ingestion.daily import ingest_window, network_default
from ingestion.store import ensure_schema

from ..partitions import daily_partitions, window_dates
from ..resources import GeoriskHome

POOL = "duckdb_writer"
# Thresholds of the ingestion checks.
MAX_REJECT_SHARE = 0.5
VOLUME_FACTOR = 5.0
VOLUME_BASELINE_DAYS = 28
VOLUME_MIN_MEDIAN = 5  # below this many documents a day, swings are normal


class IngestConfig(Config):
    network: bool = Field(default_factory=network_default,
                          description="Also fetch feeds, official pages and GDELT (default: env GEORISK_NETWORK).")


@multi_asset(
    specs=[
        AssetSpec(["raw", "documents"], description="Canonical documents, one row each, deduplicated.",
                  kinds={"duckdb"}, group_name="raw"),
        AssetSpec(["raw", "rejects"], description="What could not be stored, with the stage and reason.",
                  kinds={"duckdb"}, group_name="raw"),
    ],
    check_specs=[
        AssetCheckSpec("reject_share", asset=["raw", "documents"], blocking=True,
                       description=f"Fewer than {MAX_REJECT_SHARE:.0%} of the run's items rejected; above that "
                                   "ingestion is broken and the index must not be computed from what is left."),
        AssetCheckSpec("volume_anomaly", asset=["raw", "documents"],
                       description="Each day's document count within a factor "
                                   f"{VOLUME_FACTOR:g} of the median of the {VOLUME_BASELINE_DAYS} days before."),
    ],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
)
def raw_documents(context: AssetExecutionContext, config: IngestConfig, georisk_home: GeoriskHome,
                  duckdb: DuckDBResource):
    """Collects the window's documents from the configured sources (config/sources.yaml): the drop folder and
    Telegram exports always, feeds, official pages and GDELT when `network` is on. Documents stored earlier
    by `georisk ingest` stay as they are."""
    first, last = window_dates(*context.partition_time_window)
    with duckdb.get_connection() as con:
        ensure_schema(con)
        report = ingest_window(con, georisk_home.paths.root, first, last, network=config.network)
        result = report.result
        in_window = con.execute(
            "select count(*) from raw.documents where published_date between ? and ?", [first, last]
        ).fetchone()[0]
        rejects = con.execute("select count(*) from raw.rejects").fetchone()[0]
        anomalies = volume_anomalies(con, first, last)
    context.log.info(f"{first}..{last}: stored {result.stored}, updated {result.updated}, "
                     f"duplicates {result.duplicates}, rejected {result.rejected}; {in_window} documents in window")
    sources = {sid: {"documents": s.documents, "rejects": s.rejects, "failed": s.failed, "notes": s.notes[:5]}
               for sid, s in sorted(report.sources.items())}
    yield MaterializeResult(asset_key=["raw", "documents"], metadata={
        "documents_in_window": in_window, "stored": result.stored, "updated": result.updated,
        "duplicates": result.duplicates, "near_duplicates": result.near_duplicates, "window": f"{first}..{last}",
        "network": config.network, "sources": MetadataValue.json(sources),
    })
    yield MaterializeResult(asset_key=["raw", "rejects"], metadata={
        "rejected_this_run": result.rejected, "rejects_total": rejects,
    })
    seen = result.stored + result.updated + result.duplicates + result.rejected
    share = result.rejected / seen if seen else 0.0
    yield AssetCheckResult(check_name="reject_share", asset_key=["raw", "documents"], passed=share < MAX_REJECT_SHARE,
                           metadata={"rejected": result.rejected, "items": seen, "share": round(share, 3)})
    yield _volume_check(anomalies)


def volume_anomalies(con, first, last) -> list[dict]:
    """Days of the window whose document count is far from the median of the days before them."""
    rows = con.execute(
        """
        with days as (select unnest(generate_series(?::date, ?::date, interval 1 day))::date as d),
        counts as (select published_date as d, count(*) as n from raw.documents group by 1)
        select days.d, coalesce(c.n, 0) as n,
               (select median(n) from counts b where b.d between days.d - ?::integer and days.d - 1) as baseline
        from days left join counts c using (d) order by days.d
        """, [first, last, VOLUME_BASELINE_DAYS]).fetchall()
    out = []
    for d, n, baseline in rows:
        if baseline is not None and baseline >= VOLUME_MIN_MEDIAN and not (
                baseline / VOLUME_FACTOR <= n <= baseline * VOLUME_FACTOR):
            out.append({"date": d.isoformat(), "documents": n, "median_before": float(baseline)})
    return out


def _volume_check(anomalies: list[dict]) -> AssetCheckResult:
    return AssetCheckResult(check_name="volume_anomaly", asset_key=["raw", "documents"], passed=not anomalies,
                            severity=AssetCheckSeverity.WARN,
                            metadata={"anomalous_days": MetadataValue.json(anomalies[:30])})
