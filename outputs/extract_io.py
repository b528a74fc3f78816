"""The file side of `georisk extract`: contract-shaped JSON Lines in, signals and documents out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from core.atomic import atomic_path
from indicators.contract import document_records, signal_records
from indicators.extract import Extraction
from ingestion.files import jsonl_records

INPUT_SCHEMA = {"doc_id": pl.Utf8, "text": pl.Utf8, "title": pl.Utf8, "url": pl.Utf8, "outlet": pl.Utf8,
                "published_at": pl.Utf8, "language": pl.Utf8}


@dataclass
class BadLine:
    line_number: int
    reason: str


def read_input(path: Path) -> tuple[pl.DataFrame, list[BadLine]]:
    """The documents of a contract-shaped JSON Lines file, and why each other line was skipped (the same line
    reader as ingestion, so a bad byte, a too-deep value or a raw U+2028 costs one line at most)."""
    rows, bad = [], []
    with open(path, "rb") as lines:  # a line at a time: the file is never held whole beside its rows
        for n, _line, obj, problem in jsonl_records(lines):
            if problem:
                bad.append(BadLine(n, problem))
            else:
                rows.append({"doc_id": obj["id"], **{k: obj.get(k) for k in list(INPUT_SCHEMA)[1:]}})
    return pl.DataFrame(rows, schema=INPUT_SCHEMA), bad


def write_output(result: Extraction, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, records in (("signals", signal_records(result.signals)),
                          ("documents", document_records(result.documents))):
        with atomic_path(out / f"{name}.jsonl") as tmp, open(tmp, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for name, frame in (("signals", result.signals), ("documents", result.documents)):
        with atomic_path(out / f"{name}.parquet") as tmp:
            frame.write_parquet(tmp)
