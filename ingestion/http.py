"""The polite HTTP client: the one place georisk talks to the network.

`PoliteClient.get(url)` implements the `Fetcher` protocol of ingestion/fetch_api.py. It:

* refuses, before any connection, a URL whose scheme is not http/https or whose host is not in
  `ClientPolicy.allowed_hosts` (exactly, or a subdomain of an entry) — on every redirect hop too;
* identifies itself with `ClientPolicy.user_agent`;
* rate-limits per host (at most one request start per `min_interval_s`, or `host_intervals[host]`) and
  bounds concurrency per host (a semaphore), so it is safe to share one client across a thread pool;
* bounds every request in time: connect and read timeouts, and a whole-request deadline
  (`total_timeout_s`) so a server that trickles bytes cannot hold a worker forever;
* retries 5xx, 408, 429, connection errors, resets, timeouts and truncated bodies with capped exponential
  backoff plus jitter, honouring `Retry-After` (seconds or HTTP date) on 429/503 up to `retry_after_max_s`;
  above the cap it gives up at once and refuses further requests to that host until the time is up;
* caps the body on the wire (`max_body_bytes`: Content-Length up front and counted while streaming) and
  after decompression (`max_decompressed_bytes`: gzip/deflate are inflated here, incrementally and with a
  bounded output per step, so a gzip bomb is stopped early instead of inflated into memory);
* does conditional GETs from a `ValidatorStore` (ETag / Last-Modified) and stores validators only after a
  complete, non-empty 200.

Every request attempt is logged at DEBUG on the "georisk.http" logger.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import random
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from core.atomic import atomic_write_text
from ingestion.fetch_api import FetchError, FetchResult

log = logging.getLogger("georisk.http")

DEFAULT_USER_AGENT = "georisk/0.1 (+research on geopolitical tension; contact in config)"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})  # plus any other 5xx
RETRY_AFTER_STATUSES = frozenset({429, 503})
ACCEPT_ENCODING = "gzip, deflate"  # br is not advertised: no brotli decoder is installed
_INFLATE_STEP = 64 * 1024  # the most a decompressor may produce per call


@dataclass
class ClientPolicy:
    """The politeness rules, filled from the YAML config (all durations in seconds)."""

    user_agent: str = DEFAULT_USER_AGENT
    allowed_hosts: set[str] = field(default_factory=set)  # empty: nothing is allowed
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 120.0  # per attempt: headers and the whole body
    max_retries: int = 3  # retries after the first attempt, shared by all hops of one get()
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0
    per_host_concurrency: int = 2
    min_interval_s: float = 1.0
    host_intervals: dict[str, float] = field(default_factory=dict)  # host (or parent domain) -> interval
    host_concurrency: dict[str, int] = field(
        default_factory=dict
    )  # host (or parent domain) -> semaphore size
    retry_statuses: frozenset[int] = RETRY_STATUSES  # and every 5xx
    max_body_bytes: int = 10 * 1024 * 1024  # on the wire, compressed
    max_decompressed_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    enforce_accept: bool = True  # when get(accept=...) is given, refuse a response of another media type

    def __post_init__(self) -> None:
        self.allowed_hosts = {_norm_host(h) for h in self.allowed_hosts}
        self.host_intervals = {_norm_host(h): float(v) for h, v in self.host_intervals.items()}
        self.host_concurrency = {_norm_host(h): int(v) for h, v in self.host_concurrency.items()}
        self.retry_statuses = frozenset(int(s) for s in self.retry_statuses)
        if self.per_host_concurrency < 1 or any(v < 1 for v in self.host_concurrency.values()):
            raise ValueError("per_host_concurrency and host_concurrency must be at least 1")
        if self.max_retries < 0 or self.max_redirects < 0:
            raise ValueError("max_retries and max_redirects must not be negative")

    @classmethod
    def from_mapping(cls, cfg: Mapping[str, Any]) -> ClientPolicy:
        """From the `http:` section of the YAML config; lists become sets and an unknown key is an error
        (a typo such as `max_retry` must not silently keep the default)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(cfg) - known)
        if unknown:
            raise ValueError(f"unknown http policy keys: {', '.join(unknown)}")
        kw = dict(cfg)
        if "allowed_hosts" in kw:
            kw["allowed_hosts"] = set(kw["allowed_hosts"] or ())
        for key in ("host_intervals", "host_concurrency"):
            if key in kw:
                kw[key] = dict(kw[key] or {})
        if "retry_statuses" in kw:
            kw["retry_statuses"] = frozenset(kw["retry_statuses"] or ())
        return cls(**kw)

    def interval_for(self, host: str) -> float:
        """The most specific `host_intervals` entry that is the host or a parent domain, else min_interval_s."""
        return _most_specific(self.host_intervals, host, self.min_interval_s)

    def concurrency_for(self, host: str) -> int:
        return int(_most_specific(self.host_concurrency, host, self.per_host_concurrency))


