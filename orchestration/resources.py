"""Resources: where GEORISK_HOME is, the DuckDB warehouse, and the dbt CLI, all pointing at one home."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

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


def build_resources(home: Home) -> dict:
    return {
        "georisk_home": GeoriskHome(root=str(home.root)),
        "duckdb": DuckDBResource(database=str(home.warehouse)),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
