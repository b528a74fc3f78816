"""The Dagster UI, as `make ui` starts it, renders the asset graph with the index asset, and the asset groups by
layer, in a real browser.

Headless Chromium loads the page and runs its JavaScript; the raw HTML the server sends does not name the
asset, so finding it in the rendered DOM proves the UI fetched the definitions over GraphQL and drew them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from browser_helpers import Chromium, chromium_or_skip, run_chromium

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.prefix) / "bin"
INDEX_KEY = ("marts", "tension_index_daily")
INDEX_ASSET = INDEX_KEY[-1]
STARTUP_TIMEOUT = 90
SCREENSHOT_COPY = Path("/tmp/georisk_ui.png")

# The lineage graph opens zoomed to fit its width. Below Dagster's MINIMAL_SCALE (0.6) it draws minimal nodes
# whose labels are cut to 18 characters ("tension_ind…_daily"); at 2000 px wide the default group fits at a
# scale that draws full nodes, with the whole name. At 1400x900 the name is not in the DOM. The graph draws only
# the nodes in view: since daily_brief also reads the vintages, staging and the weighted signals, the marts group is
# taller, and at 1200 px high official_accusations and int_signals_weighted fall outside it.
WINDOW = "--window-size=2000,1600"


@pytest.fixture(scope="module")
def chromium() -> Chromium:
    return chromium_or_skip()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(log: Path, n: int = 25) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


ASSET_NODES = "{ assetNodes { assetKey { path } groupName repository { name location { name } } } }"


def _wait_for_ui(proc: subprocess.Popen, base: str, client: httpx.Client, log: Path) -> dict:
    """Until /server_info answers and GraphQL lists the index asset (the code location has loaded); its node."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "nothing yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dagster dev exited with {proc.returncode}:\n{_log_tail(log)}")
        try:
            if client.get(f"{base}/server_info").status_code == 200:
                r = client.post(f"{base}/graphql", json={"query": ASSET_NODES})
                nodes = (r.json().get("data") or {}).get("assetNodes") or []
                for node in nodes:
                    if tuple(node["assetKey"]["path"]) == INDEX_KEY:
                        return node
                last = f"{len(nodes)} asset nodes, none is {'/'.join(INDEX_KEY)}"
        except (httpx.HTTPError, ValueError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(1)
    pytest.fail(f"the UI did not list {'/'.join(INDEX_KEY)} within {STARTUP_TIMEOUT} s ({last}):\n{_log_tail(log)}")


def _group_graph_path(node: dict) -> str:
    """The UI route of the lineage graph of the asset's group: /locations/<repo address>/asset-groups/<group>.

    The repo address is the location name alone for a Definitions object ("__repository__"), else repo@location;
    for this workspace that is orchestration.definitions:defs.
    """
    repo, location = node["repository"]["name"], node["repository"]["location"]["name"]
    address = location if repo == "__repository__" else f"{repo}@{location}"
    return f"/locations/{quote(address, safe=':@')}/asset-groups/{quote(node['groupName'])}"


def _sigint_default() -> None:
    # dagster dev maps SIGTERM to its SIGINT handler; started from a non-interactive shell's background job,
    # SIGINT is inherited as ignored and SIGTERM would be ignored with it. Give it the default back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop(proc: subprocess.Popen) -> str:
    """SIGTERM the whole process group (webserver, daemon, code servers), SIGKILL what is left; says which did."""
    started = time.monotonic()
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return f"already gone after {time.monotonic() - started:.1f} s"
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; its group may not be: no child outlives it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return f"{sig.name} stopped it in {time.monotonic() - started:.1f} s"
    return "still running after SIGKILL"


@pytest.fixture(scope="module")
def dagster_ui():
    """`make ui` on a free port with a temporary GEORISK_HOME; yields the base URL, a client and the graph's path."""
    from core.settings import Home
    from georisk.runner import prepare_dagster_home

    tmp = Path(tempfile.mkdtemp(prefix="georisk_ui_"))
    saved = dict(os.environ)
    dagster_home = prepare_dagster_home(Home(tmp / "home"))
    assert dict(os.environ) == saved  # preparing a home writes files, never this process's environment
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GEORISK_HOME": str(tmp / "home"), "DAGSTER_HOME": str(dagster_home),
           "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = tmp / "dagster_dev.log"
    client = httpx.Client(timeout=10, trust_env=False)  # trust_env=False: no proxy, straight to 127.0.0.1
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(VENV_BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: dagster dev ignores SIGTERM without one
            preexec_fn=_sigint_default,
        )
    try:
        node = _wait_for_ui(proc, base, client, log)
        r = client.post(f"{base}/graphql", json={"query": "mutation { setNuxSeen }"})  # no first-visit modal
        assert r.status_code == 200 and "errors" not in r.json(), r.text
        yield base, client, _group_graph_path(node), tmp
    finally:
        client.close()
        print(f"dagster dev: {_stop(proc)}")
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.browser
def test_asset_graph_renders_the_index_asset(chromium, dagster_ui, record_property):
    base, client, graph_path, tmp = dagster_ui
    url = base + graph_path
    record_property("chromium", chromium.note)
    record_property("ui_url", url)
    print(f"chromium: {chromium.note}\nasset graph: {url}")

    # The server's HTML is an empty shell: only the page's JavaScript can put the asset in the DOM.
    raw = client.get(url)
    assert raw.status_code == 200
    assert "__next" in raw.text and INDEX_ASSET not in raw.text

    dom = run_chromium(chromium, tmp, WINDOW, "--dump-dom", url)
    text = dom.stdout
    if INDEX_ASSET not in text:
        if "tension_ind…_daily" in text:
            why = "the graph drew minimal nodes with cut labels (zoom < 0.6): widen WINDOW"
        elif "This graph is empty" in text:
            why = "the group's graph is empty"
        else:
            why = "stderr: " + " | ".join(dom.stderr.strip().splitlines()[-3:])
        pytest.fail(f"{INDEX_ASSET} not in the rendered DOM of {url} ({len(text)} chars, exit {dom.returncode}): {why}")
    # Drawn as a node of the lineage graph, among its neighbours in the group.
    # Drawn as a node of the lineage graph of its layer's group (marts), among its neighbours there and beside
    # the upstream assets of other groups that feed them
    assert "Lineage" in text and "official_accusations" in text and "int_signals_weighted" in text

    # The global lineage draws the assets in their layers' groups
    groups = ("raw", "reference", "staging", "intermediate", "marts", "outputs")
    assert all(g not in client.get(base + "/asset-groups").text for g in (">staging<", ">intermediate<"))
    overview = run_chromium(chromium, tmp, WINDOW, "--dump-dom", base + "/asset-groups").stdout
    missing = [g for g in groups if f">{g}<" not in overview]
    assert not missing, f"groups not drawn in the global lineage: {missing}"

    png = tmp / "ui.png"
    shot = run_chromium(chromium, tmp, WINDOW, f"--screenshot={png}", url)
    assert png.exists(), f"no screenshot (exit {shot.returncode}): {shot.stderr.strip().splitlines()[-3:]}"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000, f"the screenshot is only {len(data)} bytes"
    shutil.copyfile(png, SCREENSHOT_COPY)
