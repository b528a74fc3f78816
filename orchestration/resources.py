"""Resources: where GEORISK_HOME is, the DuckDB warehouse, and the dbt CLI, all pointing at one home."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from core.atomic import atomic_write_text
from core.settings import Home

from .dbt_project import dbt_project


class GeoriskHome(ConfigurableResource):
    """The GEORISK_HOME a run writes into."""

    root: str

    @property
    def paths(self) -> Home:
        return Home(Path(self.root)).ensure()


def dbt_executable() -> str:
    # The venv need not be activated: use the dbt installed in this interpreter's environment when there is one.
    for candidate in (Path(sys.prefix) / "bin" / "dbt", Path(sys.executable).parent / "dbt"):
        if candidate.exists():
            return str(candidate)
    return "dbt"


def dbt_profiles_dir(home: Home) -> Path:
    """A dbt profile of this home's warehouse (GEORISK_HOME/dbt/profiles.yml), so that dbt is told the warehouse
    by its ``--profiles-dir`` and nothing is handed over through this process's environment."""
    folder = home.root / "dbt"
    text = ("georisk:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
            f"      path: {json.dumps(str(home.warehouse))}\n      threads: 1\n")
    path = folder / "profiles.yml"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return folder


def build_resources(home: Home) -> dict:
    return {
        "georisk_home": GeoriskHome(root=str(home.root)),
        "duckdb": DuckDBResource(database=str(home.warehouse)),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable(),
                              profiles_dir=str(dbt_profiles_dir(home))),
    }
