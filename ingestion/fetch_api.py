"""The contract between the polite HTTP client (ingestion/http.py) and the source adapters (ingestion/sources/).

Adapters never touch httpx directly: they ask a Fetcher for a URL and get a FetchResult, or a FetchError that
says at which stage and why, which the adapter turns into a Reject row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def decode_body(content: bytes, declared: str | None) -> str:
    candidates = [declared] if declared else []
    m = _META_CHARSET.search(content[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return content.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    best = charset_normalizer.from_bytes(content).best()
    return str(best) if best is not None else content.decode("utf-8", "replace")


@dataclass
class FetchResult:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int  # 200, or 304 when not_modified
    headers: dict[str, str]  # lower-cased names
    content: bytes  # decompressed body (b"" when not_modified)
    content_type: str | None  # media type without parameters, lower-cased ("text/html")
    charset: str | None  # from the header, else None
    not_modified: bool = False  # a conditional GET answered 304: nothing new since the last fetch
    attempts: int = 1
    elapsed_s: float = 0.0

    def text(self) -> str:
        """The body decoded: the declared charset when it decodes, else a <meta charset>, else UTF-8, else a
        detected one (a Russian page served as windows-1251 without a header is common)."""
        return decode_body(self.content, self.charset)


@dataclass
class FetchError(Exception):
    url: str
    stage: str  # "policy" (scheme/host not allowed), "connect", "timeout", "http" (4xx/5xx after retries),
    #             "size" (over the cap, compressed or decompressed), "truncated", "content"
    reason: str  # one line a person can act on: "HTTP 503 after 4 attempts", "body over 5 MB"
    status: int | None = None
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class Fetcher(Protocol):
    def get(self, url: str, *, conditional: bool = True, accept: str | None = None) -> FetchResult:
        """GET with the client's politeness rules; raises FetchError."""
        ...
