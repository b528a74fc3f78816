"""The analysts' copy of the warehouse: written beside its final path, then renamed over it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from core import warehouse as live
from core.atomic import atomic_path


def publish_copy(warehouse: Path, published: Path) -> int:
    """Checkpoint the live file, copy it, and rename the copy into place. Returns its size in bytes."""
    with live.connect(warehouse) as con:  # as its writers open it (core.warehouse: a checkpoint keeps its row groups)
        con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(published, fsync=True) as tmp:
        shutil.copyfile(warehouse, tmp)
        with duckdb.connect(str(tmp), read_only=True) as con:  # refuse to publish a copy that does not open
            con.execute("select count(*) from marts.tension_index_daily").fetchone()
    return published.stat().st_size
