"""The whole path at volume: N synthetic documents dated over a span of days, `georisk ingest --from` into an
empty home, then `georisk materialize` over every day (extraction, dbt, feed, analyst copy), then one more day of
N/days documents through the drop folder and `georisk materialize --from D --to D`; wall time and peak memory of
each command, and each Dagster step's time and peak memory (bench.runstats) (issue 12).

Benchmarks only: the corpus is bench/generate.py's, never mixed into real data.

    .venv/bin/python -m bench.scale 100000 --days 30 --json bench_results/scale_100k.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest_scale import FIRST_DAY, write_dated, write_documents
from bench.proc import georisk, georisk_sampled
from bench.runstats import run_profile


def run(n: int, days: int, keep: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="georisk-scale-bench-") as tmp:
        root = keep or Path(tmp)
        t0 = time.perf_counter()
        src = root / f"docs_{n}.jsonl"
        # the corpus is deterministic (n, days, seed): a kept folder's copy is the same file, not made again
        made = "kept from an earlier run" if keep and src.exists() else "generated"
        if made == "generated":
            write_dated(n, src, days)
        generated = round(time.perf_counter() - t0, 1)
        mb = src.stat().st_size / 1e6
        print(f"{n:,} documents over {days} days, {mb:,.0f} MB of JSON Lines ({made} in {generated} s)", flush=True)
        home = root / "home"
        if home.exists():
            raise SystemExit(f"{home} exists: the benchmark starts from an empty home")
        ingest = georisk(home, "ingest", "--from", str(src))
        print(f"  ingest: {ingest['seconds']} s ({n / ingest['seconds']:.0f} docs/s), {ingest['cpu_seconds']} s of CPU,"
              f" peak {ingest['peak_mb']} MB", flush=True)
        if not keep:
            src.unlink()
        build, samples = georisk_sampled(home, "materialize")
        steps = run_profile(home, samples)
        print(f"  materialize: {build['seconds']} s, peak {build['peak_mb']} MB; steps {_brief(steps)}", flush=True)
        size = sum(f.stat().st_size for f in (home / "warehouse").glob("*.duckdb")) / 1e6
        return {"documents": n, "days": days, "input_mb": round(mb), "ingest": ingest, "materialize": build,
                "steps": steps, "day": one_more_day(home, n, days), "warehouse_mb": round(size),
                "total_seconds": round(ingest["seconds"] + build["seconds"], 1)}


def one_more_day(home: Path, n: int, days: int) -> dict:
    """A day after the history with its average volume, dropped in the inbox and run alone (a daily run)."""
    day = FIRST_DAY + dt.timedelta(days=days)
    per_day = max(1, n // days)
    (home / "inbox").mkdir(parents=True, exist_ok=True)
    write_documents(home / "inbox" / f"day_{day}.jsonl", [day] * per_day, seed=7_000, first_index=n)
    run, samples = georisk_sampled(home, "materialize", "--from", str(day), "--to", str(day))
    steps = run_profile(home, samples)
    print(f"  one more day ({per_day:,} documents, {day}): {run['seconds']} s, peak {run['peak_mb']} MB; "
          f"steps {_brief(steps)}", flush=True)
    return {"date": str(day), "documents": per_day, "materialize": run, "steps": steps}


def _brief(steps: dict[str, dict]) -> dict[str, float]:
    return {k: v["seconds"] for k, v in steps.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("documents", type=int)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--json", type=Path, help="also write the result here")
    ap.add_argument("--keep", type=Path, help="work in this folder and leave the home there")
    args = ap.parse_args()
    result = {"command": " ".join(["python -m bench.scale", *sys.argv[1:]]),
              "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
              **run(args.documents, args.days, args.keep)}
    print(f"total {result['total_seconds']} s", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
