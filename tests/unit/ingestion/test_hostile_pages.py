"""Hostile pages through ``ingestion.html.parse_html`` (issue 11): a 100 MB single-line page, 100,000 nested
elements, markup that made the metadata searches quadratic, mixed encodings and invalid bytes, zero-width and bidi
characters. Each finishes in bounded time and memory with a page, or None and a one-line reason
(``page_problem``) that the caller can put in its reject. Every page here is written by the test."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingestion.fetch_api import FetchResult
from ingestion.files import read_path
from ingestion.html import MAX_DEPTH, MAX_PAGE_CHARS, MAX_PAGE_ELEMENTS, page_problem, parse_html
from ingestion.models import Document, Reject

REPO = Path(__file__).resolve().parents[3]
ARTICLE = ("<p>Kazakhstan is a large country in Central Asia. Its foreign ministry answered the deputy's remarks "
           "about the northern regions on Monday and summoned the ambassador.</p>") * 4
PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ministry answers deputy</title>"
        "<meta property=\"og:site_name\" content=\"Fixture Wire\"></head><body><article><h1>Ministry answers "
        "deputy</h1>" + ARTICLE + "</article></body></html>")
# generous bounds for a shared 2-core machine: the point is minutes (or never) before the fixes, not speed
SECONDS = 10


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def _child(code: str) -> dict:
    """Run ``code`` (which prints one JSON line) in a fresh interpreter: its own peak memory, killed if it hangs."""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_100_mb_single_line_page_is_refused_at_once_with_a_reason():
    out = _child(
        "import json, resource, time\n"
        "from ingestion.html import parse_html, page_problem\n"
        "page = '<html><body><p>' + 'Kazakhstan <b>and</b> Russia ' * 3_600_000 + '</p></body></html>'\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter(); p = parse_html(page); why = page_problem(page); s = time.perf_counter() - t\n"
        "grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base\n"
        "print(json.dumps({'chars': len(page), 'page': p is not None, 'why': why, 's': s, 'grew_mb': grew / 1024}))\n")
    assert out["chars"] > 100_000_000 > MAX_PAGE_CHARS
    assert not out["page"] and "over the 20,000,000 read" in out["why"]
    assert out["s"] < SECONDS and out["grew_mb"] < 200  # nothing the size of the page is built


@pytest.mark.parametrize(("open_", "close"), [("<div>", "</div>"), ("<span>", "</span>"), ("<b>", ""),
                                              ("<table><tr><td>", "</td></tr></table>"), ("<ul><li>", "")])
@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deeply_nested_pages_finish_with_a_reason(open_, close, depth):
    page = "<html><body>" + open_ * depth + ARTICLE + close * depth + "</body></html>"
    p, s = _timed(parse_html, page)
    why, s2 = _timed(page_problem, page)
    assert s + s2 < SECONDS
    assert p is None or len(p.text) <= len(ARTICLE)  # what lies deeper than the parser reads is dropped
    if p is None:
        expected = f"over {MAX_PAGE_ELEMENTS:,} elements" if depth > MAX_PAGE_ELEMENTS else f"deeper than {MAX_DEPTH}"
        assert why and expected in why and "\n" not in why


def test_100_000_nested_divs_in_a_child_process_stay_small():
    out = _child(
        "import json, resource\n"
        "from ingestion.html import parse_html, page_problem\n"
        "page = '<html><body>' + '<div>' * 100_000 + '<p>deep text about Kazakhstan</p>' + '</div>' * 100_000\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "p = parse_html(page); why = page_problem(page)\n"
        "grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base\n"
        "print(json.dumps({'page': p is not None, 'why': why, 'grew_mb': grew / 1024}))\n")
    assert not out["page"] and "elements" in out["why"] and out["grew_mb"] < 200


# Each of these took from 12 s to a minute before the metadata searches were made linear (20,000 repetitions,
# 140 kB): ``re`` retried the <meta>/<title>/<html lang>/<link rel=canonical> patterns from every start to the end.
QUADRATIC = {
    "meta without >": "<meta a",
    "meta with name, no content": "<meta name='og:title' ",
    "title never closed": "<title>",
    "title without >": "<title ",
    "html without lang": "<html ",
    "link without >": "<link ",
}


@pytest.mark.parametrize("name", list(QUADRATIC))
def test_markup_that_made_the_metadata_searches_quadratic_reads_in_linear_time(name):
    page = PAGE.replace("<article>", "<article>" + QUADRATIC[name] * 20_000, 1)
    p, s = _timed(parse_html, page)
    assert s < SECONDS, f"{name}: {s:.1f} s"
    assert p is not None and "Kazakhstan is a large country" in p.text


# Tags made to cost their length squared (re retried each name= of a <meta> without content=, each rel= of a <link>
# without href=, each split of a run of spaces): from 11 s to 3 minutes before the atomic groups.
TAG_SQUARED = {
    "meta: many name=, no content=": ("<meta " + "name='x' " * 900 + ">", 200),
    "link: many rel=canonical, no href=": ("<link " + "rel='canonical' " * 500 + ">", 1000),
    "meta: a long run of spaces": ("<meta" + " " * 8000 + "name='x' >", 200),
    "link: a long run of spaces": ("<link" + " " * 8000 + "rel='canonical' >", 200),
}


@pytest.mark.parametrize("name", list(TAG_SQUARED))
def test_tags_made_to_cost_their_length_squared_read_in_linear_time(name):
    block, n = TAG_SQUARED[name]
    page = PAGE.replace("<article>", "<article>" + block * n, 1)
    p, s = _timed(parse_html, page)
    assert s < SECONDS, f"{name}: {s:.1f} s"
    assert p is not None and p.outlet == "Fixture Wire"


def test_the_metadata_is_read_as_before():
    page = ("<html lang='ru-RU'><head><title>Заголовок  страницы</title>"
            "<meta name=\"og:title\" content=\"Мид ответил &amp; депутату\">"
            "<meta property='og:site_name' content='Министерство иностранных дел'>"
            "<meta name=\"date\" content=\"2024-04-08T09:00:00Z\">"
            "<link rel=\"canonical\" href=\"http://127.0.0.1:8765/mfa/1\"></head><body><article>"
            + ARTICLE + "</article></body></html>")
    p = parse_html(page)
    assert (p.title, p.outlet, p.date, p.language, p.url, p.is_official) == (
        "Мид ответил & депутату", "Министерство иностранных дел", "2024-04-08T09:00:00Z", "ru",
        "http://127.0.0.1:8765/mfa/1", True)
    p = parse_html(page.replace("<meta name=\"og:title\" content=\"Мид ответил &amp; депутату\">", ""))
    assert p.title == "Заголовок страницы"
    # a tag that is never closed does not hide the real one after it
    p = parse_html(page.replace("<head>", "<head><meta name='x' ", 1))
    assert p.outlet == "Министерство иностранных дел"


def test_many_elements_are_refused_with_a_reason_instead_of_a_minute_of_parsing():
    page = "<html><body><article>" + "<p>Kazakhstan is big.</p>" * (MAX_PAGE_ELEMENTS + 1) + "</article></body></html>"
    p, s = _timed(parse_html, page)
    assert p is None and s < SECONDS
    assert "elements" in page_problem(page)


def test_a_normal_page_has_no_problem():
    assert page_problem(PAGE) is None and parse_html(PAGE) is not None
    assert page_problem("plain text, no markup") is None


# --- encodings ------------------------------------------------------------------------------------------------

MIXED = (PAGE.encode("utf-8")[:200] + "Депутат о Казахстане: ".encode("cp1251") + b"\xff\xfe\xc3\x28 \xe2\x82"
         + PAGE.encode("utf-8")[200:])


@pytest.mark.parametrize(("body", "charset"), [
    (MIXED, None),  # declared UTF-8 in <meta>, cp1251 and broken sequences inside
    (MIXED, "utf-8"),  # and in the header
    (MIXED, "no-such-charset"),
    (PAGE.replace("utf-8", "windows-1251").encode("cp1251", "replace"), None),
    (PAGE.encode("utf-16"), "utf-16"),
    (PAGE.encode("utf-16")[:-1], "utf-16"),  # an odd number of bytes
    (b"\x00" * 50 + PAGE.encode() + b"\x00\x01\x02", None),
    (PAGE.replace("summoned", "summoned &#xD800; &#0; &#1114112; &#x1F600;").encode(), None),
])
def test_mixed_encodings_and_invalid_bytes_give_text_or_none_never_a_crash(body, charset):
    res = FetchResult("http://127.0.0.1/p", "http://127.0.0.1/p", 200, {}, body, "text/html", charset)
    html = res.text()
    p = parse_html(html)
    if p is not None:
        for v in (p.text, p.title, p.outlet, p.url):
            assert v is None or v.encode("utf-8")  # storable: no lone surrogates


def test_an_html_file_with_invalid_utf8_costs_that_file_only(tmp_path):
    (tmp_path / "good.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "bad.html").write_bytes(MIXED)
    items = list(read_path(tmp_path))
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [d.doc_id for d in docs] == ["good.html"]
    assert [r.source_path for r in rejects] == ["bad.html"] and "not UTF-8" in rejects[0].reason


# --- invisible characters -------------------------------------------------------------------------------------

def test_invisible_characters_in_a_page_reach_the_extractor_and_its_offsets_hold():
    from extract_helpers import run

    text = ("Депутат Госдумы Андрей Гурул\u202eёв заявил, что Каза\u200bхстан может стать следующим после "
            "Украины. Об этом сообщает \u2066Fixture Wire\u2069.")
    page = parse_html("<html><body><article><p>" + text + "</p><p>" + "Прогноз погоды: дожди. " * 10
                      + "</p></article></body></html>")
    assert page is not None  # (trafilatura drops some of these characters itself; the extractor copes either way)
    ex = run(page.text)
    threats = [s for s in ex.signals.to_dicts() if s["kind"] == "threat"]
    assert threats and threats[0]["speaker_id"] == "ru_gurulyov_andrei" and threats[0]["target_id"] == "kz"
    for s in ex.signals.to_dicts():
        assert page.text[s["char_start"]:s["char_end"]] == s["sentence"]
