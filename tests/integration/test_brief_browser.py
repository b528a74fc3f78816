"""The HTML brief in headless Chromium: its charts are drawn (the chart area of a screenshot is not blank, and
is blank once the images are taken out) and its driver table is there. And a document carrying `<script>`, an
`onerror` handler and a `javascript:` URL, through ingestion, extraction, dbt and the brief asset: shown as text,
nothing of it run by the browser; that one-day run also shows its main chart in the asset's metadata."""

from __future__ import annotations

import base64
import io
import re
import shutil
from datetime import date

import duckdb
import pytest
from browser_helpers import Chromium, chromium_or_skip, run_chromium
from html_brief_helpers import parse

DAY = date(2024, 4, 8)
WINDOW = "--window-size=1280,2400"  # tall enough for the today panel and both index charts
CALM_BAND = (0xE8, 0xF3, 0xEA)  # the charts' calm-level band: no other part of an elevated day's page has it

# The payloads would mark the page's <body> if they ever ran: the dumped DOM shows it.
SCRIPT = "<script>document.body.setAttribute('data-pwned','script');alert(1)</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
JS_URL = "javascript:document.body.setAttribute('data-pwned','link')"
HOSTILE = {
    "id": "hostile-2024-04-08", "title": f"Gurulyov {SCRIPT}", "url": JS_URL,
    "outlet": f"Evil {IMG} News", "published_at": "2024-04-08", "language": "en", "doc_type": "article",
    "text": ("MOSCOW, April 8 — Russian State Duma deputy Andrei Gurulyov said on Monday that war with Kazakhstan "
             f"was possible {SCRIPT} and that Kazakhstan could be next after Ukraine {JS_URL}.\n\n"
             f"He repeated the claim on his Telegram channel {IMG}."),
}


@pytest.fixture(scope="module")
def chromium() -> Chromium:
    return chromium_or_skip()


def _calm_pixels(png_path) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png_path.read_bytes())) as img:
        rgb = img.convert("RGB")
        return sum(n for n, colour in rgb.getcolors(maxcolors=1 << 20)
                   if all(abs(c - t) <= 2 for c, t in zip(colour, CALM_BAND, strict=True)))


@pytest.mark.browser
def test_the_brief_renders_its_charts_and_driver_table_in_chromium(chromium, sample_home, tmp_path, record_property):
    record_property("chromium", chromium.note)
    page = sample_home.briefs / f"{DAY}.html"
    shot = tmp_path / "brief.png"
    run = run_chromium(chromium, tmp_path, WINDOW, f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), f"no screenshot (exit {run.returncode}): {run.stderr.strip().splitlines()[-3:]}"
    drawn = _calm_pixels(shot)

    # The same page with its chart images emptied: whatever the screenshot had in that colour came from them.
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r'src="data:image/svg\+xml;base64,[^"]*"', 'src=""', page.read_text(encoding="utf-8")),
                    encoding="utf-8")
    bare_shot = tmp_path / "bare.png"
    run_chromium(chromium, tmp_path, WINDOW, f"--screenshot={bare_shot}", bare.as_uri())
    blank = _calm_pixels(bare_shot)
    # two charts with a calm band of about 760 x 150 px each; none without them
    assert drawn > 60_000 and blank < 500, (drawn, blank)
    shutil.copyfile(shot, "/tmp/georisk_brief.png")

    dom = run_chromium(chromium, tmp_path, "--dump-dom", page.as_uri()).stdout
    rendered = parse(dom)
    assert rendered.tables.get("drivers") == 5, rendered.tables
    assert "Top drivers" in rendered.plain_text
    assert sum(t == "img" and a.get("class") == "chart" for t, a in rendered.tags) == 3


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory):
    """One day holding the hostile document, through the whole asset graph (ingestion to the brief)."""
    import json

    from dagster import DagsterInstance, materialize

    from core.settings import Home
    from georisk.runner import days_with_documents
    from orchestration.definitions import ASSETS
    from orchestration.partitions import partition_range_tags
    from orchestration.resources import build_resources

    home = Home(tmp_path_factory.mktemp("hostile") / "home").ensure()
    (home.inbox / "hostile.jsonl").write_text(json.dumps(HOSTILE, ensure_ascii=False) + "\n", encoding="utf-8")
    assert days_with_documents(home) == [DAY]
    with DagsterInstance.ephemeral() as instance:
        result = materialize(ASSETS, resources=build_resources(home), instance=instance,
                             tags=partition_range_tags(DAY, DAY))
    assert result.success
    return home, result


@pytest.mark.slow
def test_hostile_text_reaches_the_brief_as_text(hostile_home):
    hostile_home, _ = hostile_home
    with duckdb.connect(str(hostile_home.warehouse), read_only=True) as con:
        sentence, url = con.execute("select sentence, url from marts.tension_index_drivers "
                                    "where index_date = ? and driver_rank = 1", [DAY]).fetchone()
    assert SCRIPT in sentence and url == JS_URL  # the warehouse holds the payloads as they came

    html = (hostile_home.briefs / f"{DAY}.html").read_text(encoding="utf-8")
    page = parse(html)
    assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed")]
    assert not [(t, k) for t, a in page.tags for k in a if k.lower().startswith("on")]
    assert all(a["href"].startswith(("http://", "https://")) for t, a in page.tags if t == "a")
    assert not [a["src"] for t, a in page.tags if t == "img" and not a["src"].startswith("data:image/svg+xml;")]
    assert "javascript:" not in "".join(a.get("href", "") + a.get("src", "") for _, a in page.tags).lower()
    # ... and every payload is on the page as the text it was
    text = " ".join(page.plain_text.split())
    assert SCRIPT in text and IMG in text and JS_URL in text
    assert "&lt;script&gt;document.body" in html
    md = (hostile_home.briefs / f"{DAY}.md").read_text(encoding="utf-8")
    assert "<script" not in md and "](javascript:" not in md


@pytest.mark.slow
@pytest.mark.browser
def test_chromium_runs_nothing_from_the_hostile_document(chromium, hostile_home, tmp_path):
    hostile_home, _ = hostile_home
    page = hostile_home.briefs / f"{DAY}.html"
    dom = run_chromium(chromium, tmp_path, "--dump-dom", page.as_uri())
    assert "<body" in dom.stdout, dom.stderr[-500:]
    body = re.search(r"<body[^>]*>", dom.stdout).group()
    assert "data-pwned" not in body, body  # no payload ran: each would have marked the body
    rendered = parse(dom.stdout)
    assert not [t for t, _ in rendered.tags if t == "script"]
    text = " ".join(rendered.plain_text.split())
    assert SCRIPT in text and JS_URL in text


@pytest.mark.slow
def test_a_one_day_run_shows_its_main_chart_in_the_metadata(hostile_home):
    home, result = hostile_home
    (mat,) = result.asset_materializations_for_node("daily_brief")
    md = mat.metadata["main_chart"].value
    m = re.fullmatch(r"!\[main chart\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", md)
    assert m, md[:80]
    assert base64.b64decode(m.group(1)) == (home.briefs / f"{DAY}.png").read_bytes()
    assert mat.metadata["latest_brief"].value == str(home.briefs / f"{DAY}.html")
