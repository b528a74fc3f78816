"""Collecting one window of days from the drop folder: what the daily ingestion asset runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .files import iter_files, read_path
from .models import Document, Reject


@dataclass(frozen=True)
class FileSpan:
    """The days a drop-folder file held when it was last read, and the fingerprint it had then."""

    fingerprint: str
    first_date: date | None
    last_date: date | None

    def outside(self, first: date, last: date) -> bool:
        # a file without a dated document (only rejects, perhaps a read error) is always read again
        return self.first_date is not None and (self.last_date < first or self.first_date > last)


def fingerprint(f: Path) -> str:
    st = f.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def collect_drop_folder(folder: Path, first: date, last: date, spans: dict[str, FileSpan] | None = None
                        ) -> list[Document | Reject]:
    """The items of iter_drop_folder as a list."""
    return list(iter_drop_folder(folder, first, last, spans))


def iter_drop_folder(folder: Path, first: date, last: date, spans: dict[str, FileSpan] | None = None
                     ) -> Iterator[Document | Reject]:
    """Documents dated within [first, last] and every reject; documents of other days wait for their own run.

    With `spans` (file -> FileSpan, from earlier runs), a file unchanged since it was read whose documents all
    lie outside the window is not read again (its rejects were stored when it was): a day's run then costs
    the same whether the folder holds a month or years of archives. `spans` is updated in place to hold the
    folder's files as they are now, once the items have all been read."""
    if not folder.exists():
        if spans is not None:
            spans.clear()
        return
    known = dict(spans or {})
    read: dict[str, list] = {}  # file -> [fingerprint, first day, last day], in reading order

    def skip(rel: str, f: Path) -> bool:
        fp = fingerprint(f)
        span = known.get(rel)
        if span is not None and span.fingerprint == fp and span.outside(first, last):
            return True
        known.pop(rel, None)
        read[rel] = [fp, None, None]
        return False

    for item in read_path(folder, source="drop_folder", skip=skip if spans is not None else None):
        # items come file by file; a document refused for its date counts too, since a later run may take it
        # (a day that was in the future, an earlier first day)
        day = item.published_date if isinstance(item, Document) else item.extra.get("published_date")
        if day is not None and read:
            span = read[next(reversed(read))]
            span[1] = day if span[1] is None else min(span[1], day)
            span[2] = day if span[2] is None else max(span[2], day)
        if isinstance(item, Reject) or first <= item.published_date <= last:
            yield item
    if spans is not None:
        spans.clear()
        spans.update(known)
        spans.update({rel: FileSpan(fp, a, b) for rel, (fp, a, b) in read.items()})
        # a file gone from the folder is forgotten
        present = {f.relative_to(folder).as_posix() for f in iter_files(folder)}
        for rel in set(spans) - present:
            del spans[rel]


def drop_folder_changes(folder: Path, seen: dict[str, str]) -> tuple[list[Path], dict[str, str]]:
    """Files in the drop folder that are new or changed since `seen` (relative path -> size:mtime), and the
    fingerprints to remember next time. A file is picked up once; editing it picks it up again."""
    if not folder.exists():
        return [], {}
    current = {f.relative_to(folder).as_posix(): fingerprint(f) for f in iter_files(folder)}
    changed = [folder / rel for rel, fp in sorted(current.items()) if seen.get(rel) != fp]
    return changed, current


def dates_in_files(files: list[Path]) -> list[date]:
    """The publication days of the documents in these files (what the sensor must materialise)."""
    days = set()
    for f in files:
        days.update(i.published_date for i in read_path(f) if isinstance(i, Document))
    return sorted(days)
