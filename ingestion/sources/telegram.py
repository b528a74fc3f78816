"""Telegram Desktop exports (Settings > Export chat history > JSON): one Document per channel post.

The source's `path` (under GEORISK_HOME) is a `result.json` or a folder searched for them (one sub-folder per
channel). A single-chat export is `{"name", "type", "id", "messages": [...]}`; a whole-account export keeps
the chats under `{"chats": {"list": [...]}}`. Both are read.

Message `text` is a string or a list of strings and entity objects (`{"type": "bold", "text": "..."}`); the
post's text is their concatenation. The date is `date_unixtime` (UTC) when present, else `date` (the
exporting computer's local time, taken as UTC). doc_id is stable from the channel id and the message id."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

from indicators.doc_meta import detect_language, parse_published_at

from ..canonical import content_hash
from ..models import Document, Reject
from .config import SourceConfig, SourcesConfig, TelegramChannel
from .feeds import MAX_REJECT_PAYLOAD, adapter_reject

log = logging.getLogger(__name__)

SOURCE_LABEL = "telegram"


class MessageError(ValueError):
    pass


def message_text(text: object) -> str:
    """The plain text of a message's `text` (a string, or a list of strings and entity objects)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        parts = []
        for j, part in enumerate(text):
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                t = part.get("text", "")
                if not isinstance(t, str):
                    raise MessageError(f"text[{j}].text is {type(t).__name__}, not a string")
                parts.append(t)
            else:
                raise MessageError(f"text[{j}] is {type(part).__name__}, neither a string nor an entity")
        return "".join(parts)
    raise MessageError(f"text is {type(text).__name__}, neither a string nor a list")


def message_time(msg: dict) -> str:
    """ISO 8601 time of a message: UTC from date_unixtime, else `date` as written."""
    unix = msg.get("date_unixtime")
    if unix not in (None, ""):
        try:
            return datetime.fromtimestamp(int(unix), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (TypeError, ValueError, OverflowError, OSError) as e:
            raise MessageError(f"date_unixtime {unix!r} is not a Unix time") from e
    raw = msg.get("date")
    if not isinstance(raw, str) or parse_published_at(raw) is None:
        raise MessageError(f"date {raw!r} is missing or not an ISO date-time")
    return raw


def _channel_info(source: SourceConfig, chat: dict) -> TelegramChannel:
    name = str(chat.get("name") or "")
    cid = str(chat.get("id") or "")
    for ch in source.channels:
        if ch.match in (name, cid) or (ch.username and ch.match.lstrip("@").lower() == name.lower()):
            return ch
    return TelegramChannel(match=name or cid, country=source.country, alignment=source.alignment)


def chat_documents(chat: object, rel: str, source: SourceConfig, day: date | None) -> list[Document | Reject]:
    """Documents and Rejects of one exported chat (`rel`: the export file's path, for source_path)."""
    if not isinstance(chat, dict):
        return [Reject(source.id, rel, "validate", f"an export must be a JSON object, not {type(chat).__name__}")]
    messages = chat.get("messages")
    if not isinstance(messages, list):
        what = "no 'messages' key" if "messages" not in chat else f"'messages' is {type(messages).__name__}, not a list"
        return [Reject(source.id, rel, "validate", f"not a Telegram chat export: {what}",
                       payload=json.dumps({k: v for k, v in chat.items() if k != "messages"},
                                          ensure_ascii=False)[:MAX_REJECT_PAYLOAD])]
    info = _channel_info(source, chat)
    channel_name = info.name or str(chat.get("name") or "") or None
    channel_key = str(chat.get("id") or info.username or chat.get("name") or rel)
    out: list[Document | Reject] = []
    for i, msg in enumerate(messages):
        try:
            item = _message(msg, i, rel, source, info, channel_name, channel_key, day)
        except Exception as e:  # noqa: BLE001 - one odd message must not stop the export
            log.exception("%s: unexpected error on %s message %d", source.id, rel, i)
            rej = adapter_reject(source.id, rel, e)
            rej.line_number = i
            item = rej
        if item is not None:
            out.append(item)
    return out


def _message(msg: object, i: int, rel: str, source: SourceConfig, info: TelegramChannel, channel_name: str | None,
             channel_key: str, day: date | None) -> Document | Reject | None:
    payload = json.dumps(msg, ensure_ascii=False)[:MAX_REJECT_PAYLOAD] if not isinstance(msg, bytes) else ""

    def bad(reason: str, stage: str = "validate") -> Reject:
        return Reject(source.id, rel, stage, f"message {i}: {reason}", line_number=i, payload=payload,
                      extra={"message_index": i})

    if not isinstance(msg, dict):
        return bad(f"is {type(msg).__name__}, not an object")
    mtype = msg.get("type", "message")
    if mtype == "service":
        return None
    if mtype != "message":
        return bad(f"unknown message type {mtype!r}")
    mid = msg.get("id")
    if isinstance(mid, bool) or not isinstance(mid, int | str) or not str(mid).strip():
        return bad(f"missing or invalid message id {mid!r}")
    try:
        when = message_time(msg)
        text = message_text(msg.get("text"))
        if not text.strip() and msg.get("text_entities"):
            text = message_text(msg.get("text_entities"))
    except MessageError as e:
        return bad(str(e))
    published = parse_published_at(when)
    if published is None:
        return bad(f"date {when!r} is not a valid date")
    if day is not None and published != day:
        return None
    if not text.strip():
        media = msg.get("media_type") or ("photo" if msg.get("photo") else None) or ("file" if msg.get("file") else None)
        return bad("post has no text" + (f" (only a {media})" if media else ""), stage="validate")
    text = text.strip()
    doc_id = f"telegram:{channel_key}:{mid}"
    url = f"https://t.me/{info.username}/{mid}" if info.username else None
    return Document(
        doc_id=doc_id, source=SOURCE_LABEL, source_path=f"{rel}#{mid}", text=text, title=None, url=url,
        outlet=channel_name, doc_type=source.doc_type or "telegram_post",
        language=detect_language(text[:4000]) or source.language, published_at=when, published_date=published,
        date_source="metadata", content_hash=content_hash(text), raw_payload=json.dumps(msg, ensure_ascii=False),
        fetched_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0), source_id=source.id,
        outlet_country=info.country, outlet_alignment=info.alignment,
        author=msg.get("author") if isinstance(msg.get("author"), str) else None,
    )


