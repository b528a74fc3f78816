"""What the HTML brief of a day shows, read from the warehouse marts in one place.

Every number is a `Figure` that names where it comes from: a table, a column (or an expression over columns) and
the row it was read at. The page shows that source beside the number, and a reader (or a test) can run
`select <column> from <table> where <key>` and get the number back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from .phrases import clean_phrase

DAILY = "marts.tension_index_daily"
COMPONENTS = (
    ("hostile_component", "hostile mentions"),
    ("accusation_component", "accusations"),
    ("threat_component", "threats"),
    ("denial_component", "denials"),
)
SIDES = (("RU", "Russian side"), ("KZ", "Kazakh side"))
RECENT_DAYS = 90
PEOPLE_DAYS = 30
PEOPLE_KINDS = ("hostile_mention", "accusation", "threat", "denial")


@dataclass(frozen=True)
class Figure:
    """A number and the warehouse cell it is: `select {column} from {table} where {key}` gives `value`.
    A key value that is a two-item list is a range (`between`)."""

    value: float | int | None
    table: str
    column: str
    key: dict
    decimals: int = 0
    signed: bool = False

    @property
    def text(self) -> str:
        if self.value is None:
            return "–"
        if isinstance(self.value, str):
            return self.value
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return f"{self.value:+d}" if self.signed else str(self.value)
        return f"{self.value:{'+' if self.signed else ''}.{self.decimals}f}"

    @property
    def source(self) -> str:
        return f"{self.table}.{self.column}" if self.column.isidentifier() else f"{self.table}: {self.column}"

    @property
    def key_json(self) -> str:
        return json.dumps(self.key, sort_keys=True, ensure_ascii=False, default=str)

    @property
    def raw(self) -> str:
        return "" if self.value is None else self.value if isinstance(self.value, str) else repr(self.value)


@dataclass(frozen=True)
class Series:
    """The index by day up to the brief's day, for the charts (dates, values and flags; no document text)."""

    rows: list[dict]
    levels: dict[str, float]


