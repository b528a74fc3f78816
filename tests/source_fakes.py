"""Test doubles for the source adapters: a Fetcher answering from a dict, and FetchResult builders.

    fetcher = FakeFetcher({"http://127.0.0.1/feed.xml": ok(rss_bytes, "application/rss+xml"),
                           "http://127.0.0.1/gone": FetchError("http://127.0.0.1/gone", "http", "HTTP 404", 404)})

Only 127.0.0.1 addresses are used: nothing here goes on line. A URL that is not in the dict is a FetchError
with stage "test" (a test asking for a page it did not plan for shows up as a reject, never as a request)."""

from __future__ import annotations

import threading
from pathlib import Path

from ingestion.fetch_api import FetchError, FetchResult

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
BASE = "http://127.0.0.1:8765"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def on(base: str, name: str) -> bytes:
    """A fixture with the fake base address replaced by the loopback server's."""
    return fixture(name).replace(BASE.encode(), base.encode())


def tass_routes(base: str) -> dict:
    """The loopback site's TASS feed and its articles: good pages (one gzip, one with no charset), an error page
    served with 200, and a 503."""
    from http_server import Static, Status

    return {
        "/tass/rss.xml": Static(on(base, "tass_en_rss.xml"), "application/rss+xml", charset="utf-8", etag='"v1"'),
        "/tass/politics/1001": Static(on(base, "tass_article_1001.html"), "text/html", charset="utf-8"),
        "/tass/world/1002": Static(on(base, "tass_article_1002.html"), "text/html", charset="utf-8"),
        "/tass/economy/1003": Static(on(base, "tass_article_1003.html"), "text/html", encoding="gzip"),
        "/tass/society/1004": Static(on(base, "tass_article_1004.html"), "text/html"),
        "/tass/world/1005": Static(on(base, "error_page_200.html"), "text/html"),
        "/tass/world/1006": Status(503),
    }


def ok(body: bytes | str, content_type: str | None = "text/html", charset: str | None = None, *,
       status: int = 200, final_url: str | None = None, headers: dict[str, str] | None = None) -> FetchResult:
    """A 200 answer; `url` is filled in by FakeFetcher."""
    content = body.encode(charset or "utf-8") if isinstance(body, str) else body
    return FetchResult(url="", final_url=final_url or "", status=status, headers=dict(headers or {}),
                       content=content, content_type=content_type, charset=charset)


def not_modified() -> FetchResult:
    return FetchResult(url="", final_url="", status=304, headers={}, content=b"", content_type=None,
                       charset=None, not_modified=True)


class Boom(Exception):
    """An unexpected error, raised by FakeFetcher for an answer of `Boom(...)`."""


class FakeFetcher:
    """The Fetcher protocol over a dict of url -> FetchResult | FetchError | Exception (raised as is)."""

    def __init__(self, answers: dict[str, FetchResult | Exception]):
        self.answers = dict(answers)
        self.calls: list[tuple[str, bool, str | None]] = []
        self._lock = threading.Lock()

    def get(self, url: str, *, conditional: bool = True, accept: str | None = None) -> FetchResult:
        with self._lock:
            self.calls.append((url, conditional, accept))
        answer = self.answers.get(url)
        if answer is None:
            raise FetchError(url, "test", "no answer planned for this URL in the test")
        if isinstance(answer, Exception):
            raise answer
        return FetchResult(
            url=url, final_url=answer.final_url or url, status=answer.status, headers=answer.headers,
            content=answer.content, content_type=answer.content_type, charset=answer.charset,
            not_modified=answer.not_modified,
        )

    @property
    def urls(self) -> list[str]:
        return [c[0] for c in self.calls]
