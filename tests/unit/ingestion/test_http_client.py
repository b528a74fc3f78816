"""PoliteClient against a real HTTP server on 127.0.0.1 (tests/http_server.py). No other address is ever
contacted: the only non-loopback URLs are refused by policy, which the tests check happens before DNS."""

from __future__ import annotations

import gc
import json
import logging
import socket
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from http_server import (
    DISALLOWED_URL,
    MALFORMED_XML,
    FailThenSucceed,
    GzipBomb,
    Oversized,
    Redirect,
    ResetMidBody,
    RetryAfter,
    Sequence,
    Slow,
    Static,
    Status,
    Trickle,
    gzip_bomb,
    http_date,
    serve,
)

from ingestion.fetch_api import FetchError
from ingestion.http import (
    DEFAULT_USER_AGENT,
    ClientPolicy,
    JsonFileValidatorStore,
    MemoryValidatorStore,
    PoliteClient,
    accept_matches,
    host_matches,
    parse_retry_after,
)

MB = 1024 * 1024


def policy(**kw) -> ClientPolicy:
    base = dict(
        allowed_hosts={"127.0.0.1"},
        connect_timeout_s=1.0,
        read_timeout_s=1.0,
        total_timeout_s=3.0,
        max_retries=2,
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        retry_after_max_s=10.0,
        per_host_concurrency=4,
        min_interval_s=0.0,
        max_body_bytes=1 * MB,
        max_decompressed_bytes=2 * MB,
        max_redirects=3,
    )
    base.update(kw)
    return ClientPolicy(**base)


