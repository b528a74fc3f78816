"""The dbt project, alone in its module so that `dagster-dbt project prepare-and-package --file` can load it."""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"

# `dagster dev` from a venv that is not activated: dagster-dbt looks for `dbt` on PATH, so put this
# environment's bin folder there.
_bin = str(Path(sys.prefix) / "bin")
if (Path(_bin) / "dbt").exists() and _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

# The manifest the definitions load is the project's one file in dbt/target that every home reads (runs write
# their own dbt state under their home: orchestration/resources.py). When it is re-parsed, dbt's log goes to
# dbt/logs as for `make setup`'s parse, not beside the manifest.
dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR,
                         prepare_project_cli_args=["parse", "--quiet", "--log-path", str(DBT_DIR / "logs")])


def manifest_is_stale(project: DbtProject = dbt_project) -> bool:
    """The manifest is missing or older than a file of the dbt project (seeds followed into reference/)."""
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    files = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += [p for p in (DBT_DIR / folder).rglob("*") if p.is_file()]
    return any(p.exists() and p.stat().st_mtime > built for p in files)


# Under `dagster dev` dagster-dbt re-parses the project in every process that loads the definitions, each run
# worker included, into the dbt/target all homes share: only do so when the project changed since the last parse.
if manifest_is_stale():
    dbt_project.prepare_if_dev()
