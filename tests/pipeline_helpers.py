"""The sample corpus materialised through the whole asset graph once per session (shared by the pipeline,
operations and conftest's ``sample_home``)."""

import shutil

import duckdb
import polars as pl
import pytest
from conftest import SAMPLE_CORPUS
from dagster import DagsterInstance, materialize

from georisk.runner import days_with_documents
from orchestration.definitions import ASSETS
from orchestration.partitions import partition_range_tags
from orchestration.resources import build_resources

TABLES = ["raw.documents", "raw.rejects", "raw.signals", "raw.document_assessments", "marts.tension_index_daily",
          "marts.tension_index_drivers", "marts.official_accusations", "marts.hostile_mention_frequency_daily",
          "marts.denial_counts_daily"]


def _counts(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def _feed_snapshot(feed):
    return {p.relative_to(feed).as_posix(): pl.read_parquet(p).sort(pl.all()) for p in sorted(feed.rglob("*.parquet"))}


_SAMPLE: dict = {}


def materialize_sample(tmp_path_factory):
    """The sample corpus through the whole graph, twice (the second run must change nothing); once a session."""
    if "run" in _SAMPLE:
        return _SAMPLE["run"]
    from core.settings import Home

    if not (SAMPLE_CORPUS / "articles.jsonl").exists():
        pytest.fail("the bundled sample corpus is missing")
    home = Home(tmp_path_factory.mktemp("home")).ensure()
    shutil.copytree(SAMPLE_CORPUS, home.inbox / "sample_corpus", ignore=shutil.ignore_patterns("*.md"))
    days = days_with_documents(home)
    first, last = days[0], days[-1]
    tags = partition_range_tags(first, last)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(ASSETS, resources=build_resources(home), instance=instance, tags=tags)
        assert result.success
        counts = _counts(home.warehouse)
        feed = _feed_snapshot(home.feed)
        again = materialize(ASSETS, resources=build_resources(home), instance=instance, tags=tags)
        assert again.success
    _SAMPLE["run"] = (home, first, last, result, counts, feed)
    return _SAMPLE["run"]


