"""Running the Dagster job from the command line: the same definitions and instance the UI shows."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from core.atomic import atomic_write_text
from core.errors import GeoriskError
from core.settings import DBT_PROJECT_DIR, Home

DAGSTER_YAML = """\
# Written by georisk (rewritten when georisk's settings change). Run history and event logs persist here.
telemetry:
  enabled: false
concurrency:
  pools:
    # Every DuckDB-writing asset is in the pool "duckdb_writer": one at a time across all runs.
    default_limit: 1
# Dagster's default SQLite storage in its default folders, with an event log that writes a run's per-day events in
# batches (orchestration/event_log.py): a run over years of days would otherwise spend minutes on bookkeeping.
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: {history}
event_log_storage:
  module: orchestration.event_log
  class: BatchedSqliteEventLogStorage
  config:
    base_dir: {runs}
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: {schedules}
"""
_WRITTEN_BY = "# Written by georisk"


def prepare_dagster_home(home: Home) -> Path:
    """DAGSTER_HOME under GEORISK_HOME, with its dagster.yaml (the instance is opened from it by path). A file
    georisk wrote earlier is brought up to date; one written by the operator is left alone."""
    home.ensure()
    cfg = home.dagster_home / "dagster.yaml"
    root = home.dagster_home.resolve()
    for folder in (root / "history" / "runs", root / "schedules"):  # Dagster's SQLite storages expect them
        folder.mkdir(parents=True, exist_ok=True)
    text = DAGSTER_YAML.format(history=json.dumps(str(root / "history")),
                               runs=json.dumps(str(root / "history" / "runs")),
                               schedules=json.dumps(str(root / "schedules")))
    old = cfg.read_text(encoding="utf-8") if cfg.exists() else None
    if old is None or (old.startswith(_WRITTEN_BY) and old != text):
        atomic_write_text(cfg, text)
    return home.dagster_home


def ensure_dbt_manifest(force: bool = False) -> Path:
    """Build dbt/target/manifest.json when it is missing: Dagster reads it when the definitions load."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists() and not force and not _dbt_sources_newer_than(manifest):
        return manifest
    from orchestration.resources import dbt_executable

    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.run([dbt_executable(), "parse", "--quiet"], cwd=DBT_PROJECT_DIR,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not manifest.exists():
        detail = (proc.stdout + proc.stderr).strip().splitlines()
        raise GeoriskError(f"dbt parse failed in {DBT_PROJECT_DIR}: {detail[-1] if detail else 'no output'}")
    return manifest


def _dbt_sources_newer_than(manifest: Path) -> bool:
    built = manifest.stat().st_mtime
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    # stat() follows the seed links into reference/, so an edited register counts too
    return any(p.exists() and p.stat().st_mtime > built for p in files)


def clean_dbt_run_dirs(home: Home | None = None) -> None:
    """Prune a home's dbt invocation folders (GEORISK_HOME/dbt/target/<invocation>) to the latest few; the dbt
    resource already does so before each invocation. Never the repo's dbt/target: runs no longer write there,
    and removing a folder from it pulled it out from under another home's running dbt (issue 11)."""
    if home is None:
        return
    from orchestration.resources import dbt_target_root, stale_dbt_invocations

    for stale in stale_dbt_invocations(dbt_target_root(home)):
        shutil.rmtree(stale, ignore_errors=True)


def days_with_documents(home: Home) -> list[date]:
    """Every day that has documents: stored in the warehouse or waiting in the drop folder."""
    from ingestion.files import read_path
    from ingestion.models import Document

    days: set[date] = set()
    if home.warehouse.exists():
        try:
            con = duckdb.connect(str(home.warehouse), read_only=True)
        except duckdb.IOException as e:  # a writer holds it: the dbt of a run killed a moment ago, say
            raise GeoriskError(f"the warehouse {home.warehouse} is in use by another process; try again when it "
                               f"ends ({str(e).splitlines()[0][:160]})") from None
        with con:
            if con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                           "and table_name = 'documents'").fetchone()[0]:
                days.update(r[0] for r in con.execute("select distinct published_date from raw.documents").fetchall())
    if home.inbox.exists():
        days.update(i.published_date for i in read_path(home.inbox) if isinstance(i, Document))
    return sorted(days)


class _StepProgress(logging.Handler):
    """Reports each step's start and end to a callback, from Dagster's structured events."""

    def __init__(self, report: Callable[[str], None]):
        super().__init__(level=logging.DEBUG)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            return
        kind = getattr(event, "event_type_value", "")
        if kind in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
            self.report(f"{kind.lower().replace('_', ' ')}: {event.step_key}")


def run_daily_job(home: Home, first: date, last: date, report: Callable[[str], None] = lambda s: None):
    """One run of the daily job over [first, last] (a single-run backfill), recorded in DAGSTER_HOME."""
    dagster_home = prepare_dagster_home(home)
    ensure_dbt_manifest()
    from dagster import DagsterInstance, logger

    from orchestration.definitions import DAILY_JOB, build_definitions
    from orchestration.partitions import partition_range_tags
    from orchestration.recovery import PoolWaitReport, exclusive_run, owner_tags

    @logger
    def progress_logger(_init_context):
        log = logging.getLogger("georisk.progress")
        log.handlers = [_StepProgress(report), PoolWaitReport(report)]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        return log

    job = build_definitions(home).resolve_job_def(DAILY_JOB).with_logger_defs({"progress": progress_logger})
    log_path = home.root / "logs" / "last_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's own log lines are echoed on stdout: keep them in a file, the terminal shows progress only.
    # exclusive_run: one run per home; a run left unfinished by a killed process is failed and its slots freed
    with DagsterInstance.from_config(str(dagster_home)) as instance, exclusive_run(instance, home), \
            open(log_path, "w", encoding="utf-8") as log_file, contextlib.redirect_stdout(log_file):
        result = job.execute_in_process(
            instance=instance, tags={**partition_range_tags(first, last), **owner_tags()}, raise_on_error=False,
            run_config={"loggers": {"progress": {}}},
        )
    clean_dbt_run_dirs(home)
    if not result.success:
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        where = failures[0].step_key if failures else "the run"
        msg = ""
        if failures and failures[0].step_failure_data and failures[0].step_failure_data.error:
            error = failures[0].step_failure_data.error
            while error.cause is not None:  # Dagster wraps the user's exception: report the root
                error = error.cause
            lines = [ln.strip() for ln in error.message.strip().splitlines() if ln.strip()]
            msg = lines[0] if lines else ""
            if "Errors parsed from dbt logs:" in lines:  # dbt's own first error says what failed and where
                after = lines[lines.index("Errors parsed from dbt logs:") + 1:]
                msg = f"dbt: {after[0]}" if after else msg
        raise GeoriskError(f"materialisation failed in {where}: {msg or 'see the run ' + result.run_id + ' in the UI'}")
    return result
