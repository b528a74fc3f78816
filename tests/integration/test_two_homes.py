"""Issue 11: two homes materialised at the same time, by two `georisk materialize` processes, do not touch each
other nor the repo's dbt/ folder (dbt's target and logs are each home's own)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_CORPUS
from dbt_state import RepoDbtWatch

GEORISK = str(Path(sys.executable).parent / "georisk")
DAY = "2024-04-06"  # the sample's busiest day: accusations, threats and hostile mentions, so every dbt test has rows


def _home_with_one_day(root: Path) -> dict:
    lines = [ln for ln in (SAMPLE_CORPUS / "articles.jsonl").read_text(encoding="utf-8").splitlines()
             if (json.loads(ln).get("published_at") or "").startswith(DAY)]
    assert lines, f"the sample corpus has no document of {DAY}"
    (root / "inbox").mkdir(parents=True)
    (root / "inbox" / "day.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"GEORISK_HOME": str(root), "PATH": "/usr/bin:/bin", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


@pytest.mark.slow
def test_two_homes_materialise_at_once_without_sharing_dbt_state(tmp_path):
    homes = [tmp_path / "a", tmp_path / "b"]
    envs = [_home_with_one_day(h) for h in homes]
    with RepoDbtWatch() as watch:
        procs = [subprocess.Popen([GEORISK, "materialize", "--from", DAY, "--to", DAY], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for env in envs]
        outputs = [p.communicate(timeout=900) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert f"materialised {DAY} .. {DAY}" in out
    run_ids = [re.search(r"\(\d+ steps, run (\w+)\)", out).group(1) for out, _err in outputs]
    assert watch.named_after(run_ids) == [], "a run wrote its dbt state into the repo's dbt/"
    for home, run_id in zip(homes, run_ids, strict=True):
        (folder,) = (home / "dbt" / "target").iterdir()  # the run's one dbt invocation, named after the run
        assert f"-{run_id}-" in folder.name and (folder / "run_results.json").exists()
        assert str(home) in (home / "dbt" / "profiles.yml").read_text(encoding="utf-8")
        assert (home / "dbt" / "logs" / "dbt.log").stat().st_size > 0
        assert list((home / "feed" / "tension_index").glob(f"date={DAY}/*.parquet"))
