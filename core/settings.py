"""Where a run keeps its state: everything lives under one GEORISK_HOME, so two homes never share anything."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import GeoriskError

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO_ROOT / "sample_corpus"
DBT_PROJECT_DIR = REPO_ROOT / "dbt"

# The earliest day the daily partitions cover; the sample corpus and the real seed articles fall after it.
DEFAULT_START_DATE = "2000-01-01"  # early enough for archives; a document before it is a reject (stage date)


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


class SettingsError(GeoriskError):
    """A GEORISK_* variable holds a value the pipeline cannot use: one line naming the variable."""


# Every variable the pipeline reads, in one place: name -> (default, what it sets)
VARIABLES: dict[str, tuple[str, str]] = {
    "GEORISK_HOME": ("georisk_home", "where a run keeps all its state (warehouse, feed, briefs, inbox, Dagster)"),
    "GEORISK_START_DATE": (DEFAULT_START_DATE, "the first day of the daily partitions (YYYY-MM-DD)"),
    "GEORISK_SOURCES": (str(REPO_ROOT / "config" / "sources.yaml"), "the sources file"),
    "GEORISK_NETWORK": ("", "1/true/yes/on: the daily run also fetches feeds, official pages and GDELT"),
    "GEORISK_REFERENCE_DIR": (str(REPO_ROOT / "reference"), "the registers, outlets, targets and lexicons"),
    "GEORISK_SCHEDULE_HOUR_UTC": ("6", "the hour (0-23, UTC) of the morning schedule"),
}


@dataclass(frozen=True)
class Settings:
    """The pipeline's settings, typed, from one snapshot of the environment. Each value is checked when it is
    read, so that a bad schedule hour does not stop a command that never schedules anything."""

    env: dict[str, str]

    @classmethod
    def current(cls) -> Settings:
        return cls({k: v for k, v in os.environ.items() if k in VARIABLES})

    def _raw(self, name: str) -> str:
        return self.env.get(name) or VARIABLES[name][0]

    @property
    def home(self) -> Home:
        return Home(Path(self._raw("GEORISK_HOME")).resolve())

    @property
    def start_date(self) -> str:
        raw = self._raw("GEORISK_START_DATE")
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise SettingsError(f"GEORISK_START_DATE={raw!r}: not a date (YYYY-MM-DD)") from None
        return raw

    @property
    def sources(self) -> Path:
        return Path(self._raw("GEORISK_SOURCES"))

    @property
    def network(self) -> bool:
        raw = self._raw("GEORISK_NETWORK").strip().lower()
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("", "0", "false", "no", "off"):
            return False
        raise SettingsError(f"GEORISK_NETWORK={raw!r}: use 1/true/yes/on or 0/false/no/off")

    @property
    def reference_dir(self) -> Path:
        return Path(self._raw("GEORISK_REFERENCE_DIR"))

    @property
    def schedule_hour_utc(self) -> int:
        raw = self._raw("GEORISK_SCHEDULE_HOUR_UTC")
        if not raw.strip().isdigit() or not 0 <= int(raw) <= 23:
            raise SettingsError(f"GEORISK_SCHEDULE_HOUR_UTC={raw!r}: not an hour from 0 to 23")
        return int(raw)


def home() -> Home:
    """The GEORISK_HOME of this process (default ./georisk_home under the working directory)."""
    return Settings.current().home


def start_date() -> str:
    return Settings.current().start_date
