"""Before a run starts in a home: one run at a time, and nothing left behind by a killed one.

A run killed with SIGKILL (or a machine that lost power) stays STARTED in the instance for ever and keeps the
only slot of the pool ``duckdb_writer``; every later run would wait for that slot without end. So a run is started
inside :func:`exclusive_run`, which

- takes the home's run lock (``DAGSTER_HOME/georisk-run.lock``, an ``flock`` the kernel drops when the process
  dies, however it dies): while another process holds it, the new run stops at once with one line naming it;
- fails every unfinished run of the instance whose process is gone (the pid is the run's ``georisk/pid`` tag, set
  by :func:`owner_tags` when the run is launched, or else the one Dagster records in the run's engine events),
  and frees its pool slots and pending steps; a run whose process is still alive is left alone and the new run
  stops with one line instead of waiting behind it;
- frees the slots still held by runs that have finished or no longer exist;
- after a recovery, waits (a bounded time, said once) for a process that still holds the warehouse: the dbt
  child of the killed run outlives it by a few seconds.

:class:`PoolWaitReport` says once when a step waits for a pool slot, so that a wait is never silent.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from core.errors import GeoriskError
from core.settings import Home

PID_TAG = "georisk/pid"
HOST_TAG = "georisk/host"
PROCESS_STARTED_TAG = "georisk/process_started"
LOCK_FILE = "georisk-run.lock"

# Unfinished runs that may have a process behind them. SUSPENDED runs have no worker and hold no slot.
UNFINISHED = [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.QUEUED, DagsterRunStatus.STARTING,
              DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
# A pid seen alive is the run's process only if that process started before the pid was recorded (else the pid
# was reused); the margin absorbs clock granularity.
CLOCK_MARGIN_S = 5.0
# How long a new run waits for a leftover of a recovered run (its dbt child) to let go of the warehouse.
LEFTOVER_WAIT_S = 600.0


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- processes -----------------------------------------------------------------------------------------------


def _process_started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), from /proc; None where /proc cannot say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        btime = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                     if line.startswith("btime "))
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": field 3 (state) is fields[0]
    return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie is not: it has exited and only waits to be reaped)."""
    if pid <= 0:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X", "x")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _command(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    words = [Path(a.decode(errors="replace")).name if i == 0 else a.decode(errors="replace")
             for i, a in enumerate(args) if a]
    text = " ".join(words)
    return text if len(text) <= 60 else text[:57] + "..."


def owner_tags() -> dict[str, str]:
    """Run tags naming this process as the run's owner: set them on every run this process executes."""
    tags = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    started = _process_started(os.getpid())
    if started is not None:
        tags[PROCESS_STARTED_TAG] = f"{started:.2f}"
    return tags


@dataclass(frozen=True)
class Owner:
    """The process that executes a run, as recorded in the instance."""

    pid: int
    host: str | None  # None: not recorded (then it is this machine: Dagster's run workers run beside the instance)
    started: float | None  # when the process started, if recorded (our tag)
    recorded_at: float | None  # when Dagster recorded the pid (its engine event)

    def describe(self) -> str:
        return f"{self.pid} on {self.host}" if self.host and self.host != socket.gethostname() else str(self.pid)


def run_owner(instance: DagsterInstance, run) -> Owner | None:
    """The run's process: our tags, else the pid of the latest run-level engine event that records one."""
    tags = run.tags
    if PID_TAG in tags:
        with contextlib.suppress(ValueError):
            started = float(tags[PROCESS_STARTED_TAG]) if PROCESS_STARTED_TAG in tags else None
            return Owner(int(tags[PID_TAG]), tags.get(HOST_TAG), started, None)
    owner = None
    for entry in instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT):
        event = entry.dagster_event
        data = event.event_specific_data if event else None
        metadata = getattr(data, "metadata", None) or {}
        if entry.step_key is None and "pid" in metadata:
            with contextlib.suppress(TypeError, ValueError):
                value = metadata["pid"]
                owner = Owner(int(getattr(value, "value", value)), None, None, entry.timestamp)
    return owner


def owner_alive(owner: Owner) -> bool:
    """Whether the run's process still runs on this machine (a pid reused by a later process does not count)."""
    if owner.host and owner.host != socket.gethostname():
        # Only our tag names a host. Its process held the home's run lock for the whole run, and we hold it now.
        return False
    if owner.pid == os.getpid() or not _process_alive(owner.pid):
        return False  # runs of this process are executed one after the other: an unfinished one was abandoned
    started = _process_started(owner.pid)
    if started is None:
        return True
    if owner.started is not None:
        return abs(started - owner.started) < CLOCK_MARGIN_S
    if owner.recorded_at is not None:
        return started <= owner.recorded_at + CLOCK_MARGIN_S
    return True


