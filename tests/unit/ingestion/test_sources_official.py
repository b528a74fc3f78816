"""Official statements: a Kremlin-style feed and an Akorda-style listing page, both to statement pages."""

from __future__ import annotations

from datetime import date

from source_fakes import BASE, FIXTURES, FakeFetcher, fixture, not_modified, ok

from ingestion.fetch_api import FetchError
from ingestion.models import Document, Reject
from ingestion.sources.config import load_config
from ingestion.sources.official import collect_official, listing_links

DAY = date(2024, 4, 6)
CFG = load_config(FIXTURES / "sources_test.yaml")
AKORDA = CFG.get("akorda_ru")
A1001 = f"{BASE}/ru/glava-gosudarstva-provel-telefonnyy-razgovor-s-prezidentom-rossii-6042024-1001"
A1002 = f"{BASE}/ru/glava-gosudarstva-prinyal-ministra-inostrannyh-del-6042024-1002"
A0999 = f"{BASE}/ru/glava-gosudarstva-vstretilsya-s-akimom-5042024-0999"


def test_kremlin_feed_to_statement():
    src = CFG.get("kremlin_en")
    fetcher = FakeFetcher({
        src.url: ok(fixture("kremlin_en_rss.xml"), "application/rss+xml"),
        f"{BASE}/kremlin/events/president/news/73801": ok(fixture("kremlin_statement_73801.html"), "text/html"),
    })
    (d,) = collect_official(src, DAY, fetcher)
    assert isinstance(d, Document)
    assert d.doc_type == "official_statement" and d.source == "official" and d.source_id == "kremlin_en"
    assert d.issuing_body == "Presidential Executive Office of Russia"
    assert (d.outlet, d.outlet_country, d.outlet_alignment) == ("Kremlin.ru", "RU", "official_body")
    assert d.title == "Telephone conversation with President of Kazakhstan Kassym-Jomart Tokayev"
    assert d.published_at == "2024-04-06T12:40:00Z" and d.date_source == "feed"
    assert d.text.startswith("Vladimir Putin had a telephone conversation")
    assert "Print version" not in d.text and "Creative Commons" not in d.text
    assert f"{BASE}/kremlin/events/president/news/73790" not in fetcher.urls  # 5 April


def test_akorda_listing_to_statements_of_the_day():
    fetcher = FakeFetcher({
        AKORDA.url: ok(fixture("akorda_listing.html"), "text/html"),
        A1001: ok(fixture("akorda_statement_1001.html"), "text/html"),
        A1002: ok(fixture("akorda_statement_1002.html"), "text/html"),
        A0999: ok(fixture("akorda_statement_0999.html"), "text/html"),
    })
    notes: list[str] = []
    items = collect_official(AKORDA, DAY, fetcher, notes=notes)
    assert fetcher.urls == [AKORDA.url, A1001, A1002, A0999]  # page order, each once, fragment dropped
    docs = {d.url: d for d in items}
    assert set(docs) == {A1001, A1002}
    d = docs[A1001]
    assert d.title == "Глава государства провел телефонный разговор с Президентом России"
    assert (d.published_date, d.date_source) == (DAY, "text")  # the dateline beside the headline
    assert d.issuing_body == "Президент Республики Казахстан" and d.language == "ru"
    assert (d.outlet_country, d.outlet_alignment) == ("KZ", "official_body")
    assert "Поделиться" not in d.text and d.text.startswith("Касым-Жомарт Токаев провел")
    assert (docs[A1002].date_source, docs[A1002].title) == ("page_metadata", "Глава государства принял министра иностранных дел")
    assert notes == ["akorda_ru: 1 statements on the listing page are dated on other days"]


def test_listing_links_follow_the_pattern_and_the_allowlist():
    links = listing_links(fixture("akorda_listing.html").decode(), AKORDA.url, AKORDA.link_pattern, AKORDA)
    assert links == [A1001, A1002, A0999]  # no pager, no external link, no duplicate


def test_listing_problems_are_rejects():
    empty = "<html><head><title>События</title></head><body><a href='/ru'>Главная</a>" + "<p>текст</p>" * 50 + "</body></html>"
    cases = [
        (ok(empty, "text/html"), "parse", "listing page has no statement links matching"),
        (ok(fixture("error_page_ru_200.html"), "text/html"), "content", "listing page: error page served"),
        (ok(b"%PDF-1.7", "application/pdf"), "content", "neither a feed nor an HTML listing page"),
        (FetchError(AKORDA.url, "connect", "connection refused"), "connect", "connection refused"),
    ]
    for answer, stage, reason in cases:
        (r,) = collect_official(AKORDA, DAY, FakeFetcher({AKORDA.url: answer}))
        assert isinstance(r, Reject) and (r.source, r.stage) == ("akorda_ru", stage), r
        assert r.reason.startswith(reason), r.reason
    assert collect_official(AKORDA, DAY, FakeFetcher({AKORDA.url: not_modified()})) == []


def test_a_broken_statement_page_is_a_reject_and_the_rest_goes_on():
    fetcher = FakeFetcher({
        AKORDA.url: ok(fixture("akorda_listing.html"), "text/html"),
        A1001: FetchError(A1001, "http", "HTTP 404", 404),
        A1002: ok(fixture("akorda_statement_1002.html"), "text/html"),
        A0999: ok(fixture("error_page_ru_200.html"), "text/html"),
    })
    items = collect_official(AKORDA, DAY, fetcher)
    assert [(type(i).__name__, getattr(i, "stage", None)) for i in items] == [
        ("Reject", "http"), ("Document", None), ("Reject", "content")]
