"""The raw layer of the warehouse: canonical documents and rejects, written idempotently in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
import numpy as np
import polars as pl

from core.schemas import DOCUMENTS, DROP_FILES, HTTP_VALIDATORS, REJECTS
from core.transaction import transaction

from .canonical import stable_id
from .collect import FileSpan
from .files import date_reject, index_start
from .keyset import KeySet
from .models import RETRY_STAGES, Backlog, Document, Reject
from .neardup import Entry, NearDuplicateIndex, shingles

DDL = "create schema if not exists raw;\n" + "\n".join(t.ddl() for t in (DOCUMENTS, HTTP_VALIDATORS, REJECTS, DROP_FILES))
DOCUMENT_COLUMNS = DOCUMENTS.column_names
# Candidates for near-duplicate links: documents this many days either side of the new one.
NEAR_DUPLICATE_DAYS = 3


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def _keys(values: Iterable[str]) -> pl.DataFrame:
    """A list of keys as a one-column frame (`v`) for DuckDB to scan: a Python list passed as a parameter is
    converted one element at a time, with a failed import per element (3.8 s for 30,000 ids, against 0.01 s)."""
    return pl.DataFrame({"v": list(values)}, schema={"v": pl.Utf8})


@dataclass
class StoreResult:
    stored: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    near_duplicates: int = 0  # stored, and linked to the document they republish

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True)))


def load_validators(con: duckdb.DuckDBPyConnection, before: date | None = None
                    ) -> dict[str, tuple[str | None, str | None]]:
    """The ETag and Last-Modified of every URL fetched in full before, for conditional GETs. With `before` (the
    first day of a run's window), only those a run for earlier days kept in full: a 304 then says there is
    nothing new for this window, whereas for a re-run of an earlier window it would hide items never kept."""
    ensure_schema(con)
    rows = con.execute("select url, etag, last_modified from raw.http_validators "
                       "where ? is null or kept_through_date < ?", [before, before]).fetchall()
    return {u: (e, m) for u, e, m in rows}


def load_drop_spans(con: duckdb.DuckDBPyConnection) -> dict[str, FileSpan]:
    """The days each drop-folder file held when last read (collect.collect_drop_folder skips by them)."""
    ensure_schema(con)
    rows = con.execute("select file_path, fingerprint, first_date, last_date from raw.drop_files").fetchall()
    return {p: FileSpan(fp, a, b) for p, fp, a, b in rows}


def save_drop_spans(con: duckdb.DuckDBPyConnection, spans: dict[str, FileSpan]) -> None:
    """Replace the recorded spans with `spans`. Written only after the documents were committed: a span lets a
    run skip a file, so it must never describe documents that a crash kept out of the warehouse."""
    with transaction(con):
        con.execute("delete from raw.drop_files")
        if spans:
            con.executemany("insert into raw.drop_files values (?, ?, ?, ?)",
                            [(p, s.fingerprint, s.first_date, s.last_date) for p, s in sorted(spans.items())])


# A run for day D also reads the items of the BACKLOG_DAYS before D that feeds still show and the warehouse
# lacks: what a day lost to a feed that could not be read, or to a run that did not happen, arrives late.
BACKLOG_DAYS = 7


def backlog(con: duckdb.DuckDBPyConnection, first: date, days: int = BACKLOG_DAYS) -> Backlog:
    """What a run whose window starts on `first` still wants from earlier days (models.Backlog): the links of
    pages that failed with a fault (RETRY_STAGES) and were not stored since, and which links of the last `days`
    days are already stored or rejected."""
    ensure_schema(con)
    stages = sorted(RETRY_STAGES)
    retry = con.execute(
        "select distinct source_path from raw.rejects where stage in (select unnest(?)) and source_path not in "
        "(select source_path from raw.documents union all select url from raw.documents where url is not null)",
        [stages]).fetchall()
    since = first - timedelta(days=days)
    seen = con.execute(
        "select source_path from raw.documents where published_date >= ? and published_date < ? "
        "union select url from raw.documents where url is not null and published_date >= ? and published_date < ? "
        "union select source_path from raw.rejects where stage not in (select unnest(?))",
        [since, first, since, first, stages]).fetchall()
    return Backlog(retry=frozenset(p for (p,) in retry if p), since=since, until=first,
                   seen=frozenset(p for (p,) in seen if p))


def _key_hashes(values: Iterable[str | None]) -> np.ndarray:
    return pl.Series(list(values), dtype=pl.Utf8).drop_nulls().hash(seed=0).to_numpy()


class StoredKeys:
    """64-bit hashes of every id, content hash and URL in raw.documents, carried by a bulk load from batch to
    batch (ingestion.bulk). A document none of whose keys is among them cannot be a duplicate or a conflict of a
    stored one, so a batch looks up only the others: the look-up scans the table, and at a million documents it
    cost 0.15-0.5 s a batch, the one part of storing that grew with the warehouse. A hash in common only says to
    look; the look-up decides. The hashes are a KeySet: a batch's look-up costs the same at any size."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        ensure_schema(con)
        stored = con.execute("select doc_id, content_hash, url from raw.documents").pl()
        self._keys = KeySet()
        self._keys.add(np.concatenate([_key_hashes(stored[c]) for c in stored.columns]))

    def suspects(self, docs: list[Document]) -> list[Document]:
        """The documents with a key that may be stored already."""
        if not docs:
            return []
        keys = _key_hashes([k for d in docs for k in (d.doc_id, d.content_hash, d.url or "")])
        per_doc = self._keys.contains(keys).reshape(len(docs), 3).any(axis=1)
        return [d for d, h in zip(docs, per_doc, strict=True) if h]

    def add(self, docs: list[Document]) -> None:
        self._keys.add(_key_hashes(k for d in docs for k in (d.doc_id, d.content_hash, d.url)))


def store(con: duckdb.DuckDBPyConnection, items: Iterable[Document | Reject], validators=None,
          kept_through: date | None = None, neardup_index: NearDuplicateIndex | None = None,
          stored_keys: StoredKeys | None = None) -> StoreResult:
    """Store documents and rejects. Same id and text again: a duplicate. Same text or URL under another id: a
    duplicate of the first. Same id with new text: an update. All or nothing, together with the HTTP
    validators of the fetches that produced them (`validators`: a store with `_data` or a dict), so that a
    304 can only ever answer a page whose documents were committed. `neardup_index`: the index a previous
    call left, when consecutive calls store consecutive days (ingestion.bulk), so that days already swept are
    not read and hashed again. `stored_keys`: the keys of the warehouse as that call left them (StoredKeys),
    kept up to date here."""
    result, write = plan_store(con, items, validators, kept_through, neardup_index, stored_keys)
    write()
    return result


def plan_store(con: duckdb.DuckDBPyConnection, items: Iterable[Document | Reject], validators=None,
               kept_through: date | None = None, neardup_index: NearDuplicateIndex | None = None,
               stored_keys: StoredKeys | None = None, reader: duckdb.DuckDBPyConnection | None = None,
               settle: Callable[[], None] = lambda: None, later: dict[str, str] | None = None,
               ) -> tuple[StoreResult, Callable[[], None]]:
    """store() in two halves: what storing `items` will do (its result), and the transaction that does it, to be
    called next on `con`. The first half reads through `reader` (a cursor of `con`, by default `con` itself) and
    calls `settle` before any read that a transaction not yet committed could change, so that ingestion.bulk
    can plan a batch while the previous one is being written. `later`: the ids and content hashes of documents a
    later batch stores on the day this one ends in (see _link_near_duplicates)."""
    reader = con if reader is None else reader
    # A date outside the index's range would stop or distort the run that covers it: a reject, from any source.
    start = index_start()
    items = [(date_reject(i, start) or i) if isinstance(i, Document) else i for i in items]
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    if reader is con:  # a bulk load makes the schema before its first batch
        ensure_schema(con)
    result = StoreResult(rejected=len(rejects))
    to_insert, to_update, conflicts = _classify(reader, docs, result,
                                                None if stored_keys is None else stored_keys.suspects(docs), settle)
    rejects += conflicts
    result.near_duplicates = _link_near_duplicates(reader, to_insert + to_update, neardup_index, settle, later)
    new = to_insert + to_update
    if stored_keys is not None:
        stored_keys.add(new)

    changes = _changes(to_update, new, rejects, validators, kept_through)

    def write() -> None:
        _write(con, changes)

    return result, write


@dataclass
class _Changes:
    """What one transaction writes, made ready where it is planned: the transaction then only runs DuckDB, which
    lets go of the GIL. (Built inside the transaction, on ingestion.bulk's writer thread, these frames held the
    GIL against the thread planning the next batch.)"""
    updated: pl.DataFrame | None  # ids of documents whose text changed
    documents: object | None  # the documents to insert, as an Arrow table
    places: pl.DataFrame | None  # pages whose recorded faults an outcome clears
    rejects: pl.DataFrame | None
    forgotten: pl.DataFrame | None  # URLs whose HTTP validators go
    validators: list[tuple]  # (url, etag, last_modified, kept_through_date) to write


def _changes(to_update: list[Document], new: list[Document], rejects: list[Reject], validators,
             kept_through: date | None) -> _Changes:
    # A page stored at last, or judged at last (a reject that is not a fault), clears the faults recorded for it:
    # one input, one outcome.
    places = sorted({p for d in new for p in (d.source_path, d.url) if p}
                    | {r.source_path for r in rejects if r.stage not in RETRY_STAGES and r.source_path})
    forgotten = sorted(getattr(validators, "forgotten", ()))
    pairs = dict(getattr(validators, "_data", validators) or {})
    if hasattr(validators, "updated"):
        pairs = {u: v for u, v in pairs.items() if u in validators.updated}
    return _Changes(
        updated=_keys(d.doc_id for d in to_update) if to_update else None,
        documents=_documents_frame(new).to_arrow() if new else None,
        places=_keys(places) if places else None,
        rejects=_rejects_frame(rejects) if rejects else None,
        forgotten=_keys(forgotten) if forgotten else None,
        validators=[(u, e, m, kept_through) for u, (e, m) in sorted(pairs.items())],
    )


def _write(con, changes: _Changes) -> None:
    # (the frames are read by DuckDB's replacement scans, under these local names)
    with transaction(con):
        if (updated := changes.updated) is not None:  # noqa: F841
            con.execute("delete from raw.documents where doc_id in (select v from updated)")
        if (frame := changes.documents) is not None:  # noqa: F841
            cols = ", ".join(DOCUMENT_COLUMNS)
            con.execute(f"insert into raw.documents ({cols}) select {cols} from frame")
        if (place_keys := changes.places) is not None:  # noqa: F841
            con.execute("delete from raw.rejects where stage in (select unnest(?)) and source_path in "
                        "(select v from place_keys)", [sorted(RETRY_STAGES)])
        if (rframe := changes.rejects) is not None:  # noqa: F841
            con.execute("insert into raw.rejects select * from rframe on conflict do nothing")
        if (forgotten_keys := changes.forgotten) is not None:  # noqa: F841
            con.execute("delete from raw.http_validators where url in (select v from forgotten_keys)")
        if changes.validators:
            con.executemany(
                "insert or replace into raw.http_validators (url, etag, last_modified, kept_through_date) "
                "values (?, ?, ?, ?)", changes.validators)


def _classify(con, docs: list[Document], result: StoreResult, suspects: list[Document] | None = None,
              settle: Callable[[], None] = lambda: None) -> tuple[list[Document], list[Document], list[Reject]]:
    """`suspects`: the documents whose keys may be stored already (StoredKeys), when not all may be."""
    looked_up = docs if suspects is None else suspects
    known = []
    if looked_up:
        settle()
        id_keys = _keys(d.doc_id for d in looked_up)  # noqa: F841 - read by DuckDB's replacement scan
        hash_keys = _keys(d.content_hash for d in looked_up)  # noqa: F841
        url_keys = _keys(d.url for d in looked_up if d.url)  # noqa: F841
        known = con.execute(
            "select doc_id, content_hash, url from raw.documents where doc_id in (select v from id_keys) "
            "or content_hash in (select v from hash_keys) or url in (select v from url_keys)").fetchall()
    by_id = {r[0]: r[1] for r in known}
    seen_hash = {r[1] for r in known}
    seen_url = {r[2]: r[0] for r in known if r[2]}
    to_insert, to_update, conflicts = [], [], []
    pending: dict[str, tuple[list[Document], int]] = {}  # id -> where this batch already holds it
    for d in docs:
        if d.doc_id in by_id:
            if by_id[d.doc_id] == d.content_hash:
                result.duplicates += 1
            else:
                if d.doc_id in pending:  # a newer text of a document earlier in this batch: it replaces that one
                    batch, i = pending[d.doc_id]
                    batch[i] = d
                else:
                    to_update.append(d)
                    pending[d.doc_id] = (to_update, len(to_update) - 1)
                result.updated += 1
                by_id[d.doc_id] = d.content_hash
                seen_hash.add(d.content_hash)
            continue
        if d.content_hash in seen_hash:
            result.duplicates += 1
            continue
        if d.url and d.url in seen_url:
            # Another text at a page already stored: not a copy, and not silently one. The first version stays
            # the evidence; this one is kept whole as a reject for an analyst to compare.
            conflicts.append(Reject(d.source, d.source_path, "conflict",
                                    f"a different text at a URL already stored as {seen_url[d.url]} (the first kept)",
                                    payload=d.raw_payload or d.text, extra={"doc_id": d.doc_id, "url": d.url}))
            result.rejected += 1
            continue
        to_insert.append(d)
        pending[d.doc_id] = (to_insert, len(to_insert) - 1)
        result.stored += 1
        by_id[d.doc_id] = d.content_hash
        seen_hash.add(d.content_hash)
        if d.url:
            seen_url[d.url] = d.doc_id
    return to_insert, to_update, conflicts


def _link_near_duplicates(con, new: list[Document], index: NearDuplicateIndex | None = None,
                          settle: Callable[[], None] = lambda: None, later: dict[str, str] | None = None) -> int:
    """Set near_duplicate_of on each new document that republishes an earlier one (nearby days, same
    language). The original is the earliest published, then the smallest id, so reruns link the same way.

    Days are swept in order with the documents of the NEAR_DUPLICATE_DAYS before each in an index (only an
    earlier document can be the original), stored documents streamed in date order beside the new ones, so the
    cost is linear in the documents and a day's run reads only its own days and those just before them.

    A stored document that a new one replaces (another text under its id) is not a candidate. A batch that ends
    inside a day reads that day's stored documents for the batches after it too: `later` (id -> content hash)
    names the documents they store, so that one replaced there is passed over here, as storing all at once would."""
    if not new:
        return 0
    by_id = {d.doc_id: d for d in new}
    later = later or {}
    ordered = sorted(new, key=lambda x: (x.published_date, x.doc_id))
    lower = ordered[0].published_date - timedelta(days=NEAR_DUPLICATE_DAYS)
    if index is None:
        index = NearDuplicateIndex()
    elif index.complete_through is None or index.complete_through > ordered[0].published_date:
        index.clear()  # not the days just after it: start again
    else:  # the days through complete_through are in the index already (on that day: stored and new ones)
        lower = max(lower, index.complete_through + timedelta(days=1))
    if index.complete_through is None:
        settle()  # the days read may be those of a batch still being written
    # `con` is the writer's connection or, in a bulk load, a cursor that ingestion.bulk pointed at the warehouse's
    # catalog (a cursor opens in DuckDB's default catalog, not the one core.warehouse attached)
    rows = con.execute(
        "select doc_id, published_date, language, text, near_duplicate_of, content_hash from raw.documents "
        "where published_date between ? and ? order by published_date, doc_id",
        [lower, ordered[-1].published_date])
    stored = (row for chunk in iter(lambda: rows.fetchmany(1000), []) for row in chunk)
    # the order the sweep sees: each day's stored documents, then its new ones, by id
    items: list[tuple[Entry, bool]] = []
    row = next(stored, None)
    for d in ordered:
        while row is not None and row[1] <= d.published_date:
            doc_id, pd, lang, text, dup, content_hash = row
            if doc_id not in by_id and later.get(doc_id, content_hash) == content_hash:
                items.append((Entry(pd, doc_id, lang, shingles(text), dup), False))
            row = next(stored, None)
        own = d.shingles if d.shingles is not None else shingles(d.text)
        d.shingles = None  # held by the index from here; the batch need not keep a second reference
        items.append((Entry(d.published_date, d.doc_id, d.language, own, None), True))
    originals = index.sweep(items, NEAR_DUPLICATE_DAYS)
    linked = 0
    for (entry, is_new), original in zip(items, originals, strict=True):
        if is_new:
            by_id[entry.doc_id].near_duplicate_of = entry.near_duplicate_of
            linked += original is not None
    index.complete_through = ordered[-1].published_date
    return linked


def _utc(value: str | None) -> datetime | None:
    """An ISO date or date-time as naive UTC; a bare date is midnight UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _documents_frame(docs: list[Document]) -> pl.DataFrame:
    # column by column: a dict per row cost a tenth of a million documents' storing
    utc = [_utc(d.published_at) or datetime(*d.published_date.timetuple()[:3]) for d in docs]
    columns = {c: utc if c == "published_at_utc" else [getattr(d, c, None) for d in docs] for c in DOCUMENT_COLUMNS}
    return pl.DataFrame(
        columns,
        schema={
            "doc_id": pl.Utf8, "source": pl.Utf8, "source_path": pl.Utf8, "outlet": pl.Utf8, "doc_type": pl.Utf8,
            "url": pl.Utf8, "title": pl.Utf8, "text": pl.Utf8, "language": pl.Utf8, "published_at": pl.Utf8,
            "published_date": pl.Date, "date_source": pl.Utf8, "content_hash": pl.Utf8,
            "fetched_at": pl.Datetime("us"), "raw_payload": pl.Utf8, "source_id": pl.Utf8,
            "outlet_country": pl.Utf8, "outlet_alignment": pl.Utf8, "author": pl.Utf8, "issuing_body": pl.Utf8,
            "published_at_utc": pl.Datetime("us"), "near_duplicate_of": pl.Utf8,
        },
    )


def _rejects_frame(rejects: list[Reject]) -> pl.DataFrame:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    rows = [
        {
            "reject_id": stable_id(r.source, r.source_path, str(r.line_number), r.stage, r.reason),
            "source": r.source, "source_path": r.source_path, "line_number": r.line_number, "stage": r.stage,
            "reason": r.reason, "payload": r.payload, "rejected_at": now,
        }
        for r in rejects
    ]
    # One reject per key even when a batch repeats it.
    return pl.DataFrame(rows, schema={
        "reject_id": pl.Utf8, "source": pl.Utf8, "source_path": pl.Utf8, "line_number": pl.Int32,
        "stage": pl.Utf8, "reason": pl.Utf8, "payload": pl.Utf8, "rejected_at": pl.Datetime("us"),
    }).unique("reject_id", keep="first", maintain_order=True)
