"""The HTML brief of the sample corpus, as the Dagster asset wrote it: every number is the warehouse's, the page
needs nothing but itself (no script, no network), it is the same page when written again, and the CLI writes it
for a day and says where."""

from __future__ import annotations

import base64
import math
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from html_brief_helpers import cell_query, parse

DAY = date(2024, 4, 8)
GEORISK = Path(sys.prefix) / "bin" / "georisk"


@pytest.fixture(scope="module")
def page_html(sample_home) -> str:
    return (sample_home.briefs / f"{DAY}.html").read_text(encoding="utf-8")


def _shown(text: str) -> float | None:
    text = text.strip()
    return None if text == "–" else float(text.replace("+", ""))


def test_every_number_in_the_brief_is_the_warehouse_cell_it_names(sample_home, page_html):
    page = parse(page_html)
    assert page.figures, "no tagged numbers in the brief"
    with duckdb.connect(str(sample_home.warehouse), read_only=True) as con:
        for fig in page.figures:
            sql, params = cell_query(fig)
            rows = con.execute(sql, params).fetchall()
            assert len(rows) == 1, f"{sql} {params} names {len(rows)} rows, not one cell"
            expected = rows[0][0]
            raw = fig.attrs["value"]
            if isinstance(expected, str):
                assert raw == expected == fig.text, (sql, params)
                continue
            if expected is None:
                assert raw == "" and fig.text == "–", (sql, params)
                continue
            assert math.isclose(float(raw), float(expected), rel_tol=1e-12, abs_tol=1e-9), (sql, params, raw)
            decimals = len(fig.text.split(".")[1]) if "." in fig.text else 0
            assert abs(_shown(fig.text) - float(expected)) <= 0.5 * 10 ** -decimals + 1e-9, (sql, fig.text, expected)

        # The headline, read here without the page's help.
        (index, ma7, ma30, docs, level) = con.execute(
            "select tension_index, tension_index_ma7, tension_index_ma30, document_count, tension_level "
            "from marts.tension_index_daily where index_date = ?", [DAY]).fetchone()
        n_drivers = con.execute("select count(*) from marts.tension_index_drivers where index_date = ?",
                                [DAY]).fetchone()[0]
        n_threats = con.execute("select count(*) from marts.threats where threat_date = ?", [DAY]).fetchone()[0]
        n_denials = con.execute("select count(*) from marts.denials where denial_date = ?", [DAY]).fetchone()[0]
    by_column = {}
    for fig in page.figures:
        if fig.attrs["data-table"] == "marts.tension_index_daily" and fig.key == {"index_date": DAY.isoformat()}:
            by_column[fig.attrs["data-column"]] = fig.text
    assert by_column["tension_index"] == f"{index:.1f}"
    assert by_column["tension_index_ma7"] == f"{ma7:.1f}"
    assert by_column["tension_index_ma30"] == f"{ma30:.1f}"
    assert by_column["tension_index - tension_index_ma7"] == f"{index - ma7:+.1f}"
    assert by_column["tension_index - tension_index_ma30"] == f"{index - ma30:+.1f}"
    assert by_column["document_count"] == str(docs)
    assert f"level-{level}" in page_html
    # the components' contributions add up to the index
    parts = [_shown(t) for c, t in by_column.items() if c.startswith("coalesce(tension_index *")]
    assert len(parts) == 4 and abs(sum(parts) - index) <= 0.25
    assert page.tables["drivers"] == n_drivers == 5
    assert page.tables["threats"] == n_threats and page.tables["denials"] == n_denials
    # no number stands in the page without naming its cell (dates, quotes and labels aside)
    assert page.loose_digits == []


def test_the_page_is_self_contained_and_runs_nothing(page_html):
    page = parse(page_html)
    names = [t for t, _ in page.tags]
    assert "script" not in names and "iframe" not in names and "object" not in names and "link" not in names
    assert not [(t, k) for t, a in page.tags for k in a if k.startswith("on")]
    images = [a["src"] for t, a in page.tags if t == "img"]
    assert len(images) == 3 and all(src.startswith("data:image/svg+xml;base64,") for src in images)
    for src in images:
        svg = base64.b64decode(src.split(",", 1)[1]).decode()
        assert svg.startswith("<svg") and "<script" not in svg and "href=\"http" not in svg
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    assert "default-src 'none'" in page_html  # and the browser is told so
    assert "Methodology v" in page.plain_text and "Warehouse as of" in page.plain_text


