"""GDELT DOC 2.0 discovery: the articles GDELT saw in one day window, then each article's page.

The ArtList query returns at most 250 records (`maxrecords`); when it returns as many as asked for, the
day's list may be incomplete and a note (and a log warning) says so. GDELT asks for one request per 5 seconds:
the HTTP client's per-host interval for api.gdeltproject.org keeps to it (this module never sleeps).

Discovered pages are fetched only on hosts the configuration allows (`SourcesConfig.allowed_hosts()`: every
enabled source's hosts, including the GDELT source's own `allowed_hosts`); any other is a Reject with stage
"policy" and reason "host not in allowlist: <host>", so nothing is dropped silently. A page's outlet, country
and alignment come from the source that covers its host, else the outlet register's domain, else GDELT's
`domain` and `sourcecountry`. The date is the page's metadata, else GDELT's `seendate` (date_source "feed"),
else the text; a page GDELT saw today may have been published earlier and keeps its own date."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from ..canonical import canonical_url
from ..fetch_api import Fetcher, FetchError, FetchResult
from ..models import Document, Reject
from .config import GDELT_MAX_RECORDS, SourceConfig, SourcesConfig, host_allowed, host_of
from .feeds import MAX_REJECT_PAYLOAD, FeedItem, Publisher, adapter_reject, fetch_reject, page_document

log = logging.getLogger(__name__)

GDELT_DOC_API = "https://api.gdeltproject.org/api/v2/doc/doc"
JSON_ACCEPT = "application/json, text/plain;q=0.5, */*;q=0.1"

# GDELT's `sourcecountry` is an English country name; the ones this project meets, as ISO 3166 alpha-2.
COUNTRY_CODES = {
    "kazakhstan": "KZ", "russia": "RU", "russian federation": "RU", "ukraine": "UA", "united states": "US",
    "united kingdom": "GB", "kyrgyzstan": "KG", "uzbekistan": "UZ", "tajikistan": "TJ", "turkmenistan": "TM",
    "belarus": "BY", "armenia": "AM", "azerbaijan": "AZ", "georgia": "GE", "latvia": "LV", "lithuania": "LT",
    "estonia": "EE", "germany": "DE", "france": "FR", "china": "CN", "turkey": "TR", "poland": "PL",
    "moldova": "MD", "mongolia": "MN", "india": "IN", "japan": "JP", "qatar": "QA", "israel": "IL",
}
LANGUAGE_CODES = {"english": "en", "russian": "ru", "ukrainian": "uk", "kazakh": "kk", "german": "de",
                  "french": "fr"}
_SEENDATE = re.compile(r"^(\d{4})(\d{2})(\d{2})T?(\d{2})(\d{2})(\d{2})Z?$")


def day_window(day: date) -> tuple[datetime, datetime]:
    """The UTC day as GDELT's inclusive [start, end] window."""
    start = datetime.combine(day, time(0, 0, 0))
    return start, start + timedelta(days=1) - timedelta(seconds=1)


def query_url(query: str, start: datetime, end: datetime, *, base: str = GDELT_DOC_API,
              max_records: int = GDELT_MAX_RECORDS, sort: str = "DateDesc") -> str:
    """The DOC 2.0 ArtList JSON request for [start, end] (UTC)."""
    if not 1 <= max_records <= GDELT_MAX_RECORDS:
        raise ValueError(f"maxrecords must be 1..{GDELT_MAX_RECORDS}, got {max_records}")
    params = {
        "query": query, "mode": "ArtList", "format": "json", "maxrecords": str(max_records), "sort": sort,
        "startdatetime": start.strftime("%Y%m%d%H%M%S"), "enddatetime": end.strftime("%Y%m%d%H%M%S"),
    }
    return f"{base}?{urlencode(params)}"


