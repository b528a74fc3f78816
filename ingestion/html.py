"""Article pages and official statements: the body text without page furniture, and the page's metadata.

Hostile pages finish in bounded time and memory: a page over ``MAX_PAGE_CHARS`` characters or
``MAX_PAGE_ELEMENTS`` elements is not read at all (None), the metadata is found by searches that are linear in the
page (the tag patterns are never retried from every "<meta" of a page where they cannot match), and the HTML
parser reads at most ``MAX_DEPTH`` levels of nesting. ``page_problem`` says in one line why a page gave no text
when its shape is the reason, for the caller's reject."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.etree
import lxml.html
import trafilatura

# trafilatura's own cap (MAX_FILE_SIZE) and the fetcher's on decompressed bodies: a bigger page is not an article
MAX_PAGE_CHARS = 20_000_000
# trafilatura's time grows faster than the number of elements (25,000 paragraphs: 3 s, 50,000: 9 s, 100,000:
# 40 s); a news page has a few thousand
MAX_PAGE_ELEMENTS = 50_000
MAX_DEPTH = 255  # libxml2's HTML parser drops what is nested deeper (256 levels with the document root)
# a tag's attributes are searched this far at most: no real <meta> or <link> tag is longer
_MAX_TAG_CHARS = 8192

# The first name= or property= of a <meta> tag, then its content= (the atomic group (?>...) keeps re from retrying
# every later name= of a tag without content=, which made one tag cost its length squared)
_META = re.compile(r"<meta\s++(?>[^>]*?(?:name|property)\s*=\s*[\"']([^\"']+)[\"'])[^>]*?content\s*=\s*[\"']([^\"']*)[\"']",
                   re.I)
_TITLE_OPEN = re.compile(r"<title", re.I)
_TITLE_CLOSE = re.compile(r"</title>", re.I)
_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']([a-zA-Z-]+)", re.I)
_CANON = re.compile(r"<link\s++(?>[^>]*?rel\s*=\s*[\"']canonical[\"'])[^>]*?href\s*=\s*[\"']([^\"']+)", re.I)
_OFFICIAL = re.compile(r"ministry|министерств|kremlin|кремл|akorda|акорда|president|президент|government|правительств|mfa|мид", re.I)
_META_START = re.compile(r"<meta\s", re.I)
_HTML_START = re.compile(r"<html", re.I)
_START_TAG = re.compile(r"<[A-Za-z]")
_LINK_START = re.compile(r"<link\s", re.I)


def _tag_matches(content: str, start: re.Pattern, rx: re.Pattern) -> Iterator[re.Match]:
    """The matches of ``rx`` (a pattern that begins with the tag ``start`` finds and does not go past the tag's ">"
    outside quoted values), left to right, in time linear in the page.

    ``re.finditer`` would retry ``rx`` at every start of a tag where it cannot match and each try scans to the
    next ">" (to the end of a page that has none): "<meta a" repeated 20,000 times took a minute. A try that
    fails here skips every start before the tag's ">" (none of them can match where the first did not: its
    ``[^>]*`` spans them), and a try never looks further than ``_MAX_TAG_CHARS``."""
    pos, n = 0, len(content)
    while True:
        m = start.search(content, pos)
        if m is None:
            return
        p = m.start()
        hit = rx.match(content, p, min(n, p + _MAX_TAG_CHARS))
        if hit is not None:
            yield hit
            pos = max(hit.end(), p + 1)
            continue
        gt = content.find(">", p)
        if gt < 0:
            return
        pos = gt + 1


def _first(content: str, start: re.Pattern, rx: re.Pattern) -> re.Match | None:
    return next(_tag_matches(content, start, rx), None)


def _title(content: str) -> str | None:
    """The text of the first complete <title ...>...</title> (``<title[^>]*>(.*?)</title>`` without its quadratic
    retries: when the first "<title" has no ">" or no "</title>" after it, no later one has either)."""
    m = _TITLE_OPEN.search(content)
    if m is None:
        return None
    gt = content.find(">", m.end())
    if gt < 0:
        return None
    close = _TITLE_CLOSE.search(content, gt + 1)
    return content[gt + 1:close.start()] if close else None


@dataclass
class Page:
    text: str
    title: str | None
    date: str | None
    outlet: str | None
    language: str | None
    url: str | None
    is_official: bool


def _too_big(content: str) -> str | None:
    """The size guard of ``parse_html``: over ``MAX_PAGE_CHARS`` characters or ``MAX_PAGE_ELEMENTS`` elements."""
    if len(content) > MAX_PAGE_CHARS:
        return f"page of {len(content):,} characters, over the {MAX_PAGE_CHARS:,} read"
    if content.count("<") > MAX_PAGE_ELEMENTS:  # only then count start tags (end tags, a "<" in a script are none)
        n = 0
        for _ in _START_TAG.finditer(content):
            n += 1
            if n > MAX_PAGE_ELEMENTS:
                return f"page of over {MAX_PAGE_ELEMENTS:,} elements, more than an article has (not read)"
    return None


def page_problem(content: str) -> str | None:
    """Why ``parse_html`` gets no text out of this page when the page's shape is the reason (one line for a
    reject), else None: over ``MAX_PAGE_CHARS`` or ``MAX_PAGE_ELEMENTS``, nested deeper than the HTML parser reads,
    or over another of its limits (a text run over 10 MB)."""
    big = _too_big(content)
    if big is not None or "<" not in content:
        return big
    parser = lxml.etree.HTMLParser()
    try:
        lxml.html.document_fromstring(content, parser=parser)
    except (lxml.etree.LxmlError, ValueError):
        return None
    for e in parser.error_log:
        if "depth" in e.message.lower():
            return f"page nested deeper than {MAX_DEPTH} elements: the HTML parser drops what is below"
        if e.type_name == "ERR_RESOURCE_LIMIT":
            return "page over a limit of the HTML parser: " + " ".join(e.message.split())[:120]
    return None


def parse_html(content: str) -> Page | None:
    """The page's text and metadata, or None when it has no article text (``page_problem`` may say why)."""
    if "<" not in content or _too_big(content) is not None:
        return None
    meta = {k.lower(): html_lib.unescape(v).strip() for k, v in (m.groups() for m in _tag_matches(content, _META_START, _META))}
    # deduplicate=False: trafilatura's dedup remembers paragraphs across calls, so the same page read a
    # fourth time in one process would come back empty.
    text = trafilatura.extract(content, include_comments=False, include_tables=False, deduplicate=False,
                               favor_precision=True)
    if not text:
        return None
    raw_title = _title(content)
    title = meta.get("og:title") or (html_lib.unescape(re.sub(r"\s+", " ", raw_title)).strip() if raw_title is not None else None)
    outlet = meta.get("source") or meta.get("og:site_name") or meta.get("publisher")
    date = (meta.get("date") or meta.get("article:published_time") or meta.get("dc.date")
            or meta.get("pubdate") or None)
    lang_m = _first(content, _HTML_START, _LANG)
    url_m = _first(content, _LINK_START, _CANON)
    return Page(
        text=text, title=title or None, date=date, outlet=outlet or None,
        language=lang_m.group(1).split("-")[0].lower() if lang_m else None,
        url=meta.get("og:url") or (url_m.group(1) if url_m else None),
        is_official=bool(outlet and _OFFICIAL.search(outlet)),
    )