def test_the_brief_is_the_same_page_when_written_again(sample_home, page_html, tmp_path):
    from outputs.brief_html import write_html_brief

    with duckdb.connect(str(sample_home.warehouse), read_only=True) as con:
        path = write_html_brief(con, tmp_path, DAY)
    assert path.read_text(encoding="utf-8") == page_html
    assert path.with_suffix(".png").read_bytes() == (sample_home.briefs / f"{DAY}.png").read_bytes()


def test_every_day_with_documents_has_its_page_chart_and_a_line_in_the_index(sample_home):
    with duckdb.connect(str(sample_home.warehouse), read_only=True) as con:
        days = {r[0].isoformat() for r in con.execute(
            "select index_date from marts.tension_index_daily where document_count > 0").fetchall()}
    briefs = sample_home.briefs
    assert {p.stem for p in briefs.glob("*.html")} - {"index"} == days
    assert {p.stem for p in briefs.glob("*.png")} == days
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in briefs.glob("*.png"))
    index = parse((briefs / "index.html").read_text(encoding="utf-8"))
    linked = [a["href"] for t, a in index.tags if t == "a" and a["href"].endswith(".html")]
    assert linked == [f"{d}.html" for d in sorted(days, reverse=True)]


def test_a_long_backfill_draws_its_latest_pages_only(sample_home, tmp_path):
    from outputs.brief_html import write_html_briefs

    with duckdb.connect(str(sample_home.warehouse), read_only=True) as con:
        days = [r[0] for r in con.execute("select index_date from marts.tension_index_daily "
                                          "where document_count > 0 order by index_date").fetchall()]
        pages = write_html_briefs(con, tmp_path, days[0], days[-1], max_pages=3)
    assert [p.stem for p in pages] == [d.isoformat() for d in days[-3:]]
    assert sorted(p.stem for p in tmp_path.glob("*.html")) == sorted(["index", *(d.isoformat() for d in days[-3:])])


def test_a_backfill_names_the_main_chart_without_a_copy_per_day(sample_home, tmp_path_factory):
    from pipeline_helpers import materialize_sample

    result = materialize_sample(tmp_path_factory)[3]
    mats = result.asset_materializations_for_node("daily_brief")
    assert len(mats) > 1  # one per day of the range, each with the run's metadata
    meta = mats[-1].metadata
    assert Path(meta["latest_brief"].value).name == "2024-04-29.html"
    assert Path(meta["main_chart_png"].value) == sample_home.briefs / "2024-04-29.png"
    assert "base64" not in str(meta["main_chart"].value)


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    env["GEORISK_HOME"] = str(home)
    return subprocess.run([str(GEORISK), *args], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_georisk_brief_writes_the_day_and_prints_its_path(sample_home, page_html, tmp_path):
    home = tmp_path / "home"
    (home / "published").mkdir(parents=True)
    shutil.copyfile(sample_home.published, home / "published" / "georisk.duckdb")

    done = _cli(home, "brief", "--date", DAY.isoformat(), "--open")
    assert done.returncode == 0, done.stderr
    path = home / "briefs" / f"{DAY}.html"
    assert done.stdout.strip() == str(path)
    # no display here: it says so on one line instead of starting a console browser
    assert done.stderr.strip().splitlines() == [f"no browser to open it here; open {path} yourself"]
    # from the published copy, the same page as the asset wrote from the warehouse
    assert path.read_text(encoding="utf-8") == page_html
    assert (home / "briefs" / f"{DAY}.md").exists() and (home / "briefs" / f"{DAY}.png").exists()
    assert "2024-04-08.html" in (home / "briefs" / "index.html").read_text(encoding="utf-8")

    for args, message in ((["--date", "2024-05-30"], "error: no documents on 2024-05-30"),
                          (["--date", "08/04/2024"], "error: --date wants a date as YYYY-MM-DD")):
        bad = _cli(home, "brief", *args)
        assert bad.returncode == 2 and bad.stdout == ""
        (line,) = bad.stderr.strip().splitlines()
        assert line.startswith(message), line