def _most_specific(table: Mapping[str, float], host: str, default: float) -> float:
    host = _norm_host(host)
    best: tuple[int, float] | None = None
    for entry, value in table.items():
        if host_matches(host, entry) and (best is None or len(entry) > best[0]):
            best = (len(entry), value)
    return best[1] if best else default


# --- validators (conditional GET) -----------------------------------------------------------------------


class ValidatorStore(Protocol):
    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) remembered for the URL, or None."""
        ...

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None: ...


class MemoryValidatorStore:
    def __init__(self) -> None:
        self._data: dict[str, tuple[str | None, str | None]] = {}
        self.forgotten: set[str] = set()  # URLs whose remembered validators must go (see forget)
        self.updated: set[str] = set()  # URLs put since this store was made (what a run learnt)
        self._lock = threading.Lock()

    def forget(self, url: str) -> None:
        """Drop the URL's validators, so that its next fetch is a full GET."""
        with self._lock:
            self._data.pop(url, None)
            self.forgotten.add(url)

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        with self._lock:
            return self._data.get(url)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._lock:
            if url in self.forgotten:
                return
            self.updated.add(url)
            if etag is None and last_modified is None:
                self._data.pop(url, None)
            else:
                self._data[url] = (etag, last_modified)


class JsonFileValidatorStore(MemoryValidatorStore):
    """Validators in one JSON file {url: {"etag": ..., "last_modified": ...}}, rewritten atomically (a temp
    file in the same directory, fsynced, then renamed over the old one) on every put."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.exists():
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8") or "{}")
                self._data = {u: (v.get("etag"), v.get("last_modified")) for u, v in raw.items()}
            except (ValueError, AttributeError) as e:
                # validators only save bandwidth: start afresh (full GETs) rather than stop the run
                log.warning("ignoring unreadable validator file %s: %s", self.path, e)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._lock:
            if etag is None and last_modified is None:
                if self._data.pop(url, None) is None:
                    return
            else:
                self._data[url] = (etag, last_modified)
            payload = {u: {"etag": e, "last_modified": lm} for u, (e, lm) in sorted(self._data.items())}
            atomic_write_text(self.path, json.dumps(payload, ensure_ascii=False, indent=1), fsync=True)


# --- policy helpers --------------------------------------------------------------------------------------


def _norm_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


def host_matches(host: str, entry: str) -> bool:
    """True when `host` is `entry` or a subdomain of it ("a.b.example.com" matches "example.com",
    "badexample.com" does not)."""
    host, entry = _norm_host(host), _norm_host(entry)
    if _is_ip(host):  # an address is allowed only as itself: "0.1" must not admit "10.0.0.1"
        return host == entry
    return bool(entry) and (host == entry or host.endswith("." + entry))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def check_url(url: str, policy: ClientPolicy) -> str:
    """The URL's normalised host, or FetchError stage "policy" when the scheme or host is not allowed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as e:
        raise FetchError(url, "policy", f"malformed URL: {e}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(url, "policy", f"scheme {parts.scheme or '(none)'!r} not allowed (http/https only)")
    if not host:
        raise FetchError(url, "policy", "URL has no host")
    host = _norm_host(host)
    if not any(host_matches(host, entry) for entry in policy.allowed_hosts):
        raise FetchError(url, "policy", f"host {host} is not in allowed_hosts")
    problem = _address_problem(host, policy)
    if problem:
        raise FetchError(url, "policy", problem)
    return host


def _address_problem(host: str, policy: ClientPolicy) -> str | None:
    """Why a host that the allowlist admits must still not be reached: it is, or resolves to, a loopback,
    private, link-local or reserved address (a public name pointed at the inside, or a redirect there). A host
    listed exactly in allowed_hosts is trusted as it is: that is how the loopback test server is allowed.
    The check resolves the name once more than the connection does; a resolver that answers differently the
    second time is not defended against here."""
    if host in policy.allowed_hosts:
        return None
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return None  # unresolvable: the connection attempt fails with its own clear error
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for a in addresses:
        if not a.is_global:
            return f"host {host} is a non-public address ({a}); list it exactly in allowed_hosts to allow it"
    return None


# --- content helpers -------------------------------------------------------------------------------------


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "windows-1251") from 'text/html; charset="windows-1251"'."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for p in params.split(";"):
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset" and v.strip():
            charset = v.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _family(media: str) -> str | None:
    if media.endswith("/xml") or media.endswith("+xml"):
        return "xml"
    if media.endswith("/json") or media.endswith("+json"):
        return "json"
    return None


