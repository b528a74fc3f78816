"""Issue 11: dbt's target and logs belong to the home a run writes, never to the repo's dbt/ that every home shares."""

import os
import shutil
import uuid
from pathlib import Path

import pytest

from core.settings import DBT_PROJECT_DIR, Home


def test_the_dbt_resource_points_target_logs_and_profile_at_its_home(tmp_path):
    from orchestration.resources import build_resources

    homes = [Home(tmp_path / name).ensure() for name in ("a", "b")]
    for home in homes:
        dbt = build_resources(home)["dbt"]
        assert Path(dbt.profiles_dir) == home.root / "dbt"
        flags = dbt.global_config_flags
        assert flags[flags.index("--log-path") + 1] == str(home.root / "dbt" / "logs")
        target = dbt.invocation_target_path()
        assert target.parent == home.root / "dbt" / "target"
        assert target != dbt.invocation_target_path()  # one folder per invocation


def _home_with_old_invocations(tmp_path, n: int):
    """A home whose dbt target holds `n` invocation folders old-0 .. old-{n-1}, oldest first."""
    home = Home(tmp_path / "h").ensure()
    root = home.root / "dbt" / "target"
    for i in range(n):
        (root / f"old-{i}").mkdir(parents=True)
        os.utime(root / f"old-{i}", (1_000_000 + i, 1_000_000 + i))
    return home, root


@pytest.mark.slow
def test_a_real_dbt_invocation_writes_only_under_its_home_and_makes_room_for_itself(tmp_path):
    from orchestration.resources import KEEP_DBT_INVOCATIONS, build_resources

    home, root = _home_with_old_invocations(tmp_path, KEEP_DBT_INVOCATIONS + 1)
    invocation = build_resources(home)["dbt"].cli(["parse", "--quiet"]).wait()
    assert invocation.is_successful()
    assert invocation.target_path.parent == root
    assert not invocation.target_path.is_relative_to(DBT_PROJECT_DIR)
    assert {p.name for p in invocation.target_path.iterdir()} >= {"manifest.json", "partial_parse.msgpack"}
    assert "--log-path" in invocation.dbt_command
    log = home.root / "dbt" / "logs" / "dbt.log"
    assert log.exists() and "Command `dbt parse` succeeded" in log.read_text(encoding="utf-8")
    # the oldest folders made room for this one
    kept = {p.name for p in root.iterdir()}
    assert kept == {invocation.target_path.name, *(f"old-{i}" for i in range(2, KEEP_DBT_INVOCATIONS + 1))}


def test_a_home_keeps_only_its_latest_dbt_invocations(tmp_path):
    from georisk.runner import clean_dbt_run_dirs
    from orchestration.resources import KEEP_DBT_INVOCATIONS

    home, root = _home_with_old_invocations(tmp_path, KEEP_DBT_INVOCATIONS + 3)
    clean_dbt_run_dirs(home)
    assert sorted(p.name for p in root.iterdir()) == [f"old-{i}" for i in range(3, KEEP_DBT_INVOCATIONS + 3)]


def test_cleaning_after_a_run_never_removes_another_runs_dbt_folder():
    # The runner used to empty the repo's dbt/target of run folders after each run, pulling the folder of a run
    # still going in another home out from under its dbt (issue 11).
    from georisk.runner import clean_dbt_run_dirs

    other = DBT_PROJECT_DIR / "target" / f"georisk_dbt_assets-another-home-{uuid.uuid4().hex[:7]}"
    other.mkdir(parents=True)
    try:
        clean_dbt_run_dirs()
        assert other.exists()
    finally:
        shutil.rmtree(other, ignore_errors=True)
