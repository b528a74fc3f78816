"""The brief's charts, drawn with Altair and rendered offline by vl-convert (no browser, no network).

A chart gets dates, index values, levels and signal kinds only, never a document's text: its SVG goes into the
page as an image, and nothing a source wrote can reach it.
"""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import vl_convert as vlc

from .brief_data import Series

LEVEL_COLOURS = {"calm": "#e8f3ea", "elevated": "#fdf3d0", "high": "#fbe0c8", "critical": "#f6cccc"}
KIND_LABELS = {"threat": "threat", "denial": "denial"}
WIDTH, HEIGHT = 760, 240
FONT = "sans-serif"
PADDING = {"left": 24, "right": 24, "top": 6, "bottom": 6}


def _bands(levels: dict[str, float], top: float) -> list[dict]:
    edges = [("calm", 0.0, levels.get("elevated", 130.0)),
             ("elevated", levels.get("elevated", 130.0), levels.get("high", 200.0)),
             ("high", levels.get("high", 200.0), levels.get("critical", 300.0)),
             ("critical", levels.get("critical", 300.0), max(top, levels.get("critical", 300.0) * 1.1))]
    return [{"level": name, "lo": lo, "hi": min(hi, top)} for name, lo, hi in edges if lo < top]


def index_chart(series: Series, day: date, days: int | None = None, title: str = "") -> alt.LayerChart:
    """The composite index and its 7-day average up to `day` (the last `days` days, or all of them) over the
    level bands; low-confidence days drawn hollow, days whose top driver was a threat or a denial labelled."""
    first = day - timedelta(days=days - 1) if days else (series.rows[0]["index_date"] if series.rows else day)
    rows = [{"date": r["index_date"].isoformat(), "index": r["tension_index"], "ma7": r["tension_index_ma7"],
             "low": bool(r["is_low_confidence"]) and (r["document_count"] or 0) > 0,
             "confidence": "low" if r["is_low_confidence"] else "normal",
             "driver": KIND_LABELS.get(r["top_driver_kind"] or "", "")}
            for r in series.rows if first <= r["index_date"] <= day]
    peak = max([r["index"] or 0 for r in rows] + [r["ma7"] or 0 for r in rows] + [0.0])
    top = max(peak * 1.15, series.levels.get("high", 200.0) * 1.05)
    domain = [first.isoformat(), day.isoformat()]
    x = alt.X("date:T", title=None, scale=alt.Scale(type="utc", domain=domain),
              axis=alt.Axis(format="%d %b %Y" if not days else "%d %b", formatType="utc", labelAngle=0))
    y = alt.Y("index:Q", title="index (reference = 100)", scale=alt.Scale(domain=[0, top], nice=False))
    data = alt.Data(values=rows)
    bands = alt.Chart(alt.Data(values=_bands(series.levels, top))).mark_rect(opacity=0.9).encode(
        y=alt.Y("lo:Q", scale=alt.Scale(domain=[0, top], nice=False)), y2="hi:Q",
        color=alt.Color("level:N", title="level", sort=list(LEVEL_COLOURS),
                        scale=alt.Scale(domain=list(LEVEL_COLOURS), range=list(LEVEL_COLOURS.values()))))
    base = alt.Chart(data).encode(x=x)
    composite = base.mark_line(color="#1f3b73", strokeWidth=2).encode(y=y).transform_filter("datum.index != null")
    average = base.mark_line(color="#8a6d3b", strokeDash=[5, 3], strokeWidth=1.5).encode(
        y=alt.Y("ma7:Q", scale=alt.Scale(domain=[0, top], nice=False))).transform_filter("datum.ma7 != null")
    confidence = ["normal", "low"]
    points = base.mark_point(size=36, strokeWidth=1.5, shape="circle").encode(
        y=y,
        fill=alt.Fill("confidence:N", title="confidence", sort=confidence,
                      scale=alt.Scale(domain=confidence, range=["#1f3b73", "white"])),
        stroke=alt.value("#1f3b73"),
    ).transform_filter("datum.index != null")
    labels = base.mark_text(dy=-12, fontSize=10, fontWeight="bold", font=FONT).encode(
        y=y, text="driver:N",
        color=alt.Color("driver:N", title="top driver", scale=alt.Scale(domain=["threat", "denial"],
                                                                        range=["#b22222", "#2e6b30"])),
    ).transform_filter("datum.driver != '' && datum.index != null")
    chart = alt.layer(bands, composite, average, points, labels).resolve_scale(color="independent",
                                                                               fill="independent")
    # The page's browser may draw the SVG's text in a wider font than vl-convert measured: leave room for it.
    return chart.properties(width=WIDTH, height=HEIGHT, title=title, padding=PADDING).configure_view(
        stroke=None).configure(font=FONT).configure_legend(labelLimit=160)


def contributions_chart(contributions: list[tuple[str, float]]) -> alt.Chart:
    """Index points each component adds to the day's index."""
    rows = [{"component": label, "points": round(value or 0.0, 1)} for label, value in contributions]
    return alt.Chart(alt.Data(values=rows)).mark_bar(color="#1f3b73").encode(
        x=alt.X("points:Q", title="index points"),
        y=alt.Y("component:N", title=None, sort=[r["component"] for r in rows]),
    ).properties(width=300, height=110, padding=PADDING).configure(font=FONT)


def to_svg(chart: alt.TopLevelMixin) -> str:
    # validate=False: the specs are built here, not by users, and schema validation costs more than the drawing
    return vlc.vegalite_to_svg(chart.to_dict(validate=False))


def svg_to_png(svg: str, scale: float = 1.5) -> bytes:
    return vlc.svg_to_png(svg, scale=scale)
