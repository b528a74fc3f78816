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
