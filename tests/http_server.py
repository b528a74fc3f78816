"""A real HTTP/1.1 server on 127.0.0.1 for tests, with routes that serve fixtures and inject faults.

    from http_server import Static, FailThenSucceed, serve

    with serve({"/feed.xml": Static(rss_bytes, "application/rss+xml", charset="utf-8", etag='"v1"')}) as srv:
        client.get(srv.url("/feed.xml"))
        assert srv.requests_to("/feed.xml")[0].headers["user-agent"].startswith("georisk/")

`serve(routes)` binds a random port on the loopback interface, runs the server in a background thread and
stops it (and every open connection) on exit; `srv.base_url` and `srv.log` are also available as
`base_url, log = srv`. The `loopback_server` fixture does the same for pytest (import it into a test module).
Each route is a callable taking the request handler; routes keep their own state (counters, bytes sent), so
one route object belongs to one server.
"""

from __future__ import annotations

import functools
import gzip
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

DISALLOWED_URL = "http://not-allowed.invalid/"  # .invalid never resolves (RFC 2606)

Route = Callable[["Handler"], None]


@dataclass
class RecordedRequest:
    method: str
    path: str  # as requested, with the query
    headers: dict[str, str]  # lower-cased names
    at: float  # time.monotonic() on arrival

    @property
    def route(self) -> str:
        return urlsplit(self.path).path


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like real servers
    server: _Server
    timeout = 10  # an idle keep-alive connection does not pin a thread forever

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.server.track(self.connection, add=False)

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        rec = RecordedRequest(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
        )
        with self.server.log_lock:
            self.server.log.append(rec)
        route = self.server.routes.get(rec.route)
        try:
            if route is None:
                self.respond(404, b"no such route\n", content_type="text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client went away (as a client that stops early does)

    # -- helpers for routes

    @property
    def stop(self) -> threading.Event:
        """Set when the server stops: sleeping routes wait on it so shutdown is prompt."""
        return self.server.stop_event

    def respond(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != 304 and not (100 <= status < 200) and status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def abort(self, reset: bool = True) -> None:
        """Drop the connection now: with reset=True an RST (SO_LINGER 0), else a plain FIN."""
        self.close_connection = True
        sock = self.connection
        try:
            self.wfile.flush()
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.rfile.close()  # drop the makefile reference so close() really closes the descriptor
                sock.close()
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes: dict[str, Route] = dict(routes)
        self.log: list[RecordedRequest] = []
        self.log_lock = threading.Lock()
        self.stop_event = threading.Event()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def drop_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:  # quiet when a client aborts
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class LoopbackServer:
    def __init__(self, server: _Server) -> None:
        self._server = server
        host, port = server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.port = port

    @property
    def log(self) -> list[RecordedRequest]:
        with self._server.log_lock:
            return list(self._server.log)

    def url(self, path: str) -> str:
        return self.base_url + path

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.log if r.route == path]

    def add(self, path: str, route: Route) -> None:
        self._server.routes[path] = route

    def __iter__(self) -> Iterator:
        return iter((self.base_url, self.log))


@contextmanager
def serve(routes: Mapping[str, Route]) -> Iterator[LoopbackServer]:
    server = _Server(routes)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="loopback-http", daemon=True
    )
    thread.start()
    try:
        yield LoopbackServer(server)
    finally:
        server.stop_event.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def loopback_server() -> Iterator[Callable[[Mapping[str, Route]], LoopbackServer]]:
    """A factory: `srv = loopback_server(routes)`; every server started is stopped at teardown."""
    with ExitStack() as stack:
        yield lambda routes: stack.enter_context(serve(routes))


# --- routes ----------------------------------------------------------------------------------------------


