"""The one declaration of every raw table (the tables the Python side writes and dbt reads as sources).

The DDL, the polars schemas, the column lists the writers insert and the dbt sources file
(`dbt/models/staging/_sources.yml`, written by ``python -m core.schemas``) are all derived from here;
`tests/unit/core/test_schemas.py` proves the warehouse, the extractor's frames and the dbt sources agree with it.
Column names follow the project's suffixes: ``_id`` keys, ``_date`` days, ``is_``/verbs for booleans.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

SOURCES_YML = Path(__file__).resolve().parents[1] / "dbt" / "models" / "staging" / "_sources.yml"

POLARS_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.Utf8, "bigint": pl.Int64, "integer": pl.Int32, "double": pl.Float64, "boolean": pl.Boolean,
    "date": pl.Date, "timestamp": pl.Datetime("us"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type
    description: str
    not_null: bool = False
    primary_key: bool = False


@dataclass(frozen=True)
class Table:
    name: str  # in the ``raw`` schema
    description: str
    columns: tuple[Column, ...]
    source_config: dict = field(default_factory=dict)  # extra dbt source config (freshness)

    @property
    def qualified(self) -> str:
        return f"raw.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self) -> str:
        """``create table if not exists`` with every column; then ``add column if not exists`` for every
        nullable one, so that a warehouse written by an older version gains the columns added since."""
        cols = []
        for c in self.columns:
            extra = " primary key" if c.primary_key else (" not null" if c.not_null else "")
            cols.append(f"    {c.name} {c.type}{extra}")
        out = [f"create table if not exists {self.qualified} (\n" + ",\n".join(cols) + "\n);"]
        out += [f"alter table {self.qualified} add column if not exists {c.name} {c.type};"
                for c in self.columns if not (c.primary_key or c.not_null)]
        return "\n".join(out)

    def polars_schema(self, drop: tuple[str, ...] = ()) -> dict[str, pl.DataType]:
        return {c.name: POLARS_TYPES[c.type] for c in self.columns if c.name not in drop}


def _c(name: str, type_: str, description: str, **kw) -> Column:
    return Column(name, type_, description, **kw)


DOCUMENTS = Table("documents", "One canonical document per row, deduplicated by id, text and URL.", (
    _c("doc_id", "varchar", "Stable id of the document (from its source id, URL or text).", primary_key=True),
    _c("source", "varchar", "Where it came from: drop_folder, feed, official, gdelt, telegram.", not_null=True),
    _c("source_path", "varchar", "The file, feed or page it came from."),
    _c("outlet", "varchar", "The publisher as given by the source."),
    _c("doc_type", "varchar", "article, official_statement or telegram_post.", not_null=True),
    _c("url", "varchar", "The canonical URL, when there is one."),
    _c("title", "varchar", "The title or headline."),
    _c("text", "varchar", "The document's text, canonicalised.", not_null=True),
    _c("language", "varchar", "ISO 639-1 code, given or detected."),
    _c("published_at", "varchar", "The publication time as the source gave it."),
    _c("published_date", "date", "The day the document counts on (UTC).", not_null=True),
    _c("date_source", "varchar", "Where published_date came from: metadata, feed, text, or the fetch time."),
    _c("content_hash", "varchar", "Hash of the canonical text, for deduplication.", not_null=True),
    _c("fetched_at", "timestamp", "When it was fetched or read (UTC)."),
    _c("raw_payload", "varchar", "The source record, for audit."),
    _c("source_id", "varchar", "The configured source it came from (config/sources.yaml)."),
    _c("outlet_country", "varchar", "The publisher's country (ISO 3166-1 alpha-2)."),
    _c("outlet_alignment", "varchar", "The publisher's alignment: state, state_aligned, independent, ..."),
    _c("author", "varchar", "The byline, when there is one."),
    _c("issuing_body", "varchar", "For official statements: the body that issued it."),
    _c("published_at_utc", "timestamp", "published_at parsed and converted to UTC."),
    _c("near_duplicate_of", "varchar", "The earlier document this one republishes, if any."),
), {"loaded_at_field": "fetched_at",
    "freshness": {"warn_after": {"count": 2, "period": "day"}, "error_after": {"count": 4, "period": "day"}}})

HTTP_VALIDATORS = Table("http_validators", "ETag and Last-Modified per URL, for conditional requests.", (
    _c("url", "varchar", "The requested URL.", primary_key=True),
    _c("etag", "varchar", "The last ETag the server sent."),
    _c("last_modified", "varchar", "The last Last-Modified the server sent."),
    _c("kept_through_date", "date", "The last day of the run that kept everything the answer held: a conditional "
       "request is sent only by a run for later days (an earlier or re-run window fetches in full)."),
))

DROP_FILES = Table("drop_files", "The days each drop-folder file holds, so that a run reads only the files that "
                   "can hold its days: without it every run would parse the whole folder, years of archives included.", (
    _c("file_path", "varchar", "The file, relative to the drop folder.", primary_key=True),
    _c("fingerprint", "varchar", "Size and modification time (size:mtime_ns) when it was read: another means read again.",
       not_null=True),
    _c("first_date", "date", "The earliest publication day of its documents (null: none)."),
    _c("last_date", "date", "The latest publication day of its documents (null: none)."),
))

REJECTS = Table("rejects", "Files, lines and pages that could not become documents, with the stage and the reason.", (
    _c("reject_id", "varchar", "Stable id of the reject.", primary_key=True),
    _c("source", "varchar", "The source it came from.", not_null=True),
    _c("source_path", "varchar", "The file, feed or page."),
    _c("line_number", "integer", "The line, for JSON Lines files."),
    _c("stage", "varchar", "Where it failed: read, parse, validate, date (outside the index's days), conflict (another text at a stored URL), content, extract, policy, adapter, recovered (a malformed feed whose items were kept), or the fetch stage (connect, timeout, http, ...).", not_null=True),
    _c("reason", "varchar", "Why, in one line.", not_null=True),
    _c("payload", "varchar", "What was read, for audit and replay."),
    _c("rejected_at", "timestamp", "When (UTC).", not_null=True),
))

SIGNALS = Table("signals", "Sentence-level signals found by georisk's extractor, one row per signal.", (
    _c("signal_id", "varchar", "Stable id of the signal.", primary_key=True),
    _c("doc_id", "varchar", "The document it is in.", not_null=True),
    _c("published_date", "date", "The document's day in the warehouse.", not_null=True),
    _c("kind", "varchar", "hostile_mention, accusation, denial or threat.", not_null=True),
    _c("category", "varchar", "The cue family (russophobia, no_claims, ...), or 'learned'."),
    _c("char_start", "bigint", "Offset of the sentence's first character in the text."),
    _c("char_end", "bigint", "Offset after its last character."),
    _c("sentence_index", "bigint", "The sentence's position in the document."),
    _c("sentence", "varchar", "The evidence sentence."),
    _c("speaker_name", "varchar", "Who says it."),
    _c("speaker_id", "varchar", "The speaker's register id, when known."),
    _c("speaker_role", "varchar", "The speaker's role."),
    _c("speaker_country", "varchar", "The speaker's side (ISO code)."),
    _c("speaker_type", "varchar", "person, organization, group or outlet."),
    _c("target_name", "varchar", "Whom it is about: the country, or the accused person."),
    _c("target_id", "varchar", "The target's register id, when known."),
    _c("target_type", "varchar", "country or person."),
    _c("target_country", "varchar", "The target's country (ISO code)."),
    _c("claim", "varchar", "The claim, threat or charge as a clean phrase, or null."),
    _c("cue", "varchar", "The lexicon cues, or the words that weighed most."),
    _c("score", "double", "The learned stage's probability (0-1)."),
    _c("publisher", "varchar", "The outlet that published the document."),
    _c("is_reported_speech", "boolean", "Whether the sentence reports someone else's words."),
))

DOCUMENT_ASSESSMENTS = Table("document_assessments",
                             "Per-document results of extraction (language, date, tension rating 0-3).", (
    _c("doc_id", "varchar", "The document.", primary_key=True),
    _c("published_date", "date", "The document's day in the warehouse.", not_null=True),
    _c("language", "varchar", "ISO 639-1 code, given or detected."),
    _c("date_source", "varchar", "Where the extractor's date came from."),
    _c("target_mentioned", "boolean", "Whether the text names the target, its people or places."),
    _c("tension_rating", "bigint", "0 none, 1 mild, 2 clear, 3 a threat of force or territorial revision."),
    _c("signal_count", "bigint", "Signals found in the document."),
))

RAW_TABLES: tuple[Table, ...] = (DOCUMENTS, REJECTS, HTTP_VALIDATORS, DROP_FILES, SIGNALS, DOCUMENT_ASSESSMENTS)
# dbt reads these; http_validators is the fetcher's own state
DBT_SOURCES: tuple[Table, ...] = (DOCUMENTS, REJECTS, SIGNALS, DOCUMENT_ASSESSMENTS)


def dbt_sources_yml() -> str:
    """The dbt sources file, from the declarations above (keys unique and not null, required columns not null)."""
    lines = ["# Written by `python -m core.schemas` from core/schemas.py: edit the declarations there, not this file.",
             "version: 2", "", "sources:", "  - name: raw",
             "    description: Tables the Python side of the pipeline writes (ingestion and signal extraction).",
             "    schema: raw", "    tables:"]
    for t in DBT_SOURCES:
        lines += [f"      - name: {t.name}", f"        description: {_yaml_str(t.description)}"]
        if t.source_config:
            lines.append("        config:")
            for k, v in t.source_config.items():
                if isinstance(v, dict):
                    lines.append(f"          {k}:")
                    lines += [f"            {k2}: {{count: {v2['count']}, period: {v2['period']}}}"
                              for k2, v2 in v.items()]
                else:
                    lines.append(f"          {k}: {v}")
        lines.append("        columns:")
        for c in t.columns:
            lines += [f"          - name: {c.name}", f"            description: {_yaml_str(c.description)}",
                      f"            data_type: {c.type}"]
            tests = ["unique", "not_null"] if c.primary_key else (["not_null"] if c.not_null else [])
            if tests:
                lines.append(f"            data_tests: [{', '.join(tests)}]")
    return "\n".join(lines) + "\n"


def _yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    SOURCES_YML.write_text(dbt_sources_yml(), encoding="utf-8")
    print(f"wrote {SOURCES_YML}", file=sys.stderr)
