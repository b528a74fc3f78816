"""One window of days from every configured source into the warehouse: what the daily asset and
`georisk ingest --date` run. Network sources are opt-in, so that offline runs never wait on timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain
from pathlib import Path

import duckdb

from core.settings import Settings

from .bulk import store_in_batches
from .collect import iter_drop_folder
from .fetch_api import FetchError
from .http import MemoryValidatorStore, PoliteClient
from .models import Document, Reject
from .sources.collect import WINDOW_KINDS, SourceSummary, collect_day_report
from .sources.config import SourcesConfig, load_config
from .store import (
    StoreResult,
    backlog,
    ensure_schema,
    load_drop_spans,
    load_validators,
    save_drop_spans,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
NETWORK_KINDS = frozenset({"rss", "official", "gdelt"})
LOCAL_KINDS = frozenset({"telegram_export"})  # the drop folder is read once per window, below


def sources_config_path() -> Path:
    """config/sources.yaml, or the file GEORISK_SOURCES names (tests point it at a loopback config)."""
    return Settings.current().sources


def network_default() -> bool:
    return Settings.current().network


class _Offline:
    """The fetcher of an offline run: any network source that slips through is a clear reject, not a hang."""

    def get(self, url: str, **_kw):
        raise FetchError(url, "policy", "network collection is off for this run (GEORISK_NETWORK / --network)")


@dataclass
class IngestReport:
    result: StoreResult
    sources: dict[str, SourceSummary] = field(default_factory=dict)


def ingest_window(con: duckdb.DuckDBPyConnection, home_root: Path, first: date, last: date, *,
                  network: bool, config: SourcesConfig | None = None) -> IngestReport:
    """Collect [first, last] from the drop folder, Telegram exports and (when `network`) the feeds, official
    pages and GDELT, and store it with the HTTP validators it learnt (ingestion.bulk: whole days at a time, in
    memory one batch; a day's run is one transaction), so that a run killed midway leaves only whole days and
    its re-run fetches everything again (the validators are written with the last batch)."""
    ensure_schema(con)
    config = config or load_config(sources_config_path())
    validators = MemoryValidatorStore()
    for url, (etag, modified) in load_validators(con, before=first).items():
        validators.put(url, etag, modified)
    validators.updated.clear()  # only what this run learns is written back, with this window's last day
    kinds = set(LOCAL_KINDS) | (set(NETWORK_KINDS) if network else set())
    items: list[Document | Reject] = []
    summaries: dict[str, SourceSummary] = {}
    with (PoliteClient(config.client_policy(), store=validators) if network else nullcontext(_Offline())) as fetcher:
        # Feeds and listings once for the whole window, then the sources that are asked day by day.
        reports = [collect_day_report(config, first, fetcher, home_root, kinds=kinds & WINDOW_KINDS, last=last,
                                      backlog=backlog(con, first))]
        day = first
        while day <= last:
            reports.append(collect_day_report(config, day, fetcher, home_root, kinds=kinds - WINDOW_KINDS))
            day += timedelta(days=1)
        for report in reports:
            items += report.items
            for sid, summary in report.sources.items():
                total = summaries.setdefault(sid, SourceSummary(sid, summary.kind))
                total.documents += summary.documents
                total.rejects += summary.rejects
                total.notes += summary.notes
                total.failed = total.failed or summary.failed
                total.seconds += summary.seconds
    drop = next((s for s in config.enabled({"drop_folder"})), None)
    spans = load_drop_spans(con) if drop is not None else {}

    def dropped() -> Iterator[Document | Reject]:
        """The drop folder's items for the window, read as they are stored (it may hold years of archives)."""
        summary = summaries.setdefault(drop.id, SourceSummary(drop.id, "drop_folder"))
        for item in iter_drop_folder(drop.resolved_path(home_root), first, last, spans):
            if isinstance(item, Document):
                item.source_id = drop.id
                summary.documents += 1
            else:
                summary.rejects += 1
            yield item

    result = store_in_batches(con, chain(dropped() if drop is not None else (), items), validators=validators,
                              kept_through=last)
    if drop is not None:
        save_drop_spans(con, spans)
    return IngestReport(result, dict(sorted(summaries.items())))
