"""Documents from files: a JSON Lines file in the extract contract's input shape, or a folder of .txt, .html and
.jsonl files (the drop folder and the sample corpus arrive this way)."""

from __future__ import annotations

import json
import multiprocessing
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from core.settings import Settings
from indicators.doc_meta import detect_language, find_date, parse_published_at

from .canonical import canonical_url, content_hash, stable_id
from .html import parse_html
from .models import Document, PickledDocument, Reject
from .neardup import shingles

SUFFIXES = (".jsonl", ".txt", ".html", ".htm")
_OPTIONAL_STR = ("title", "url", "outlet", "published_at", "language", "doc_type")
MAX_PAYLOAD = 2000


def iter_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_path(path: Path, source: str = "file", skip: Callable[[str, Path], bool] | None = None,
              workers: int = 1) -> Iterator[Document | PickledDocument | Reject]:
    """Every document under `path`, or a Reject for each file or line that cannot be one. Never raises for
    what a file holds: one bad file or line is a reject and the rest is read. `skip(relative path, file)`, when
    given, passes over the files it is true for. With `workers` above one, a JSON Lines file of at least
    PARALLEL_MIN_BYTES is parsed by that many processes: the same items in the same order, its documents as
    PickledDocument (for ingestion.bulk.store_in_batches, which spills them as they are)."""
    path = Path(path)
    if not path.exists():
        yield Reject(source, str(path), "read", "path does not exist")
        return
    base = path if path.is_dir() else path.parent
    start = index_start()
    for f in iter_files(path):
        rel = f.relative_to(base).as_posix()
        problem = _unsafe_path(f, base, rel)
        if problem:
            yield Reject(source, _printable(rel), "read", problem)
            continue
        if skip is not None and skip(rel, f):
            continue
        try:
            if f.suffix.lower() == ".jsonl":
                with open(f, "rb") as lines:  # streamed: an archive file may hold millions of lines
                    items = (_from_jsonl_parallel(lines, rel, source, workers)
                             if workers > 1 and f.stat().st_size >= PARALLEL_MIN_BYTES
                             else _from_jsonl(lines, rel, source))
                    for item in items:
                        yield (date_reject(item, start) or item) if isinstance(item, Document) else item
                continue
            raw = f.read_bytes()
        except OSError as e:
            yield Reject(source, rel, "read", f"cannot read file: {e.strerror or e}")
            continue
        for item in _read_file(raw, f.suffix.lower(), rel, source):
            yield (date_reject(item, start) or item) if isinstance(item, Document) else item


def _read_file(raw: bytes, suffix: str, rel: str, source: str) -> Iterator[Document | Reject]:
    if suffix == ".jsonl":
        yield from _from_jsonl(raw, rel, source)
        return
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        yield Reject(source, rel, "read", f"not UTF-8 at byte {e.start}", payload=_payload(raw))
        return
    try:
        yield from (_from_html(content, rel, source) if suffix in (".html", ".htm") else _from_txt(content, rel, source))
    except (ValueError, RecursionError) as e:
        yield Reject(source, rel, "parse", f"cannot read the file: {_one_line(e)}", payload=content[:MAX_PAYLOAD])


def index_start() -> date:
    """The index's first day (GEORISK_START_DATE)."""
    return date.fromisoformat(Settings.current().start_date)


def date_problem(day: date, today: date | None = None, start: date | None = None) -> str | None:
    """Why a document's date is outside what the index covers: before its first day, or in the future (a day's
    grace for time zones). Such a document would otherwise stop or distort a run; it is kept as a reject.
    Callers checking many documents pass `start` (index_start()): reading the settings costs 0.1 ms."""
    start = start or index_start()
    today = today or datetime.now(UTC).date()
    if day < start:
        return f"dated {day}, before the index's first day {start} (GEORISK_START_DATE)"
    if day > today + timedelta(days=1):
        return f"dated {day}, after today ({today})"
    return None


def date_reject(doc: Document, start: date | None = None) -> Reject | None:
    """The document as a reject (its whole payload kept) when its date is out of range, else None."""
    problem = date_problem(doc.published_date, start=start)
    if problem is None:
        return None
    path, line = doc.source_path or "", None
    head, _, tail = path.rpartition(":")
    if head and tail.isdigit():  # "file.jsonl:12", as make_document writes a line's place
        path, line = head, int(tail)
    return Reject(doc.source, path, "date", problem, line,
                  doc.raw_payload or doc.text, extra={"doc_id": doc.doc_id, "date_source": doc.date_source,
                         "published_date": doc.published_date})


