"""The benchmarks of issue 12 as one results file: collects the JSON each benchmark wrote in bench_results/
into bench_results/results.json (with the machine and, per measurement, the command that produced it) and
rewrites the table between the results markers of docs/benchmarks.md. The last step of `make bench`.

    .venv/bin/python -m bench.results                  # bench_results/ -> results.json, docs/benchmarks.md
    .venv/bin/python -m bench.results --doc none       # results.json only

A benchmark whose file is missing shows as "not run"; a figure its file lacks (an older run) as "not recorded".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import textwrap
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.proc import cpu_model
from core.atomic import atomic_path

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench_results"
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
DBT, FEED, EXTRACT = "georisk_dbt_assets", "parquet_feed", "document_signals"

# bench_results/<name>.json, and how `make bench` makes it (shown when it has not been run)
SOURCES = {
    "extraction": "make bench (BENCH_MB=200 python -m bench.run)",
    "scale_10k": "python -m bench.scale 10000 --days 30 --json bench_results/scale_10k.json",
    "scale_100k": "python -m bench.scale 100000 --days 30 --json bench_results/scale_100k.json",
    "scale_1m": "BENCH_1M=1 make bench (python -m bench.scale 1000000 --days 30 --json bench_results/scale_1m.json)",
    "history": "python -m bench.history --json bench_results/history.json",
}
SCALE_SIZES = {"scale_10k": 10_000, "scale_100k": 100_000, "scale_1m": 1_000_000}


# --- what each measurement reads from its benchmark's JSON (KeyError, TypeError: not recorded) ---------------

def _command_run(run: dict) -> dict:
    return {"seconds": run["seconds"], "peak_mb": run["peak_mb"]}


def _step(steps: dict, key: str) -> dict:
    return {"seconds": steps[key]["seconds"], "peak_mb": steps[key]["peak_mb"]}


def _dbt(steps: dict) -> dict:
    # dbt runs in a process of its own beside the Dagster one: both peaks, and dbt's own time without Dagster's
    s = steps[DBT]
    own = s.get("dbt_elapsed_seconds")
    note = f"dbt process {s['child_peak_mb']:,.0f} MB" + (f", dbt's own {own:,.1f} s" if own is not None else "")
    return {"seconds": s["seconds"], "peak_mb": s["peak_mb"], "child_peak_mb": s["child_peak_mb"], "note": note}


def _ingest(d: dict) -> dict:
    return {"value": d["documents"] / d["ingest"]["seconds"], "unit": "docs/s", **_command_run(d["ingest"])}


def _history_ratio(d: dict) -> dict:
    r = d["ratio"]
    return {"value": r["ratio"], "unit": "×",
            "note": f"median day run {r['long']['day_run_median_seconds']:,.1f} s with {r['long']['history_days']:,} "
                    f"days against {r['short']['day_run_median_seconds']:,.1f} s with {r['short']['history_days']:,}"}


def _history_dbt(d: dict) -> dict:
    long = d["ratio"]["long"]
    return {**_dbt(long["history_build_steps"]),
            "note": f"{long['history_days']:,} days, {long['history_documents']:,} documents, one run"}


def _history_dbt_day(d: dict) -> dict:
    runs = [_dbt(steps) for steps in d["ratio"]["long"]["day_run_steps"]]
    return {"seconds": statistics.median(r["seconds"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs),
            "child_peak_mb": max(r["child_peak_mb"] for r in runs),
            "note": f"median of {len(runs)} day run(s), {d['ratio']['long']['history_days']:,} days behind; dbt "
                    f"process {max(r['child_peak_mb'] for r in runs):,.0f} MB"}


def _extraction(which: str, peak: str, note: str) -> Callable[[dict], dict]:
    return lambda d: {"value": d["throughput_mb_s"][which], "unit": "MB/s", "seconds": d["seconds"][which],
                      "peak_mb": d["peak_mb"][peak], "note": note}


# (key, label, reader): the same rows for each scale benchmark, one column each
SCALE_ROWS: list[tuple[str, str, Callable[[dict], dict]]] = [
    ("ingest", "ingestion: `georisk ingest --from`", _ingest),
    ("run_all", "whole history: `georisk materialize`", lambda d: _command_run(d["materialize"])),
    ("extract_all", "… extraction step", lambda d: _step(d["steps"], EXTRACT)),
    ("dbt_all", "… `dbt build` of the whole history", lambda d: _dbt(d["steps"])),
    ("feed_all", "… feed export of the whole history", lambda d: _step(d["steps"], FEED)),
    ("run_day", "one more day: `georisk materialize --from D --to D`", lambda d: _command_run(d["day"]["materialize"])),
    ("dbt_day", "… `dbt build` of one day", lambda d: _dbt(d["day"]["steps"])),
    ("feed_day", "… feed export of one day", lambda d: _step(d["day"]["steps"], FEED)),
]

# (benchmark, key, label, reader): one row each
OTHER_ROWS: list[tuple[str, str, str, Callable[[dict], dict]]] = [
    ("extraction", "extract_in_process", "extraction in-process (`extract()`), one core",
     _extraction("georisk", "bench_process", "peak of the whole bench process")),
    ("extraction", "extract_cli", "extraction CLI (`georisk extract`), one core",
     _extraction("georisk_cli", "georisk_cli", "a child process end to end")),
    ("history", "history_ratio", "one day's run, long history against short", _history_ratio),
    ("history", "dbt_history", "`dbt build` over the whole long history", _history_dbt),
    ("history", "dbt_history_day", "`dbt build` for one day, long history behind", _history_dbt_day),
    ("history", "sparse", "sparse five-year history, empty home: `georisk materialize`",
     lambda d: _command_run(d["sparse"])),
]


# --- collect and render: pure --------------------------------------------------------------------------------

def collect(loaded: dict[str, dict | None], machine: dict) -> dict:
    """The results file from each benchmark's parsed JSON (None: not run)."""
    benchmarks = {}
    for name, hint in SOURCES.items():
        data = loaded.get(name)
        benchmarks[name] = {"file": f"bench_results/{name}.json", "status": "not run" if data is None else "ok",
                            "command": hint if data is None else data.get("command", "not recorded"),
                            "date": None if data is None else data.get("date")}
        if name in SCALE_SIZES:  # the column's heading: what was run, when the file says
            benchmarks[name]["documents"] = (data or {}).get("documents", SCALE_SIZES[name])
            benchmarks[name]["days"] = (data or {}).get("days")
    rows = [(b, key, label, read) for b in SCALE_SIZES for key, label, read in SCALE_ROWS] + OTHER_ROWS
    measurements = []
    for bench, key, label, read in rows:
        m = {"benchmark": bench, "key": key, "label": label, "status": benchmarks[bench]["status"],
             "command": benchmarks[bench]["command"], "date": benchmarks[bench]["date"]}
        data = loaded.get(bench)
        if data is not None:
            try:
                m.update(read(data))
            except (KeyError, TypeError, IndexError, ValueError, ZeroDivisionError):
                m["status"] = "not recorded"
        measurements.append(m)
    return {"command": "python -m bench.results", "machine": machine, "benchmarks": benchmarks,
            "measurements": measurements}


