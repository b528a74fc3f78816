import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE_CORPUS = REPO / "sample_corpus"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest():
    """Dagster's dbt assets read the manifest at import: build it before any test loads the definitions."""
    from georisk.runner import ensure_dbt_manifest

    return ensure_dbt_manifest()


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
    from test_pipeline import materialize_sample

    return materialize_sample(tmp_path_factory)[0]
