"""A backfill on Dagster's multiprocess executor with two processes at a time, against the same backfill in one
process (issue 12: "no lock errors, same tables as in-process").

    .venv/bin/python -m bench.multiprocess --json bench_results/multiprocess.json

Two fresh homes get the bundled sample corpus in their inbox. One runs `georisk materialize` (in-process, as
operators run it); the other runs the same job over the same days with every step in a process of its own
(orchestration.definitions.multiprocess_daily_pipeline, `max_concurrent` 2) through Dagster's `execute_job`.
Every warehouse-writing step takes the one slot of the pool duckdb_writer from the instance, so no two processes
open the file together. Reported: each wall time, the step processes, step failures, and whether every table
(without the columns that say when a run happened) is the same in both warehouses.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.proc import georisk

REPO = Path(__file__).resolve().parents[1]
TABLES = ["raw.documents", "raw.rejects", "raw.signals", "raw.document_assessments", "marts.tension_index_daily",
          "marts.tension_index_drivers", "marts.official_accusations", "marts.hostile_mention_frequency_daily",
          "marts.denial_counts_daily", "marts.denials", "marts.threats"]


def _rows(path: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        schema, name = table.split(".")
        cols = [c for c, t in con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = ? and "
            "table_name = ? order by ordinal_position", [schema, name]).fetchall() if not t.startswith("TIMESTAMP")]
        return sorted(con.execute(f"select {', '.join(cols)} from {table}").fetchall(), key=repr)


def run() -> dict:
    from dagster import DagsterEventType, DagsterInstance, execute_job, reconstructable

    from core.settings import Home
    from georisk.runner import days_with_documents, prepare_dagster_home
    from orchestration.partitions import partition_range_tags

    with tempfile.TemporaryDirectory(prefix="georisk-multiprocess-bench-") as tmp:
        homes = {k: Home(Path(tmp) / k).ensure() for k in ("in_process", "multiprocess")}
        for h in homes.values():
            shutil.copytree(REPO / "sample_corpus", h.inbox / "sample_corpus", ignore=shutil.ignore_patterns("*.md"))
        one = georisk(homes["in_process"].root, "materialize")
        home = homes["multiprocess"]
        days = days_with_documents(home)
        os.environ["GEORISK_HOME"] = str(home.root)  # read by the definitions each step's process loads
        from orchestration.definitions import multiprocess_daily_pipeline

        t0 = time.perf_counter()
        with DagsterInstance.from_config(str(prepare_dagster_home(home))) as instance:
            result = execute_job(reconstructable(multiprocess_daily_pipeline), instance=instance,
                                 tags=partition_range_tags(days[0], days[-1]),
                                 run_config={"execution": {"config": {"max_concurrent": 2}},
                                             "loggers": {"console": {"config": {"log_level": "WARNING"}}}})
            events = result.all_events
        seconds = round(time.perf_counter() - t0, 1)
        starts = [e for e in events if e.event_type == DagsterEventType.STEP_START]
        failures = [e.step_key for e in events if e.event_type == DagsterEventType.STEP_FAILURE]
        different = [t for t in TABLES if _rows(home.warehouse, t) != _rows(homes["in_process"].warehouse, t)]
        return {"days": f"{days[0]}..{days[-1]}", "in_process_seconds": one["seconds"],
                "multiprocess_seconds": seconds, "success": result.success, "steps": len(starts),
                "step_processes": len({e.pid for e in starts}), "step_failures": failures,
                "tables_compared": len(TABLES), "tables_different": different}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="also write the result here")
    args = ap.parse_args()
    out = run()
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"command": "python -m bench.multiprocess " + " ".join(sys.argv[1:]), **out},
                                        indent=1), encoding="utf-8")
    if not (out["success"] and not out["tables_different"] and not out["step_failures"]):
        raise SystemExit("the multiprocess backfill failed or differs from the in-process one")


if __name__ == "__main__":
    main()
