"""The whole path at volume: N synthetic documents dated over a span of days, `georisk ingest --from` into an
empty home, then `georisk materialize` over every day (extraction, dbt, feed, analyst copy), with wall time
and peak memory of each command and the time of each Dagster step (issue 12).

Benchmarks only: the corpus is bench/generate.py's, never mixed into real data.

    .venv/bin/python -m bench.scale 100000 --days 30 --json bench_results/scale_100k.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest_scale import write_dated
from bench.proc import georisk


def step_seconds(home: Path) -> dict[str, float]:
    """Seconds per step of the home's latest Dagster run."""
    from dagster import DagsterInstance

    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    with DagsterInstance.get() as instance:
        (run,) = instance.get_runs(limit=1)
        return {s.step_key: round(s.end_time - s.start_time, 1)
                for s in instance.get_run_step_stats(run.run_id) if s.end_time and s.start_time}


def run(n: int, days: int, keep: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="georisk-scale-bench-") as tmp:
        root = keep or Path(tmp)
        t0 = time.perf_counter()
        src = write_dated(n, root / f"docs_{n}.jsonl", days)
        generated = round(time.perf_counter() - t0, 1)
        mb = src.stat().st_size / 1e6
        print(f"{n:,} documents over {days} days, {mb:,.0f} MB of JSON Lines (generated in {generated} s)", flush=True)
        home = root / "home"
        ingest = georisk(home, "ingest", "--from", str(src))
        print(f"  ingest: {ingest['seconds']} s ({n / ingest['seconds']:.0f} docs/s), peak {ingest['peak_mb']} MB",
              flush=True)
        src.unlink()
        build = georisk(home, "materialize")
        steps = step_seconds(home)
        print(f"  materialize: {build['seconds']} s, peak {build['peak_mb']} MB; steps {steps}", flush=True)
        size = sum(f.stat().st_size for f in (home / "warehouse").glob("*.duckdb")) / 1e6
        return {"documents": n, "days": days, "input_mb": round(mb), "ingest": ingest, "materialize": build,
                "steps_seconds": steps, "warehouse_mb": round(size),
                "total_seconds": round(ingest["seconds"] + build["seconds"], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("documents", type=int)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--json", type=Path, help="also write the result here")
    ap.add_argument("--keep", type=Path, help="work in this folder and leave the home there")
    args = ap.parse_args()
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
              **run(args.documents, args.days, args.keep)}
    print(f"total {result['total_seconds']} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
