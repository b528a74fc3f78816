"""Outputs: the Parquet feed for BI, the daily briefs and the published analyst copy of the warehouse."""

import json

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from outputs.brief import write_briefs
from outputs.brief_html import chart_markdown, write_html_briefs
from outputs.feed import CONTRACT_PATH, contract_violations, table_schemas, write_feed
from outputs.publish import publish_copy

from ..partitions import daily_partitions, window_dates
from ..resources import GeoriskHome
from .ingest import POOL

# The marts the feed exports (dbt asset keys carry the schema).
MART_DEPS = [AssetKey(["marts", name]) for name in ("tension_index_daily", "tension_index_drivers",
             "hostile_mention_frequency_daily", "hostile_mention_breakdown_daily", "official_accusations",
             "denials", "threats")]
# The brief also reads the index's vintages (its as-of time), the documents and rejects (data health), the
# weighted signals (who was most active) and the level thresholds.
BRIEF_DEPS = MART_DEPS + [AssetKey(k) for k in (["marts", "tension_index_vintages"], ["staging", "stg_documents"],
                          ["staging", "stg_rejects"], ["intermediate", "int_signals_weighted"],
                          ["reference", "index_parameters"])]


@asset(
    deps=MART_DEPS,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
    kinds={"parquet"},
    group_name="outputs",
    check_specs=[AssetCheckSpec("feed_schema", asset="parquet_feed", blocking=True,
                                description="The feed keeps every column of outputs/feed_contract.json with its "
                                            "type: dashboards break on a removed or retyped column.")],
)
def parquet_feed(context: AssetExecutionContext, georisk_home: GeoriskHome, duckdb: DuckDBResource):
    """Hive-partitioned Parquet files per mart and day under GEORISK_HOME/feed."""
    first, last = window_dates(*context.partition_time_window)
    with duckdb.get_connection() as con:
        problems = contract_violations(table_schemas(con), json.loads(CONTRACT_PATH.read_text(encoding="utf-8")))
        if problems:  # check before writing: a dashboard must never read a feed that breaks it
            yield AssetCheckResult(check_name="feed_schema", passed=False,
                                   metadata={"problems": MetadataValue.json(problems)})
            raise RuntimeError(f"feed schema breaks the contract: {'; '.join(problems[:3])}")
        rows = write_feed(con, georisk_home.paths.feed, first, last)
        preview = con.execute(
            "select index_date, document_count, tension_index, tension_level, top_driver_sentence "
            "from marts.tension_index_daily where index_date between ? and ? "
            "order by tension_index desc nulls last, index_date limit 5", [first, last]
        ).pl()
    yield AssetCheckResult(check_name="feed_schema", passed=True)
    yield MaterializeResult(metadata={
        **{f"rows_{t}": n for t, n in rows.items()},
        "feed_path": MetadataValue.path(str(georisk_home.paths.feed)),
        "brief_folder": MetadataValue.path(str(georisk_home.paths.briefs)),
        "top_days": MetadataValue.md(_md(preview)),
    })


# HTML pages a run writes, the latest days first: a backfill of years would otherwise spend minutes drawing charts
# of days nobody opens that morning (their Markdown briefs are all written; `georisk brief --date D` draws any page).
HTML_PAGES_PER_RUN = 60


@asset(
    deps=BRIEF_DEPS,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
    kinds={"html", "markdown"},
    group_name="outputs",
)
def daily_brief(context: AssetExecutionContext, georisk_home: GeoriskHome, duckdb: DuckDBResource):
    """GEORISK_HOME/briefs/YYYY-MM-DD.html (charts, drivers, evidence and data health on one self-contained page),
    .md and .png (the main chart) for each day with documents, and briefs/index.html listing the days."""
    first, last = window_dates(*context.partition_time_window)
    folder = georisk_home.paths.briefs
    with duckdb.get_connection() as con:
        markdown = write_briefs(con, folder, first, last)
        pages = write_html_briefs(con, folder, first, last, max_pages=HTML_PAGES_PER_RUN)
    latest = pages[-1] if pages else None
    png = latest.with_suffix(".png") if latest else None
    # A run over many days records these metadata once per day: the image itself only for a one-day run (the
    # daily schedule's), else the event log would hold a copy of the same chart for every day of a backfill.
    chart = (MetadataValue.md(chart_markdown(png)) if png and first == last
             else f"one-day runs show the chart here; this run's latest is {png}" if png else "none")
    return MaterializeResult(metadata={
        "briefs_written": len(pages),
        "markdown_briefs_written": len(markdown),
        "latest_brief": MetadataValue.path(str(latest)) if latest else "none",
        "index_page": MetadataValue.path(str(folder / "index.html")),
        "main_chart": chart,
        "main_chart_png": MetadataValue.path(str(png)) if png else "none",
        "latest_brief_text": MetadataValue.md(markdown[-1].read_text(encoding="utf-8")[:4000]) if markdown else "",
    })


@asset(
    deps=[parquet_feed, daily_brief],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=POOL,
    kinds={"duckdb"},
    group_name="outputs",
)
def analyst_copy(context: AssetExecutionContext, georisk_home: GeoriskHome):
    """A consistent copy of the warehouse that analysts open read-only, replaced atomically after each run."""
    size = publish_copy(georisk_home.paths.warehouse, georisk_home.paths.published)
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(georisk_home.paths.published)), "size_bytes": size,
    })


def _md(frame) -> str:
    if frame.height == 0:
        return "(no days in this window)"
    cols = frame.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v).replace("|", "/")[:120] for v in row) + " |")
    return "\n".join(lines)
