"""Scores the extractor on the shared development set (gold seeds) with the shared scorer."""
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from indicators.contract import document_records, signal_records
from indicators.extract import extract

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCORER = SHARED / "tools" / "score_extraction.py"
GOLD = SHARED / "gold" / "seeds.jsonl"
# Issue 9's acceptance on the development set: micro F1 >= 0.85, every kind >= 0.75, rating Spearman >= 0.8.
# The learned stage scores 0.80 (accusations 0.71, hostile mentions 0.78): not met, so the acceptance is a strict
# xfail (it fails loudly once met, to be promoted) and the floors below guard the level reached against regressions.
ACCEPTANCE = {"all": 0.85, "kind": 0.75, "spearman": 0.8}
FLOOR = {"all": 0.78, "kind": 0.70, "spearman": 0.8}  # measured 0.796, lowest kind 0.714, Spearman 1.0


needs_shared = pytest.mark.skipif(
    not (SCORER.exists() and GOLD.exists()),
    reason=f"shared dev set not found at {SHARED} (needs tools/score_extraction.py and gold/seeds.jsonl)")


def devset_scores(tmp_path) -> dict:
    docs_path = tmp_path / "d.jsonl"
    subprocess.run([sys.executable, str(SCORER), "docs", str(GOLD), str(docs_path)], check=True)
    rows = [json.loads(x) for x in docs_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    cols = ["title", "url", "outlet", "published_at", "language"]
    df = pl.DataFrame([{"doc_id": r["id"], "text": r["text"], **{c: r.get(c) for c in cols}} for r in rows],
                      schema={c: pl.Utf8 for c in ["doc_id", "text", *cols]})
    ex = extract(df, "KZ")
    out = tmp_path / "out"
    out.mkdir()
    with open(out / "signals.jsonl", "w", encoding="utf-8") as f:
        for r in signal_records(ex.signals):
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(out / "documents.jsonl", "w", encoding="utf-8") as f:
        for r in document_records(ex.documents):
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    res = subprocess.run([sys.executable, str(SCORER), "score", str(GOLD), str(out), "--json"],
                         check=True, capture_output=True, text=True)
    scores = json.loads(res.stdout[: res.stdout.rindex("}") + 1])
    print(json.dumps(scores, indent=1))
    return scores


def check(scores: dict, bar: dict) -> None:
    assert scores["all"]["f1"] >= bar["all"]
    for kind in ("hostile_mention", "accusation", "denial", "threat"):
        assert scores[kind]["f1"] >= bar["kind"], kind
    assert scores["documents"]["spearman"] >= bar["spearman"]


@needs_shared
def test_devset_floor(tmp_path):
    check(devset_scores(tmp_path), FLOOR)


@needs_shared
@pytest.mark.xfail(strict=True, reason="issue 9 acceptance on the development set not met (micro F1 0.80)")
def test_devset_acceptance(tmp_path):
    check(devset_scores(tmp_path), ACCEPTANCE)
