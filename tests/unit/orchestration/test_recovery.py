"""Runs left unfinished by a killed process: a real instance in a temporary home, real processes, no mocks.

The run that holds the pool slot is written into the instance the way Dagster writes one (a STARTED run, the
pool's limit from the home's dagster.yaml, a claimed slot), with the pid of a process that has exited or is alive.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import uuid

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    job,
    logger,
    op,
)
from dagster._core.events import EngineEventData  # what Dagster's executor records its pid with

from core.errors import GeoriskError
from core.settings import Home
from georisk.runner import prepare_dagster_home
from orchestration import recovery

POOL = "duckdb_writer"


@pytest.fixture
def home(tmp_path):
    h = Home(tmp_path / "home").ensure()
    prepare_dagster_home(h)
    return h


@pytest.fixture
def instance(home):
    with DagsterInstance.from_config(str(home.dagster_home)) as inst:
        yield inst


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # exited and reaped: nothing runs under this pid any more
    return proc.pid


def _run(instance, tags=None, status=DagsterRunStatus.STARTED) -> DagsterRun:
    run = DagsterRun(job_name="daily_pipeline", run_id=str(uuid.uuid4()), status=status, tags=tags or {})
    return instance.add_run(run)


def _claim(instance, run, step="georisk_dbt_assets") -> bool:
    """What Dagster's executor does when a step of the pool starts: the pool's limit, then a claim."""
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(POOL)
    return storage.claim_concurrency_slot(POOL, run.run_id, step).is_claimed


def _slot(instance):
    return instance.event_log_storage.get_concurrency_info(POOL)


def _holders(instance) -> set[str]:
    info = _slot(instance)
    return {s.run_id for s in info.claimed_slots} | {p.run_id for p in info.pending_steps}


def _record_pid_as_dagster_does(instance, run, pid) -> None:
    """The engine event Dagster's in-process executor (and its run worker) writes with its pid."""
    instance.report_engine_event(f"Executing steps in process (pid: {pid})", run, EngineEventData.in_process(pid))


def _failure_message(instance, run_id) -> str:
    (entry,) = instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE)
    return entry.dagster_event.message


def test_a_dead_runs_slot_is_freed_and_the_run_failed(instance, home):
    gone = _dead_pid()
    holder = _run(instance, {recovery.PID_TAG: str(gone), recovery.HOST_TAG: "this-host-or-another"})
    assert _claim(instance, holder)
    waiting = _run(instance)  # a second killed run, waiting in the queue for the slot; Dagster recorded its pid
    _record_pid_as_dagster_does(instance, waiting, gone)
    assert not _claim(instance, waiting, "raw_documents")
    assert _slot(instance).slot_count == 1  # the limit of the home's dagster.yaml
    assert _holders(instance) == {holder.run_id, waiting.run_id}
    lines = []
    with recovery.exclusive_run(instance, home, notice=lines.append) as recovered:
        assert {r.run_id for r in recovered} == {holder.run_id, waiting.run_id}
    for run in (holder, waiting):
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE
        assert f"recovered an abandoned run {run.run_id[:8]} (process {gone} gone)" in lines
    assert _failure_message(instance, waiting.run_id) == f"run abandoned: its process {gone} is gone"
    assert "run abandoned: its process" in _failure_message(instance, holder.run_id)
    info = _slot(instance)
    assert info.slot_count == 1 and not info.claimed_slots and not info.pending_steps
    # the slot is usable again: the next run's step gets it at once
    nxt = _run(instance)
    assert instance.event_log_storage.claim_concurrency_slot(POOL, nxt.run_id, "raw_documents").is_claimed
    assert len(lines) == 2


LIVE_OWNER = """
import json, sys, time
from core.settings import Home
from orchestration.recovery import owner_tags, run_lock
with run_lock(Home(__import__("pathlib").Path(sys.argv[1]))):
    print(json.dumps(owner_tags()), flush=True)
    time.sleep(120)
"""


def test_a_live_run_is_left_alone_and_the_new_run_stops_at_once(instance, home):
    # another georisk process runs in this home: it holds the run lock and owns a run that holds the slot
    proc = subprocess.Popen([sys.executable, "-c", LIVE_OWNER, str(home.root)], stdout=subprocess.PIPE, text=True)
    try:
        tags = json.loads(proc.stdout.readline())
        assert tags[recovery.PID_TAG] == str(proc.pid)
        live = _run(instance, tags)
        _claim(instance, live)
        started = time.monotonic()
        with pytest.raises(GeoriskError) as e, recovery.exclusive_run(instance, home, notice=print):
            pytest.fail("the new run must not start")
        assert str(e.value) == f"another run is in progress in {home.root} (pid {proc.pid})"
        assert time.monotonic() - started < 5
        # the same without the lock (a run launched by the UI, whose pid Dagster recorded): left alone too
        with pytest.raises(GeoriskError, match=rf"another run is in progress in .* \(pid {proc.pid}\)"):
            recovery.recover_abandoned_runs(instance, home, notice=print)
        assert instance.get_run_by_id(live.run_id).status == DagsterRunStatus.STARTED
        assert _holders(instance) == {live.run_id}
    finally:
        proc.kill()
        proc.wait()
    # once its process is gone, the same run is abandoned
    lines = []
    with recovery.exclusive_run(instance, home, notice=lines.append):
        pass
    assert lines == [f"recovered an abandoned run {live.run_id[:8]} (process {proc.pid} gone)"]
    assert instance.get_run_by_id(live.run_id).status == DagsterRunStatus.FAILURE
    assert not _holders(instance)


