"""One day from every enabled source: what the daily ingestion runs.

Each source runs on its own: an unexpected exception in one becomes a Reject (stage "adapter") and the others
go on. The output is sorted by source id, then URL (or path), so a re-run of the same day writes the same rows
in the same order."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..collect import collect_drop_folder
from ..fetch_api import Fetcher
from ..models import NO_BACKLOG, Backlog, Document, Reject
from .config import SourceConfig, SourcesConfig
from .feeds import adapter_reject, collect_feed
from .gdelt import collect_gdelt
from .official import collect_official
from .telegram import collect_telegram

log = logging.getLogger(__name__)

Item = Document | Reject


@dataclass
class SourceSummary:
    source_id: str
    kind: str
    documents: int = 0
    rejects: int = 0
    notes: list[str] = field(default_factory=list)
    failed: str | None = None  # the one-line reason when the adapter itself crashed
    seconds: float = 0.0


@dataclass
class CollectReport:
    day: date
    items: list[Item]
    sources: dict[str, SourceSummary]

    @property
    def documents(self) -> list[Document]:
        return [i for i in self.items if isinstance(i, Document)]

    @property
    def rejects(self) -> list[Reject]:
        return [i for i in self.items if isinstance(i, Reject)]

    @property
    def notes(self) -> list[str]:
        return [n for s in self.sources.values() for n in s.notes]


def _drop_folder(source: SourceConfig, day: date, fetcher: Fetcher, home_root: Path, config: SourcesConfig,
                 notes: list[str], last: date | None = None) -> list[Item]:
    items = collect_drop_folder(source.resolved_path(home_root), day, last or day)
    for it in items:
        if isinstance(it, Document) and it.source_id is None:
            it.source_id = source.id
        elif isinstance(it, Reject):
            it.source = source.id
    return items


Adapter = Callable[..., list[Item]]

ADAPTERS: dict[str, Adapter] = {
    "rss": lambda s, d, f, h, c, n, last, backlog: collect_feed(s, d, f, config=c, notes=n, last=last, backlog=backlog),
    "official": lambda s, d, f, h, c, n, last, backlog: collect_official(s, d, f, config=c, notes=n, last=last,
                                                                       backlog=backlog),
    "gdelt": lambda s, d, f, h, c, n, last, backlog: collect_gdelt(s, d, f, config=c, notes=n),
    "telegram_export": lambda s, d, f, h, c, n, last, backlog: collect_telegram(s, d, h, config=c, notes=n,
                                                                                last=last),
    "drop_folder": lambda s, d, f, h, c, n, last, backlog: _drop_folder(s, d, f, h, c, n, last),
}
# Sources whose one answer covers many days: a window of days reads them once (a feed fetched once per day
# would answer 304 from the second day on, and that day's items would never be read; an export read once per
# day makes a backfill of years cost years of reads). GDELT is asked day by day.
WINDOW_KINDS = frozenset({"rss", "official", "drop_folder", "telegram_export"})


def collect_source(source: SourceConfig, config: SourcesConfig, day: date, fetcher: Fetcher, home_root: Path,
                   last: date | None = None, backlog: Backlog = NO_BACKLOG
                   ) -> tuple[list[Item], SourceSummary]:
    """One source's items for `day` (or the window [day, last], for WINDOW_KINDS); never raises."""
    summary = SourceSummary(source.id, source.kind)
    started = time.monotonic()
    try:
        items = list(ADAPTERS[source.kind](source, day, fetcher, Path(home_root), config, summary.notes, last, backlog))
    except Exception as e:  # noqa: BLE001 - one broken source never stops the others
        log.exception("source %s failed", source.id)
        rej = adapter_reject(source.id, source.url or source.path or source.id, e)
        summary.failed = rej.reason
        items = [rej]
    summary.seconds = round(time.monotonic() - started, 3)
    summary.documents = sum(isinstance(i, Document) for i in items)
    summary.rejects = len(items) - summary.documents
    return items, summary


def sort_key(source_id: str, item: Item) -> tuple:
    if isinstance(item, Document):
        return (source_id, item.url or item.source_path or "", 0, item.source_path or "", -1, item.doc_id, "")
    return (source_id, item.source_path or "", 1, item.source_path or "",
            item.line_number if item.line_number is not None else -1, item.stage, item.reason)


def collect_day_report(config: SourcesConfig, day: date, fetcher: Fetcher, home_root: Path,
                       kinds: set[str] | None = None, workers: int | None = None,
                       last: date | None = None, backlog: Backlog = NO_BACKLOG) -> CollectReport:
    """Every enabled source (of `kinds`, when given) for `day`, with a summary per source. With `last`, the
    sources of WINDOW_KINDS read the window [day, last] and the others `day` only. `backlog`: items of earlier
    days the feeds and listings still show and the warehouse still lacks (see models.Backlog).

    `workers` (default network.source_workers) sources run at once; the fetcher must then be thread-safe.
    The order of the output does not depend on it."""
    sources = sorted(config.enabled(kinds), key=lambda s: s.id)
    workers = max(1, workers if workers is not None else config.network.source_workers)
    if workers == 1 or len(sources) <= 1:
        results = [collect_source(s, config, day, fetcher, home_root, last, backlog) for s in sources]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(sources)), thread_name_prefix="source") as pool:
            results = list(pool.map(lambda s: collect_source(s, config, day, fetcher, home_root, last, backlog), sources))
    keyed = [(sort_key(s.id, it), it) for s, (items, _) in zip(sources, results, strict=True) for it in items]
    keyed.sort(key=lambda p: p[0])
    return CollectReport(day=day, items=[it for _, it in keyed],
                         sources={s.id: summary for s, (_, summary) in zip(sources, results, strict=True)})


def collect_day(config: SourcesConfig, day: date, fetcher: Fetcher, home_root: Path,
                kinds: set[str] | None = None) -> list[Document | Reject]:
    """Documents and Rejects of every enabled source (of `kinds`, when given) for `day`, sorted by source id
    then URL. Sources run one after another; see collect_day_report for the per-source summary."""
    return collect_day_report(config, day, fetcher, home_root, kinds, workers=1).items
