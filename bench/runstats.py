"""What a home's latest Dagster run spent per step: seconds from Dagster's own step stats, peak memory from
samples taken while it ran (bench.proc.georisk_sampled), and dbt's own elapsed time from its run_results.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.proc import step_peaks

DBT_STEP = "georisk_dbt_assets"


def latest_run(home: Path) -> tuple[str, dict[str, tuple[float, float]]]:
    """(run id, {step key: (unix start, unix end)}) of the home's latest run."""
    from dagster import DagsterInstance

    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    with DagsterInstance.get() as instance:
        (run,) = instance.get_runs(limit=1)
        return run.run_id, {s.step_key: (s.start_time, s.end_time)
                            for s in instance.get_run_step_stats(run.run_id) if s.end_time and s.start_time}


def dbt_elapsed(home: Path, run_id: str) -> float | None:
    """dbt's own wall time for the run's `dbt build` (without Dagster's handling of its events), or None."""
    found = sorted((home / "dbt" / "target").glob(f"*-{run_id[:8]}-*/run_results.json"))
    if not found:
        return None
    return round(json.loads(found[-1].read_text(encoding="utf-8"))["elapsed_time"], 1)


def run_profile(home: Path, samples: list[tuple[float, float, float]]) -> dict[str, dict]:
    """Per step of the latest run: seconds, peak_mb, child_peak_mb; the dbt step also dbt_elapsed_seconds."""
    run_id, steps = latest_run(home)
    profile = step_peaks(steps, samples)
    if DBT_STEP in profile:
        profile[DBT_STEP]["dbt_elapsed_seconds"] = dbt_elapsed(home, run_id)
    return profile