UNITS = {"docs/s": "{:,.0f} docs/s", "MB/s": "{:,.1f} MB/s", "×": "{:.2f}×"}


def cell(m: dict) -> str:
    if m["status"] != "ok":
        return m["status"]
    parts = []
    if m.get("value") is not None:
        parts.append(UNITS[m["unit"]].format(m["value"]))
    if m.get("seconds") is not None:
        parts.append(f"{m['seconds']:,.1f} s")
    if m.get("peak_mb") is not None:
        parts.append(f"peak {m['peak_mb']:,.0f} MB")
    if m.get("note"):
        parts.append(m["note"])
    return " · ".join(parts) or "not recorded"


SCALE_NOTE = (
    "Synthetic documents dated over a span of days into an empty home, then one more day of the same daily "
    "volume (`bench/scale.py`). A command's peak is the kernel's high-water mark of its largest process (itself, "
    "or dbt which it waits for); a step's is the most its processes held together, sampled every 0.1 s while it "
    "ran, so it can exceed the command's; the steps share one process, so it includes what earlier steps left "
    "allocated. `dbt build`: the Dagster step's time, with dbt's own time and its process's peak in the note.")


def render(results: dict) -> str:
    """The markdown between the results markers."""
    mach, by = results["machine"], {(m["benchmark"], m["key"]): m for m in results["measurements"]}
    heads = []
    for name in SCALE_SIZES:
        b = results["benchmarks"][name]
        heads.append(f"{b['documents']:,} documents" + (f" over {b['days']} days" if b["days"] else ""))
    machine_line = (
        f"Collected by `make bench` (`{results['command']}`) into `bench_results/results.json`. Machine: "
        f"{mach.get('cpus')} CPUs ({mach.get('cpu')}), {mach.get('memory_mb', 0) / 1024:,.1f} GB memory, "
        f"{mach.get('platform')}; Python {mach.get('python')}, DuckDB {mach.get('duckdb')}, polars "
        f"{mach.get('polars')}, Dagster {mach.get('dagster')}; commit {mach.get('commit')}, {mach.get('date')}.")
    lines = ["", _wrap(machine_line), "", _wrap(SCALE_NOTE), "",
             "| | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(heads)]
    for key, label, _ in SCALE_ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(by[(name, key)]) for name in SCALE_SIZES) + " |")
    lines += ["", "| measurement | result |", "| --- | --- |"]
    for bench, key, label, _ in OTHER_ROWS:
        lines.append(f"| {label} | {cell(by[(bench, key)])} |")
    lines += ["", "Commands:", ""]
    for b in results["benchmarks"].values():
        when = f", {b['date']}" if b["date"] else ""
        lines.append(f"- `{b['file']}` ({b['status']}{when}): `{b['command']}`")
    return "\n".join(lines) + "\n\n"


