"""Source adapters: RSS/Atom feeds, official statements, Telegram exports, GDELT discovery and the drop folder.

Adapters ask a Fetcher (ingestion/fetch_api.py) for URLs and never touch the network themselves; each returns
Documents and Rejects. `collect_day` runs every enabled source of config/sources.yaml for one day."""

from .collect import CollectReport, SourceSummary, collect_day, collect_day_report, collect_source
from .config import (
    ConfigError,
    NetworkPolicy,
    SourceConfig,
    SourcesConfig,
    host_allowed,
    load_config,
    parse_config,
)

__all__ = [
    "CollectReport", "ConfigError", "NetworkPolicy", "SourceConfig", "SourceSummary", "SourcesConfig",
    "collect_day", "collect_day_report", "collect_source", "host_allowed", "load_config", "parse_config",
]
