"""Hostile and broken answers from sources (issue 11), collected over real loopback HTTP into a real warehouse:
nothing is stored without a trace, no entity is expanded and no file read, and a page or feed that cannot be
trusted is a reject with its reason."""

from __future__ import annotations

import json
from datetime import date

import duckdb
from http_server import Static, serve

from ingestion.daily import ingest_window
from ingestion.files import read_path
from ingestion.sources.config import parse_config
from ingestion.store import store

DAY = date(2024, 4, 8)
ARTICLE = ("<p>A Duma deputy spoke at length about Kazakhstan and its northern regions, and the ministry in Astana "
           "answered him the same evening with a statement of its own.</p><p>Observers in Almaty said the exchange "
           "was the sharpest of the month so far, and that more would follow.</p>")


def _config(url: str, kind: str = "rss") -> object:
    return parse_config({
        "version": 1,
        "network": {"user_agent": "georisk-test/0.1", "retries": 0, "per_host_interval_s": 0},
        "sources": [{"id": "site", "kind": kind, "name": "Site", "url": url, "outlet_id": "tass", "country": "RU",
                     "alignment": "state", "language": "en", "allowed_hosts": ["127.0.0.1"]}],
    })


def _item(base: str, n: int) -> str:
    return (f"<item><title>Story {n}</title><link>{base}/story/{n}</link>"
            f"<pubDate>Mon, 08 Apr 2024 09:00:00 GMT</pubDate></item>")


def _page(n: int) -> bytes:
    return (f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>{ARTICLE}"
            f"<p>This is story number {n} of the day.</p>"
            "</article></body></html>").encode()


def _collect(tmp_path, feed: bytes, pages: dict[str, bytes] | None = None, content_type="application/rss+xml"):
    with serve({}) as srv:
        b = srv.base_url
        srv.add("/feed", Static(feed.replace(b"BASE", b.encode()), content_type))
        for path, body in (pages or {}).items():
            srv.add(path, Static(body, "text/html", charset="utf-8"))
        con = duckdb.connect(str(tmp_path / "w.duckdb"))
        report = ingest_window(con, tmp_path, DAY, DAY, network=True, config=_config(f"{b}/feed"))
        rejects = con.execute("select stage, reason from raw.rejects order by all").fetchall()
        return report.result, rejects, srv


def _rss(*items: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{prolog}<rss version="2.0"><channel><title>T</title><link>BASE/</link>'
            + "".join(items) + "</channel></rss>").encode()


def test_an_entity_expansion_bomb_is_refused_whole(tmp_path):
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))
    feed = _rss("<item><title>&l8;</title><link>BASE/story/1</link></item>",
                prolog=f'<!DOCTYPE rss [<!ENTITY l0 "lol">{lol}]>')
    result, rejects, _ = _collect(tmp_path, feed, {"/story/1": _page(1)})
    assert result.stored == 0 and rejects == [("parse", "feed declares XML entities in a DOCTYPE (refused)")]


def test_an_external_entity_is_refused_and_no_file_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE", encoding="utf-8")
    feed = _rss("<item><title>&x;</title><link>BASE/story/1</link><description>&x;</description></item>",
                prolog=f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>')
    result, rejects, _ = _collect(tmp_path, feed, {"/story/1": _page(1)})
    assert result.stored == 0 and [s for s, _ in rejects] == ["parse"]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert con.execute("select count(*) from raw.rejects where payload like '%TOP-SECRET%'").fetchone()[0] == 0


def test_a_malformed_feed_is_read_leniently_but_leaves_a_row(tmp_path):
    feed = _rss(_item("BASE", 1), _item("BASE", 2)).replace(b"<title>Story 2</title>", b"<title>Story & 2</title>")
    result, rejects, _ = _collect(tmp_path, feed, {"/story/1": _page(1), "/story/2": _page(2)})
    assert result.stored == 2
    assert [s for s, _ in rejects] == ["recovered"] and "not well-formed" in rejects[0][1]


def test_a_feed_served_as_another_type_leaves_a_row(tmp_path):
    result, rejects, _ = _collect(tmp_path, _rss(_item("BASE", 1)), {"/story/1": _page(1)},
                                  content_type="application/octet-stream")
    assert result.stored == 1 and [s for s, _ in rejects] == ["recovered"]


def test_a_page_of_undecodable_bytes_is_a_reject_not_a_document(tmp_path):
    filler = bytes(range(0x80, 0x100)) * 12
    page = _page(1).replace(b"<p>A Duma", b"<p>" + filler + b" A Duma")
    result, rejects, _ = _collect(tmp_path, _rss(_item("BASE", 1)), {"/story/1": page})
    assert result.stored == 0 and [s for s, _ in rejects] == ["content"] and "undecodable" in rejects[0][1]


def test_a_different_text_at_a_stored_url_is_a_conflict_row(tmp_path):
    lines = [json.dumps({"id": "a", "text": "A deputy spoke about Kazakhstan.", "url": "https://x.example/s/1",
                         "published_at": "2024-04-08"}),
             json.dumps({"id": "b", "text": "An entirely rewritten story about something else.",
                         "url": "https://x.example/s/1", "published_at": "2024-04-08"})]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = store(con, list(read_path(tmp_path / "in.jsonl")))
    assert (result.stored, result.duplicates, result.rejected) == (1, 0, 1)
    stage, reason, payload = con.execute("select stage, reason, payload from raw.rejects").fetchone()
    assert stage == "conflict" and "already stored as a" in reason and "entirely rewritten" in payload
