"""`georisk materialize` killed with SIGKILL while it holds the pool slot, then run again (issue 11).

Before the fix the second run waited for the dead run's `duckdb_writer` slot for ever (at full CPU, deaf to
SIGTERM); now it fails the dead run, frees the slot and ends with the same warehouse as an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_CORPUS
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from pipeline_helpers import TABLES

from georisk.runner import days_with_documents, prepare_dagster_home

GEORISK = str(Path(sys.executable).parent / "georisk")
POOL = "duckdb_writer"
DBT_STEP = "georisk_dbt_assets"
RUN_TIMEOUT_S = 480  # an uninterrupted run takes about 2 minutes on 2 busy cores


def _counts(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def _wait_for(what, check, proc, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert proc.poll() is None, f"materialize ended (rc {proc.returncode}) before {what}"
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout} s")


@pytest.mark.slow
def test_a_run_killed_holding_the_pool_slot_does_not_wedge_the_home(tmp_path, sample_home):
    from core.settings import Home

    home = Home(tmp_path / "home").ensure()
    shutil.copytree(SAMPLE_CORPUS, home.inbox / "sample_corpus", ignore=shutil.ignore_patterns("*.md"))
    days = days_with_documents(home)
    span = ["--from", days[0].isoformat(), "--to", days[-1].isoformat()]
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(GEORISK_HOME=str(home.root), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    log = tmp_path / "first.log"

    with DagsterInstance.from_config(str(prepare_dagster_home(home))) as instance, log.open("wb") as out:
        storage = instance.event_log_storage
        # its own session, so that whatever the killed run leaves (its dbt child) can be cleaned up at the end
        first = subprocess.Popen([GEORISK, "materialize", *span], env=env, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            def dbt_holds_the_slot():
                return next((s.run_id for s in storage.get_concurrency_info(POOL).claimed_slots
                             if s.step_key == DBT_STEP), None)

            run_id = _wait_for("dbt step holding the pool slot", dbt_holds_the_slot, first)

            # a second materialize meanwhile stops at once with one line, and leaves the running one alone
            started = time.monotonic()
            second = subprocess.run([GEORISK, "materialize", *span], env=env, capture_output=True, text=True,
                                    timeout=120)
            assert second.returncode == 2, second.stderr
            assert second.stderr.strip() == f"error: another run is in progress in {home.root} (pid {first.pid})"
            print(f"concurrent run refused in {time.monotonic() - started:.1f} s")
            assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED

            _wait_for("slot held by the first run",
                      lambda: any(s.run_id == run_id for s in storage.get_concurrency_info(POOL).claimed_slots),
                      first)
            first.kill()  # SIGKILL: no handler, no cleanup, the run stays STARTED holding the slot
            first.wait()
            assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED
            assert any(s.run_id == run_id for s in storage.get_concurrency_info(POOL).claimed_slots)

            started = time.monotonic()
            again = subprocess.run([GEORISK, "materialize", *span], env=env, capture_output=True, text=True,
                                   timeout=RUN_TIMEOUT_S)
            took = time.monotonic() - started
            print(f"run after the kill: {took:.0f} s\n{again.stderr}")
            assert again.returncode == 0, again.stderr
            assert f"recovered an abandoned run {run_id[:8]} (process {first.pid} gone)" in again.stderr
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(first.pid, signal.SIGKILL)  # the killed run's leftovers, if any, go too
            first.wait()

        killed = instance.get_run_by_id(run_id)
        assert killed.status == DagsterRunStatus.FAILURE
        (failure,) = instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE)
        assert failure.dagster_event.message == f"run abandoned: its process {first.pid} is gone"
        runs = instance.get_runs()
        assert [r.status for r in runs] == [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE]
        info = storage.get_concurrency_info(POOL)
        assert not info.claimed_slots and not info.pending_steps

    # the same warehouse as an uninterrupted run of the same documents
    assert _counts(home.warehouse) == _counts(sample_home.warehouse)
