"""Runs over history: how long `georisk materialize` takes for a sparse five-year history, and whether one
day's run costs the same with 30 days or 3 years of history behind it (issue 12).

Benchmarks only: the documents are bench/generate.py's synthetic ones, dated here, in a fresh home each.

    .venv/bin/python -m bench.history                      # both measurements
    .venv/bin/python -m bench.history sparse --json F      # the 43-document five-year history only
    .venv/bin/python -m bench.history ratio --per-day 20   # one day with 30 days and with 3 years behind it

Each `georisk` command is a subprocess with nothing set but GEORISK_HOME and PATH (no setting changed); its wall
time and its peak resident memory (with the processes it waited for, e.g. dbt) are recorded, and for the ratio's
runs each Dagster step's time and peak memory (bench.runstats): `dbt build` over the whole history and for one day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

from bench.ingest_scale import write_documents
from bench.proc import georisk, georisk_sampled
from bench.runstats import run_profile

SPARSE_DOCS, SPARSE_FIRST, SPARSE_LAST = 43, dt.date(2021, 1, 1), dt.date(2025, 12, 31)
DAY = dt.date(2025, 6, 1)  # the day the ratio's runs add, after the history


def sparse(tmp: Path, n: int = SPARSE_DOCS) -> dict:
    r = random.Random(12)
    span = (SPARSE_LAST - SPARSE_FIRST).days
    days = sorted(SPARSE_FIRST + dt.timedelta(days=r.randrange(span + 1)) for _ in range(n))
    home = tmp / "sparse"
    (home / "inbox").mkdir(parents=True)
    write_documents(home / "inbox" / "history.jsonl", days, seed=7)
    run = georisk(home, "materialize")
    row = {"documents": n, "distinct_days": len(set(days)), "first": str(days[0]), "last": str(days[-1]),
           "partitions": (days[-1] - days[0]).days + 1, **run}
    print(f"sparse history: {n} documents on {row['distinct_days']} days, {days[0]} .. {days[-1]} "
          f"({row['partitions']} daily partitions): {run['seconds']} s", flush=True)
    return row


def one_day(tmp: Path, history_days: int, per_day: int, repeats: int) -> dict:
    """A home with `history_days` days of `per_day` documents before DAY, built; then `repeats` new days, each
    with `per_day` documents, materialised one run each."""
    home = tmp / f"history_{history_days}"
    (home / "inbox").mkdir(parents=True)
    days = [DAY - dt.timedelta(days=k) for k in range(history_days, 0, -1) for _ in range(per_day)]
    write_documents(home / "inbox" / "history.jsonl", days, seed=history_days)
    build, samples = georisk_sampled(home, "materialize")
    build_steps = run_profile(home, samples)
    print(f"{history_days:>5} days of history ({len(days)} documents) built in {build['seconds']} s", flush=True)
    runs, peaks, day_steps = [], [], []
    for k in range(repeats):
        day = DAY + dt.timedelta(days=k)
        # the same new documents whatever the history: the seed and indexes depend on the day only
        write_documents(home / "inbox" / f"day_{day}.jsonl", [day] * per_day, seed=1000 + k, first_index=10**6)
        run, samples = georisk_sampled(home, "materialize", "--from", str(day), "--to", str(day))
        runs.append(run["seconds"])
        peaks.append(run["peak_mb"])
        day_steps.append(run_profile(home, samples))
        print(f"{history_days:>5} days of history: the run for {day} took {run['seconds']} s", flush=True)
    return {"history_days": history_days, "history_documents": len(days), "per_day": per_day,
            "history_build_seconds": build["seconds"], "history_build_peak_mb": build["peak_mb"],
            "history_build_steps": build_steps, "day_run_seconds": runs, "day_run_peak_mb": peaks,
            "day_run_steps": day_steps, "day_run_median_seconds": statistics.median(runs)}


def ratio(tmp: Path, per_day: int, repeats: int, long_days: int = 3 * 365, short_days: int = 30) -> dict:
    short = one_day(tmp, short_days, per_day, repeats)
    long = one_day(tmp, long_days, per_day, repeats)
    factor = long["day_run_median_seconds"] / short["day_run_median_seconds"]
    print(f"one day's run with {long_days} days of history / with {short_days}: {factor:.2f}x", flush=True)
    return {"short": short, "long": long, "ratio": round(factor, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # no `choices` here: argparse checks a list default against them as one value, and refuses no argument at all
    ap.add_argument("what", nargs="*", default=["sparse", "ratio"], help="sparse, ratio, or both (default)")
    ap.add_argument("--per-day", type=int, default=20, help="documents a day in the ratio's homes")
    ap.add_argument("--repeats", type=int, default=3, help="new days run one by one in each ratio home")
    ap.add_argument("--long-days", type=int, default=3 * 365, help="days of history in the ratio's long home")
    ap.add_argument("--short-days", type=int, default=30, help="days of history in the ratio's short home")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    if unknown := set(args.what) - {"sparse", "ratio"}:
        ap.error(f"unknown measurement {', '.join(sorted(unknown))}: choose sparse, ratio or both")
    results: dict = {"command": " ".join(["python -m bench.history", *sys.argv[1:]]),
                     "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                     "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory(prefix="georisk-history-bench-") as tmp:
        if "sparse" in args.what:
            results["sparse"] = sparse(Path(tmp))
        if "ratio" in args.what:
            results["ratio"] = ratio(Path(tmp), args.per_day, args.repeats, args.long_days, args.short_days)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