def _unsafe_path(f: Path, base: Path, rel: str) -> str | None:
    """Why a file found under the drop folder must not be read: its name is not text, or a link leads outside."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8"
    if f.is_symlink() or any(p.is_symlink() for p in f.relative_to(base).parents if p != Path(".")):
        try:
            f.resolve(strict=True).relative_to(base.resolve(strict=True))
        except (OSError, ValueError, RuntimeError):
            return "symbolic link to a file outside the folder (refused)"
    return None


def _printable(name: str) -> str:
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:300]


def _payload(raw: bytes) -> str:
    return raw[:MAX_PAYLOAD].decode("utf-8", "replace")


def jsonl_records(raw: bytes | Iterable[bytes]) -> Iterator[tuple[int, str, dict | None, str | None]]:
    """(line number, line text, record, problem) for every non-blank line of JSON Lines: bytes, or a file opened
    in binary mode (read a line at a time, so that a file of gigabytes is never held whole).

    Lines are split on LF only (JSON Lines' separator; a binary file iterates the same way), so a raw U+2028
    inside a string stays in its record, and each line is decoded on its own: an invalid byte, a too-deep or
    too-long value, an unpaired surrogate costs that line and nothing else."""
    lines = raw.split(b"\n") if isinstance(raw, bytes) else raw
    seen: set[str] = set()
    for n, bline in enumerate(lines, start=1):
        parsed = _jsonl_line(n, bline)
        if parsed is None:
            continue
        line, obj, problem = parsed
        if problem is None and obj["id"] in seen:
            problem = _repeated(obj["id"])
        if problem:
            yield n, line, None, problem
            continue
        seen.add(obj["id"])
        yield n, line, obj, None


def _repeated(doc_id: str) -> str:
    return f"id {doc_id!r} repeats an earlier line"


def _jsonl_line(n: int, bline: bytes) -> tuple[str, dict | None, str | None] | None:
    """(line text, record, problem) of line `n` on its own (a repeated id is the caller's to find), or None for
    a blank line."""
    if n == 1 and bline.startswith(b"\xef\xbb\xbf"):
        bline = bline[3:]
    bline = bline.rstrip(b"\n").rstrip(b"\r")
    if not bline.strip():
        return None
    try:
        line = bline.decode("utf-8")
    except UnicodeDecodeError as e:
        return _payload(bline), None, f"not UTF-8 at byte {e.start} of the line"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        return line, None, f"bad JSON: {e.msg} at column {e.colno}"
    except RecursionError:
        return line, None, "bad JSON: nested too deeply"
    except ValueError as e:  # Python refuses integers of more than 4,300 digits
        reason = "a number with too many digits" if "digits" in str(e) else _one_line(e)
        return line, None, f"bad JSON: {reason}"
    problem = validate_record(obj)
    return line, (obj if problem is None else None), problem


def _from_jsonl(raw: bytes | Iterable[bytes], rel: str, source: str) -> Iterator[Document | Reject]:
    for n, line, obj, problem in jsonl_records(raw):
        yield _jsonl_item(n, line, obj, problem, rel, source)


def _jsonl_item(n: int, line: str, obj: dict | None, problem: str | None, rel: str, source: str
                ) -> Document | Reject:
    stage = "parse" if problem and (problem.startswith(("bad JSON", "not UTF-8"))) else "validate"
    if problem is None:
        try:
            return make_document(
                doc_id=obj["id"], source=source, source_path=rel, text=obj["text"], raw_payload=line,
                line_number=n, **{k: obj.get(k) for k in _OPTIONAL_STR},
            )
        except (ValueError, RecursionError, UnicodeError) as e:
            problem = f"cannot make a document of the record: {_one_line(e)}"
    return Reject(source, rel, stage, problem, n, line[:MAX_PAYLOAD])


# A JSON Lines file at least this big is parsed by worker processes (read_path's `workers`): starting them costs
# about a second, and parsing, hashing and shingling a document about half a millisecond of one core.
PARALLEL_MIN_BYTES = 32 * 2**20
_CHUNK_BYTES = 4 * 2**20  # lines sent to a worker at once


def _parse_chunk(rel: str, source: str, chunk: list[tuple[int, bytes]]
                 ) -> list[tuple[int, str | None, PickledDocument | Reject]]:
    """In a worker: (line number, id of a valid record, its document or reject) for each non-blank line. A
    document is checked for its date, gets its shingles (the near-duplicate sweep's costliest step per
    document), and is pickled here, so that the parent only writes its bytes."""
    out = []
    start = index_start()
    for n, bline in chunk:
        parsed = _jsonl_line(n, bline)
        if parsed is None:
            continue
        line, obj, problem = parsed
        item = _jsonl_item(n, line, obj, problem, rel, source)
        if isinstance(item, Document):
            item = date_reject(item, start) or item
        if isinstance(item, Document):
            item.shingles = shingles(item.text)
            item = PickledDocument.of(item)
        out.append((n, obj["id"] if obj is not None else None, item))
    return out


def _from_jsonl_parallel(lines: Iterable[bytes], rel: str, source: str, workers: int
                         ) -> Iterator[PickledDocument | Reject]:
    """What _from_jsonl yields, in the same order, with lines parsed by `workers` processes and documents
    pickled (PickledDocument). Chunks of lines go out a few at a time (the file is never read ahead whole); a
    repeated id is found here, in line order."""
    seen: set[str] = set()

    def chunks() -> Iterator[list[tuple[int, bytes]]]:
        chunk, size = [], 0
        for n, bline in enumerate(lines, start=1):
            chunk.append((n, bline))
            size += len(bline)
            if size >= _CHUNK_BYTES:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk

    # spawned, not forked: the parent holds DuckDB's threads and locks
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque = deque()
        for chunk in chunks():
            pending.append(pool.submit(_parse_chunk, rel, source, chunk))
            while len(pending) > 2 * workers or (pending and pending[0].done()):
                yield from _unrepeated(pending.popleft().result(), seen, rel, source)
        while pending:
            yield from _unrepeated(pending.popleft().result(), seen, rel, source)


def _unrepeated(parsed: list[tuple[int, str | None, PickledDocument | Reject]], seen: set[str], rel: str,
                source: str) -> Iterator[PickledDocument | Reject]:
    for n, doc_id, item in parsed:
        if doc_id is not None:
            if doc_id in seen:
                payload = item.load().raw_payload if isinstance(item, PickledDocument) else item.payload
                item = Reject(source, rel, "validate", _repeated(doc_id), n, payload[:MAX_PAYLOAD])
            else:
                seen.add(doc_id)
        yield item


def validate_record(obj: object) -> str | None:
    """Why a JSON Lines record is not a document, or None when it is one."""
    if not isinstance(obj, dict):
        return "a line must be a JSON object"
    for key in ("id", "text"):
        if key not in obj or obj[key] is None:
            return f"missing required field {key!r}"
        if not isinstance(obj[key], str):
            return f"field {key!r} must be a string, not {type(obj[key]).__name__}"
    if not obj["id"].strip():
        return "field 'id' is empty"
    if not obj["text"].strip():
        return "field 'text' is empty"
    for key in _OPTIONAL_STR:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return f"field {key!r} must be a string or null, not {type(obj[key]).__name__}"
    for key in ("id", "text", *_OPTIONAL_STR):
        value = obj.get(key)
        if value is not None and not _is_unicode(value):
            return f"field {key!r} holds an unpaired surrogate (not valid Unicode)"
    if not has_content(obj["text"]):
        return "field 'text' has no letters or digits (only control, zero-width or space characters)"
    url = obj.get("url")
    if url:
        try:
            urlsplit(url)
        except ValueError as e:
            return f"field 'url' is not a URL: {_one_line(e)}"
    return None


def _is_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_content(text: str) -> bool:
    """True when the text holds at least one letter or digit: NUL bytes, control noise or zero-width
    characters alone are not a document."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _from_txt(content: str, rel: str, source: str) -> Iterator[Document | Reject]:
    if not content.strip():
        yield Reject(source, rel, "validate", "empty file")
        return
    if not has_content(content):
        yield Reject(source, rel, "validate", "no letters or digits (only control, zero-width or space characters)",
                     payload=content[:MAX_PAYLOAD])
        return
    yield make_document(doc_id=rel, source=source, source_path=rel, text=content, raw_payload=content,
                        doc_type=_doc_type_from_path(rel))


def _from_html(content: str, rel: str, source: str) -> Iterator[Document | Reject]:
    page = parse_html(content)
    if page is None or not has_content(page.text):
        yield Reject(source, rel, "parse", "HTML page has no article text", payload=content[:MAX_PAYLOAD])
        return
    yield make_document(
        doc_id=rel, source=source, source_path=rel, text=page.text, title=page.title, url=page.url,
        outlet=page.outlet, published_at=page.date, language=page.language, raw_payload=content,
        doc_type=_doc_type_from_path(rel, default="official_statement" if page.is_official else "article"),
    )


def _doc_type_from_path(rel: str, default: str = "article") -> str:
    low = rel.lower()
    if "telegram" in low:
        return "telegram_post"
    if "statement" in low:
        return "official_statement"
    return default


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def make_document(*, doc_id: str, source: str, source_path: str, text: str, raw_payload: str,
                  title: str | None = None, url: str | None = None, outlet: str | None = None,
                  published_at: str | None = None, language: str | None = None,
                  doc_type: str | None = None, line_number: int | None = None, **extra) -> Document:
    """A canonical document with its language and date worked out (metadata, else the text, else the day it
    was ingested).
    `extra` sets the Document's optional fields (source_id, outlet_country, outlet_alignment, author, ...)."""
    published_date = parse_published_at(published_at)
    date_source = "metadata" if published_date else None
    if published_date is None:
        published_date = find_date(text, title)
        date_source = "text" if published_date else None
    fetched_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if published_date is None:
        # No date anywhere: an undated document is still evidence. Date it by when it arrived, as crawlers
        # do, and say so (date_source "ingested") so that analysts can leave such documents out.
        published_date, date_source = fetched_at.date(), "ingested"
    language = (language or "").strip().lower() or detect_language(((title or "") + "\n" + text)[:4000])
    return Document(
        doc_id=doc_id if len(doc_id) <= 200 else stable_id(doc_id),
        source=source, source_path=source_path if line_number is None else f"{source_path}:{line_number}", text=text, title=title, url=canonical_url(url),
        outlet=outlet, doc_type=doc_type or "article", language=language, published_at=published_at,
        published_date=published_date, date_source=date_source, content_hash=content_hash(text),
        raw_payload=raw_payload, fetched_at=fetched_at, **extra,
    )
