"""Article pages and official statements: the body text without page furniture, and the page's metadata."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

import trafilatura

_META = re.compile(r"<meta\s+[^>]*?(?:name|property)\s*=\s*[\"']([^\"']+)[\"'][^>]*?content\s*=\s*[\"']([^\"']*)[\"']", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']([a-zA-Z-]+)", re.I)
_CANON = re.compile(r"<link\s+[^>]*rel\s*=\s*[\"']canonical[\"'][^>]*href\s*=\s*[\"']([^\"']+)", re.I)
_OFFICIAL = re.compile(r"ministry|министерств|kremlin|кремл|akorda|акорда|president|президент|government|правительств|mfa|мид", re.I)


@dataclass
class Page:
    text: str
    title: str | None
    date: str | None
    outlet: str | None
    language: str | None
    url: str | None
    is_official: bool


def parse_html(content: str) -> Page | None:
    if "<" not in content:
        return None
    meta = {k.lower(): html_lib.unescape(v).strip() for k, v in _META.findall(content)}
    # deduplicate=False: trafilatura's dedup remembers paragraphs across calls, so the same page read a
    # fourth time in one process would come back empty.
    text = trafilatura.extract(content, include_comments=False, include_tables=False, deduplicate=False,
                               favor_precision=True)
    if not text:
        return None
    title_m = _TITLE.search(content)
    title = meta.get("og:title") or (html_lib.unescape(re.sub(r"\s+", " ", title_m.group(1))).strip() if title_m else None)
    outlet = meta.get("source") or meta.get("og:site_name") or meta.get("publisher")
    date = (meta.get("date") or meta.get("article:published_time") or meta.get("dc.date")
            or meta.get("pubdate") or None)
    lang_m = _LANG.search(content)
    url_m = _CANON.search(content)
    return Page(
        text=text, title=title or None, date=date, outlet=outlet or None,
        language=lang_m.group(1).split("-")[0].lower() if lang_m else None,
        url=meta.get("og:url") or (url_m.group(1) if url_m else None),
        is_official=bool(outlet and _OFFICIAL.search(outlet)),
    )
