"""The daily brief treats everything that comes from a document as text: documents come from sources hostile to
the pipeline, and a brief is read rendered (Markdown viewers, the Dagster UI), so no field may carry live HTML, a
link that is not http(s), or Markdown that changes the page's structure."""

from __future__ import annotations

import html
import random
import re
from datetime import date

import duckdb
import pytest

from outputs.brief import escape_md, safe_url, write_briefs

DAY = date(2024, 4, 8)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[click](javascript:alert(1))"


def _warehouse(path, drivers=(), threats=(), accusations=(), denials=()):
    """A real DuckDB with the marts the brief reads, one day of index and the given evidence rows."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.tension_index_daily (index_date date, tension_index double, tension_level varchar, "
                "document_count integer, is_low_confidence boolean, tension_index_ma7 double, "
                "tension_zscore_90d double, threat_subindex double, act_claim_subindex double, "
                "methodology_version varchar)")
    con.execute("insert into marts.tension_index_daily values (?, 175, 'elevated', 6, false, 154, 1.9, 185, 162, '1.0')",
                [DAY])
    con.execute("create table marts.tension_index_drivers (index_date date, driver_rank integer, kind varchar, "
                "speaker_name varchar, sentence varchar, url varchar, outlet varchar, doc_id varchar)")
    con.execute("create table marts.threats (threat_date date, threat_id varchar, weighted_score double, "
                "speaker_name varchar, threatened varchar, evidence_sentence varchar, url varchar, outlet varchar, "
                "doc_id varchar)")
    con.execute("create table marts.official_accusations (accusation_date date, accusation_id varchar, "
                "weighted_score double, accuser_name varchar, accused_name varchar, charge varchar, "
                "evidence_sentence varchar, url varchar, outlet varchar, doc_id varchar)")
    con.execute("create table marts.denials (denial_date date, denial_id varchar, denier_name varchar, "
                "denied_claim varchar, evidence_sentence varchar, url varchar, outlet varchar, doc_id varchar)")
    for rank, (kind, speaker, sentence, url, outlet, doc_id) in enumerate(drivers, 1):
        con.execute("insert into marts.tension_index_drivers values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [DAY, rank, kind, speaker, sentence, url, outlet, doc_id])
    for i, row in enumerate(threats):
        con.execute("insert into marts.threats values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [DAY, f"t{i}", 10 - i, *row])
    for i, row in enumerate(accusations):
        con.execute("insert into marts.official_accusations values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [DAY, f"a{i}", 10 - i, *row])
    for i, row in enumerate(denials):
        con.execute("insert into marts.denials values (?, ?, ?, ?, ?, ?, ?, ?)", [DAY, f"d{i}", *row])
    return con


def _brief(tmp_path, **rows) -> str:
    with _warehouse(tmp_path / "w.duckdb", **rows) as con:
        (path,) = write_briefs(con, tmp_path / "briefs", DAY, DAY)
    return path.read_text(encoding="utf-8")


def _link_targets(text: str) -> list[str]:
    # inline links `[text](target)` whose `](` is not escaped, and autolinks `<scheme:...>`
    return re.findall(r"(?<!\\)\]\(([^)\s]*)", text) + re.findall(r"<([a-zA-Z][\w+.-]*:[^>]*)>", text)


def _unescaped(text: str) -> str:
    """`text` with its backslash-escaped pairs removed: what is left can still act as Markdown."""
    return re.sub(r"\\.", "", text)


def test_hostile_fields_reach_the_brief_as_text_not_as_html_or_links(tmp_path):
    text = _brief(
        tmp_path,
        drivers=[
            ("threat", f"Evil {IMG}", f"He said {SCRIPT} then {JS_LINK} and <a href='javascript:x'>y</a>.",
             "javascript:alert(1)", f"Bad {JS_LINK}", "doc-1"),
            ("threat", "Andrei Gurulyov", "«Следующим будет Казахстан»?",
             "https://samples.georisk.invalid/meduza/x", "Meduza", "doc-2"),
        ],
        threats=[("<b>Boss</b>", "a | b", f"Row with | a pipe\n# and a heading {SCRIPT}",
                  "JaVaScRiPt:alert(1)", "Out|let", "doc`with`ticks")],
        accusations=[("*Accuser*", "_Accused_", f"charge {IMG}", "Evidence [x](data:text/html,<script>)",
                      "data:text/html;base64,PHNjcmlwdD4=", "Outlet", "doc-3")],
        denials=[("Denier", "claim", "A denial.", "file:///etc/passwd", None, "sample_corpus/x/y_z.txt"),
                 ("Denier", None, "Another.", " javascript:alert(1)", "Outlet", "doc-4")],
    )
    # no live HTML and no link that is not http(s)
    assert "<script" not in text and "<img" not in text and "<a " not in text and "<b>" not in text
    assert "<" not in text and ">" not in text
    assert "](javascript:" not in text.lower() and "](data:" not in text and "](file:" not in text
    assert _link_targets(text) == ["https://samples.georisk.invalid/meduza/x"]
    # the hostile text is still there, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert r"\[click\]\(javascript:alert(1))" in text
    assert "javascript:alert(1)" in text  # the refused URL is shown as text
    assert r"Out\|let" in text and r"a \| b" in text and r"Row with \| a pipe # and a heading &lt;script&gt;" in text
    assert r"\*Accuser\*" in text and r"\_Accused\_" in text
    # the ordinary line is untouched, its link intact
    assert ('2. *threat*, Andrei Gurulyov: "«Следующим будет Казахстан»?" '
            "([Meduza](https://samples.georisk.invalid/meduza/x))") in text
    # a plain doc id keeps its code span; one with backticks cannot open or close one
    assert "`sample_corpus/x/y_z.txt`" in text
    assert "doc\\`with\\`ticks" in text
    # every evidence row is still one line (nothing in a field starts a new line, heading or list item)
    lines = text.splitlines()
    assert [ln[:3] for ln in lines if re.match(r"\d+\. ", ln)] == ["1. ", "2. "]
    assert sum(ln.startswith("- ") for ln in lines) == 4
    assert [ln for ln in lines if ln.startswith("#")] == [
        "# Kazakhstan tension brief, 2024-04-08", "## What drove it", "## Threats", "## Accusations", "## Denials"]
    for ln in lines:
        if ln.startswith(("- ", "1. ", "2. ")):
            assert "|" not in _unescaped(ln)  # as a table cell it would still be one cell


def test_a_valid_url_with_hostile_characters_stays_inside_its_link(tmp_path):
    url = "https://example.org/a b)c<d>\"e'f`g\\h|i[j]?q=1&r=2#frag"
    text = _brief(tmp_path, drivers=[("threat", "S", "Text.", url, "Outlet", "doc-1")])
    (target,) = _link_targets(text)
    assert target == "https://example.org/a%20b%29c%3Cd%3E%22e%27f%60g%5Ch%7Ci[j]?q=1&r=2#frag"
    assert f"[Outlet]({target}))" in text


@pytest.mark.parametrize("url, expected", [
    ("https://samples.georisk.invalid/reuters/smp-2024-04-08-reuters-kremlin-ally",
     "https://samples.georisk.invalid/reuters/smp-2024-04-08-reuters-kremlin-ally"),
    ("http://example.org/", "http://example.org/"),
    ("HTTPS://Example.org/x", "HTTPS://Example.org/x"),
    ("https://example.org/wiki/A_(b)", "https://example.org/wiki/A_%28b%29"),
    ("https://пример.рф/путь?q=да", "https://пример.рф/путь?q=да"),
    ("https://example.org/a\u00a0b", "https://example.org/a%C2%A0b"),
    ("  https://example.org/x  ", "https://example.org/x"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(1)", None),
    (" javascript:alert(1)", None),
    ("java\tscript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("file:///etc/passwd", None),
    ("vbscript:msgbox(1)", None),
    ("//evil.example/x", None),
    ("/relative/path", None),
    ("https:/no-host", None),
    ("http://", None),
    ("http://[::1", None),
    ("https://exa\nmple.org/", None),
    ("", None),
    (None, None),
])
def test_only_http_urls_become_link_targets(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize("text", [
    "Andrei Gurulyov",
    "«Следующим будет Казахстан»?",
    "Asked about Mr Gurulyov’s remarks, she said it would not “amplify provocations”.",
    "Kazakhstan faces the same \"problems\" as Ukraine and Gurulyov's words (he said) were 100% wrong; 2+2=4!",
    "Kremlin press service (Dmitry Peskov)",
    "Azattyq / RFE/RL",
    "Aibek Smadiyarov → Andrei Gurulyov",
    "— Любые рассуждения о каких-то планах против Казахстана абсолютно безосновательны.",
    "ул. Абая, 10 — 5 km, №3, C# code, 1.5 million",
])
def test_ordinary_text_is_unchanged(text):
    assert escape_md(text) == text


@pytest.mark.parametrize("text, expected", [
    (SCRIPT, "&lt;script&gt;alert(1)&lt;/script&gt;"),
    (IMG, "&lt;img src=x onerror=alert(1)&gt;"),
    (JS_LINK, r"\[click\]\(javascript:alert(1))"),
    ("Tom & Jerry &lt;b&gt;", "Tom &amp; Jerry &amp;lt;b&amp;gt;"),
    ("a | b", r"a \| b"),
    ("`code` *bold* _it_ ~~strike~~", r"\`code\` \*bold\* \_it\_ \~\~strike\~\~"),
    ("# heading", r"\# heading"),
    ("line one\n\n## two\r\n- three", r"line one ## two - three"),
    ("back\\slash \\[", r"back\\slash \\\["),
    ("nul\x00bell\x07 esc\x1b[31m", r"nul bell esc \[31m"),
    (None, ""),
])
def test_markdown_and_html_characters_are_escaped(text, expected):
    assert escape_md(text) == expected


def test_parentheses_are_escaped_in_link_text_only():
    assert escape_md("Kremlin press service (Dmitry Peskov)", link_text=True) == r"Kremlin press service \(Dmitry Peskov\)"


def test_escaped_cells_keep_a_table_row_whole():
    cells = ["a | b", "c\n| d | e |", "`|`", "\\|", "plain"]
    row = "| " + " | ".join(escape_md(c) for c in cells) + " |"
    assert "\n" not in row
    # the cell separators are the pipes left once the escaped pairs (`\|`, `\\`) are read
    assert re.sub(r"\\.", "x", row).count("|") == len(cells) + 1


ALPHABET = "ab Жж<>&\"'`*_~#[]()|\\!:/\n\t\r\x00\x1b\u2028-+=.;"


@pytest.mark.parametrize("seed", range(20))
def test_escaping_any_text_round_trips_and_leaves_nothing_live(seed):
    rng = random.Random(seed)
    for _ in range(200):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        out = escape_md(text)
        assert "<" not in out and ">" not in out and "\n" not in out and "\r" not in out
        live = _unescaped(out)
        assert not set(live) & set("\\`*_~[]|"), (text, out)
        assert not out.startswith("#")
        # undoing the escapes gives the text back, its whitespace and control characters collapsed to spaces
        expected = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())
        assert html.unescape(re.sub(r"\\(.)", r"\1", out)) == expected
        link = escape_md(text, link_text=True)
        assert not set(_unescaped(link)) & set("\\`*_~[]|()")