def accept_matches(accept: str, media: str | None) -> bool:
    """Whether a response of media type `media` satisfies an Accept header. Wildcards count, q=0 ranges do
    not, and XML (or JSON) types stand in for each other: a feed served as text/xml instead of
    application/rss+xml is still a feed. An unknown media type is let through (the adapter sniffs)."""
    if not media:
        return True
    for rng in accept.split(","):
        kind, *params = (p.strip() for p in rng.split(";"))
        kind = kind.lower()
        if any(p.replace(" ", "").lower() in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        if kind in ("*/*", media) or (kind.endswith("/*") and media.startswith(kind[:-1])):
            return True
        fam = _family(kind)
        if fam is not None and fam == _family(media):
            return True
    return False


def parse_retry_after(value: str | None, date_header: str | None, now_wall: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date, taken against the server's
    own Date header when there is one, so clock skew does not matter), or None when absent or unparsable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = datetime.fromtimestamp(now_wall, UTC)
    if date_header:
        try:
            server_now = parsedate_to_datetime(date_header)
            if server_now.tzinfo is None:
                server_now = server_now.replace(tzinfo=UTC)
            now = server_now
        except (TypeError, ValueError, IndexError):
            pass
    return max(0.0, (when - now).total_seconds())


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


class _SizeExceeded(Exception):
    pass


class _Inflater:
    """Incremental gzip/deflate decoding whose every step yields at most _INFLATE_STEP bytes, so the caller
    can count and stop: a few KB of input can never become more than one step of output in memory."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._first = True
        self._obj = self._new()

    def _new(self):
        if self.encoding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(zlib.MAX_WBITS if self._first else -zlib.MAX_WBITS)

    @property
    def complete(self) -> bool:
        return self._obj.eof

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.encoding == "deflate" and self._first and data:
            # "deflate" is meant to be zlib-wrapped but some servers send a raw stream: decide on the first bytes
            try:
                probe = zlib.decompressobj(zlib.MAX_WBITS)
                probe.decompress(data[:2], 1)
            except zlib.error:
                self._first = False
                self._obj = self._new()
        self._first = False
        buf = data
        while True:
            try:
                out = self._obj.decompress(buf, _INFLATE_STEP)
            except zlib.error as e:
                raise ValueError(f"corrupt {self.encoding} body: {e}") from None
            if out:
                yield out
            buf = self._obj.unconsumed_tail
            if self._obj.eof:
                rest = self._obj.unused_data.lstrip(b"\x00")
                if self.encoding == "gzip" and rest:  # a multi-member gzip file
                    self._obj = self._new()
                    buf = rest
                    continue
                return
            if not buf and len(out) < _INFLATE_STEP:
                return


def _decoded(chunks: Iterable[bytes], inflaters: list[_Inflater]) -> Iterator[bytes]:
    for chunk in chunks:
        if not inflaters:
            yield chunk
            continue
        yield from _through(inflaters, 0, chunk)


def _through(inflaters: list[_Inflater], i: int, chunk: bytes) -> Iterator[bytes]:
    if i == len(inflaters):
        yield chunk
        return
    for out in inflaters[i].feed(chunk):
        yield from _through(inflaters, i + 1, out)


# --- the client ------------------------------------------------------------------------------------------


@dataclass
class _HostState:
    semaphore: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = float("-inf")  # monotonic time of the earliest next request start
    blocked_until: float = float("-inf")  # set by a Retry-After above the cap
    blocked_status: int | None = None


class _Retryable(Exception):
    """One attempt failed in a way worth retrying; carries the FetchError to raise if retries run out."""

    def __init__(self, error: FetchError, wait_s: float | None = None) -> None:
        super().__init__(error.reason)
        self.error = error
        self.wait_s = wait_s  # from Retry-After


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    content: bytes
    raw_bytes: int


class PoliteClient:
    """A `Fetcher`. Thread-safe: share one instance across a pool of workers.

    `sleep`, `monotonic`, `wall_time` and `rand` are injectable so tests can run with a fake clock and
    deterministic jitter; `store` defaults to an in-memory ValidatorStore."""

    def __init__(
        self,
        policy: ClientPolicy | None = None,
        *,
        store: ValidatorStore | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        wall_time: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or ClientPolicy()
        self.store: ValidatorStore = store if store is not None else MemoryValidatorStore()
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_time = wall_time
        self._rand = rand
        self._hosts: dict[str, _HostState] = {}
        self._hosts_lock = threading.Lock()
        p = self.policy
        self._client = httpx.Client(
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc from the environment: traffic goes where the policy says
            timeout=httpx.Timeout(p.read_timeout_s, connect=p.connect_timeout_s),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20),
            headers={"User-Agent": p.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- per-host state

    def _host(self, host: str) -> _HostState:
        with self._hosts_lock:
            st = self._hosts.get(host)
            if st is None:
                st = self._hosts[host] = _HostState(threading.Semaphore(self.policy.concurrency_for(host)))
            return st

    def _wait_for_slot(self, host: str, st: _HostState) -> None:
        """Reserve the next start slot for the host, then sleep until it (outside the lock, so other hosts and
        other slots are not held up). Slots are handed out in order: at most one start per interval."""
        interval = self.policy.interval_for(host)
        with st.lock:
            now = self._monotonic()
            start = max(now, st.next_start)
            st.next_start = start + interval
        if start > now:
            self._sleep(start - now)

    def _push_back(self, host: str, st: _HostState, wait_s: float) -> None:
        """A Retry-After: no request to this host (from any thread) before now + wait_s."""
        with st.lock:
            st.next_start = max(st.next_start, self._monotonic() + wait_s)

    # -- the Fetcher API

    def get(self, url: str, *, conditional: bool = True, accept: str | None = None) -> FetchResult:
        p = self.policy
        host = check_url(url, p)
        t0 = self._monotonic()
        validators = self.store.get(url) if conditional else None
        headers: dict[str, str] = {"Accept": accept or "*/*"}
        if validators:
            etag, last_modified = validators
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified

        current, chain = url, [url]
        failures = 0
        while True:
            st = self._host(host)
            self._check_blocked(current, host, st)
            try:
                resp = self._attempt(current, host, st, headers, attempt=failures + 1)
            except _Retryable as r:
                failures += 1
                if r.wait_s is not None:
                    # every request to the host (this retry, other threads, the next get) waits: the slot wait
                    # in the next attempt does the sleeping
                    self._push_back(host, st, r.wait_s)
                if failures > p.max_retries:
                    err = r.error
                    err.reason = f"{err.reason} after {failures} attempt{'s' if failures > 1 else ''}"
                    err.extra.setdefault("attempts", failures)
                    if current != url:
                        err.extra.setdefault("redirects", chain)
                    raise err from None
                if r.wait_s is not None:
                    log.info("retrying %s after Retry-After %.1f s (%s)", current, r.wait_s, r.error.reason)
                else:
                    delay = self._backoff(failures)
                    log.info("retrying %s in %.2f s (%s)", current, delay, r.error.reason)
                    self._sleep(delay)
                continue

            if resp.status in REDIRECT_CODES:
                location = resp.headers.get("location")
                if not location:
                    raise FetchError(
                        url, "http", f"HTTP {resp.status} without a Location", status=resp.status
                    )
                nxt = urljoin(current, location.strip())
                chain.append(nxt)
                if len(chain) - 1 > p.max_redirects:
                    raise FetchError(
                        url,
                        "http",
                        f"more than {p.max_redirects} redirects: {' -> '.join(chain)}",
                        status=resp.status,
                        extra={"redirects": chain},
                    )
                try:
                    host = check_url(nxt, p)
                except FetchError as e:
                    raise FetchError(
                        url,
                        "policy",
                        f"redirect refused ({e.reason}): {' -> '.join(chain)}",
                        status=resp.status,
                        extra={"redirects": chain},
                    ) from None
                current = nxt
                continue
            break

        elapsed = self._monotonic() - t0
        ctype, charset = parse_content_type(resp.headers.get("content-type"))
        common = dict(
            url=url,
            final_url=current,
            headers=resp.headers,
            content_type=ctype,
            charset=charset,
            attempts=failures + 1,
            elapsed_s=elapsed,
        )
        if resp.status == 304:
            if not validators:
                raise FetchError(url, "http", "HTTP 304 to a request that was not conditional", status=304)
            return FetchResult(status=304, content=b"", not_modified=True, **common)
        if not (200 <= resp.status < 300) or resp.status == 206:
            raise FetchError(
                url,
                "http",
                f"HTTP {resp.status}",
                status=resp.status,
                extra={"final_url": current, "redirects": chain},
            )
        if accept and p.enforce_accept and not accept_matches(accept, ctype):
            raise FetchError(
                url,
                "content",
                f"content type {ctype} does not match Accept {accept!r}",
                status=resp.status,
                extra={"content_type": ctype, "final_url": current},
            )
        if resp.status == 200 and resp.content:
            # only a complete, non-empty 200 updates the validators: an empty answer may be a glitch and its
            # ETag would turn every later fetch into a 304 on nothing
            self.store.put(url, resp.headers.get("etag"), resp.headers.get("last-modified"))
        return FetchResult(status=resp.status, content=resp.content, **common)

    def _check_blocked(self, url: str, host: str, st: _HostState) -> None:
        left = st.blocked_until - self._monotonic()
        if left > 0:
            raise FetchError(
                url,
                "http",
                f"{host} asked us to wait (Retry-After); {left:.0f} s left",
                status=st.blocked_status,
                extra={"retry_after_left_s": left},
            )

    def _backoff(self, failures: int) -> float:
        p = self.policy
        cap = min(p.backoff_max_s, p.backoff_base_s * (2 ** (failures - 1)))
        return cap * (0.5 + 0.5 * self._rand())  # "equal jitter": between half and all of the capped step

    def _attempt(
        self, url: str, host: str, st: _HostState, headers: dict[str, str], attempt: int
    ) -> _Response:
        """One HTTP request, under the host's semaphore and rate limit. Returns the response (a redirect, a
        2xx, a 304 or a final 4xx), raises _Retryable or FetchError."""
        p = self.policy
        with st.semaphore:
            self._wait_for_slot(host, st)
            start = self._monotonic()
            deadline = start + p.total_timeout_s
            status: int | None = None
            raw = 0
            try:
                resp = self._request(url, headers, deadline)
                status = resp.status
                raw = resp.raw_bytes
                return resp
            except FetchError as e:
                status = e.status
                raw = e.extra.get("bytes", 0)
                raise
            except _Retryable as r:
                status = r.error.status
                raw = r.error.extra.get("bytes", 0)
                if r.wait_s is not None and r.wait_s > p.retry_after_max_s:
                    with st.lock:
                        st.blocked_until = max(st.blocked_until, self._monotonic() + r.wait_s)
                        st.blocked_status = status
                    raise FetchError(
                        url,
                        "http",
                        f"HTTP {status} with Retry-After {r.wait_s:.0f} s, over the {p.retry_after_max_s:g} s "
                        "cap: giving up",
                        status=status,
                        extra={"retry_after_s": r.wait_s, "attempts": attempt},
                    ) from None
                raise
            finally:
                log.debug(
                    "GET %s status=%s attempt=%d bytes=%d elapsed=%.3fs",
                    url,
                    status,
                    attempt,
                    raw,
                    self._monotonic() - start,
                )

    def _request(self, url: str, headers: dict[str, str], deadline: float) -> _Response:
        p = self.policy
        remaining = deadline - self._monotonic()
        timeout = httpx.Timeout(
            connect=min(p.connect_timeout_s, max(remaining, 0.001)),
            read=min(p.read_timeout_s, max(remaining, 0.001)),
            write=min(p.read_timeout_s, max(remaining, 0.001)),
            pool=min(p.connect_timeout_s, max(remaining, 0.001)),
        )
        try:
            with self._client.stream("GET", url, headers=headers, timeout=timeout) as r:
                return self._read(url, r, deadline)
        except httpx.TimeoutException as e:
            raise _Retryable(FetchError(url, "timeout", f"{_timeout_kind(e)} timeout")) from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as e:
            # before the response headers: the connection failed or was dropped
            raise _Retryable(FetchError(url, "connect", f"connection failed: {_why(e)}")) from None
        except httpx.InvalidURL as e:
            raise FetchError(url, "policy", f"malformed URL: {e}") from None

    def _read(self, url: str, r: httpx.Response, deadline: float) -> _Response:
        p = self.policy
        status = r.status_code
        headers = dict(r.headers.items())  # lower-cased names, repeated headers joined with ", "
        if status in p.retry_statuses or status >= 500:
            wait = None
            if status in RETRY_AFTER_STATUSES:
                wait = parse_retry_after(headers.get("retry-after"), headers.get("date"), self._wall_time())
            raise _Retryable(FetchError(url, "http", f"HTTP {status}", status=status), wait_s=wait)
        if status in REDIRECT_CODES or status == 304 or not (200 <= status < 300):
            return _Response(status, headers, b"", 0)  # no body wanted: closing the stream drops it

        declared = headers.get("content-length")
        expected: int | None = None
        if declared is not None:
            try:
                expected = int(declared.split(",")[0].strip())
            except ValueError:
                expected = None
            if expected is not None and expected > p.max_body_bytes:
                raise FetchError(
                    url,
                    "size",
                    f"body over {_mb(p.max_body_bytes)} (Content-Length {expected})",
                    status=status,
                    extra={"content_length": expected},
                )

        encodings = [e.strip().lower() for e in headers.get("content-encoding", "").split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        for e in encodings:
            if e not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(url, "content", f"unsupported Content-Encoding {e!r}", status=status)
        inflaters = [_Inflater("gzip" if e == "x-gzip" else e) for e in reversed(encodings)]

        raw = 0
        out: list[bytes] = []
        size = 0

        def wire() -> Iterator[bytes]:
            nonlocal raw
            for chunk in r.iter_raw():
                raw += len(chunk)
                if raw > p.max_body_bytes:
                    raise _SizeExceeded(f"body over {_mb(p.max_body_bytes)} on the wire")
                if self._monotonic() > deadline:
                    raise _Retryable(
                        FetchError(
                            url,
                            "timeout",
                            f"not complete within {p.total_timeout_s:g} s ({raw} bytes read)",
                            status=status,
                            extra={"bytes": raw},
                        )
                    )
                yield chunk

        try:
            for piece in _decoded(wire(), inflaters):
                size += len(piece)
                if size > p.max_decompressed_bytes:
                    raise _SizeExceeded(f"decompressed body over {_mb(p.max_decompressed_bytes)}")
                out.append(piece)
        except _SizeExceeded as e:
            raise FetchError(url, "size", str(e), status=status, extra={"bytes": raw}) from None
        except ValueError as e:  # corrupt compressed data
            raise FetchError(url, "content", str(e), status=status, extra={"bytes": raw}) from None
        except httpx.TimeoutException:
            raise _Retryable(
                FetchError(
                    url,
                    "timeout",
                    f"read timeout in the body ({raw} bytes read)",
                    status=status,
                    extra={"bytes": raw},
                )
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as e:
            raise _Retryable(
                FetchError(
                    url,
                    "truncated",
                    _truncation(raw, expected, e),
                    status=status,
                    extra={"bytes": raw, "content_length": expected},
                )
            ) from None
        if expected is not None and raw < expected:
            raise _Retryable(
                FetchError(
                    url,
                    "truncated",
                    _truncation(raw, expected, None),
                    status=status,
                    extra={"bytes": raw, "content_length": expected},
                )
            )
        if any(not i.complete for i in inflaters) and raw:
            raise _Retryable(
                FetchError(
                    url,
                    "truncated",
                    "compressed body ends before its end marker",
                    status=status,
                    extra={"bytes": raw},
                )
            )
        return _Response(status, headers, b"".join(out), raw)


def _timeout_kind(e: httpx.TimeoutException) -> str:
    return {
        httpx.ConnectTimeout: "connect",
        httpx.ReadTimeout: "read",
        httpx.WriteTimeout: "write",
        httpx.PoolTimeout: "pool",
    }.get(type(e), "request")


def _why(e: Exception) -> str:
    cause = e.__cause__ or e.__context__
    msg = str(e) or type(e).__name__
    if cause is not None and str(cause) and str(cause) not in msg:
        msg = f"{msg} ({cause})"
    return msg


def _truncation(raw: int, expected: int | None, e: Exception | None) -> str:
    got = f"body cut off after {raw} bytes"
    if expected is not None:
        got += f" of {expected}"
    return f"{got}: {_why(e)}" if e is not None else got
