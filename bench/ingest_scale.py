"""Ingestion at growing volume: the synthetic documents of bench/generate.py, dated over a fixed span of days,
through `georisk ingest --from` into a fresh home each; wall time and peak memory per size.

Benchmarks only: the corpus is generated, never mixed into real data.

    .venv/bin/python -m bench.ingest_scale 2500 5000 10000 20000     # --days 30 (default)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
from pathlib import Path

from bench.generate import Generator
from bench.proc import georisk

FIRST_DAY = dt.date(2024, 3, 1)  # the first day write_dated dates documents on


def write_documents(path: Path, days: list[dt.date], seed: int, first_index: int = 0) -> Path:
    """One synthetic document per entry of `days` (a day may repeat), dated on it, as contract-shaped JSON Lines."""
    g = Generator(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i, day in enumerate(days):
            d = g.document(first_index + i)
            d.pop("_target", None)
            d["id"] = d.pop("doc_id")
            d["published_at"] = f"{day}T10:00:00Z"
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


def write_dated(n: int, out: Path, days: int, first: dt.date = FIRST_DAY, seed: int = 42) -> Path:
    """n documents, each dated on one of `days` days from `first` (deterministic)."""
    r = random.Random(seed + 1)
    return write_documents(out, [first + dt.timedelta(days=r.randrange(days)) for _ in range(n)], seed)


def run(sizes: list[int], days: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="georisk-ingest-bench-") as tmp:
        for n in sizes:
            src = write_dated(n, Path(tmp) / f"docs_{n}.jsonl", days)
            input_mb = src.stat().st_size / 1e6
            step = georisk(Path(tmp) / f"home_{n}", "ingest", "--from", str(src))
            src.unlink()
            rows.append({"documents": n, "days": days, "input_mb": round(input_mb, 1), **step,
                         "docs_per_s": round(n / step["seconds"])})
            print(f"{n:>8} documents over {days} days: {step['seconds']:7.1f} s  {n / step['seconds']:7.0f} docs/s"
                  f"  peak {step['peak_mb']} MB", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[2500, 5000, 10000, 20000])
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args()
    rows = run(args.sizes, args.days)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
