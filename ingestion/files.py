"""Documents from files: a JSON Lines file in the extract contract's input shape, or a folder of .txt, .html and
.jsonl files (the drop folder and the sample corpus arrive this way)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from indicators.doc_meta import detect_language, find_date, parse_published_at

from .canonical import canonical_url, content_hash, stable_id
from .html import parse_html
from .models import Document, Reject

SUFFIXES = (".jsonl", ".txt", ".html", ".htm")
_OPTIONAL_STR = ("title", "url", "outlet", "published_at", "language", "doc_type")
MAX_PAYLOAD = 2000


def iter_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_path(path: Path, source: str = "file") -> Iterator[Document | Reject]:
    """Every document under `path`, or a Reject for each file or line that cannot be one."""
    path = Path(path)
    if not path.exists():
        yield Reject(source, str(path), "read", "path does not exist")
        return
    base = path if path.is_dir() else path.parent
    for f in iter_files(path):
        rel = f.relative_to(base).as_posix()
        try:
            raw = f.read_bytes()
        except OSError as e:
            yield Reject(source, rel, "read", f"cannot read file: {e.strerror or e}")
            continue
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            yield Reject(source, rel, "read", f"not UTF-8 at byte {e.start}", payload=raw[:MAX_PAYLOAD].decode("utf-8", "replace"))
            continue
        suffix = f.suffix.lower()
        if suffix == ".jsonl":
            yield from read_jsonl_text(content, rel, source)
        elif suffix in (".html", ".htm"):
            yield from _from_html(content, rel, source)
        else:
            yield from _from_txt(content, rel, source)


def read_jsonl_text(content: str, rel: str, source: str) -> Iterator[Document | Reject]:
    seen: set[str] = set()
    for n, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        payload = line[:MAX_PAYLOAD]
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield Reject(source, rel, "parse", f"bad JSON: {e.msg} at column {e.colno}", n, payload)
            continue
        problem = validate_record(obj)
        if problem:
            yield Reject(source, rel, "validate", problem, n, payload)
            continue
        if obj["id"] in seen:
            yield Reject(source, rel, "validate", f"id {obj['id']!r} repeats an earlier line", n, payload)
            continue
        seen.add(obj["id"])
        yield make_document(
            doc_id=obj["id"], source=source, source_path=rel, text=obj["text"], raw_payload=line, line_number=n,
            **{k: obj.get(k) for k in _OPTIONAL_STR},
        )


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
    return None


def _from_txt(content: str, rel: str, source: str) -> Iterator[Document | Reject]:
    if not content.strip():
        yield Reject(source, rel, "validate", "empty file")
        return
    yield make_document(doc_id=rel, source=source, source_path=rel, text=content, raw_payload=content,
                        doc_type=_doc_type_from_path(rel))


def _from_html(content: str, rel: str, source: str) -> Iterator[Document | Reject]:
    page = parse_html(content)
    if page is None or not page.text.strip():
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
