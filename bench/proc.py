"""One `georisk` command as a benchmark step: a subprocess in its own home, timed, with its peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GEORISK = str(Path(sys.executable).parent / "georisk")


def georisk(home: Path, *args: str) -> dict:
    """`georisk ARGS` with nothing set but GEORISK_HOME and PATH: wall seconds and peak resident MB (of it and
    the processes it waited for, such as dbt); one line and exit on failure."""
    env = {"GEORISK_HOME": str(home), "PATH": str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin"}
    with tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([GEORISK, *args], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not the sum of every child so far
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
    if proc.returncode != 0:
        raise SystemExit(f"georisk {' '.join(args)} failed in {home}: {lines[-1] if lines else 'no output'}")
    return {"seconds": round(seconds, 1), "peak_mb": round(usage.ru_maxrss / 1024)}
