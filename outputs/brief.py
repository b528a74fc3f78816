"""The daily brief: one Markdown page per day with the index, its level, and the evidence to cite."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from core.atomic import atomic_write_text

from .phrases import clean_phrase

# Every field of a brief that comes from a document (sentences, names, claims, outlets, doc ids, URLs) is
# hostile input: it is written as text, never as HTML or Markdown, and only http(s) URLs become links.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MARKDOWN = re.compile(r"([\\`*_~\[\]|])")
# the characters a link target may not show as they are: they would end it, open HTML, or be read as escapes
_URL_UNSAFE = re.compile(r"[\s\"'()<>\\^`{|}]")
_PLAIN_DOC_ID = re.compile(r"[^\s`<>&|\x00-\x1f\x7f-\x9f]+")


def escape_md(text: str | None, link_text: bool = False) -> str:
    """`text` as Markdown that renders as exactly that text on one line: whitespace and control characters
    collapse to single spaces, `<`, `>` and `&` become entities, and the characters that start Markdown syntax
    (backslash, backtick, `*`, `_`, `~`, brackets, `|`, a leading `#`; parentheses after `]`, and all of them
    in a link's text) are backslash-escaped. Text without those characters is returned unchanged."""
    text = " ".join(_CONTROL.sub(" ", text or "").split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN.sub(r"\\\1", text)
    if link_text:
        text = text.replace("(", "\\(").replace(")", "\\)")
    else:
        text = text.replace("\\](", "\\]\\(")
    return "\\" + text if text.startswith("#") else text


def safe_url(url: str | None) -> str | None:
    """`url` as a Markdown link target when it is an absolute http(s) URL, else None; spaces, quotes,
    parentheses, angle brackets, backslashes and the like are percent-encoded so that the target cannot end early
    or carry markup. A URL with control characters (a tab or newline hidden inside a scheme) is refused."""
    url = (url or "").strip()
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _clean(text: str | None, limit: int = 400) -> str:
    text = " ".join((text or "").split())
    # a long sentence ends after a whole word, never inside one
    return escape_md(text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …")


def _doc_id(doc_id: str | None) -> str:
    # a code span shows its content verbatim: only for ids with nothing that could close it or be read as HTML
    return f"`{doc_id}`" if doc_id and _PLAIN_DOC_ID.fullmatch(doc_id) else escape_md(doc_id)


def _source(url: str | None, outlet: str | None, doc_id: str) -> str:
    href = safe_url(url)
    if href:
        return f"[{escape_md(outlet or doc_id, link_text=True)}]({href})"
    shown = f"{escape_md(outlet)}, {_doc_id(doc_id)}" if outlet else _doc_id(doc_id)
    # a URL that may not be a link (javascript:, data:, file:, malformed) is shown as text
    return shown + (f", {escape_md(url)}" if url and url.strip() else "")


def render_brief(con: duckdb.DuckDBPyConnection, day: date) -> str | None:
    """The brief of `day`, or None when the index has no documents that day."""
    row = con.execute(
        "select tension_index, tension_level, document_count, is_low_confidence, tension_index_ma7, "
        "tension_zscore_90d, threat_subindex, act_claim_subindex, methodology_version "
        "from marts.tension_index_daily where index_date = ? and document_count > 0", [day]).fetchone()
    if row is None:
        return None
    index, level, docs, low, ma7, z, threat, act, version = row
    lines = [
        f"# Kazakhstan tension brief, {day.isoformat()}",
        "",
        f"**Index {index:.0f}** ({level}{', low confidence: few documents' if low else ''}); "
        f"7-day average {ma7:.0f}; " + (f"z-score {z:+.1f} against the previous 90 days; " if z is not None else "")
        + f"threat sub-index {threat:.0f}, act/claim sub-index {act:.0f}. {docs} documents. "
        f"Methodology v{version} (reference period = 100).",
        "",
        "## What drove it",
    ]
    drivers = con.execute(
        "select kind, speaker_name, sentence, url, outlet, doc_id from marts.tension_index_drivers "
        "where index_date = ? order by driver_rank", [day]).fetchall()
    lines += [f"{i}. *{escape_md(kind.replace('_', ' '))}*, {escape_md(speaker) or 'unattributed'}: "
              f"\"{_clean(sentence)}\" "
              f"({_source(url, outlet, doc_id)})" for i, (kind, speaker, sentence, url, outlet, doc_id)
              in enumerate(drivers, 1)] or ["No hostile signals."]
    sections = [
        ("Threats", "select speaker_name, threatened, evidence_sentence, url, outlet, doc_id from marts.threats "
                    "where threat_date = ? order by weighted_score desc, threat_id"),
        ("Accusations", "select accuser_name || ' → ' || coalesce(accused_name, '?'), charge, evidence_sentence, url, "
                        "outlet, doc_id from marts.official_accusations where accusation_date = ? "
                        "order by weighted_score desc, accusation_id"),
        ("Denials", "select denier_name, denied_claim, evidence_sentence, url, outlet, doc_id from marts.denials "
                    "where denial_date = ? order by denial_id"),
    ]
    for title, query in sections:
        found = con.execute(query, [day]).fetchall()
        if found:
            lines += ["", f"## {title}"]
            for who, what, sentence, url, outlet, doc_id in found:
                # a claim is a whole phrase or left out: a cut one ("(and provocative") misquotes
                phrase = clean_phrase(what, sentence)
                lines.append(f"- {escape_md(who) or 'unattributed'}" + (f" ({escape_md(phrase)})" if phrase else "")
                             + f": \"{_clean(sentence, 300)}\" ({_source(url, outlet, doc_id)})")
    lines += ["", "_Generated by georisk from the published warehouse; every sentence is quoted from its source._", ""]
    return "\n".join(lines)


def write_briefs(con: duckdb.DuckDBPyConnection, folder: Path, first: date, last: date) -> list[Path]:
    """Write (atomically) the brief of every day of [first, last] that has documents; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    days = [r[0] for r in con.execute(
        "select index_date from marts.tension_index_daily where index_date between ? and ? and document_count > 0 "
        "order by index_date", [first, last]).fetchall()]
    written = []
    for day in days:
        text = render_brief(con, day)
        if text is None:
            continue
        path = folder / f"{day.isoformat()}.md"
        atomic_write_text(path, text)
        written.append(path)
    return written
