"""GDELT DOC 2.0 discovery: the query URL, the ArtList JSON, the cap, error text, and the allowlist."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from source_fakes import BASE, FIXTURES, FakeFetcher, fixture, ok

from ingestion.models import Document, Reject
from ingestion.sources.config import parse_config
from ingestion.sources.gdelt import collect_gdelt, day_window, parse_artlist, query_url, seendate_iso

DAY = date(2024, 4, 6)


def config(extra_gdelt_hosts=("127.0.0.2",)):
    data = yaml.safe_load((FIXTURES / "sources_test.yaml").read_text(encoding="utf-8"))
    for s in data["sources"]:
        if s["id"] == "gdelt_kz_ru":
            s["allowed_hosts"] = ["127.0.0.1", *extra_gdelt_hosts]
        elif s["id"] == "tass_en":
            s["allowed_hosts"] = ["127.0.0.1"]
        elif s.get("allowed_hosts"):
            s["allowed_hosts"] = ["127.0.0.9"]  # only tass_en publishes on 127.0.0.1 here
            s["url"] = s["url"].replace("127.0.0.1", "127.0.0.9")
    return parse_config(data)


def the_url(cfg) -> str:
    src = cfg.get("gdelt_kz_ru")
    return query_url(src.query, *day_window(DAY), base=src.url, max_records=src.max_records)


def test_query_url():
    url = query_url("(Kazakhstan OR Kazakh) Russia", *day_window(DAY))
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "api.gdeltproject.org", "/api/v2/doc/doc")
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {"query": "(Kazakhstan OR Kazakh) Russia", "mode": "ArtList", "format": "json", "maxrecords": "250",
                 "sort": "DateDesc", "startdatetime": "20240406000000", "enddatetime": "20240406235959"}
    with pytest.raises(ValueError):
        query_url("x", datetime(2024, 4, 6), datetime(2024, 4, 7), max_records=251)
    assert seendate_iso("20240406T101500Z") == "2024-04-06T10:15:00Z" and seendate_iso("garbage") is None


def test_discovered_pages_become_documents_or_rejects():
    cfg = config()
    fetcher = FakeFetcher({
        the_url(cfg): ok(fixture("gdelt_artlist.json"), "application/json"),
        f"{BASE}/tass/politics/1001?utm_source=gdelt": ok(fixture("tass_article_1001.html"), "text/html"),
        "http://127.0.0.2:8765/gdelt/story/2001": ok(fixture("gdelt_story_2001.html"), "text/html"),
    })
    items = collect_gdelt(cfg.get("gdelt_kz_ru"), DAY, fetcher, config=cfg)
    assert fetcher.calls[0][0] == the_url(cfg) and "json" in fetcher.calls[0][2]
    docs = {d.url: d for d in items if isinstance(d, Document)}
    rejects = [(r.source_path, r.stage, r.reason) for r in items if isinstance(r, Reject)]
    tass = docs[f"{BASE}/tass/politics/1001"]
    # the host belongs to the tass_en source: its outlet labels apply
    assert (tass.outlet, tass.outlet_country, tass.outlet_alignment) == ("TASS", "RU", "state")
    assert (tass.date_source, tass.source, tass.source_id) == ("page_metadata", "gdelt", "gdelt_kz_ru")
    wire = docs["http://127.0.0.2:8765/gdelt/story/2001"]
    # nobody publishes on that host: GDELT's domain and country; the page has no date, seendate is used
    assert (wire.outlet, wire.outlet_country, wire.outlet_alignment) == ("127.0.0.2", "US", None)
    assert (wire.published_at, wire.date_source) == ("2024-04-06T09:15:00Z", "feed")
    assert wire.title == "Kazakhstan weighs rail transit options"
    assert sum("2001" in u for u in fetcher.urls) == 1  # the duplicate (a #fragment) is fetched once
    assert rejects == [
        (the_url(cfg), "validate", "GDELT article 4 has no http(s) url"),
        ("http://blocked.invalid/news/kazakhstan-russia-3001", "policy", "host not in allowlist: blocked.invalid"),
    ]
    assert "blocked.invalid" not in " ".join(fetcher.urls)


def test_gdelt_error_text_and_wrong_json_are_rejects():
    cfg = config()
    cases = [
        (ok(fixture("gdelt_error.txt"), "text/html"),
         "GDELT answered with text, not JSON (text/html): 'The specified phrase is too short.'"),
        (ok(b"Please limit requests to one every 5 seconds", "application/json"),
         "GDELT answered with text, not JSON (application/json): 'Please limit requests to one every 5 seconds'"),
        (ok(b"[1, 2]", "application/json"), "GDELT JSON is a list, not an object with 'articles'"),
        (ok(b'{"articles": {}}', "application/json"), "GDELT JSON 'articles' is not a list"),
    ]
    for answer, reason in cases:
        items = collect_gdelt(cfg.get("gdelt_kz_ru"), DAY, FakeFetcher({the_url(cfg): answer}), config=cfg)
        assert [(r.stage, r.reason) for r in items] == [("content", reason)]


def test_json_with_a_wrong_content_type_is_still_read_and_empty_is_nothing():
    cfg = config()
    res = ok(json.dumps({"articles": [{"url": "http://127.0.0.2/x", "seendate": "20240406T000000Z"}]}), "text/html")
    res.url = "u"
    assert [a.url for a in parse_artlist(res, "g").articles] == ["http://127.0.0.2/x"]
    for body in (b"", b"{}"):
        assert collect_gdelt(cfg.get("gdelt_kz_ru"), DAY, FakeFetcher({the_url(cfg): ok(body, "application/json")}),
                             config=cfg) == []


def test_the_cap_is_reported(caplog):
    cfg = config()
    arts = [{"url": f"http://blocked.invalid/{i}", "seendate": "20240406T000000Z", "domain": "blocked.invalid"}
            for i in range(250)]
    fetcher = FakeFetcher({the_url(cfg): ok(json.dumps({"articles": arts}), "application/json")})
    notes: list[str] = []
    with caplog.at_level(logging.WARNING, logger="ingestion.sources.gdelt"):
        items = collect_gdelt(cfg.get("gdelt_kz_ru"), DAY, fetcher, config=cfg, notes=notes)
    assert len(items) == 250 and all(r.stage == "policy" for r in items)
    assert notes == ["gdelt_kz_ru: GDELT returned 250 records for 2024-04-06, the cap: the day's results may be "
                     "incomplete"]
    assert "may be incomplete" in caplog.text
    assert len(fetcher.calls) == 1  # the adapter never retries or pages by itself


def test_outlet_register_resolves_real_domains():
    from ingestion.sources.config import load_config
    cfg = load_config()
    assert cfg.outlet_for_host("www.reuters.com") == ("Reuters", "GB", "independent")
    assert cfg.outlet_for_host("tass.com") == ("TASS", "RU", "state")
    assert cfg.outlet_for_host("en.kremlin.ru") == ("Kremlin.ru", "RU", "official_body")
    assert cfg.outlet_for_host("unknown.example") == (None, None, None)
