"""RSS/Atom sources against a FakeFetcher: items of the day, page text without furniture, dates and their
source, outlet labels, and a Reject (not a crash) for every page or feed that is not an article."""

from __future__ import annotations

from datetime import date

import pytest
from source_fakes import BASE, FIXTURES, Boom, FakeFetcher, fixture, not_modified, ok

from ingestion.fetch_api import FetchError
from ingestion.models import Document, Reject
from ingestion.sources.config import load_config
from ingestion.sources.feeds import FEED_ACCEPT, clean_text, collect_feed, error_page_reason, parse_feed

DAY = date(2024, 4, 6)
CFG = load_config(FIXTURES / "sources_test.yaml")
FEED = f"{BASE}/tass/rss.xml"


def tass_answers() -> dict:
    return {
        FEED: ok(fixture("tass_en_rss.xml"), "application/rss+xml"),
        f"{BASE}/tass/politics/1001?utm_source=rss&utm_medium=feed#comments":
            ok(fixture("tass_article_1001.html"), "text/html", "utf-8"),
        f"{BASE}/tass/world/1002": ok(fixture("tass_article_1002.html"), "text/html", "utf-8"),
        f"{BASE}/tass/economy/1003": ok(fixture("tass_article_1003.html"), "text/html"),
        f"{BASE}/tass/society/1004": ok(fixture("tass_article_1004.html"), "text/html"),
        f"{BASE}/tass/world/1005": ok(fixture("error_page_200.html"), "text/html"),
        f"{BASE}/tass/world/1006": FetchError(f"{BASE}/tass/world/1006", "http", "HTTP 503 after 4 attempts", 503),
        f"{BASE}/tass/docs/1007.pdf": ok(b"%PDF-1.4 fixture", "application/pdf"),
        f"{BASE}/tass/photo/1009": ok(fixture("gallery_no_text.html"), "text/html"),
    }


def split(items):
    docs = {d.url: d for d in items if isinstance(d, Document)}
    rejects = {r.source_path: r for r in items if isinstance(r, Reject)}
    return docs, rejects


@pytest.fixture(scope="module")
def tass():
    fetcher = FakeFetcher(tass_answers())
    return collect_feed(CFG.get("tass_en"), DAY, fetcher), fetcher


def test_rss_items_of_the_day_become_documents(tass):
    items, fetcher = tass
    docs, _ = split(items)
    assert sorted(docs) == [f"{BASE}/tass/economy/1003", f"{BASE}/tass/politics/1001", f"{BASE}/tass/society/1004",
                            f"{BASE}/tass/world/1002"]
    # Yesterday's item is not fetched; the repeated link (other tracking parameters) is fetched once.
    assert f"{BASE}/tass/world/0999" not in fetcher.urls
    assert sum("/tass/politics/1001" in u for u in fetcher.urls) == 1
    assert fetcher.calls[0] == (FEED, True, FEED_ACCEPT)  # the feed is a conditional GET
    assert all(not cond for url, cond, _ in fetcher.calls[1:])  # pages are not


def test_article_fields_outlet_and_canonical_url(tass):
    docs, _ = split(tass[0])
    d = docs[f"{BASE}/tass/politics/1001"]
    assert d.title == "Moscow urges Astana to keep Russian language status, diplomat says"
    assert d.author == "Ivan Fixture"
    assert d.source == "feed" and d.source_id == "tass_en" and d.doc_type == "article"
    assert (d.outlet, d.outlet_country, d.outlet_alignment) == ("TASS", "RU", "state")
    assert d.language == "en"
    assert d.doc_id.startswith("tass_en:") and d.issuing_body is None
    assert d.source_path.endswith("#comments")  # where it was fetched from; the url is canonical
    assert d.text.startswith("MOSCOW, April 6. /TASS/. Russia expects Kazakhstan")
    assert "constitutional status of Russian" in d.text
    for furniture in ("cookie", "Share", "Read also", "Advertisement", "sidebar", "Home", "All rights reserved"):
        assert furniture not in d.text, furniture
    assert d.text.count("Moscow urges Astana") == 0  # the headline is not repeated in the body
    assert d.content_hash and "<html" in d.raw_payload.lower()


def test_dates_and_where_they_came_from(tass):
    docs, _ = split(tass[0])
    by = {u.rsplit("/", 1)[1]: d for u, d in docs.items()}
    assert (by["1001"].published_at, by["1001"].date_source) == ("2024-04-06T10:15:00Z", "feed")
    # 01:30 in Moscow on 7 April is 22:30 UTC on 6 April: the day is the UTC day.
    assert (by["1002"].published_at, by["1002"].published_date) == ("2024-04-06T22:30:00Z", DAY)
    assert (by["1003"].published_date, by["1003"].date_source) == (DAY, "page_metadata")  # JSON-LD
    assert (by["1004"].published_date, by["1004"].date_source) == (DAY, "text")
    assert by["1004"].published_at is None


def test_every_failure_is_a_reject_with_stage_and_reason(tass):
    _, rejects = split(tass[0])
    got = {path.rsplit("/", 1)[1]: (r.source, r.stage, r.reason) for path, r in rejects.items()}
    assert got == {
        "1005": ("tass_en", "content", "error page served with HTTP 200: '404 Not Found'"),
        "1006": ("tass_en", "http", "HTTP 503 after 4 attempts"),
        "1007.pdf": ("tass_en", "content", "not an HTML page: application/pdf"),
        "1008": ("tass_en", "policy", "host not in allowlist: elsewhere.invalid"),
        "1009": ("tass_en", "extract", got["1009"][2]),
    }
    assert got["1009"][2].startswith("too little article text")
    assert rejects[f"{BASE}/tass/world/1006"].extra["status"] == 503


