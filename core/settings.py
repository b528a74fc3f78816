"""Where a run keeps its state: everything lives under one GEORISK_HOME, so two homes never share anything."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO_ROOT / "sample_corpus"
DBT_PROJECT_DIR = REPO_ROOT / "dbt"

# The earliest day the daily partitions cover; the sample corpus and the real seed articles fall after it.
DEFAULT_START_DATE = "2023-01-01"


@dataclass(frozen=True)
class Home:
    root: Path

    @property
    def warehouse(self) -> Path:
        """The live DuckDB file: the pipeline's alone."""
        return self.root / "warehouse" / "georisk.duckdb"

    @property
    def published(self) -> Path:
        """The analysts' read-only copy, replaced atomically after each successful run."""
        return self.root / "published" / "georisk.duckdb"

    @property
    def feed(self) -> Path:
        return self.root / "feed"

    @property
    def briefs(self) -> Path:
        """One Markdown brief per day with documents."""
        return self.root / "briefs"

    @property
    def inbox(self) -> Path:
        """The drop folder: .txt, .html and .jsonl files put here are ingested by the daily run."""
        return self.root / "inbox"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def ensure(self) -> Home:
        for p in (self.warehouse.parent, self.published.parent, self.feed, self.briefs, self.inbox, self.dagster_home):
            p.mkdir(parents=True, exist_ok=True)
        return self


def home() -> Home:
    """The GEORISK_HOME of this process (default ./georisk_home under the working directory)."""
    return Home(Path(os.environ.get("GEORISK_HOME", "georisk_home")).resolve())


def start_date() -> str:
    return os.environ.get("GEORISK_START_DATE", DEFAULT_START_DATE)