def http_date(when: float | datetime | None = None) -> str:
    if when is None:
        when = time.time()
    if isinstance(when, int | float):
        when = datetime.fromtimestamp(when, UTC)
    return format_datetime(when.astimezone(UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    def strong(t: str) -> str:
        t = t.strip()
        return t[2:] if t.startswith("W/") else t

    tags = [t for t in header.split(",") if t.strip()]
    return any(t.strip() == "*" or strong(t) == strong(etag) for t in tags)


@dataclass
class Static:
    """A fixed body with a content type, an optional charset, validators and an encoding. Answers 304 when
    If-None-Match matches the ETag or (without If-None-Match) If-Modified-Since is not before Last-Modified.
    `encoding` ("gzip", "deflate", "raw-deflate") compresses the body and sets Content-Encoding; any other
    value is sent as the Content-Encoding header over the body as given."""

    body: bytes | str = b""
    content_type: str | None = "text/plain"
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    hits: int = 0

    def payload(self) -> bytes:
        body = self.body.encode(self.charset or "utf-8") if isinstance(self.body, str) else self.body
        if self.encoding == "gzip":
            return gzip.compress(body)
        if self.encoding == "deflate":
            return zlib.compress(body)
        if self.encoding == "raw-deflate":
            c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            return c.compress(body) + c.flush()
        return body

    def _headers(self) -> dict[str, str]:
        h = {}
        if self.etag:
            h["ETag"] = self.etag
        if self.last_modified:
            h["Last-Modified"] = self.last_modified
        if self.encoding:
            h["Content-Encoding"] = "deflate" if self.encoding == "raw-deflate" else self.encoding
        h.update(self.headers)
        return h

    def not_modified(self, req: Handler) -> bool:
        inm = req.headers.get("If-None-Match")
        if inm is not None:
            return bool(self.etag) and _etag_matches(inm, self.etag)
        ims = req.headers.get("If-Modified-Since")
        if ims and self.last_modified:
            try:
                return parsedate_to_datetime(self.last_modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def __call__(self, req: Handler) -> None:
        self.hits += 1
        if self.status == 200 and self.not_modified(req):
            h = {k: v for k, v in self._headers().items() if k in ("ETag", "Last-Modified")}
            req.respond(304, headers=h)
            return
        ctype = self.content_type
        if ctype and self.charset:
            ctype = f"{ctype}; charset={self.charset}"
        req.respond(self.status, self.payload(), content_type=ctype, headers=self._headers())


@dataclass
class Status:
    """An empty answer with a status and headers (e.g. 404, or 503 with Retry-After)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __call__(self, req: Handler) -> None:
        req.respond(
            self.status, self.body, content_type="text/plain" if self.body else None, headers=self.headers
        )


class Sequence:
    """Answers the n-th request with the n-th route; the last route answers the rest."""

    def __init__(self, *routes: Route) -> None:
        self.routes = routes
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, req: Handler) -> None:
        with self._lock:
            i = min(self.count, len(self.routes) - 1)
            self.count += 1
        self.routes[i](req)


class FailThenSucceed(Sequence):
    """`status` (500) for the first `failures` requests, then `then` (200)."""

    def __init__(self, failures: int, then: Route, status: int = 500) -> None:
        super().__init__(*([Status(status, body=b"server error\n")] * failures), then)


class RetryAfter(Sequence):
    """429 (or 503) with a Retry-After header for the first `times` requests, then `then`. `retry_after` is
    the header value, or a number of seconds from now sent as an HTTP date when `as_date` is true."""

    def __init__(
        self,
        retry_after: str | float,
        then: Route,
        *,
        status: int = 429,
        times: int = 1,
        as_date: bool = False,
    ) -> None:
        self.retry_after, self.status, self.as_date = retry_after, status, as_date
        super().__init__(*([self._limited] * times), then)

    def _limited(self, req: Handler) -> None:
        value = http_date(time.time() + float(self.retry_after)) if self.as_date else str(self.retry_after)
        req.respond(self.status, b"slow down\n", content_type="text/plain", headers={"Retry-After": value})


class Slow:
    """Waits `delay_s` before sending anything, then answers with `then`. Tracks concurrent requests."""

    def __init__(self, delay_s: float, then: Route | None = None) -> None:
        self.delay_s = delay_s
        self.then = then or Static(b"finally\n")
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, req: Handler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if req.stop.wait(self.delay_s):
                return
            self.then(req)
        finally:
            with self._lock:
                self.in_flight -= 1


class Trickle:
    """Headers at once (with Content-Length), then the body `chunk` bytes every `interval_s`."""

    def __init__(
        self, body: bytes, *, interval_s: float = 0.1, chunk: int = 1, content_type: str = "text/plain"
    ) -> None:
        self.body, self.interval_s, self.chunk, self.content_type = body, interval_s, chunk, content_type
        self.sent = 0

    def __call__(self, req: Handler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", self.content_type)
        req.send_header("Content-Length", str(len(self.body)))
        req.end_headers()
        req.wfile.flush()
        for i in range(0, len(self.body), self.chunk):
            if req.stop.wait(self.interval_s):
                return
            req.wfile.write(self.body[i : i + self.chunk])
            req.wfile.flush()
            self.sent += self.chunk


class ResetMidBody:
    """Headers with Content-Length len(body) (and any `headers`, e.g. an ETag), `send` bytes of the body,
    then the connection dropped: an RST when `reset`, else a clean close (a short body either way)."""

    def __init__(
        self,
        body: bytes,
        send: int,
        *,
        reset: bool = True,
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.body, self.send, self.reset, self.content_type = body, send, reset, content_type
        self.headers = headers or {}

    def __call__(self, req: Handler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", self.content_type)
        req.send_header("Content-Length", str(len(self.body)))
        for k, v in self.headers.items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(self.body[: self.send])
        req.wfile.flush()
        time.sleep(0.02)  # let the partial body reach the client before the connection goes
        req.abort(reset=self.reset)


@dataclass
class Redirect:
    """301/302/... to `location`: a path on this server, or any URL (e.g. DISALLOWED_URL)."""

    location: str
    status: int = 302

    def __call__(self, req: Handler) -> None:
        req.respond(self.status, b"", headers={"Location": self.location})


@functools.cache
def gzip_bomb(size: int = 50 * 1024 * 1024) -> bytes:
    """`size` zero bytes, gzipped (50 MB -> ~50 KB). Built once per size."""
    return gzip.compress(bytes(size), compresslevel=9)


class GzipBomb:
    """A small gzip body (Content-Encoding: gzip) that inflates to `size` bytes."""

    def __init__(self, size: int = 50 * 1024 * 1024, content_type: str = "text/html") -> None:
        self.payload = gzip_bomb(size)
        self.content_type = content_type
        self.sent = 0

    def __call__(self, req: Handler) -> None:
        req.respond(200, self.payload, content_type=self.content_type, headers={"Content-Encoding": "gzip"})
        self.sent += len(self.payload)


class Oversized:
    """`size` bytes of zeros, streamed in 64 KB pieces: with a Content-Length header, or chunked without one.
    `sent` counts what got out before the client hung up."""

    def __init__(self, size: int, *, chunked: bool = False, content_type: str = "text/html") -> None:
        self.size, self.chunked, self.content_type = size, chunked, content_type
        self.sent = 0

    def __call__(self, req: Handler) -> None:
        piece = bytes(64 * 1024)
        req.send_response(200)
        req.send_header("Content-Type", self.content_type)
        if self.chunked:
            req.send_header("Transfer-Encoding", "chunked")
        else:
            req.send_header("Content-Length", str(self.size))
        req.end_headers()
        left = self.size
        while left > 0 and not req.stop.is_set():
            part = piece[: min(left, len(piece))]
            if self.chunked:
                req.write_chunk(part)
            else:
                req.wfile.write(part)
            self.sent += len(part)
            left -= len(part)
        if self.chunked:
            req.end_chunks()


# --- fixture bodies other tests can serve ----------------------------------------------------------------

MALFORMED_XML = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Broken</title>'
    b"<item><title>Unclosed <b>tag</title><link>http://127.0.0.1/a</link></item>\n"
)

RSS_SAMPLE = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Sample</title>'
    b"<item><title>One</title><link>http://127.0.0.1/one</link>"
    b"<pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate></item></channel></rss>\n"
)
