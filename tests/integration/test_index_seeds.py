"""Issue 5's acceptance on the five real seed articles, exactly as an analyst would run it:
`georisk ingest --from ../shared/corpus/seeds && georisk materialize` in an empty GEORISK_HOME."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import shared_or_skip
from test_pipeline import RECORDING, _spike_days_lead

GEORISK = str(Path(sys.executable).parent / "georisk")


@pytest.mark.slow
def test_leaked_recording_days_score_above_the_other_days(tmp_path):
    shared = shared_or_skip()
    env = {"GEORISK_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    ingest = subprocess.run([GEORISK, "ingest", "--from", str(shared / "corpus" / "seeds")], env=env,
                            capture_output=True, text=True, timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    assert "stored 5" in ingest.stdout
    mat = subprocess.run([GEORISK, "materialize"], env=env, capture_output=True, text=True, timeout=600)
    assert mat.returncode == 0, mat.stderr
    with duckdb.connect(str(tmp_path / "home" / "published" / "georisk.duckdb"), read_only=True) as con:
        spike, others = _spike_days_lead(con)
    assert len(spike) == 3 and others, (spike, others)
    assert min(r[1] for r in spike) > max(r[1] for r in others)
    for day, _index, sentence in spike:
        assert any(w in sentence.lower() for w in RECORDING), (day, sentence)