class FakeClock:
    """monotonic() only moves when the client sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, s: float) -> None:
        with self._lock:
            self.sleeps.append(s)
            self.now += s


def fake_client(clock: FakeClock, **kw) -> PoliteClient:
    return PoliteClient(policy(**kw), sleep=clock.sleep, monotonic=clock.monotonic, rand=lambda: 1.0)


@pytest.fixture
def dns_calls(monkeypatch):
    """Every host name the process tries to resolve or connect to during the test."""
    calls: list[str] = []
    real_gai, real_cc = socket.getaddrinfo, socket.create_connection

    def gai(host, *a, **k):
        calls.append(str(host))
        return real_gai(host, *a, **k)

    def cc(address, *a, **k):
        calls.append(str(address[0]))
        return real_cc(address, *a, **k)

    monkeypatch.setattr(socket, "getaddrinfo", gai)
    monkeypatch.setattr(socket, "create_connection", cc)
    return calls


# --- basics and policy -----------------------------------------------------------------------------------


def test_plain_get_sends_user_agent_and_decodes_declared_charset():
    body = "Министерство иностранных дел".encode("windows-1251")
    with (
        serve({"/page": Static(body, "text/html", charset="windows-1251")}) as srv,
        PoliteClient(policy()) as c,
    ):
        r = c.get(srv.url("/page"), accept="text/html")
    assert (r.status, r.content, r.content_type, r.charset) == (200, body, "text/html", "windows-1251")
    assert r.text() == "Министерство иностранных дел"
    assert r.url == r.final_url == srv.url("/page") and r.attempts == 1 and not r.not_modified
    assert r.headers["content-type"] == "text/html; charset=windows-1251"
    (req,) = srv.log
    assert req.headers["user-agent"] == DEFAULT_USER_AGENT
    assert req.headers["user-agent"].startswith("georisk/0.1 (+research on geopolitical tension")
    assert req.headers["accept"] == "text/html"
    assert req.headers["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in req.headers


def test_disallowed_host_is_refused_before_any_lookup_or_connection(dns_calls):
    c = PoliteClient(policy())
    with pytest.raises(FetchError) as ei:
        c.get(DISALLOWED_URL)
    assert ei.value.stage == "policy" and "not-allowed.invalid" in ei.value.reason
    assert dns_calls == []


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1/x", "http:///nohost", "http://127.0.0.1:99999/"],
)
def test_bad_scheme_or_url_is_refused(url, dns_calls):
    with pytest.raises(FetchError) as ei:
        PoliteClient(policy()).get(url)
    assert ei.value.stage == "policy"
    assert dns_calls == []


def test_host_matching_is_exact_or_subdomain():
    assert host_matches("tass.ru", "tass.ru") and host_matches("TASS.RU.", "tass.ru")
    assert host_matches("www.tass.ru", "tass.ru") and host_matches("a.b.tass.ru", "tass.ru")
    assert not host_matches("nottass.ru", "tass.ru")
    assert not host_matches("tass.ru.evil.com", "tass.ru")
    assert not host_matches("ru", "tass.ru")
    p = ClientPolicy(
        allowed_hosts={"api.gdeltproject.org"},
        min_interval_s=1.0,
        host_intervals={"gdeltproject.org": 5.0, "api.gdeltproject.org": 6.0},
    )
    assert p.interval_for("api.gdeltproject.org") == 6.0  # the most specific entry wins
    assert p.interval_for("www.gdeltproject.org") == 5.0
    assert p.interval_for("tass.ru") == 1.0
    assert ClientPolicy().allowed_hosts == set()  # default: nothing is allowed
    q = ClientPolicy(per_host_concurrency=2, host_concurrency={"gdeltproject.org": 1})
    assert q.concurrency_for("api.gdeltproject.org") == 1 and q.concurrency_for("tass.ru") == 2


def test_policy_from_yaml_mapping():
    cfg = yaml.safe_load(
        "allowed_hosts: [tass.ru, api.gdeltproject.org]\n"
        "host_intervals: {api.gdeltproject.org: 5}\n"
        "max_retries: 4\n"
        "user_agent: georisk/0.1 (+research on geopolitical tension; mailto:ops@example.org)\n"
    )
    p = ClientPolicy.from_mapping(cfg)
    assert p.allowed_hosts == {"tass.ru", "api.gdeltproject.org"} and p.max_retries == 4
    assert p.interval_for("api.gdeltproject.org") == 5.0 and p.min_interval_s == 1.0
    with pytest.raises(ValueError, match="max_retry"):
        ClientPolicy.from_mapping({"max_retry": 4})


# --- redirects -------------------------------------------------------------------------------------------


def test_redirect_chain_is_followed_hop_by_hop():
    routes = {"/r1": Redirect("/r2", 302), "/r2": Redirect("/final", 301), "/final": Static(b"here")}
    with serve(routes) as srv:
        r = PoliteClient(policy()).get(srv.url("/r1"))
    assert r.content == b"here" and r.final_url == srv.url("/final") and r.url == srv.url("/r1")
    assert [q.route for q in srv.log] == ["/r1", "/r2", "/final"]
    assert all(q.headers["user-agent"] == DEFAULT_USER_AGENT for q in srv.log)


def test_redirect_to_disallowed_host_is_refused_without_connecting(dns_calls):
    with serve({"/away": Redirect(DISALLOWED_URL, 301)}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy()).get(srv.url("/away"))
    e = ei.value
    assert e.stage == "policy" and e.status == 301
    assert srv.url("/away") in e.reason and DISALLOWED_URL in e.reason  # the chain
    assert e.extra["redirects"] == [srv.url("/away"), DISALLOWED_URL]
    assert [q.route for q in srv.log] == ["/away"]
    assert "not-allowed.invalid" not in dns_calls and set(dns_calls) <= {"127.0.0.1"}


def test_redirect_loop_stops_at_max_redirects():
    with serve({"/loop": Redirect("/loop")}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(max_redirects=3)).get(srv.url("/loop"))
    assert ei.value.stage == "http" and "more than 3 redirects" in ei.value.reason
    assert len(srv.requests_to("/loop")) == 4


# --- retries, backoff, Retry-After -----------------------------------------------------------------------


def test_500_twice_then_200_is_retried_with_exponential_backoff():
    clock = FakeClock()
    route = FailThenSucceed(2, Static(b"ok"))
    with serve({"/flaky": route}) as srv:
        r = fake_client(clock, backoff_base_s=1.0, backoff_max_s=30.0, max_retries=3).get(srv.url("/flaky"))
    assert r.content == b"ok" and r.attempts == 3
    assert clock.sleeps == [1.0, 2.0]
    assert len(srv.requests_to("/flaky")) == 3


def test_backoff_is_capped_and_jittered():
    clock = FakeClock()
    c = PoliteClient(
        policy(backoff_base_s=1.0, backoff_max_s=3.0, max_retries=4),
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        rand=lambda: 0.0,
    )
    with serve({"/down": Status(500)}) as srv:
        with pytest.raises(FetchError) as ei:
            c.get(srv.url("/down"))
    assert clock.sleeps == [0.5, 1.0, 1.5, 1.5]  # caps 1, 2, 3, 3, with the lowest jitter (half)
    assert ei.value.stage == "http" and ei.value.status == 500
    assert ei.value.reason == "HTTP 500 after 5 attempts"
    assert len(srv.log) == 5


def test_persistent_500_gives_up_after_max_retries():
    with serve({"/down": Status(503)}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(max_retries=2)).get(srv.url("/down"))
    assert (ei.value.stage, ei.value.status, ei.value.reason) == ("http", 503, "HTTP 503 after 3 attempts")
    assert len(srv.log) == 3


def test_retry_statuses_are_configurable():
    with serve({"/gone": FailThenSucceed(1, Static(b"back"), status=404)}) as srv:
        r = PoliteClient(policy(retry_statuses={404})).get(srv.url("/gone"))
    assert r.content == b"back" and r.attempts == 2


def test_404_is_not_retried():
    with serve({}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy()).get(srv.url("/missing"))
    assert (ei.value.stage, ei.value.status) == ("http", 404)
    assert len(srv.log) == 1


def test_retry_after_seconds_on_503_is_honoured():
    clock = FakeClock()
    with serve({"/busy": RetryAfter("3", Static(b"ok"), status=503)}) as srv:
        r = fake_client(clock).get(srv.url("/busy"))
    assert r.content == b"ok" and r.attempts == 2
    assert clock.sleeps == [3.0]  # the Retry-After, not the (tiny) backoff
    assert len(srv.log) == 2


def test_retry_after_http_date_on_429_is_honoured():
    clock = FakeClock()
    with serve({"/limited": RetryAfter(4, Static(b"ok"), status=429, as_date=True)}) as srv:
        r = fake_client(clock).get(srv.url("/limited"))
    assert r.content == b"ok"
    (slept,) = clock.sleeps
    assert 2.0 <= slept <= 5.0  # an HTTP date has 1 s resolution


def test_retry_after_above_cap_gives_up_at_once_and_holds_off_the_host():
    clock = FakeClock()
    c = fake_client(clock, retry_after_max_s=60.0)
    with serve({"/limited": RetryAfter("3600", Static(b"ok"), status=429)}) as srv:
        with pytest.raises(FetchError) as ei:
            c.get(srv.url("/limited"))
        assert ei.value.stage == "http" and ei.value.status == 429
        assert "Retry-After 3600 s" in ei.value.reason and "cap" in ei.value.reason
        assert clock.sleeps == [] and len(srv.log) == 1
        with pytest.raises(FetchError) as again:  # the host said an hour: do not ask again meanwhile
            c.get(srv.url("/limited"))
        assert "asked us to wait" in again.value.reason and len(srv.log) == 1
        clock.now += 3601
        assert c.get(srv.url("/limited")).content == b"ok"


def test_retry_after_still_holds_off_the_host_when_retries_run_out():
    clock = FakeClock()
    c = fake_client(clock, max_retries=0)
    with serve({"/busy": RetryAfter("7", Static(b"ok"), status=503)}) as srv:
        with pytest.raises(FetchError) as ei:
            c.get(srv.url("/busy"))
        assert ei.value.reason == "HTTP 503 after 1 attempt" and clock.sleeps == []
        assert c.get(srv.url("/busy")).content == b"ok"  # the next request waits out the Retry-After
    assert clock.sleeps == [7.0]


def test_parse_retry_after():
    now = 1_700_000_000.0
    assert parse_retry_after("120", None, now) == 120.0
    assert parse_retry_after(http_date(now + 30), None, now) == pytest.approx(30, abs=1)
    assert parse_retry_after(http_date(now + 30), http_date(now + 20), now) == pytest.approx(10, abs=1)
    assert parse_retry_after(http_date(now - 30), None, now) == 0.0
    assert parse_retry_after("soon", None, now) is None and parse_retry_after(None, None, now) is None


def test_429_without_retry_after_backs_off_then_fails():
    clock = FakeClock()
    with serve({"/limited": Status(429)}) as srv:
        with pytest.raises(FetchError) as ei:
            fake_client(clock, max_retries=1, backoff_base_s=2.0, backoff_max_s=10.0).get(srv.url("/limited"))
    assert (ei.value.stage, ei.value.status) == ("http", 429)
    assert clock.sleeps == [2.0] and len(srv.log) == 2


# --- timeouts, connection errors, truncation -------------------------------------------------------------


def test_slow_headers_time_out_and_are_retried():
    with serve({"/slow": Slow(3.0)}) as srv:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(read_timeout_s=0.3, max_retries=1)).get(srv.url("/slow"))
        took = time.monotonic() - t0
    assert ei.value.stage == "timeout" and ei.value.reason == "read timeout after 2 attempts"
    assert len(srv.log) == 2
    assert 0.6 <= took < 1.5


def test_trickling_body_hits_the_whole_request_deadline():
    # 10 s for the whole body, each byte well within the read timeout
    route = Trickle(b"x" * 200, interval_s=0.05)
    with serve({"/trickle": route}) as srv:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(read_timeout_s=1.0, total_timeout_s=0.5, max_retries=0)).get(
                srv.url("/trickle")
            )
        took = time.monotonic() - t0
    assert ei.value.stage == "timeout" and "not complete within 0.5 s" in ei.value.reason
    assert 0.45 <= took < 1.5
    assert route.sent < 200


def test_connection_refused_is_retried_then_connect_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clock = FakeClock()
    with pytest.raises(FetchError) as ei:
        fake_client(clock, max_retries=2).get(f"http://127.0.0.1:{port}/")
    assert ei.value.stage == "connect" and ei.value.reason.endswith("after 3 attempts")
    assert len(clock.sleeps) == 2


def test_reset_mid_body_is_retried_then_truncated_and_validators_not_stored():
    route = ResetMidBody(b"a" * 10_000, send=3_000, headers={"ETag": '"v1"'})
    store = MemoryValidatorStore()
    with serve({"/reset": route}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(max_retries=2), store=store).get(srv.url("/reset"))
    e = ei.value
    assert e.stage == "truncated" and e.reason.startswith("body cut off after")
    assert "of 10000" in e.reason and e.reason.endswith("after 3 attempts")
    assert len(srv.log) == 3
    assert store.get(srv.url("/reset")) is None


def test_short_body_with_clean_close_is_truncated():
    with serve({"/short": ResetMidBody(b"b" * 5_000, send=1_000, reset=False)}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(max_retries=1)).get(srv.url("/short"))
    assert ei.value.stage == "truncated" and "of 5000" in ei.value.reason
    assert len(srv.log) == 2


def test_reset_once_then_complete_is_recovered():
    body = b"full body " * 500
    route = Sequence(ResetMidBody(body, send=100), Static(body, etag='"v2"'))
    store = MemoryValidatorStore()
    with serve({"/once": route}) as srv:
        r = PoliteClient(policy(), store=store).get(srv.url("/once"))
    assert r.content == body and r.attempts == 2
    assert store.get(srv.url("/once")) == ('"v2"', None)


# --- sizes and encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(encoding):
    body = ("<p>Астана</p>" * 2000).encode()
    with serve({"/z": Static(body, "text/html", charset="utf-8", encoding=encoding)}) as srv:
        r = PoliteClient(policy()).get(srv.url("/z"))
    assert r.content == body and r.text().startswith("<p>Астана</p>")


def test_gzip_bomb_is_stopped_without_inflating_it():
    gzip_bomb()  # built before measuring: ~50 KB on the wire, 50 MB inflated
    assert len(gzip_bomb()) < 200_000
    with serve({"/bomb": GzipBomb()}) as srv:
        c = PoliteClient(policy(max_decompressed_bytes=1 * MB))
        gc.collect()
        tracemalloc.start()
        try:
            with pytest.raises(FetchError) as ei:
                c.get(srv.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert ei.value.stage == "size" and ei.value.reason == "decompressed body over 1 MB"
    assert peak < 6 * MB, f"peak {peak / MB:.1f} MB while reading the bomb"
    assert len(srv.log) == 1  # a size error is not retried


def test_content_length_over_the_cap_is_refused_before_reading():
    route = Oversized(64 * MB)
    with serve({"/big": route}) as srv:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(max_body_bytes=1 * MB)).get(srv.url("/big"))
        took = time.monotonic() - t0
    assert ei.value.stage == "size" and "Content-Length 67108864" in ei.value.reason
    assert ei.value.reason.startswith("body over 1 MB")
    assert len(srv.log) == 1 and took < 1.0


def test_chunked_body_over_the_cap_is_stopped_while_streaming():
    route = Oversized(64 * MB, chunked=True)
    with serve({"/chunked": route}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy(max_body_bytes=256 * 1024)).get(srv.url("/chunked"))
        time.sleep(0.1)
    assert ei.value.stage == "size" and ei.value.reason == "body over 262144 bytes on the wire"
    assert route.sent < 32 * MB  # the client hung up long before the end
    assert len(srv.log) == 1


def test_unsupported_content_encoding_is_a_content_error():
    with serve({"/br": Static(b"\x0b\x02\x80hello\x03", encoding="br")}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(policy()).get(srv.url("/br"))
    assert ei.value.stage == "content" and "'br'" in ei.value.reason


# --- content ---------------------------------------------------------------------------------------------

FEED_ACCEPT = "application/rss+xml, application/atom+xml"


def test_wrong_content_type_is_refused_when_accept_is_given():
    page = Static(b"<html>Please enable JavaScript</html>", "text/html", charset="utf-8")
    with serve({"/feed": page}) as srv:
        c = PoliteClient(policy())
        with pytest.raises(FetchError) as ei:
            c.get(srv.url("/feed"), accept=FEED_ACCEPT)
        assert ei.value.stage == "content" and "text/html" in ei.value.reason
        assert ei.value.extra["content_type"] == "text/html"
        assert c.get(srv.url("/feed")).content_type == "text/html"  # no accept: no check


def test_accept_matching():
    assert accept_matches(FEED_ACCEPT, "text/xml")  # a feed served as text/xml is still a feed
    assert accept_matches(FEED_ACCEPT, "application/xml")
    assert not accept_matches(FEED_ACCEPT, "text/html")
    assert accept_matches("text/*", "text/html") and not accept_matches("text/*", "application/json")
    assert accept_matches("application/json", "application/json")
    assert accept_matches(FEED_ACCEPT + ", */*;q=0.1", "text/html")
    assert not accept_matches("application/json, text/html;q=0", "text/html")
    assert accept_matches(FEED_ACCEPT, None)


def test_empty_body_is_returned_but_its_validators_are_not_kept():
    store = MemoryValidatorStore()
    with serve({"/empty": Static(b"", "application/rss+xml", etag='"e"')}) as srv:
        r = PoliteClient(policy(), store=store).get(srv.url("/empty"))
    assert r.status == 200 and r.content == b"" and r.headers["content-length"] == "0"
    assert store.get(srv.url("/empty")) is None


def test_malformed_xml_is_delivered_as_is():
    with serve({"/bad.xml": Static(MALFORMED_XML, "application/rss+xml", charset="utf-8")}) as srv:
        r = PoliteClient(policy()).get(srv.url("/bad.xml"), accept=FEED_ACCEPT)
    assert r.content == MALFORMED_XML and r.content_type == "application/rss+xml"


# --- conditional GET -------------------------------------------------------------------------------------

LAST_MODIFIED = "Mon, 03 Mar 2025 10:00:00 GMT"


def test_conditional_get_sends_validators_and_handles_304():
    store = MemoryValidatorStore()
    route = Static(b"<rss/>", "application/rss+xml", etag='"abc"', last_modified=LAST_MODIFIED)
    with serve({"/feed": route}) as srv:
        c = PoliteClient(policy(), store=store)
        first = c.get(srv.url("/feed"))
        second = c.get(srv.url("/feed"))
        third = c.get(srv.url("/feed"), conditional=False)
    assert first.status == 200 and first.content == b"<rss/>" and not first.not_modified
    assert store.get(srv.url("/feed")) == ('"abc"', LAST_MODIFIED)
    assert second.status == 304 and second.not_modified and second.content == b""
    assert third.status == 200 and third.content == b"<rss/>"
    a, b, c3 = srv.log
    assert "if-none-match" not in a.headers and "if-modified-since" not in a.headers
    assert b.headers["if-none-match"] == '"abc"' and b.headers["if-modified-since"] == LAST_MODIFIED
    assert "if-none-match" not in c3.headers


def test_conditional_get_with_last_modified_only():
    route = Static(b"statement", "text/html", last_modified=LAST_MODIFIED)
    with serve({"/s": route}) as srv:
        c = PoliteClient(policy())
        c.get(srv.url("/s"))
        assert c.get(srv.url("/s")).not_modified
    assert (
        srv.log[1].headers["if-modified-since"] == LAST_MODIFIED and "if-none-match" not in srv.log[1].headers
    )


def test_changed_resource_replaces_validators():
    store = MemoryValidatorStore()
    route = Sequence(Static(b"v1", etag='"1"'), Static(b"v2", etag='"2"'))
    with serve({"/doc": route}) as srv:
        c = PoliteClient(policy(), store=store)
        c.get(srv.url("/doc"))
        r = c.get(srv.url("/doc"))
    assert r.content == b"v2" and store.get(srv.url("/doc")) == ('"2"', None)


def test_json_file_validator_store_persists_atomically(tmp_path):
    path = tmp_path / "state" / "validators.json"
    route = Static(b"<feed/>", "application/atom+xml", etag='W/"42"', last_modified=LAST_MODIFIED)
    with serve({"/atom": route}) as srv:
        PoliteClient(policy(), store=JsonFileValidatorStore(path)).get(srv.url("/atom"))
        saved = json.loads(path.read_text())
        assert saved == {srv.url("/atom"): {"etag": 'W/"42"', "last_modified": LAST_MODIFIED}}
        assert [p.name for p in path.parent.iterdir()] == ["validators.json"]  # no temp file left behind
        r = PoliteClient(policy(), store=JsonFileValidatorStore(path)).get(srv.url("/atom"))  # a new run
    assert r.not_modified and srv.log[1].headers["if-none-match"] == 'W/"42"'


def test_json_file_validator_store_survives_a_corrupt_file(tmp_path):
    path = tmp_path / "validators.json"
    path.write_text("{not json")
    store = JsonFileValidatorStore(path)
    assert store.get("http://127.0.0.1/x") is None
    store.put("http://127.0.0.1/x", '"e"', None)
    assert JsonFileValidatorStore(path).get("http://127.0.0.1/x") == ('"e"', None)


# --- rate limit and concurrency --------------------------------------------------------------------------


def test_per_host_interval_with_fake_clock():
    clock = FakeClock()
    c = fake_client(clock, min_interval_s=0.0, host_intervals={"127.0.0.1": 5.0})
    with serve({"/gdelt": Static(b"{}", "application/json")}) as srv:
        for _ in range(3):
            c.get(srv.url("/gdelt"))
    assert clock.sleeps == [5.0, 5.0]
    assert len(srv.log) == 3


def test_per_host_interval_in_real_time_across_threads():
    c = PoliteClient(policy(min_interval_s=0.2))
    with serve({"/a": Static(b"a")}) as srv:
        t0 = time.monotonic()
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda _: c.get(srv.url("/a")), range(3)))
        took = time.monotonic() - t0
    assert [r.content for r in results] == [b"a"] * 3
    assert took >= 0.4
    arrivals = sorted(q.at for q in srv.log)
    assert all(b - a >= 0.15 for a, b in zip(arrivals, arrivals[1:], strict=False)), arrivals


def test_per_host_concurrency_is_bounded_under_a_thread_pool():
    route = Slow(0.2, Static(b"done"))
    c = PoliteClient(policy(per_host_concurrency=2, min_interval_s=0.0))
    with serve({"/slow": route}) as srv:
        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda _: c.get(srv.url("/slow")), range(6)))
    assert [r.content for r in results] == [b"done"] * 6
    assert route.max_in_flight == 2  # never more than 2 at once, and the pool did run 2 at once
    assert len(srv.log) == 6


def test_host_concurrency_overrides_the_default():
    route = Slow(0.1, Static(b"done"))
    c = PoliteClient(policy(per_host_concurrency=4, host_concurrency={"127.0.0.1": 1}, min_interval_s=0.0))
    with serve({"/slow": route}) as srv:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda _: c.get(srv.url("/slow")), range(3)))
    assert route.max_in_flight == 1


# --- logging and the server itself ----------------------------------------------------------------------


def test_each_attempt_is_logged_at_debug(caplog):
    caplog.set_level(logging.DEBUG, logger="georisk.http")
    with serve({"/f": FailThenSucceed(1, Static(b"12345"))}) as srv:
        PoliteClient(policy()).get(srv.url("/f"))
    lines = [
        r.getMessage() for r in caplog.records if r.name == "georisk.http" and r.levelno == logging.DEBUG
    ]
    assert len(lines) == 2
    assert lines[0].startswith(f"GET {srv.url('/f')} status=500 attempt=1")
    assert f"GET {srv.url('/f')} status=200 attempt=2 bytes=5 elapsed=" in lines[1]


def test_server_stops_cleanly_with_a_request_in_flight():
    c = PoliteClient(policy(read_timeout_s=2.0, max_retries=0))
    errors: list[FetchError] = []

    def fetch(url):
        try:
            c.get(url)
        except FetchError as e:
            errors.append(e)

    with serve({"/slow": Slow(30.0)}) as srv:
        t = threading.Thread(target=fetch, args=(srv.url("/slow"),))
        t.start()
        time.sleep(0.1)
        t0 = time.monotonic()
    assert time.monotonic() - t0 < 1.0  # shutting down does not wait for the 30 s sleep
    t.join(timeout=3)
    assert not t.is_alive() and errors and errors[0].stage in ("connect", "truncated", "timeout")
