"""bench.generate: the synthetic benchmark corpus is deterministic, bilingual and mostly off-target."""
import json
import sys
from pathlib import Path

import polars as pl

# bench/ is a repo-root package run with `python -m bench.run`, not an installed one
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.generate import corpus_hash, corpus_path, generate  # noqa: E402
from indicators.gate import candidate_mask  # noqa: E402
from indicators.reference import load_target  # noqa: E402


def test_same_seed_same_corpus():
    a, b = generate(0.3, seed=7), generate(0.3, seed=7)
    assert corpus_hash(a) == corpus_hash(b)
    assert corpus_hash(a) != corpus_hash(generate(0.3, seed=8))


def test_languages_sizes_and_target_share():
    df = generate(2.0, seed=11, with_truth=True)
    n_bytes = df["text"].str.len_bytes()
    assert n_bytes.sum() >= 2_000_000
    assert n_bytes.min() >= 1000 and n_bytes.max() <= 8500
    langs = df["language"].drop_nulls().value_counts()
    share_en = langs.filter(pl.col("language") == "en")["count"][0] / langs["count"].sum()
    assert 0.4 <= share_en <= 0.6
    assert set(langs["language"]) == {"en", "ru"}
    share = df["_target"].mean()
    assert 0.01 <= share <= 0.06, share
    # the target documents really name the target, and the gate lets all of them through
    mask = candidate_mask(load_target("KZ"), df)
    assert df.filter(pl.col("_target"))["doc_id"].is_in(df.filter(mask)["doc_id"].implode()).all()
    assert mask.mean() < 0.1
    assert set(df.columns) == {"doc_id", "text", "title", "url", "outlet", "published_at", "language", "_target"}


def test_corpus_is_cached_by_seed_and_size(tmp_path):
    p = corpus_path(0.2, seed=3, out_dir=tmp_path)
    meta = json.loads((tmp_path / "corpus.json").read_text())
    assert meta["seed"] == 3 and meta["mb"] == 0.2
    mtime = p.stat().st_mtime_ns
    assert corpus_path(0.2, seed=3, out_dir=tmp_path).stat().st_mtime_ns == mtime
    corpus_path(0.2, seed=4, out_dir=tmp_path)
    assert json.loads((tmp_path / "corpus.json").read_text())["sha256"] != meta["sha256"]
    assert pl.read_parquet(p).columns == ["doc_id", "text", "title", "url", "outlet", "published_at", "language"]
