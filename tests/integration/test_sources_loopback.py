"""The adapters with the real HTTP client (ingestion.http.PoliteClient) against the loopback test server:
real headers, a windows-1251 page without any charset, a 200 error page, a 503, and a 304 on the second run."""

from __future__ import annotations

from datetime import date

import yaml
from http_server import Static, serve
from source_fakes import BASE, FIXTURES, on, tass_routes

from ingestion.http import PoliteClient
from ingestion.models import Document
from ingestion.sources.collect import collect_day_report
from ingestion.sources.config import parse_config

DAY = date(2024, 4, 6)


def test_feeds_and_statements_over_real_http(tmp_path):
    with serve({}) as srv:
        b = srv.base_url
        routes = {
            **tass_routes(b),
            "/tass/docs/1007.pdf": Static(b"%PDF-1.4 fixture", "application/pdf"),
            "/tass/photo/1009": Static(on(b, "gallery_no_text.html"), "text/html"),
            "/orda/atom.xml": Static(on(b, "orda_atom.xml"), "application/atom+xml"),
            "/orda/news/501/": Static(on(b, "orda_article_501_cp1251.html"), "text/html"),  # cp1251, no charset
            "/orda/news/502/": Static(on(b, "orda_article_502_cp1251_meta.html"), "text/html"),
            "/kremlin/feed": Static(on(b, "malformed_feed.xml"), "application/rss+xml"),
        }
        for path, route in routes.items():
            srv.add(path, route)
        data = yaml.safe_load((FIXTURES / "sources_test.yaml").read_text(encoding="utf-8").replace(BASE, b))
        cfg = parse_config(data)
        assert cfg.allowed_hosts() == frozenset({"127.0.0.1"})
        with PoliteClient(cfg.client_policy()) as client:
            report = collect_day_report(cfg, DAY, client, tmp_path, kinds={"rss", "official"}, workers=2)
            docs = {d.url.replace(b, ""): d for d in report.documents}
            rejects = {r.source_path.replace(b, ""): r for r in report.rejects}
            assert set(docs) == {"/tass/politics/1001", "/tass/world/1002", "/tass/economy/1003",
                                 "/tass/society/1004", "/orda/news/501", "/orda/news/502"}
            assert docs["/orda/news/501"].text.startswith("Депутаты мажилиса")
            assert docs["/tass/economy/1003"].date_source == "page_metadata"
            assert (rejects["/tass/world/1006"].stage, rejects["/tass/world/1006"].reason.startswith("HTTP 503"))\
                == ("http", True)
            assert rejects["/tass/world/1005"].stage == "content"
            assert rejects["/tass/docs/1007.pdf"].reason == "not an HTML page: application/pdf"
            assert rejects["/tass/photo/1009"].stage == "extract"
            assert rejects["http://elsewhere.invalid/story/1008"].stage == "policy"
            assert rejects["/kremlin/feed"].stage == "parse"
            assert rejects["/ru/events"].stage == "http"  # no route: 404 from the server
            ua = srv.requests_to("/tass/rss.xml")[0].headers["user-agent"]
            assert ua.startswith("georisk-test/")

            # Second run: a feed with a page that failed (TASS, a 503) is fetched in full, not revalidated, so that
            # the page is tried again rather than hidden behind a 304 (tests/integration/test_collection_over_days.py
            # has the 304 of a feed whose pages all came).
            again = collect_day_report(cfg, DAY, client, tmp_path, kinds={"rss"}, workers=1)
            assert [i for i in again.items if isinstance(i, Document) and i.source_id == "tass_en"]
            assert "if-none-match" not in srv.requests_to("/tass/rss.xml")[1].headers
            assert len(srv.requests_to("/tass/world/1006")) == 2