def test_atom_feed_with_a_cp1251_page_without_charset():
    fetcher = FakeFetcher({
        f"{BASE}/orda/atom.xml": ok(fixture("orda_atom.xml"), "application/atom+xml"),
        f"{BASE}/orda/news/501/": ok(fixture("orda_article_501_cp1251.html"), "text/html"),  # no charset anywhere
        f"{BASE}/orda/news/502/": ok(fixture("orda_article_502_cp1251_meta.html"), "text/html"),
    })
    docs, rejects = split(collect_feed(CFG.get("orda_kz"), DAY, fetcher))
    assert not rejects
    d = docs[f"{BASE}/orda/news/501"]  # canonical: no trailing slash
    assert d.text.startswith("Депутаты мажилиса на заседании в субботу")
    assert "Подписывайтесь" not in d.text and "cookie" not in d.text and "Поделиться" not in d.text
    assert "Читайте также" not in d.text
    assert d.title == "Депутаты обсудили транзит через Россию" and d.author == "Айгерим Тестова"
    assert d.published_at == "2024-04-06T06:20:00Z" and d.date_source == "feed"  # 11:20 at UTC+5
    assert (d.language, d.outlet, d.outlet_country, d.outlet_alignment) == ("ru", "Orda.kz", "KZ", "independent")
    assert "Алматы" in docs[f"{BASE}/orda/news/502"].text  # <meta charset=windows-1251>
    assert f"{BASE}/orda/news/499/" not in fetcher.urls  # 23:50 at UTC+5 on 5 April is still 5 April UTC


@pytest.mark.parametrize(("answer", "stage", "reason"), [
    (ok(fixture("malformed_feed.xml"), "application/rss+xml"), "parse", "not a feed: "),
    (ok(fixture("feed_is_html.html"), "text/html", "utf-8"), "content", "not a feed: the server sent an HTML page"),
    (ok(fixture("error_page_ru_200.html"), "text/html"), "content", "error page served with HTTP 200"),
    (ok(b"", "application/rss+xml"), "content", "empty response body"),
    (ok(b'{"items": []}', "application/json"), "parse", "not a feed"),
    (FetchError(f"{BASE}/tass/rss.xml", "timeout", "read timed out after 30 s"), "timeout", "read timed out"),
    (FetchError(f"{BASE}/tass/rss.xml", "size", "body over 5 MB"), "size", "body over 5 MB"),
])
def test_a_feed_that_is_not_a_feed_is_one_reject(answer, stage, reason):
    fetcher = FakeFetcher({FEED: answer})
    items = collect_feed(CFG.get("tass_en"), DAY, fetcher)
    assert len(items) == 1 and isinstance(items[0], Reject), items
    r = items[0]
    assert (r.source, r.source_path, r.stage) == ("tass_en", FEED, stage)
    assert reason in r.reason
    assert fetcher.urls == [FEED]


def test_not_modified_feed_yields_nothing():
    fetcher = FakeFetcher({FEED: not_modified()})
    assert collect_feed(CFG.get("tass_en"), DAY, fetcher) == []


def test_an_unexpected_error_on_one_item_does_not_stop_the_feed():
    answers = tass_answers()
    answers[f"{BASE}/tass/world/1002"] = Boom("parser exploded\nsecond line")
    docs, rejects = split(collect_feed(CFG.get("tass_en"), DAY, FakeFetcher(answers)))
    assert len(docs) == 3
    r = rejects[f"{BASE}/tass/world/1002"]
    assert (r.stage, r.reason) == ("adapter", "Boom: parser exploded")


def test_fetch_articles_false_uses_the_feed_item_text():
    src = CFG.get("kremlin_en")
    from dataclasses import replace
    src = replace(src, fetch_articles=False, min_text_chars=10)
    fetcher = FakeFetcher({src.url: ok(fixture("kremlin_en_rss.xml"), "application/rss+xml")})
    from ingestion.sources.official import collect_official
    items = collect_official(src, DAY, fetcher)
    assert fetcher.urls == [src.url]
    (d,) = items
    assert d.text == "Vladimir Putin had a telephone conversation with President of Kazakhstan."
    assert d.date_source == "feed" and d.doc_type == "official_statement"


def test_parse_feed_reads_bytes_only():
    res = ok(fixture("tass_en_rss.xml"), "application/rss+xml")
    res.url = res.final_url = FEED
    items = parse_feed(res, "tass_en")
    assert len(items) == 11
    assert items[3].published_at is None and items[0].author == "Ivan Fixture"


def test_error_page_detection_does_not_flag_articles():
    assert error_page_reason(fixture("tass_article_1001.html").decode()) is None
    assert error_page_reason(fixture("error_page_ru_200.html").decode()).startswith("error page served")
    long_article = "<html><head><title>Error in the tariff talks</title></head><body><p>" + "word " * 400 + "</p>"
    assert error_page_reason(long_article) is None
    captcha = "<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
    assert error_page_reason(captcha, 200).startswith("bot check page")


def test_clean_text_drops_furniture_lines():
    text = "Headline\nShare\nПоделиться\nFirst paragraph.\nFirst paragraph.\nReklama\nМы используем файлы cookie."
    assert clean_text(text, "Headline") == "First paragraph.\nReklama"


def test_the_same_page_keeps_its_text_on_every_run():
    # trafilatura's cross-call deduplication (used by ingestion.html.parse_html) empties a page seen a few
    # times; the adapters must not lose re-fetched articles.
    runs = [collect_feed(CFG.get("tass_en"), DAY, FakeFetcher(tass_answers())) for _ in range(5)]
    counts = [sum(isinstance(i, Document) for i in r) for r in runs]
    assert counts == [4, 4, 4, 4, 4]
