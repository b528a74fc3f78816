"""One `georisk` command as a benchmark step: a subprocess in its own home, timed, with its peak memory, and
optionally its resident memory sampled over time (to split a Dagster run's peak by step)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GEORISK = str(Path(sys.executable).parent / "georisk")
SAMPLE_EVERY = 0.1  # seconds


def georisk(home: Path, *args: str) -> dict:
    """`georisk ARGS` with nothing set but GEORISK_HOME and PATH: wall seconds, CPU seconds and peak resident MB
    (of it and the processes it waited for, such as dbt); one line and exit on failure."""
    return _run(home, args, sample=False)[0]


def georisk_sampled(home: Path, *args: str) -> tuple[dict, list[tuple[float, float, float, float]]]:
    """As `georisk`, plus (unix time, MB resident in the command's process, in all its child processes, in the
    largest of them) every SAMPLE_EVERY seconds while it runs."""
    return _run(home, args, sample=True)


def _run(home: Path, args: tuple[str, ...], sample: bool) -> tuple[dict, list]:
    env = {"GEORISK_HOME": str(home), "PATH": str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin"}
    samples: list[tuple[float, float, float, float]] = []
    stop = threading.Event()
    with tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([GEORISK, *args], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        sampler = threading.Thread(target=_sample, args=(proc.pid, samples, stop), daemon=True)
        if sample:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not the sum of every child so far
        seconds = time.perf_counter() - t0
        stop.set()
        if sample:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
    if proc.returncode != 0:
        raise SystemExit(f"georisk {' '.join(args)} failed in {home}: {lines[-1] if lines else 'no output'}")
    # CPU time of the command and of the processes it waited for (its workers): less moved than the wall time
    # by what else this shared machine runs
    return {"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_mb": round(usage.ru_maxrss / 1024)}, samples


def _sample(pid: int, samples: list, stop: threading.Event) -> None:
    while not stop.wait(SAMPLE_EVERY):
        own = status_kb(pid)
        children = [status_kb(c) for c in _descendants(pid)]
        samples.append((time.time(), own / 1024, sum(children) / 1024, max(children, default=0) / 1024))


def status_kb(pid: int, field: str = "VmRSS") -> int:
    """A process's memory figure in kB from /proc/<pid>/status: VmRSS (resident now) or VmHWM (its peak)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError):  # gone, or not Linux: counts as nothing resident
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            found += kids
            todo += kids
    return found


def step_peaks(steps: dict[str, tuple[float, float]], samples: list[tuple[float, ...]]) -> dict[str, dict]:
    """Per step (unix start, end): its seconds and the highest resident MB, over the samples taken while it ran (a
    step too short to be sampled: the samples either side of it), of the command's processes together
    (`peak_mb`) and of its largest child process (`child_peak_mb`).

    Every in-process step shares the command's one process, so a step's figure also holds what earlier steps left
    allocated: an upper bound for that step's own memory. A step that runs a child process (dbt) has that
    process's own peak in `child_peak_mb` (during every step Dagster also runs a `tail` of the step's log and a small
    Python process watching it: tens of MB together in `peak_mb`, less than dbt in `child_peak_mb`)."""
    out = {}
    for key, (start, end) in steps.items():
        window = [s for s in samples if start <= s[0] <= end]
        if not window:
            window = [s for s in samples if s[0] < start][-1:] + [s for s in samples if s[0] > end][:1]
        out[key] = {"seconds": round(end - start, 1),
                    "peak_mb": round(max(s[1] + s[2] for s in window)) if window else None,
                    "child_peak_mb": round(max(s[3] for s in window)) if window else None}
    return out


def cpu_model() -> str:
    """The processor's name, for the machine block of a benchmark's results."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
