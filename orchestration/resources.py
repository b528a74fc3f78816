"""Resources: where GEORISK_HOME is, the DuckDB warehouse, and the dbt CLI, all pointing at one home."""

from __future__ import annotations

import json
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from core import warehouse
from core.atomic import atomic_write_text
from core.settings import Home

from .dbt_project import dbt_project

# dbt's per-invocation folders (compiled SQL, run_results.json, its copy of the manifest) a home keeps: the
# latest few, for looking into a failed run; older ones are removed when the next invocation starts.
KEEP_DBT_INVOCATIONS = 3


class GeoriskHome(ConfigurableResource):
    """The GEORISK_HOME a run writes into."""

    root: str

    @property
    def paths(self) -> Home:
        return Home(Path(self.root)).ensure()


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's resource, opening the warehouse as every writer does (core.warehouse: its row groups)."""

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        for attempt in range(LOCK_RETRIES + 1):  # another process may hold the file for a moment, as upstream retries
            try:
                con = warehouse.connect(self.database, config=self.connection_config)
                break
            except duckdb.IOException:
                if attempt == LOCK_RETRIES:
                    raise
                time.sleep(0.1 * 2 ** attempt)
        try:
            yield con
        finally:
            con.close()


LOCK_RETRIES = 8


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
            f"      path: {json.dumps(str(home.warehouse))}\n      threads: 1\n"
            f"      settings:\n        memory_limit: {json.dumps(warehouse.DBT_MEMORY_LIMIT)}\n")
    path = folder / "profiles.yml"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return folder


def dbt_target_root(home: Home) -> Path:
    """GEORISK_HOME/dbt/target: one folder per dbt invocation of this home's runs."""
    return home.root / "dbt" / "target"


def dbt_log_dir(home: Home) -> Path:
    """GEORISK_HOME/dbt/logs: dbt's own log (dbt.log) of this home's runs."""
    return home.root / "dbt" / "logs"


def stale_dbt_invocations(target_root: Path, keep: int = KEEP_DBT_INVOCATIONS) -> list[Path]:
    """The invocation folders under a home's dbt target beyond the ``keep`` most recent ones."""
    if not target_root.is_dir():
        return []
    folders = sorted((p for p in target_root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    return folders[max(keep, 0):]


class HomeDbtCliResource(DbtCliResource):
    """The dbt CLI of one home: every invocation writes its target (compiled and run SQL, run_results.json, the
    manifest it parsed) in its own folder GEORISK_HOME/dbt/target/<invocation>/, and its log, through the
    ``--log-path`` global flag that ``build_resources`` sets, in GEORISK_HOME/dbt/logs/.

    dagster-dbt's default puts each invocation's folder in the project's dbt/target, which every home shares, and
    the runner emptied that of run folders after each run: one home's run removed the folder of another home's dbt
    while it ran (issue 11). The project's dbt/target now keeps only what ``make setup`` builds there (the manifest
    the definitions load, and the partial-parse file each invocation copies to its own folder to start from)."""

    home_root: str  # the GEORISK_HOME whose dbt/target and dbt/logs the invocations write

    @property
    def target_root(self) -> Path:
        return dbt_target_root(Home(Path(self.home_root)))

    def invocation_target_path(self, context=None) -> Path:
        """A new folder under the home's dbt/target, named after the op and run when there is a context."""
        name = uuid.uuid4().hex[:7]
        if context is not None:
            op_context = context.op_execution_context
            name = f"{op_context.op.name}-{op_context.run_id[:8]}-{name}"
        return self.target_root / name

    def cli(self, args: Sequence[str], *, target_path: Path | None = None, context=None, **kwargs):
        if target_path is None:
            for stale in stale_dbt_invocations(self.target_root, keep=KEEP_DBT_INVOCATIONS - 1):
                shutil.rmtree(stale, ignore_errors=True)
            target_path = self.invocation_target_path(context)
        return super().cli(args, target_path=target_path, context=context, **kwargs)


def build_resources(home: Home) -> dict:
    return {
        "georisk_home": GeoriskHome(root=str(home.root)),
        "duckdb": WarehouseResource(database=str(home.warehouse)),
        "dbt": HomeDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable(),
                                  profiles_dir=str(dbt_profiles_dir(home)), home_root=str(home.root),
                                  global_config_flags=["--log-path", str(dbt_log_dir(home))]),
    }
