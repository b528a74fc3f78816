"""The records ingestion produces: a canonical document, or a reject saying why something was not stored."""

from __future__ import annotations

import pickle
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
    source_id: str | None = None  # the entry in config/sources.yaml it came from
    outlet_country: str | None = None  # ISO 3166 alpha-2 of the publisher
    outlet_alignment: str | None = None  # state | state_aligned | independent | official_body
    author: str | None = None
    issuing_body: str | None = None  # for official statements: the ministry or office that issued it
    near_duplicate_of: str | None = None  # set by the store: the document this one republishes
    # its near-duplicate shingles when already computed (by a parsing worker), so the store need not again
    shingles: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PickledDocument:
    """A Document as the worker process that parsed it pickled it: passed on, and spilled to disk by
    ingestion.bulk, without being unpickled and pickled again in the process that stores it."""
    doc_id: str
    published_date: date
    data: bytes

    @classmethod
    def of(cls, doc: Document) -> PickledDocument:
        return cls(doc.doc_id, doc.published_date, pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self) -> Document:
        return pickle.loads(self.data)  # noqa: S301 - written by this program's own worker a moment ago


# Reject stages of a page that may well come next time (a fault, not a verdict on the content): a run retries them
# while a feed still lists the page, and a stored document later clears them.
RETRY_STAGES = frozenset({"connect", "http", "timeout", "truncated", "adapter"})


@dataclass(frozen=True)
class Backlog:
    """Items of days before a run's window that the run still wants, so that a fault costs a delay, not the
    item: pages that failed before (`retry`, their links, whatever their day), and items dated in
    [since, until) that are neither stored nor rejected (`seen`), such as those of a day whose feed could not
    be read at all."""

    retry: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None
    seen: frozenset[str] = frozenset()

    def wants(self, link: str | None, day: date | None) -> bool:
        link = (link or "").strip()
        if not link:
            return False
        if link in self.retry:
            return True
        return (self.since is not None and day is not None and self.since <= day < (self.until or day)
                and link not in self.seen)


NO_BACKLOG = Backlog()


@dataclass
class Reject:
    source: str
    source_path: str
    stage: str  # "read", "parse", "validate", "date"
    reason: str
    line_number: int | None = None
    payload: str = ""
    extra: dict = field(default_factory=dict)
