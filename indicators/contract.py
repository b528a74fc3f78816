"""Conversion of extraction frames to the JSON records of shared/contracts/extract.md."""

from __future__ import annotations

import datetime as dt

import polars as pl


def _person(row: dict, prefix: str, with_type: bool) -> dict | None:
    name = row.get(f"{prefix}_name")
    if name is None and row.get(f"{prefix}_id") is None:
        return None
    out = {"name": name, "id": row.get(f"{prefix}_id")}
    if with_type:
        out["type"] = row.get(f"{prefix}_type")
    else:
        out["role"] = row.get(f"{prefix}_role")
    out["country"] = row.get(f"{prefix}_country")
    return out


def signal_records(signals: pl.DataFrame) -> list[dict]:
    """One contract record per signal row (speaker and target as nested objects or null)."""
    out = []
    for r in signals.iter_rows(named=True):
        out.append({
            "doc_id": r["doc_id"],
            "kind": r["kind"],
            "char_start": r["char_start"],
            "char_end": r["char_end"],
            "sentence": r["sentence"],
            "speaker": _person(r, "speaker", with_type=False),
            "target": _person(r, "target", with_type=True),
            "claim": r["claim"],
            "cue": r["cue"],
            "score": r["score"],
        })
    return out


def document_records(documents: pl.DataFrame) -> list[dict]:
    """One contract record per document: doc_id, language, published_at, tension_rating, target_mentioned."""
    out = []
    for r in documents.iter_rows(named=True):
        d = r.get("published_date")
        out.append({
            "doc_id": r["doc_id"],
            "language": r.get("language"),
            "published_at": d.isoformat() if isinstance(d, dt.date) else None,
            "tension_rating": int(r["tension_rating"]) if r.get("tension_rating") is not None else 0,
            "target_mentioned": bool(r.get("target_mentioned")),
        })
    return out