# --- runs and slots ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovered:
    run_id: str
    pid: int

    def line(self) -> str:
        return f"recovered an abandoned run {self.run_id[:8]} (process {self.pid} gone)"


def _fail_abandoned(instance: DagsterInstance, run, owner: Owner) -> Recovered:
    # Slots first: a crash between the two leaves an unfinished run without slots, found again next time.
    instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    instance.report_run_failed(run, message=f"run abandoned: its process {owner.describe()} is gone")
    return Recovered(run.run_id, owner.pid)


def recover_abandoned_runs(instance: DagsterInstance, home: Home,
                           notice: Callable[[str], None] = _to_stderr) -> list[Recovered]:
    """Fail the unfinished runs whose process is gone and free their slots; stop if one is still running.

    Call it while holding the home's run lock (:func:`exclusive_run` does). A run whose process cannot be known
    (queued for the daemon, or killed before Dagster recorded a pid) holds no slot and is left as it is."""
    recovered: list[Recovered] = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=UNFINISHED)):
        run = record.dagster_run
        owner = run_owner(instance, run)
        if owner is None:
            continue
        if owner_alive(owner):
            raise GeoriskError(f"another run is in progress in {home.root} (pid {owner.describe()})")
        recovered.append(_fail_abandoned(instance, run, owner))
        notice(recovered[-1].line())
    free_orphaned_slots(instance)
    return recovered


def free_orphaned_slots(instance: DagsterInstance) -> list[str]:
    """Free the pool slots and pending steps of runs that have finished or no longer exist; their run ids."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    holders = set(storage.get_concurrency_run_ids())
    for info in storage.get_concurrency_infos(sorted(storage.get_concurrency_keys())).values():
        holders.update(slot.run_id for slot in info.claimed_slots)
    freed = []
    for run_id in sorted(holders):
        run = instance.get_run_by_id(run_id)
        if run is None or run.status in FINISHED:
            storage.free_concurrency_slots_for_run(run_id)
            freed.append(run_id)
    return freed


# --- the warehouse -------------------------------------------------------------------------------------------

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in .*?\(PID (\d+)\)")


def warehouse_holder(warehouse: Path) -> int | None:
    """The pid of a process that holds the DuckDB file's lock, or None when it can be opened."""
    if not warehouse.exists():
        return None
    try:
        duckdb.connect(str(warehouse), read_only=True).close()
    except duckdb.Error as e:
        m = _LOCK_HOLDER.search(str(e))
        return int(m.group(1)) if m else None
    return None


def wait_for_warehouse(warehouse: Path, notice: Callable[[str], None] = _to_stderr,
                       timeout: float = LEFTOVER_WAIT_S, poll: float = 0.5) -> None:
    """Wait until no process holds the warehouse (saying once which one does); one line if it does not let go."""
    deadline = time.monotonic() + timeout
    told = None
    while (pid := warehouse_holder(warehouse)) is not None:
        if pid != told:
            notice(f"waiting for process {pid} ({_command(pid) or 'gone'}) to release {warehouse}")
            told = pid
        if time.monotonic() > deadline:
            raise GeoriskError(f"{warehouse} is still held by process {pid} ({_command(pid)}) after {timeout:.0f} s")
        time.sleep(poll)


# --- the whole guard -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def run_lock(home: Home) -> Iterator[None]:
    """The home's run lock, held while the block runs; one line naming the holder if another process has it."""
    path = home.dagster_home / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().split()
            pid = holder[0] if holder else "unknown"
            raise GeoriskError(f"another run is in progress in {home.root} (pid {pid})") from None
        try:
            f.truncate(0)
            f.write(f"{os.getpid()} {socket.gethostname()}\n")
            f.flush()
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def exclusive_run(instance: DagsterInstance, home: Home,
                  notice: Callable[[str], None] = _to_stderr) -> Iterator[list[Recovered]]:
    """Hold the home for one run: the run lock, abandoned runs recovered, their leftovers gone (module doc)."""
    with run_lock(home):
        recovered = recover_abandoned_runs(instance, home, notice)
        if recovered:
            wait_for_warehouse(home.warehouse, notice)
        yield recovered


class PoolWaitReport(logging.Handler):
    """Says once per step, through ``report``, that the step waits for a slot of a concurrency pool."""

    def __init__(self, report: Callable[[str], None]):
        super().__init__(level=logging.DEBUG)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is None or event.event_type_value != "ENGINE_EVENT":
            return
        metadata = getattr(event.event_specific_data, "metadata", None) or {}
        # Dagster repeats the event while the step waits ("Step still blocked ..."): only the first one counts
        if "pool" in metadata and (event.message or "").startswith("Step blocked"):
            pool = getattr(metadata["pool"], "value", metadata["pool"])
            self.report(f"{event.step_key} waits for a slot of pool {pool}: another run holds it")
