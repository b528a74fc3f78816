"""Headless Chromium for the browser tests: found on PATH or installed with apt-get (skipping with a one-line
reason where it cannot be), and run in its own fresh profile and process group, local only."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM_TIMEOUT = 60
APT_TIMEOUT = 600

# Every browser flag keeps Chromium quiet and local: no first-run, sync, update or background traffic, no proxy,
# and a host resolver that refuses any name other than the loopback address.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--virtual-time-budget=20000",
]


@dataclass(frozen=True)
class Chromium:
    path: str
    note: str  # what the fixture did to get it


def _install_chromium() -> str:
    """apt-get install chromium; returns a note, or raises pytest.skip with a one-line reason."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("chromium not on PATH and not root: cannot apt-get install it")
    if not Path("/etc/debian_version").exists():
        pytest.skip("chromium not on PATH and this is not Debian: no apt-get install")
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.skip("chromium not on PATH and apt-get is not available")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + APT_TIMEOUT
    started = time.monotonic()
    for cmd in ([apt, "-qq", "update"], [apt, "-qq", "install", "-y", "--no-install-recommends", "chromium"]):
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                  timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.skip(f"chromium install failed: {' '.join(cmd[1:])} timed out after {APT_TIMEOUT} s")
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            pytest.skip(f"chromium install failed: {lines[0] if lines else f'exit {proc.returncode}'}")
    return f"installed with apt-get update && apt-get install chromium in {time.monotonic() - started:.0f} s"


def chromium_or_skip() -> Chromium:
    """Chromium from PATH, else installed; skips the test with the reason when neither works."""
    found = shutil.which("chromium")
    if found:
        return Chromium(found, f"found on PATH at {found}")
    note = _install_chromium()
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("chromium install failed: apt-get succeeded but no chromium on PATH")
    return Chromium(found, f"{note} ({found})")


def run_chromium(chromium: Chromium, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    """One headless run (e.g. `--dump-dom URL`, `--screenshot=PNG URL`) with a fresh profile under `tmp`."""
    profile = tempfile.mkdtemp(prefix="chromium_", dir=tmp)
    cmd = [chromium.path, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    # Its own session, so the browser and its helpers (zygote, renderers) go as one group.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=CHROMIUM_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"chromium did not finish within {CHROMIUM_TIMEOUT} s: {' '.join(args)}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # no helper outlives the browser
    return subprocess.CompletedProcess(cmd, proc.returncode, out.decode("utf-8", "replace"),
                                       err.decode("utf-8", "replace"))
