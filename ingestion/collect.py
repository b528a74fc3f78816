"""Collecting one window of days from the drop folder: what the daily ingestion asset runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .files import read_path
from .models import Document, Reject


def collect_drop_folder(folder: Path, first: date, last: date) -> list[Document | Reject]:
    """Documents dated within [first, last] and every reject; documents of other days wait for their own run."""
    if not folder.exists():
        return []
    items = []
    for item in read_path(folder, source="drop_folder"):
        if isinstance(item, Reject) or first <= item.published_date <= last:
            items.append(item)
    return items


def drop_folder_changes(folder: Path, seen: dict[str, str]) -> tuple[list[Path], dict[str, str]]:
    """Files in the drop folder that are new or changed since `seen` (relative path -> size:mtime), and the
    fingerprints to remember next time. A file is picked up once; editing it picks it up again."""
    from .files import iter_files

    if not folder.exists():
        return [], {}
    current = {}
    for f in iter_files(folder):
        st = f.stat()
        current[f.relative_to(folder).as_posix()] = f"{st.st_size}:{st.st_mtime_ns}"
    changed = [folder / rel for rel, fp in sorted(current.items()) if seen.get(rel) != fp]
    return changed, current


def dates_in_files(files: list[Path]) -> list[date]:
    """The publication days of the documents in these files (what the sensor must materialise)."""
    days = set()
    for f in files:
        days.update(i.published_date for i in read_path(f) if isinstance(i, Document))
    return sorted(days)