def test_a_live_process_recorded_by_dagster_is_left_alone(instance, home):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        time.sleep(0.2)
        run = _run(instance)
        _record_pid_as_dagster_does(instance, run, proc.pid)
        _claim(instance, run)
        with pytest.raises(GeoriskError, match=rf"another run is in progress in .* \(pid {proc.pid}\)"), \
                recovery.exclusive_run(instance, home, notice=print):
            pass
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED
        assert _holders(instance) == {run.run_id}
    finally:
        proc.kill()
        proc.wait()


def test_a_reused_pid_does_not_keep_a_run_alive(instance, home):
    # the pid is alive, but that process started long after the run's process did: the pid was reused
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        run = _run(instance, {recovery.PID_TAG: str(proc.pid), recovery.PROCESS_STARTED_TAG: "1000000000.00"})
        _claim(instance, run)
        lines = []
        with recovery.exclusive_run(instance, home, notice=lines.append):
            pass
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE
        assert not _holders(instance)
    finally:
        proc.kill()
        proc.wait()


def test_runs_without_a_known_process_and_finished_runs_are_not_touched(instance, home):
    created = _run(instance, status=DagsterRunStatus.NOT_STARTED)  # created, not launched: no process yet
    unknown = _run(instance)  # started elsewhere, no pid recorded (and no slot held): nothing to go by
    done = _run(instance, status=DagsterRunStatus.SUCCESS)
    with recovery.exclusive_run(instance, home, notice=print) as recovered:
        assert recovered == []
    assert instance.get_run_by_id(created.run_id).status == DagsterRunStatus.NOT_STARTED
    assert instance.get_run_by_id(unknown.run_id).status == DagsterRunStatus.STARTED
    assert instance.get_run_by_id(done.run_id).status == DagsterRunStatus.SUCCESS


def test_slots_of_finished_or_deleted_runs_are_freed(instance):
    failed = _run(instance)
    _claim(instance, failed)
    instance.report_run_failed(failed, message="marked failed in the UI")  # the slot stays claimed
    assert _holders(instance) == {failed.run_id}
    assert recovery.free_orphaned_slots(instance) == [failed.run_id]
    ghost = str(uuid.uuid4())  # a run deleted from the history while it held the slot
    assert instance.event_log_storage.claim_concurrency_slot(POOL, ghost, "raw_documents").is_claimed
    assert recovery.free_orphaned_slots(instance) == [ghost]
    assert not _holders(instance)


HOLD_WAREHOUSE = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_leftover_writer_is_waited_for_and_named_once(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", HOLD_WAREHOUSE, str(warehouse), "2"], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "holding"
        assert recovery.warehouse_holder(warehouse) == proc.pid
        lines = []
        recovery.wait_for_warehouse(warehouse, notice=lines.append, timeout=60, poll=0.1)
        assert len(lines) == 1 and lines[0].startswith(f"waiting for process {proc.pid} (")
        assert recovery.warehouse_holder(warehouse) is None
    finally:
        proc.kill()
        proc.wait()
    proc = subprocess.Popen([sys.executable, "-c", HOLD_WAREHOUSE, str(warehouse), "60"], stdout=subprocess.PIPE,
                            text=True)
    try:
        proc.stdout.readline()
        with pytest.raises(GeoriskError, match=f"still held by process {proc.pid}"):
            recovery.wait_for_warehouse(warehouse, notice=lambda s: None, timeout=0.5, poll=0.1)
    finally:
        proc.kill()
        proc.wait()


def test_a_step_waiting_for_the_pool_says_so_once(instance):
    holder = _run(instance)  # another run holds the only slot
    _claim(instance, holder)
    reports = []

    def report(line):
        reports.append(line)
        instance.event_log_storage.free_concurrency_slots_for_run(holder.run_id)  # ... and then lets it go

    @logger
    def progress(_init_context):
        log = logging.getLogger("test.pool_wait")
        log.handlers = [recovery.PoolWaitReport(report)]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        return log

    @op(pool=POOL)
    def writer():
        return 1

    @job(logger_defs={"progress": progress})
    def one_writer():
        writer()

    result = one_writer.execute_in_process(instance=instance, run_config={"loggers": {"progress": {}}})
    assert result.success
    assert reports == [f"writer waits for a slot of pool {POOL}: another run holds it"]
