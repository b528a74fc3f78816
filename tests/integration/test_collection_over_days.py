"""Collecting a loopback site over many days (issue 11): a feed that serves ETags answers 304 once it was fetched,
so a day's items must not hide behind the validators of an earlier day's fetch. Day by day or as one window,
every document and every expected reject arrives, none twice; a page that failed is retried by the next run."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime

import duckdb
from http_server import Route, Static, serve

from ingestion.daily import ingest_window
from ingestion.sources.config import parse_config

FIRST = date(2024, 4, 1)
DAYS = 6
BROKEN = {3}  # the story of this day answers 503 on its first request only


def _day(i: int) -> date:
    return FIRST + timedelta(days=i)


def _rss(base: str) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}/story/{i}</link><guid>{base}/story/{i}</guid>"
        f"<pubDate>{format_datetime(_day_dt(i))}</pubDate></item>" for i in range(DAYS))
    # and one page that is an expected reject (too little text), on day 2
    items += (f"<item><title>Short</title><link>{base}/short/2</link>"
              f"<pubDate>{format_datetime(_day_dt(2))}</pubDate></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Site</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


def _day_dt(i: int) -> datetime:
    return datetime.combine(_day(i), time(9), tzinfo=UTC)


def _page(i: int) -> bytes:
    return (f"<html><head><title>Story {i}</title><meta property='article:published_time' "
            f"content='{_day(i).isoformat()}T09:00:00Z'></head><body><article><h1>Story {i}</h1>"
            f"<p>On day {i} a Duma deputy spoke at length about Kazakhstan and its borders, and the ministry in "
            f"Astana answered him the same evening with a statement of its own about story number {i}.</p>"
            f"<p>Observers in Almaty said the exchange on day {i} was the sharpest of the month so far.</p>"
            "</article></body></html>").encode()


class FailOnce:
    def __init__(self, route: Route):
        self.route, self.calls = route, 0

    def __call__(self, req) -> None:
        self.calls += 1
        if self.calls == 1:
            req.send_response(503)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        self.route(req)


def _site(srv, etag='"v1"'):
    b = srv.base_url
    srv.add("/rss.xml", Static(_rss(b), "application/rss+xml", charset="utf-8", etag=etag))
    for i in range(DAYS):
        page = Static(_page(i), "text/html", charset="utf-8")
        srv.add(f"/story/{i}", FailOnce(page) if i in BROKEN else page)
    srv.add("/short/2", Static(SHORT, "text/html", charset="utf-8"))
    return parse_config({
        "version": 1,
        "network": {"user_agent": "georisk-test/0.1", "retries": 0, "per_host_interval_s": 0,
                    "connect_timeout_s": 2, "read_timeout_s": 2, "total_timeout_s": 5},
        "sources": [{"id": "site", "kind": "rss", "name": "Site", "url": f"{b}/rss.xml", "outlet_id": "tass",
                     "country": "RU", "alignment": "state", "language": "en", "allowed_hosts": ["127.0.0.1"]}],
    })


SHORT = b"<html><head><title>Short</title></head><body><article><p>Too short to be an article.</p></article></body></html>"


def _rejects(con) -> list[tuple[str, str]]:
    return sorted((p.split("/", 3)[3], s) for p, s in con.execute("select source_path, stage from raw.rejects").fetchall())


def _stored(con) -> list[str]:
    return sorted(u.rsplit("/", 1)[1] for (u,) in con.execute("select url from raw.documents").fetchall())


def test_day_by_day_gets_every_days_items_and_retries_what_failed(tmp_path):
    with serve({}) as srv:
        cfg = _site(srv)
        con = duckdb.connect(str(tmp_path / "w.duckdb"))
        for i in range(DAYS):
            ingest_window(con, tmp_path, _day(i), _day(i), network=True, config=cfg)
        # Day 3's page failed on its day; the next day's run fetched the feed in full (no 304 after a fault)
        # and retried the page although it belongs to an earlier day. Its fault row went with it: one outcome.
        assert _stored(con) == [str(i) for i in range(DAYS)]
        assert len(srv.requests_to("/story/3")) == 2
        assert _rejects(con) == [("short/2", "extract")]  # the expected reject, once
        again = ingest_window(con, tmp_path, FIRST, _day(DAYS - 1), network=True, config=cfg)
        assert again.result.stored == 0 and _stored(con) == [str(i) for i in range(DAYS)]


def test_one_window_fetches_the_feed_once_and_keeps_every_day(tmp_path):
    with serve({}) as srv:
        cfg = _site(srv)
        con = duckdb.connect(str(tmp_path / "w.duckdb"))
        report = ingest_window(con, tmp_path, FIRST, _day(DAYS - 1), network=True, config=cfg)
        assert len(srv.requests_to("/rss.xml")) == 1
        assert report.result.stored == DAYS - len(BROKEN) and report.result.rejected == len(BROKEN) + 1
        # The failed page keeps the feed from being answered by a 304: the next run reads it in full.
        ingest_window(con, tmp_path, FIRST, _day(DAYS - 1), network=True, config=cfg)
        assert _rejects(con) == [("short/2", "extract")]  # the expected reject, once
        assert "if-none-match" not in srv.requests_to("/rss.xml")[1].headers
        assert _stored(con) == [str(i) for i in range(DAYS)]
        # Now everything was kept: a run for a later day may revalidate, and its 304 hides nothing; a re-run of
        # days already collected fetches in full again (the 304 would answer for items it never kept).
        ingest_window(con, tmp_path, _day(DAYS), _day(DAYS), network=True, config=cfg)
        assert "if-none-match" in srv.requests_to("/rss.xml")[2].headers
        ingest_window(con, tmp_path, _day(2), _day(2), network=True, config=cfg)
        assert "if-none-match" not in srv.requests_to("/rss.xml")[3].headers
        assert _stored(con) == [str(i) for i in range(DAYS)]


def test_conditional_requests_false_is_honoured(tmp_path):
    with serve({}) as srv:
        cfg = _site(srv)
        data_cfg = parse_config({
            "version": 1,
            "network": {"user_agent": "georisk-test/0.1", "retries": 0, "per_host_interval_s": 0,
                        "conditional_requests": False},
            "sources": [{"id": "site", "kind": "rss", "name": "Site", "url": cfg.sources[0].url,
                         "outlet_id": "tass", "country": "RU", "alignment": "state", "language": "en",
                         "allowed_hosts": ["127.0.0.1"]}],
        })
        con = duckdb.connect(str(tmp_path / "w.duckdb"))
        for _ in range(3):
            ingest_window(con, tmp_path, _day(0), _day(0), network=True, config=data_cfg)
        assert all("if-none-match" not in r.headers for r in srv.requests_to("/rss.xml"))


class Flaky:
    """Fails half the requests at random (a 503), whatever the route; seeded, so a run is repeatable."""

    def __init__(self, route: Route, state: dict):
        self.route, self.state = route, state

    def __call__(self, req) -> None:
        self.state["n"] += 1
        if self.state["rng"].random() < 0.5:
            self.state["failed"] += 1
            req.send_response(503)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        self.route(req)


def test_a_server_failing_half_the_requests_loses_nothing_day_by_day(tmp_path):
    state = {"n": 0, "failed": 0, "rng": random.Random(11)}
    with serve({}) as srv:
        b = srv.base_url
        srv.add("/rss.xml", Flaky(Static(_rss(b), "application/rss+xml", charset="utf-8", etag='"v1"'), state))
        for i in range(DAYS):
            srv.add(f"/story/{i}", Flaky(Static(_page(i), "text/html", charset="utf-8"), state))
        srv.add("/short/2", Flaky(Static(SHORT, "text/html", charset="utf-8"), state))
        cfg = parse_config({
            "version": 1,
            "network": {"user_agent": "georisk-test/0.1", "retries": 0, "per_host_interval_s": 0},
            "sources": [{"id": "site", "kind": "rss", "name": "Site", "url": f"{b}/rss.xml", "outlet_id": "tass",
                         "country": "RU", "alignment": "state", "language": "en", "allowed_hosts": ["127.0.0.1"]}],
        })
        con = duckdb.connect(str(tmp_path / "w.duckdb"))
        # Every day completes (no exception), whatever failed; the days after it pick up what was lost.
        for i in range(DAYS + 4):
            ingest_window(con, tmp_path, _day(i), _day(i), network=True, config=cfg)
        assert state["failed"] >= DAYS  # faults were injected, about half of all requests
        assert _stored(con) == [str(i) for i in range(DAYS)]
        assert con.execute("select count(*) - count(distinct url) from raw.documents").fetchone()[0] == 0
        # the expected reject once, and only the feed's own failed fetches besides it
        assert [r for r in _rejects(con) if r[0] != "rss.xml"] == [("short/2", "extract")]
