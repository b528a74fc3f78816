"""The daily brief as one self-contained HTML page (charts inlined as images, no script, no network), a PNG of its
main chart, and an index page of the days."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.atomic import atomic_path, atomic_write_text

from .brief import safe_url
from .brief_data import RECENT_DAYS, BriefData, load_brief
from .charts import contributions_chart, index_chart, svg_to_png, to_svg

TEMPLATES = Path(__file__).parent / "templates"


def _squash(text) -> str:
    return " ".join(str(text or "").split())


def _environment() -> Environment:
    # autoescape everywhere: document text is hostile, and a template that forgets `|e` must still be safe
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
    env.filters["squash"] = _squash
    env.filters["http_url"] = safe_url
    return env


_ENV = _environment()


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def main_chart(brief: BriefData):
    return index_chart(brief.series, brief.day, RECENT_DAYS, f"Tension index, last {RECENT_DAYS} days")


def render_html(brief: BriefData) -> tuple[str, str]:
    """The page and the SVG of its main chart."""
    main = to_svg(main_chart(brief))
    charts = {
        "recent": _data_uri("image/svg+xml", main.encode()),
        "history": _data_uri("image/svg+xml", to_svg(index_chart(brief.series, brief.day, None,
                                                                  "Tension index, whole history")).encode()),
        "components": _data_uri("image/svg+xml", to_svg(contributions_chart(
            [(label, f.value) for label, f in brief.contributions])).encode()),
    }
    return _ENV.get_template("brief.html.j2").render(b=brief, charts=charts), main


def write_html_brief(con: duckdb.DuckDBPyConnection, folder: Path, day: date) -> Path | None:
    """Write (atomically) briefs/DAY.html and its main chart as briefs/DAY.png; None when the day has no
    documents."""
    brief = load_brief(con, day)
    if brief is None:
        return None
    path = folder / f"{day.isoformat()}.html"
    page, main = render_html(brief)
    with atomic_path(folder / f"{day.isoformat()}.png") as tmp:
        tmp.write_bytes(svg_to_png(main))
    atomic_write_text(path, page)
    return path


def write_html_briefs(con: duckdb.DuckDBPyConnection, folder: Path, first: date, last: date,
                      max_pages: int | None = None) -> list[Path]:
    """The pages of the days with documents in [first, last]; with `max_pages`, only the latest that many (a
    page costs about half a second of chart rendering: a backfill of years writes its recent pages, and
    `georisk brief --date D` any other on demand)."""
    folder.mkdir(parents=True, exist_ok=True)
    days = [r[0] for r in con.execute(
        "select index_date from marts.tension_index_daily where index_date between ? and ? and document_count > 0 "
        "order by index_date", [first, last]).fetchall()]
    if max_pages is not None:
        days = days[-max_pages:] if max_pages > 0 else []
    written = [write_html_brief(con, folder, d) for d in days]
    write_index(folder)
    return [p for p in written if p is not None]


def write_index(folder: Path) -> Path:
    """briefs/index.html: every day's brief in the folder, newest first."""
    days = []
    for p in folder.glob("*.html"):
        try:
            days.append(date.fromisoformat(p.stem))
        except ValueError:
            continue
    path = folder / "index.html"
    atomic_write_text(path, _ENV.get_template("index.html.j2").render(
        days=sorted(days, reverse=True), has_markdown={d for d in days if (folder / f"{d}.md").exists()}))
    return path


def chart_markdown(png: Path) -> str:
    """The chart as a Markdown image with a data URI: the Dagster UI shows it in the materialisation's metadata."""
    return f"![main chart]({_data_uri('image/png', png.read_bytes())})"