def _wrap(paragraph: str) -> str:
    # the width the rest of docs/benchmarks.md is written at
    return textwrap.fill(paragraph, width=115, break_long_words=False, break_on_hyphens=False)


def replace_block(text: str, block: str) -> str:
    """``text`` with what lies between the markers replaced by ``block``; the rest is kept as it is."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"expected one {BEGIN} followed by one {END}")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return head + BEGIN + block + END + tail


# --- the machine and the files: impure -----------------------------------------------------------------------

def machine() -> dict:
    def pkg(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {"cpus": os.cpu_count(), "cpu": cpu_model(),
            "memory_mb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20),
            "python": platform.python_version(), "duckdb": pkg("duckdb"), "polars": pkg("polars"),
            "dagster": pkg("dagster"), "platform": platform.platform(),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "commit": _git_commit()}


def _git_commit() -> str | None:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True).stdout

    try:
        head = git("rev-parse", "--short=12", "HEAD").strip()
        return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no").strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def load(folder: Path) -> dict[str, dict | None]:
    loaded = {}
    for name in SOURCES:
        path = folder / f"{name}.json"
        try:
            loaded[name] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        except (OSError, ValueError) as e:
            raise SystemExit(f"bench.results: cannot read {path}: {e}") from None
    return loaded


def write(results_dir: Path, doc: Path | None) -> dict:
    results = collect(load(results_dir), machine())
    results_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(results_dir / "results.json") as tmp:
        tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if doc is not None:
        # bytes, not text: newline translation would change lines outside the markers
        try:
            new = replace_block(doc.read_bytes().decode("utf-8"), render(results))
        except (OSError, ValueError) as e:
            raise SystemExit(f"bench.results: cannot update {doc}: {e}") from None
        with atomic_path(doc) as tmp:
            tmp.write_bytes(new.encode("utf-8"))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=RESULTS_DIR, help="where the benchmarks wrote their JSON")
    ap.add_argument("--doc", default=str(DOC), help="the markdown to update between the markers, or 'none'")
    args = ap.parse_args()
    doc = None if args.doc == "none" else Path(args.doc)
    results = write(args.dir, doc)
    done = sum(b["status"] == "ok" for b in results["benchmarks"].values())
    print(f"{done} of {len(SOURCES)} benchmarks collected into {args.dir / 'results.json'}"
          + (f"; table updated in {doc}" if doc else ""))


if __name__ == "__main__":
    main()
