import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE_CORPUS = REPO / "sample_corpus"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def pytest_configure(config):
    """Dagster's dbt assets read the manifest when the definitions are imported, and some test modules import
    them at collection: build it before collection (the same function as `make setup`'s step), so that a plain
    `pytest` works on a fresh clone after `make setup` or without it."""
    from georisk.runner import ensure_dbt_manifest

    ensure_dbt_manifest()


@pytest.fixture
def georisk_home(tmp_path, monkeypatch):
    from core.settings import Home

    monkeypatch.setenv("GEORISK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home" / "dagster"))
    return Home(tmp_path / "home").ensure()


def shared_or_skip() -> Path:
    if not (SHARED / "gold" / "seeds.jsonl").exists():
        pytest.skip(f"../shared is not beside the repo ({SHARED}): the real seed articles and gold are not here")
    return SHARED


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory):
    """The sample corpus materialised once for the session (the same as test_pipeline's first run)."""
    from pipeline_helpers import materialize_sample

    return materialize_sample(tmp_path_factory)[0]