def seendate_iso(value: str | None) -> str | None:
    """"20240406T101500Z" -> "2024-04-06T10:15:00Z"."""
    m = _SEENDATE.match((value or "").strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


@dataclass
class GdeltArticle:
    url: str
    title: str | None = None
    seendate: str | None = None  # ISO 8601 UTC
    domain: str | None = None
    language: str | None = None  # ISO 639-1 where known
    sourcecountry: str | None = None  # ISO 3166 alpha-2 where known
    url_mobile: str | None = None


@dataclass
class Discovery:
    url: str
    articles: list[GdeltArticle] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    capped: bool = False  # as many records as maxrecords came back: the day's list may be incomplete
    not_modified: bool = False


def parse_artlist(result: FetchResult, source_id: str, max_records: int = GDELT_MAX_RECORDS) -> Discovery:
    """The articles of an ArtList JSON answer. GDELT answers errors as plain text or HTML (often with status
    200 and a JSON-ish content type): those become one Reject with the text's first line."""
    disc = Discovery(url=result.url)
    body = result.text().strip() if result.content else ""
    if not body:
        # GDELT answers a query with no results with an empty body or {}.
        return disc
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        first = next((ln.strip() for ln in re.sub(r"<[^>]+>", "\n", body).splitlines() if ln.strip()), "")[:200]
        disc.rejects.append(Reject(source_id, result.url, "content",
                                   f"GDELT answered with text, not JSON ({result.content_type or 'no content type'}):"
                                   f" {first!r}", payload=body[:MAX_REJECT_PAYLOAD]))
        return disc
    if result.content_type and "json" not in result.content_type:
        log.info("%s: GDELT sent JSON as %s", source_id, result.content_type)
    if not isinstance(data, dict):
        disc.rejects.append(Reject(source_id, result.url, "content",
                                   f"GDELT JSON is a {type(data).__name__}, not an object with 'articles'",
                                   payload=body[:MAX_REJECT_PAYLOAD]))
        return disc
    arts = data.get("articles", [])
    if not isinstance(arts, list):
        disc.rejects.append(Reject(source_id, result.url, "content", "GDELT JSON 'articles' is not a list",
                                   payload=body[:MAX_REJECT_PAYLOAD]))
        return disc
    seen: set[str] = set()
    for i, a in enumerate(arts):
        if not isinstance(a, dict) or not isinstance(a.get("url"), str) or not a["url"].startswith("http"):
            disc.rejects.append(Reject(source_id, result.url, "validate", f"GDELT article {i} has no http(s) url",
                                       line_number=i, payload=json.dumps(a, ensure_ascii=False)[:MAX_REJECT_PAYLOAD]))
            continue
        key = canonical_url(a["url"]) or a["url"]
        if key in seen:
            continue
        seen.add(key)
        lang = str(a.get("language") or "").strip().lower()
        country = str(a.get("sourcecountry") or "").strip().lower()
        disc.articles.append(GdeltArticle(
            url=a["url"].strip(), title=(str(a.get("title")).strip() or None) if a.get("title") else None,
            seendate=seendate_iso(a.get("seendate")), domain=(a.get("domain") or None),
            language=LANGUAGE_CODES.get(lang, lang[:2] if len(lang) == 2 else None),
            sourcecountry=COUNTRY_CODES.get(country, country.upper() if len(country) == 2 else None),
            url_mobile=a.get("url_mobile") or None,
        ))
    disc.capped = len(arts) >= max_records
    return disc


def discover(source: SourceConfig, day: date, fetcher: Fetcher) -> Discovery:
    start, end = day_window(day)
    url = query_url(source.query or "", start, end, base=source.url or GDELT_DOC_API, max_records=source.max_records)
    try:
        res = fetcher.get(url, conditional=False, accept=JSON_ACCEPT)
    except FetchError as e:
        return Discovery(url=url, rejects=[fetch_reject(source.id, e)])
    if res.not_modified:
        return Discovery(url=url, not_modified=True)
    return parse_artlist(res, source.id, source.max_records)


def collect_gdelt(source: SourceConfig, day: date, fetcher: Fetcher, *, config: SourcesConfig | None = None,
                  notes: list[str] | None = None) -> list[Document | Reject]:
    """Pages GDELT discovered for `day`, fetched and made Documents; the rest as Rejects."""
    disc = discover(source, day, fetcher)
    out: list[Document | Reject] = list(disc.rejects)
    if disc.capped:
        msg = (f"{source.id}: GDELT returned {source.max_records} records for {day.isoformat()}, the cap: "
               f"the day's results may be incomplete")
        log.warning(msg)
        if notes is not None:
            notes.append(msg)
    allowed_hosts = config.allowed_hosts() if config is not None else frozenset(source.allowed_hosts)

    def allowed(url: str | None) -> bool:
        return host_allowed(host_of(url), allowed_hosts)

    for art in disc.articles[:source.max_records]:
        try:
            host = host_of(art.url)
            if not allowed(art.url):
                out.append(Reject(source.id, art.url, "policy", f"host not in allowlist: {host}",
                                  payload=json.dumps(art.__dict__, ensure_ascii=False)))
                continue
            if config is not None:
                outlet, country, alignment = config.outlet_for_host(host)
            else:
                outlet, country, alignment = None, None, None
            pub = Publisher(outlet or art.domain or host, country or art.sourcecountry, alignment)
            item = FeedItem(link=art.url, title=art.title, author=None, published_at=None, summary="", guid=None)
            doc = page_document(source, art.url, fetcher, item=item, publisher=pub,
                                date_order=("page_metadata", "feed"), hint_date=art.seendate, allowed=allowed)
            if doc is not None:
                out.append(doc)
        except Exception as e:  # noqa: BLE001 - one broken page must not stop discovery
            log.exception("%s: unexpected error on %s", source.id, art.url)
            out.append(adapter_reject(source.id, art.url, e))
    return out
