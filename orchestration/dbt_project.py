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

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()
