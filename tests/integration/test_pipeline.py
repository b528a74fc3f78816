"""The whole asset graph, materialised for real: DuckDB file, dbt build with its tests, feed, publication."""

from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import SAMPLE_CORPUS
from dagster import DagsterInstance, materialize
from pipeline_helpers import _counts, _feed_snapshot, materialize_sample

from orchestration.definitions import ASSETS
from orchestration.resources import build_resources


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    return materialize_sample(tmp_path_factory)


def test_every_sample_document_lands_once(sample_run):
    home, *_rest, counts, _feed = sample_run
    labelled = (SAMPLE_CORPUS.parent / "gold" / "sample_corpus.jsonl").read_text(encoding="utf-8").strip().splitlines()
    assert counts["raw.documents"] == len(labelled)
    assert counts["raw.rejects"] == 0
    assert counts["raw.document_assessments"] == counts["raw.documents"]
    assert counts["raw.signals"] > 0


def test_index_has_a_row_for_every_day_with_documents(sample_run):
    home, first, last, *_ = sample_run
    with duckdb.connect(str(home.published), read_only=True) as con:
        doc_days = {r[0] for r in con.execute("select distinct published_date from raw.documents").fetchall()}
        index = con.execute("select index_date, document_count, tension_index, tension_level "
                            "from marts.tension_index_daily").fetchall()
    by_day = {d: (n, idx, level) for d, n, idx, level in index}
    assert doc_days <= set(by_day)
    assert all(by_day[d][0] > 0 and by_day[d][1] is not None for d in doc_days)
    assert min(by_day) == first and max(by_day) == last
    # the index moves: not every day has the same value
    assert len({round(v[1], 1) for v in by_day.values() if v[1] is not None}) > 3


def test_dbt_tests_ran_as_asset_checks(sample_run):
    result = sample_run[3]
    checks = result.get_asset_check_evaluations()
    assert len(checks) >= 20
    assert all(c.passed for c in checks), [c.check_name for c in checks if not c.passed]


def test_rerun_gives_the_same_tables_and_feed(sample_run):
    home, *_rest, counts, feed = sample_run
    assert _counts(home.warehouse) == counts
    again = _feed_snapshot(home.feed)
    assert again.keys() == feed.keys()
    for name, frame in feed.items():
        assert again[name].equals(frame), name


def test_feed_is_hive_partitioned_with_the_date_in_the_path_only(sample_run):
    home, first, last, *_ = sample_run
    files = sorted((home.feed / "tension_index").glob("date=*/*.parquet"))
    assert files, "no tension_index feed files"
    frame = pl.read_parquet(files[0])
    assert "date" not in frame.columns and frame.height == 1  # a hive reader gets it from the folder name
    assert files[0].parent.name == f"date={frame['index_date'][0].isoformat()}"
    assert not list(home.feed.glob(".staging-*"))


RECORDING = ("record", "video", "clip", "leak", "camera", "tape", "gurulyov", "gurulev", "гурулёв", "гурулев", "запис",
             "ролик", "видео", "камер")


def _spike_days_lead(con) -> tuple[list, list]:
    rows = con.execute("select index_date, tension_index, top_driver_sentence from marts.tension_index_daily "
                       "where document_count > 0").fetchall()
    spike = [r for r in rows if str(r[0]) in ("2024-04-06", "2024-04-07", "2024-04-08")]
    others = [r for r in rows if r not in spike]
    return spike, others


def test_the_recording_days_lead_the_sample_index_with_recording_drivers(sample_run):
    home = sample_run[0]
    with duckdb.connect(str(home.published), read_only=True) as con:
        spike, others = _spike_days_lead(con)
    assert len(spike) == 3
    assert min(r[1] for r in spike) > max(r[1] for r in others)
    for day, _index, sentence in spike:
        assert any(w in sentence.lower() for w in RECORDING), (day, sentence)


def test_the_methodology_worked_example_reproduces_the_published_index(sample_run):
    home = sample_run[0]
    doc = (Path(__file__).resolve().parents[2] / "docs" / "methodology.md").read_text(encoding="utf-8")
    query = doc.split("```sql", 1)[1].split("```", 1)[0]
    with duckdb.connect(str(home.published), read_only=True) as con:
        row = dict(zip([c[0] for c in con.execute(query).description], con.fetchone(), strict=True))
    assert row["documents"] > 0
    assert row["tension_index"] == pytest.approx(row["published_index"], abs=0.01)


def test_a_reader_of_the_published_copy_is_never_blocked_by_a_run(sample_run):
    home = sample_run[0]
    reader = duckdb.connect(str(home.published), read_only=True)
    try:
        before = reader.execute("select count(*) from marts.tension_index_daily").fetchone()[0]
        with DagsterInstance.ephemeral() as instance:
            result = materialize(ASSETS, resources=build_resources(home), instance=instance, partition_key="2024-04-08")
        assert result.success  # the run wrote the warehouse and replaced the published file under the reader
        assert reader.execute("select count(*) from marts.tension_index_daily").fetchone()[0] == before
        with duckdb.connect(str(home.published), read_only=True) as fresh:
            assert fresh.execute("select count(*) from marts.tension_index_daily").fetchone()[0] == before
    finally:
        reader.close()
