"""collect_day: every enabled source, one broken source never stops the others, a deterministic order."""

from __future__ import annotations

import shutil
from dataclasses import fields
from datetime import date

import pytest
from source_fakes import BASE, FIXTURES, Boom, FakeFetcher, fixture, ok
from test_sources_feeds import tass_answers

from ingestion.models import Document, Reject
from ingestion.sources.collect import collect_day, collect_day_report, sort_key
from ingestion.sources.config import load_config
from ingestion.sources.gdelt import day_window, query_url

DAY = date(2024, 4, 6)
CFG = load_config(FIXTURES / "sources_test.yaml")


@pytest.fixture
def home(tmp_path):
    shutil.copytree(FIXTURES / "telegram", tmp_path / "telegram")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "note.txt").write_text("Астана, 6 апреля 2024 года. Заметка, положенная в папку вручную.", encoding="utf-8")
    (inbox / "old.txt").write_text("Астана, 1 апреля 2024 года. Заметка другого дня.", encoding="utf-8")
    (inbox / "empty.txt").write_text("", encoding="utf-8")
    return tmp_path


def answers() -> dict:
    gd = CFG.get("gdelt_kz_ru")
    a = tass_answers()
    a.update({
        f"{BASE}/orda/atom.xml": ok(fixture("orda_atom.xml"), "application/atom+xml"),
        f"{BASE}/orda/news/501/": ok(fixture("orda_article_501_cp1251.html"), "text/html"),
        f"{BASE}/orda/news/502/": ok(fixture("orda_article_502_cp1251_meta.html"), "text/html"),
        f"{BASE}/kremlin/feed": Boom("kaput"),  # not a FetchError: a bug, in one source only
        f"{BASE}/ru/events": ok(fixture("akorda_listing.html"), "text/html"),
        query_url(gd.query, *day_window(DAY), base=gd.url): ok(fixture("gdelt_error.txt"), "text/plain"),
    })
    return a


def comparable(items):
    out = []
    for i in items:
        row = {f.name: getattr(i, f.name) for f in fields(i) if f.name != "fetched_at"}
        out.append((type(i).__name__, row))
    return out


def test_every_source_runs_and_a_broken_one_is_a_reject(home):
    report = collect_day_report(CFG, DAY, FakeFetcher(answers()), home, workers=1)
    items = report.items
    by_source = {}
    for it in items:
        sid = it.source_id if isinstance(it, Document) else it.source
        by_source.setdefault(sid, []).append(it)
    assert set(report.sources) == {"tass_en", "orda_kz", "kremlin_en", "akorda_ru", "gdelt_kz_ru",
                                   "telegram_exports", "drop_folder"}  # not the disabled one
    (k,) = by_source["kremlin_en"]
    assert isinstance(k, Reject) and (k.stage, k.reason, k.source_path) == ("adapter", "Boom: kaput", f"{BASE}/kremlin/feed")
    assert report.sources["kremlin_en"].failed == "Boom: kaput"
    assert report.sources["tass_en"].documents == 4 and report.sources["orda_kz"].documents == 2
    assert report.sources["telegram_exports"].documents == 3
    # Akorda pages were not planned in the fake: each is a fetch reject, the listing still ran
    assert {r.stage for r in by_source["akorda_ru"]} == {"test"}
    (g,) = by_source["gdelt_kz_ru"]
    assert g.stage == "content" and "not JSON" in g.reason
    drop = [i for i in items if isinstance(i, Document) and i.source == "drop_folder"]
    assert [d.source_path for d in drop] == ["note.txt"] and drop[0].source_id == "drop_folder"
    assert any(isinstance(i, Reject) and i.source == "drop_folder" and i.reason == "empty file" for i in items)


def test_the_order_is_by_source_then_url_and_reruns_repeat(home):
    first = collect_day(CFG, DAY, FakeFetcher(answers()), home)
    second = collect_day(CFG, DAY, FakeFetcher(answers()), home)
    assert comparable(first) == comparable(second)
    source_order = []
    for it in first:
        sid = it.source_id if isinstance(it, Document) else it.source
        if not source_order or source_order[-1] != sid:
            source_order.append(sid)
    assert source_order == sorted(source_order)
    assert len(source_order) == len(set(source_order))
    tass = [it for it in first if (it.source_id if isinstance(it, Document) else it.source) == "tass_en"]
    keys = [sort_key("tass_en", it) for it in tass]
    assert keys == sorted(keys)


def test_parallel_sources_give_the_same_rows(home):
    one = collect_day_report(CFG, DAY, FakeFetcher(answers()), home, workers=1).items
    many = collect_day_report(CFG, DAY, FakeFetcher(answers()), home, workers=4).items
    assert comparable(one) == comparable(many)


def test_kinds_limit_the_sources(home):
    fetcher = FakeFetcher({})
    items = collect_day(CFG, DAY, fetcher, home, kinds={"telegram_export", "drop_folder"})
    assert fetcher.calls == []
    assert {i.source_id if isinstance(i, Document) else i.source for i in items} == {"telegram_exports", "drop_folder"}