def export_documents(path: Path, rel: str, source: SourceConfig, day: date | None) -> list[Document | Reject]:
    """Documents and Rejects of one result.json (one chat, or all chats of an account export)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        return [Reject(source.id, rel, "read", f"cannot read file: {e.strerror or e}")]
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        return [Reject(source.id, rel, "read", f"not UTF-8 at byte {e.start}")]
    except json.JSONDecodeError as e:
        return [Reject(source.id, rel, "parse", f"bad JSON: {e.msg} at line {e.lineno} column {e.colno}",
                       payload=raw[:MAX_REJECT_PAYLOAD].decode("utf-8", "replace"))]
    if isinstance(data, dict) and "messages" not in data and isinstance(data.get("chats"), dict) \
            and isinstance(data["chats"].get("list"), list):
        out: list[Document | Reject] = []
        for n, chat in enumerate(data["chats"]["list"]):
            out.extend(chat_documents(chat, f"{rel}#chats[{n}]", source, day))
        return out
    return chat_documents(data, rel, source, day)


def collect_telegram(source: SourceConfig, day: date | None, home_root: Path, *,
                     config: SourcesConfig | None = None, notes: list[str] | None = None,
                     last: date | None = None) -> list[Document | Reject]:
    """Posts of every export under the source's path dated on `day` (UTC; every post when day is None), or in
    the window [day, last]: the exports are then read once, not once a day."""
    root = source.resolved_path(home_root)
    if not root.exists():
        if notes is not None:
            notes.append(f"{source.id}: {root} does not exist; no Telegram exports read")
        return []
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*.json") if p.is_file())
    base = root.parent if root.is_file() else root
    out: list[Document | Reject] = []
    for f in files:
        if last is None:
            out.extend(export_documents(f, f.relative_to(base).as_posix(), source, day))
            continue
        out.extend(i for i in export_documents(f, f.relative_to(base).as_posix(), source, None)
                   if not isinstance(i, Document) or day is None or day <= i.published_date <= last)
    return out