@dataclass
class BriefData:
    day: date
    level: str
    low_confidence: bool
    version: Figure
    as_of: datetime | None
    headline: dict[str, Figure]
    contributions: list[tuple[str, Figure]]
    drivers: list[dict]
    accusations: list[dict]
    threats: list[dict]
    denials: list[dict]
    people: dict[str, list[dict]]
    documents_by_source: list[dict]
    rejects: list[dict]
    low_confidence_days: Figure
    low_confidence_dates: list[date]
    series: Series


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _levels(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    found = dict(con.execute("select parameter, value from reference.index_parameters "
                             "where parameter in ('level_elevated', 'level_high', 'level_critical')").fetchall())
    return {k.removeprefix("level_"): float(v) for k, v in found.items()}


def load_brief(con: duckdb.DuckDBPyConnection, day: date) -> BriefData | None:
    """The brief of `day` from the warehouse, or None when the index has no documents that day."""
    today = _rows(con, f"select * from {DAILY} where index_date = ? and document_count > 0", [day])
    if not today:
        return None
    t = today[0]
    key = {"index_date": day.isoformat()}

    def fig(column: str, decimals: int = 0, signed: bool = False, value=None) -> Figure:
        v = t.get(column) if value is None and column in t else value
        return Figure(v, DAILY, column, key, decimals, signed)

    def diff(avg: str) -> Figure:
        v = None if t["tension_index"] is None or t[avg] is None else t["tension_index"] - t[avg]
        return fig(f"tension_index - {avg}", 1, True, v)

    headline = {
        "index": fig("tension_index", 1),
        "ma7": fig("tension_index_ma7", 1),
        "ma30": fig("tension_index_ma30", 1),
        "vs_ma7": diff("tension_index_ma7"),
        "vs_ma30": diff("tension_index_ma30"),
        "zscore": fig("tension_zscore_90d", 2, True),
        "documents": fig("document_count"),
        "threat_subindex": fig("threat_subindex", 1),
        "act_claim_subindex": fig("act_claim_subindex", 1),
        "hostile_mentions": fig("hostile_mention_count"),
        "accusation_count": fig("accusation_count"),
        "threat_count": fig("threat_count"),
        "denial_count": fig("denial_count"),
    }
    # A component's share of the index in index points: the index is proportional to its composite points.
    contributions = []
    for column, label in COMPONENTS:
        share = (0.0 if not t["composite_points"] or t["tension_index"] is None or t[column] is None
                 else t["tension_index"] * t[column] / t["composite_points"])
        expr = f"coalesce(tension_index * {column} / nullif(composite_points, 0), 0)"
        contributions.append((label, fig(expr, 1, value=share)))

    as_of = con.execute("select max(as_of) from marts.tension_index_vintages where index_date = ?", [day]).fetchone()[0]
    lo90 = day - timedelta(days=RECENT_DAYS - 1)
    lowconf_dates = [r[0] for r in con.execute(
        f"select index_date from {DAILY} where index_date between ? and ? and is_low_confidence "
        "and document_count > 0 order by index_date", [lo90, day]).fetchall()]
    return BriefData(
        day=day, level=t["tension_level"], low_confidence=bool(t["is_low_confidence"]),
        version=fig("methodology_version", value=str(t["methodology_version"])), as_of=as_of,
        headline=headline, contributions=contributions,
        drivers=_drivers(con, day), accusations=_accusations(con, day), threats=_threats(con, day),
        denials=_denials(con, day), people=_people(con, day), documents_by_source=_documents(con, day),
        rejects=_rejects(con),
        low_confidence_days=Figure(len(lowconf_dates), DAILY,
                                   "count(*) filter (where is_low_confidence and document_count > 0)",
                                   {"index_date": [lo90.isoformat(), day.isoformat()]}),
        low_confidence_dates=lowconf_dates,
        series=Series(_rows(con, "select index_date, document_count, tension_index, tension_index_ma7, "
                                 f"tension_level, is_low_confidence, top_driver_kind from {DAILY} "
                                 "where index_date <= ? order by index_date", [day]), _levels(con)),
    )


def _drivers(con, day: date) -> list[dict]:
    rows = _rows(con, "select driver_rank, kind, sentence, speaker_name, speaker_role, outlet, url, doc_id, "
                      "weighted_score from marts.tension_index_drivers where index_date = ? order by driver_rank",
                 [day])
    for r in rows:
        r["weight"] = Figure(r["weighted_score"], "marts.tension_index_drivers", "weighted_score",
                             {"index_date": day.isoformat(), "driver_rank": r["driver_rank"]}, 2)
    return rows


def _accusations(con, day: date) -> list[dict]:
    rows = _rows(con, "select accusation_id, accuser_name, accused_name, accused_type, charge, evidence_sentence, "
                      "url, outlet, doc_id, weighted_score from marts.official_accusations "
                      "where accusation_date = ? order by weighted_score desc, accusation_id", [day])
    for r in rows:
        r["charge"] = clean_phrase(r["charge"], r["evidence_sentence"])
        r["weight"] = Figure(r["weighted_score"], "marts.official_accusations", "weighted_score",
                             {"accusation_id": r["accusation_id"]}, 2)
    return rows


def _threats(con, day: date) -> list[dict]:
    rows = _rows(con, "select threat_id, speaker_name, speaker_role, threatened, evidence_sentence, url, outlet, "
                      "doc_id, is_force_or_territorial, weighted_score from marts.threats where threat_date = ? "
                      "order by weighted_score desc, threat_id", [day])
    for r in rows:
        r["threatened"] = clean_phrase(r["threatened"], r["evidence_sentence"])
        r["weight"] = Figure(r["weighted_score"], "marts.threats", "weighted_score", {"threat_id": r["threat_id"]}, 2)
    return rows


def _denials(con, day: date) -> list[dict]:
    rows = _rows(con, "select denial_id, denier_name, denied_claim, evidence_sentence, url, outlet, doc_id, "
                      "claim_date, claim_sentence, claimant_name, claim_to_denial_days from marts.denials "
                      "where denial_date = ? order by denial_id", [day])
    for r in rows:
        r["denied_claim"] = clean_phrase(r["denied_claim"], r["evidence_sentence"])
        r["delay"] = (Figure(r["claim_to_denial_days"], "marts.denials", "claim_to_denial_days",
                             {"denial_id": r["denial_id"]}) if r["claim_to_denial_days"] is not None else None)
    return rows


def _people(con, day: date) -> dict[str, list[dict]]:
    """The most active named people of each side over the last PEOPLE_DAYS days, by signals of each kind."""
    lo = day - timedelta(days=PEOPLE_DAYS - 1)
    counts = ", ".join(f"count(*) filter (where kind = '{k}') as {k}" for k in PEOPLE_KINDS)
    rows = _rows(con, f"select speaker_country, speaker_name, {counts}, count(*) as total "
                      "from intermediate.int_signals_weighted where speaker_country in (?, ?) "
                      "and speaker_type = 'person' and speaker_name is not null and published_date between ? and ? "
                      "group by speaker_country, speaker_name qualify row_number() over (partition by speaker_country "
                      "order by total desc, speaker_name) <= 8 order by speaker_country, total desc, speaker_name",
                 [*(c for c, _ in SIDES), lo, day])
    out: dict[str, list[dict]] = {label: [] for _, label in SIDES}
    labels = dict(SIDES)
    for r in rows:
        key = {"speaker_name": r["speaker_name"], "speaker_country": r["speaker_country"], "speaker_type": "person",
               "published_date": [lo.isoformat(), day.isoformat()]}
        r["figures"] = [Figure(r[k], "intermediate.int_signals_weighted", f"count(*) filter (where kind = '{k}')",
                               key) for k in PEOPLE_KINDS]
        r["total_figure"] = Figure(r["total"], "intermediate.int_signals_weighted", "count(*)", key)
        out[labels[r["speaker_country"]]].append(r)
    return out


def _documents(con, day: date) -> list[dict]:
    rows = _rows(con, "select source, language, count(*) as documents from staging.stg_documents "
                      "where published_date = ? group by all order by source, language", [day])
    for r in rows:
        r["figure"] = Figure(r["documents"], "staging.stg_documents", "count(*)",
                             {"published_date": day.isoformat(), "source": r["source"], "language": r["language"]})
    return rows


def _rejects(con) -> list[dict]:
    """Rejects carry no document date (a rejected document may have none): all that the warehouse holds."""
    rows = _rows(con, "select stage, reason, count(*) as rejects from staging.stg_rejects "
                      "group by all order by rejects desc, stage, reason limit 20", [])
    for r in rows:
        r["figure"] = Figure(r["rejects"], "staging.stg_rejects", "count(*)",
                             {"stage": r["stage"], "reason": r["reason"]})
    return rows
