"""Official statements (the Kremlin, Akorda, the foreign ministries): a feed, or a listing page of links, leading
to statement pages. Documents have doc_type "official_statement" and `issuing_body` from the source config.

A listing page carries no dates: the first `max_items` links matching `link_pattern` are fetched and the
statements dated on the requested day are kept (their date comes from the page's metadata, else the text)."""

from __future__ import annotations

import logging
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

from ..fetch_api import Fetcher, FetchResult
from ..models import NO_BACKLOG, Backlog, Document, Reject
from .config import SourceConfig, SourcesConfig
from .feeds import (
    MAX_REJECT_PAYLOAD,
    adapter_reject,
    error_page_reason,
    fetch_feed,
    forget_validators,
    has_fault,
    in_window,
    items_documents,
    keeps_everything,
    looks_like_feed,
    page_document,
    parse_feed,
    with_warning,
)

log = logging.getLogger(__name__)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())
        elif tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")


def listing_links(html: str, base_url: str, pattern: str | None, source: SourceConfig) -> list[str]:
    """Absolute links of a listing page that match `pattern` (all links on allowed hosts when None), in page
    order, each once, without fragments."""
    p = _Links()
    p.feed(html)
    p.close()
    base = urljoin(base_url, p.base) if p.base else base_url
    rx = re.compile(pattern) if pattern else None
    out: list[str] = []
    seen: set[str] = set()
    for href in p.hrefs:
        if href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        absolute = urldefrag(urljoin(base, href))[0]
        if not absolute.startswith(("http://", "https://")):
            continue
        if rx is not None and not rx.search(absolute):
            continue
        if not source.allows(absolute) or absolute.rstrip("/") == base_url.rstrip("/"):
            continue
        if absolute not in seen:
            seen.add(absolute)
            out.append(absolute)
    return out


def _from_listing(source: SourceConfig, res: FetchResult, day: date | None, fetcher: Fetcher,
                  notes: list[str] | None, last: date | None = None,
                  backlog: Backlog = NO_BACKLOG) -> list[Document | Reject]:
    html = res.text()
    reason = error_page_reason(html, res.status)
    if reason:
        return [Reject(source.id, source.url, "content", f"listing page: {reason}")]
    links = listing_links(html, res.final_url or source.url, source.link_pattern, source)
    if not links:
        return [Reject(source.id, source.url, "parse",
                       "listing page has no statement links" + (f" matching {source.link_pattern!r}"
                                                                 if source.link_pattern else ""),
                       payload=html[:MAX_REJECT_PAYLOAD])]
    if len(links) > source.max_items:
        links = links[:source.max_items]
    out: list[Document | Reject] = []
    skipped, later = 0, False
    for link in links:
        try:
            doc = page_document(source, link, fetcher, allowed=source.allows)
        except Exception as e:  # noqa: BLE001 - one broken page must not stop the listing
            log.exception("%s: unexpected error on %s", source.id, link)
            out.append(adapter_reject(source.id, link, e))
            continue
        if doc is None:
            continue
        if isinstance(doc, Document) and not in_window(doc.published_date, day, last) \
                and not backlog.wants(link, doc.published_date):
            skipped += 1
            if doc.published_date > (last or day):
                later = True
            continue
        out.append(doc)
    if later or has_fault(out):
        forget_validators(fetcher, source.url)
    if skipped and notes is not None:
        notes.append(f"{source.id}: {skipped} statements on the listing page are dated on other days")
    return out


def collect_official(source: SourceConfig, day: date | None, fetcher: Fetcher, *,
                     config: SourcesConfig | None = None, notes: list[str] | None = None,
                     last: date | None = None, backlog: Backlog = NO_BACKLOG) -> list[Document | Reject]:
    """Statements of one official source for `day` (UTC), or for the window [day, last]: from its feed, or
    from its listing page."""
    res = fetch_feed(source, fetcher, config=config)
    if res is None:
        return []
    if isinstance(res, Reject):
        return [res]
    if looks_like_feed(res):
        items = parse_feed(res, source.id)
        if isinstance(items, Reject):
            return [items]
        out = items_documents(source, items, day, fetcher, notes, last=last, backlog=backlog)
        if not keeps_everything(items, out, day, last):
            forget_validators(fetcher, source.url)
        return with_warning(items, out)
    if not res.content.strip():
        return [Reject(source.id, source.url, "content", "empty response body where a feed or listing was expected")]
    if res.content_type not in (None, "text/html", "application/xhtml+xml"):
        return [Reject(source.id, source.url, "content",
                       f"neither a feed nor an HTML listing page: {res.content_type}")]
    return _from_listing(source, res, day, fetcher, notes, last=last, backlog=backlog)
