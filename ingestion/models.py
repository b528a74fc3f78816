"""The records ingestion produces: a canonical document, or a reject saying why something was not stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Document:
    doc_id: str
    source: str  # the source kind: "file", "jsonl", "feed", "telegram", ...
    source_path: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    doc_type: str = "article"
    language: str | None = None
    published_at: str | None = None  # as given by the source
    published_date: date | None = None
    date_source: str | None = None  # "metadata" or "text"
    content_hash: str = ""
    raw_payload: str = ""
    fetched_at: datetime | None = None


@dataclass
class Reject:
    source: str
    source_path: str
    stage: str  # "read", "parse", "validate", "date"
    reason: str
    line_number: int | None = None
    payload: str = ""
    extra: dict = field(default_factory=dict)
