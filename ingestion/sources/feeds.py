"""RSS and Atom sources: the feed's items of one day, each item's page fetched and reduced to its text.

feedparser only ever sees the bytes the Fetcher returned (it never fetches a URL itself). The page pipeline
here (`page_document`) is shared with the official and GDELT adapters: fetch, refuse what is not an article
(not HTML, an error page served with 200, a bot check, too little text), strip page furniture, and build the
canonical Document with the date taken from the feed, else the page's metadata, else the text."""

from __future__ import annotations

import calendar
import html as html_lib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import feedparser

from indicators.doc_meta import detect_language, find_date, parse_published_at

from ..canonical import canonical_url, stable_id
from ..fetch_api import Fetcher, FetchError, FetchResult
from ..files import make_document
from ..html import Page, parse_html
from ..models import NO_BACKLOG, RETRY_STAGES, Backlog, Document, Reject
from .config import SourceConfig, SourcesConfig, host_allowed, host_of

log = logging.getLogger(__name__)

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_RAW_PAYLOAD = 1_000_000
MAX_REJECT_PAYLOAD = 2000
# A page whose title says "error" is an error page only when it is this short: a long article may have "error"
# in its headline.
ERROR_PAGE_MAX_CHARS = 1500

SOURCE_LABEL = {"rss": "feed", "official": "official", "gdelt": "gdelt"}

_ERROR_TITLE = re.compile(
    r"\b(?:400|401|403|404|410|429|500|502|503|504)\b|not found|page not found|no longer available|"
    r"\berror\b|forbidden|access denied|service unavailable|"
    r"страница не найдена|не найден[аоы]?|ошибка|доступ запрещ|страница удалена|не существует|"
    r"бет табылмады|қате", re.I)
_BOT_CHECK = re.compile(
    r"just a moment|attention required|checking your browser|ddos-guard|ddos protection|captcha|"
    r"enable javascript and cookies|подтвердите, что вы не робот|вы не робот", re.I)
_TAG_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAG_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_STRIP_BLOCKS = re.compile(r"<(script|style|noscript|template)[^>]*>.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_DECLARES_ENTITIES = re.compile(r"<!ENTITY", re.I)
# feedparser's complaint that says nothing about the content: a declared charset that differs from the served one.
_HARMLESS_BOZO = (feedparser.CharacterEncodingOverride,)


class FeedItems(list):
    """A feed's items, and the trace of a lenient reading (`warning`, a Reject of stage "recovered") if any."""

    warning: Reject | None = None
_META_AUTHOR = re.compile(
    r"<meta\s+[^>]*?(?:name|property)\s*=\s*[\"'](?:author|article:author|dc\.creator|sailthru\.author)[\"'][^>]*?"
    r"content\s*=\s*[\"']([^\"']+)[\"']", re.I)
_JSONLD_DATE = re.compile(r"\"datePublished\"\s*:\s*\"([^\"]+)\"")
_TIME_DATETIME = re.compile(r"<time[^>]+datetime\s*=\s*[\"']([^\"']+)[\"']", re.I)
_DOMAIN_LIKE = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-zа-я]{2,}$", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|•·—–]|-|::)\s+")

# Page furniture that survives extraction: whole lines equal to one of these (case and punctuation aside).
_FURNITURE_LINES = {
    "share", "share this", "share this article", "share on facebook", "share on twitter", "share on x", "tweet",
    "print", "email", "read more", "read also", "see also", "related", "related articles", "related news",
    "more on this topic", "advertisement", "sponsored", "subscribe", "subscribe to our newsletter",
    "follow us", "follow us on telegram", "comments", "tags", "topics", "most read", "latest news",
    "поделиться", "поделитесь", "распечатать", "печать", "читайте также", "читать также", "читать далее",
    "смотрите также", "по теме", "другие новости", "похожие новости", "новости по теме", "реклама", "теги",
    "метки", "подписаться", "подписывайтесь", "комментарии", "самое читаемое", "последние новости",
    "ссылка скопирована", "скопировать ссылку", "facebook", "twitter", "telegram", "vk", "вконтакте",
    "whatsapp", "одноклассники", "x", "linkedin", "copy link",
}
_FURNITURE_PATTERNS = re.compile(
    r"(?:\bcookies?\b|\bкуки\b|файл[ыов]* cookie).{0,300}$|"
    r"^(?:подписывайтесь|подпишитесь|subscribe|follow us|следите за нами|читайте нас)\b.{0,160}$|"
    r"^(?:фото|photo|иллюстративное фото|источник фото|image)\s*:.{0,120}$|"
    r"^(?:при (?:использовании|цитировании|копировании).{0,200}ссылк|all rights reserved|все права защищены)",
    re.I)


# --- small helpers shared by the adapters ---------------------------------------------------------------------

def fetch_reject(source_id: str, e: FetchError) -> Reject:
    extra = {"status": e.status} if e.status is not None else {}
    return Reject(source_id, e.url, e.stage, e.reason, extra={**extra, **(e.extra or {})})


def adapter_reject(source_id: str, where: str, e: BaseException) -> Reject:
    """An unexpected exception as a one-line reject, so one bad item or source never stops the run."""
    first = (str(e).strip().splitlines() or [""])[0][:300]
    return Reject(source_id, where, "adapter", f"{type(e).__name__}: {first}" if first else type(e).__name__)


def visible_text(html: str) -> str:
    return html_lib.unescape(_SPACES.sub(" ", _TAGS.sub(" ", _STRIP_BLOCKS.sub(" ", html)))).strip()


def _tag_text(rx: re.Pattern, html: str) -> str | None:
    m = rx.search(html)
    if not m:
        return None
    return html_lib.unescape(_SPACES.sub(" ", _TAGS.sub(" ", m.group(1)))).strip() or None


def looks_like_html(body: str) -> bool:
    head = body.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html")) or "<html" in head or "<body" in head


def error_page_reason(html: str, status: int = 200) -> str | None:
    """Why a page that came with a 2xx is not content: an error or bot-check page. None when it looks fine."""
    title = _tag_text(_TAG_TITLE, html) or ""
    h1 = _tag_text(_TAG_H1, html) or ""
    text = visible_text(html)
    if len(text) <= ERROR_PAGE_MAX_CHARS * 2 and _BOT_CHECK.search(title + " " + h1 + " " + text[:500]):
        return f"bot check page served with HTTP {status}: {(title or h1 or text[:80])!r}"
    if len(text) <= ERROR_PAGE_MAX_CHARS:
        for label in (title, h1):
            m = _ERROR_TITLE.search(label or "")
            if m and m.start() < 30:  # "404 Not Found", "Ошибка 404 | Site", not "Talks end in error over ..."
                return f"error page served with HTTP {status}: {label[:120]!r}"
        if re.match(r"^\s*(?:404|403|410|500|503)\b|^\s*(?:not found|страница не найдена)", text, re.I):
            return f"error page served with HTTP {status}: {text[:80]!r}"
    return None


def clean_text(text: str, title: str | None = None, *also_titles: str | None) -> str:
    """The extracted text without the furniture lines trafilatura let through, headlines repeated in the
    body (`title` and any of `also_titles`) and repeated lines."""
    title_keys = {_key(t) for t in (title, *also_titles) if t} - {""}
    out: list[str] = []
    seen: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        key = _key(line)
        if not key or key in _FURNITURE_LINES or _FURNITURE_PATTERNS.search(line):
            continue
        if key in title_keys:
            continue
        if key in seen and len(key) < 400:
            continue
        seen.add(key)
        out.append(line)
    return "\n".join(out)


def _key(s: str) -> str:
    return _SPACES.sub(" ", re.sub(r"[^\w\s]", " ", s.casefold())).strip()


def clean_title(title: str | None, names: tuple[str | None, ...] = ()) -> str | None:
    """The headline without a trailing " | Site name" / " — TASS" / " • President of Russia"."""
    if not title:
        return None
    title = _SPACES.sub(" ", html_lib.unescape(title)).strip()
    keys = {_key(n) for n in names if n}
    parts = _TITLE_SEPARATORS.split(title)
    def is_site(part: str) -> bool:
        k = _key(part)
        return (k in keys or bool(_DOMAIN_LIKE.match(part.strip()))
                or (len(part) <= 40 and any(n in k for n in keys if len(n) >= 3)))

    while len(parts) > 1 and is_site(parts[-1]):
        parts = parts[:-1]
    return " - ".join(parts).strip() or title


def page_author(html: str) -> str | None:
    m = _META_AUTHOR.search(html)
    if not m:
        return None
    author = html_lib.unescape(m.group(1)).strip()
    return None if author.startswith("http") else author or None


def page_date(html: str, page_meta_date: str | None) -> str | None:
    """The publication time the page declares: <meta>, else JSON-LD datePublished, else <time datetime>."""
    for cand in (page_meta_date, *(_JSONLD_DATE.findall(html)[:1]), *(_TIME_DATETIME.findall(html)[:1])):
        if cand and parse_published_at(cand.strip()):
            return cand.strip()
    return None


def page_dateline(html: str) -> date | None:
    """A date written next to the headline (the first few hundred characters of the page after its <h1>)."""
    m = _TAG_H1.search(html)
    if not m:
        return None
    after = visible_text(html[m.end():m.end() + 3000])[:300]
    return find_date(after)


def extract_page(content: str) -> Page | None:
    """The page's text and metadata (ingestion.html.parse_html); repeated lines are dropped by clean_text."""
    return parse_html(content)


class _TextParser(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def fragment_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment (a feed item's summary or content)."""
    if not fragment:
        return ""
    p = _TextParser()
    try:
        p.feed(fragment)
        p.close()
    except (AssertionError, ValueError):  # html.parser gives up on some marked sections: keep what it read
        pass
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(p.parts).splitlines())
    return "\n".join(line for line in lines if line)


# --- feeds ------------------------------------------------------------------------------------------------------

@dataclass
class FeedItem:
    link: str | None
    title: str | None
    author: str | None
    published_at: str | None  # ISO 8601 UTC ("2024-04-06T07:15:00Z") from the feed, None when it gives none
    summary: str  # plain text of the item's content or summary
    guid: str | None

    def published_date(self) -> date | None:
        return parse_published_at(self.published_at)

    def payload(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def _iso_utc(st) -> str | None:
    if not st:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(st), UTC)
    except (OverflowError, ValueError, TypeError):
        return None
    # a misread date ("Apr2024" read as the year 500) is no date at all, rather than a non-ISO string
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if 1000 <= when.year <= 9999 else None


def looks_like_feed(result: FetchResult) -> bool:
    ct = result.content_type or ""
    if "xml" in ct or "rss" in ct or "atom" in ct:
        return True
    head = result.content.lstrip()[:500].lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf"))


def parse_feed(result: FetchResult, source_id: str) -> list[FeedItem] | Reject:
    """The items of an RSS/Atom body, or a Reject saying why it is not a feed."""
    url = result.final_url or result.url
    body = result.content
    if not body or not body.strip():
        return Reject(source_id, result.url, "content", "empty response body where a feed was expected")
    head = body.lstrip()[:2000].decode("utf-8", "replace")
    if (result.content_type in HTML_TYPES or result.content_type is None) and looks_like_html(head) \
            and "<rss" not in head and "<feed" not in head:
        reason = error_page_reason(result.text(), result.status)
        why = f" ({reason})" if reason else ""
        return Reject(source_id, result.url, "content",
                      f"not a feed: the server sent an HTML page ({result.content_type or 'no content type'}){why}",
                      payload=head[:MAX_REJECT_PAYLOAD])
    headers = {"content-location": url}
    if result.content_type:
        headers["content-type"] = result.content_type + (f"; charset={result.charset}" if result.charset else "")
    if _DECLARES_ENTITIES.search(head):
        # Entities in a feed are an attack (expansion bombs, external files), never content: refuse it whole.
        return Reject(source_id, result.url, "parse", "feed declares XML entities in a DOCTYPE (refused)",
                      payload=head[:MAX_REJECT_PAYLOAD])
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    except (ValueError, AssertionError, KeyError, LookupError, UnicodeError) as e:
        # feedparser and its sgml fallback raise on some broken bytes; that is this feed's reject, not the source's
        return Reject(source_id, result.url, "parse", f"not a feed: the parser failed ({type(e).__name__}: "
                      f"{_SPACES.sub(' ', str(e)).strip()[:160]})", payload=head[:MAX_REJECT_PAYLOAD])
    if not parsed.entries:
        if parsed.bozo:
            exc = parsed.get("bozo_exception")
            msg = _SPACES.sub(" ", str(exc)).strip()[:200] if exc else "unreadable"
            return Reject(source_id, result.url, "parse", f"not a feed: {msg}", payload=head[:MAX_REJECT_PAYLOAD])
        if not parsed.version:
            return Reject(source_id, result.url, "parse", "not a feed: no RSS or Atom root element",
                          payload=head[:MAX_REJECT_PAYLOAD])
        return []
    items = FeedItems()
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), _HARMLESS_BOZO):
        # Kept, as browsers and feed readers keep them, but never without a trace: a row says the items came
        # from a lenient reading of a malformed feed.
        msg = _SPACES.sub(" ", str(parsed.get("bozo_exception"))).strip()[:200]
        log.warning("%s: feed %s is not well-formed (%s); using the %d items feedparser recovered",
                    source_id, url, msg, len(parsed.entries))
        items.warning = Reject(source_id, result.url, "recovered",
                               f"feed is not well-formed XML ({msg}): its items were read leniently",
                               payload=head[:MAX_REJECT_PAYLOAD])
    for e in parsed.entries:
        content = ""
        if e.get("content"):
            content = " ".join(c.get("value", "") for c in e["content"])
        summary = fragment_text(content or e.get("summary") or e.get("description") or "")
        link = e.get("link")
        if not link:
            for lk in e.get("links") or []:
                if lk.get("href") and lk.get("rel", "alternate") == "alternate":
                    link = lk["href"]
                    break
        items.append(FeedItem(
            link=link.strip() if link else None,
            title=_SPACES.sub(" ", html_lib.unescape(e.get("title") or "")).strip() or None,
            author=(e.get("author") or None),
            published_at=_iso_utc(e.get("published_parsed") or e.get("updated_parsed")),
            summary=summary, guid=e.get("id") or None,
        ))
    return items


# --- pages ------------------------------------------------------------------------------------------------------

@dataclass
class Publisher:
    outlet: str | None
    country: str | None
    alignment: str | None


def publisher_of(source: SourceConfig) -> Publisher:
    return Publisher(source.outlet or source.name, source.country, source.alignment)


def page_document(source: SourceConfig, url: str, fetcher: Fetcher, *, item: FeedItem | None = None,
                  publisher: Publisher | None = None, date_order: tuple[str, ...] = ("feed", "page_metadata"),
                  hint_date: str | None = None, allowed: Callable[[str | None], bool] | None = None,
                  ) -> Document | Reject | None:
    """Fetch an article or statement page and make it a Document (None when the server says not modified).

    The date is the first valid one in `date_order` ("feed": the item's date or `hint_date`; "page_metadata":
    <meta>, JSON-LD or <time> on the page), else one written in the text; Document.date_source says which."""
    try:
        res = fetcher.get(url, conditional=False, accept=HTML_ACCEPT)
    except FetchError as e:
        return fetch_reject(source.id, e)
    if res.not_modified:
        return None
    if not res.content or not res.content.strip():
        return Reject(source.id, url, "content", f"empty page (HTTP {res.status})")
    html = res.text()
    if res.content_type and res.content_type not in HTML_TYPES:
        return Reject(source.id, url, "content", f"not an HTML page: {res.content_type}",
                      payload=html[:MAX_REJECT_PAYLOAD] if res.content_type.startswith("text/") else "")
    if res.content_type is None and not looks_like_html(html):
        return Reject(source.id, url, "content", "not an HTML page: no content type and no HTML markup",
                      payload=html[:MAX_REJECT_PAYLOAD])
    final = res.final_url or url
    if allowed is not None and final != url and not allowed(final):
        return Reject(source.id, url, "policy", f"redirected to a host not in allowlist: {host_of(final)}")
    reason = error_page_reason(html, res.status)
    if reason:
        return Reject(source.id, url, "content", reason, payload=visible_text(html)[:MAX_REJECT_PAYLOAD])
    page = extract_page(html)
    if page is None or not page.text.strip():
        return Reject(source.id, url, "extract", "page has no article text", payload=html[:MAX_REJECT_PAYLOAD])
    pub = publisher or publisher_of(source)
    h1 = _tag_text(_TAG_H1, html)
    page_title = h1 if h1 and page.title and _key(page.title).startswith(_key(h1)) else clean_title(
        page.title, (pub.outlet, source.outlet, source.name, page.outlet, host_of(final)))
    title = (item.title if item and item.title else None) or page_title
    text = clean_text(page.text, title, page.title, page_title, h1)
    undecodable = text.count("\ufffd")
    if undecodable > max(10, len(text) // 100):
        # Bytes no encoding could read came through as U+FFFD: the text would be filler, not evidence.
        return Reject(source.id, url, "content",
                      f"page text is not valid in any encoding: {undecodable} of {len(text)} characters undecodable",
                      payload=text[:MAX_REJECT_PAYLOAD])
    if len(text) < source.min_text_chars:
        return Reject(source.id, url, "extract",
                      f"too little article text: {len(text)} characters (at least {source.min_text_chars})",
                      payload=text[:MAX_REJECT_PAYLOAD])

    candidates = {"feed": (item.published_at if item else None) or hint_date,
                  "page_metadata": page_date(html, page.date)}
    published_at, date_source = None, "text"
    for label in date_order:
        cand = candidates.get(label)
        if cand and parse_published_at(cand):
            published_at, date_source = cand, label
            break

    if published_at is None and find_date(text, title) is None:
        # Official sites often print the date in a line of its own beside the headline, which extraction drops.
        near = page_dateline(html)
        if near is not None:
            published_at, date_source = near.isoformat(), "text"

    # The page's own canonical address when it is on an allowed host, else where the fetch ended.
    canon = page.url if page.url and page.url.startswith("http") and (
        allowed(page.url) if allowed else source.allows(page.url)) else final
    curl = canonical_url(canon) or canonical_url(url) or url
    language = detect_language(((title or "") + "\n" + text)[:4000]) or page.language or source.language
    doc = make_document(
        doc_id=f"{source.id}:{stable_id(curl)}", source=SOURCE_LABEL.get(source.kind, source.kind),
        source_path=url, text=text, raw_payload=html[:MAX_RAW_PAYLOAD], title=title, url=curl,
        outlet=pub.outlet, published_at=published_at, language=language, doc_type=source.doc_type,
        source_id=source.id, outlet_country=pub.country, outlet_alignment=pub.alignment,
        author=(item.author if item and item.author else None) or page_author(html),
        issuing_body=(source.issuing_body or source.outlet or source.name)
        if source.doc_type == "official_statement" else None,
    )
    if isinstance(doc, Reject):
        doc.source = source.id
        doc.source_path = url
        doc.payload = text[:MAX_REJECT_PAYLOAD]
        return doc
    if doc.date_source == "metadata":
        doc.date_source = date_source
    return doc


def item_document(source: SourceConfig, item: FeedItem) -> Document | Reject:
    """A Document from the feed item alone (fetch_articles: false): its content or summary is the text."""
    where = item.link or item.guid or source.url or source.id
    text = clean_text(item.summary, item.title)
    if not text.strip():
        return Reject(source.id, where, "extract", "feed item has no text and fetch_articles is false",
                      payload=item.payload()[:MAX_REJECT_PAYLOAD])
    curl = canonical_url(item.link)
    pub = publisher_of(source)
    doc = make_document(
        doc_id=f"{source.id}:{stable_id(curl or item.guid or text)}", source=SOURCE_LABEL.get(source.kind, source.kind),
        source_path=where, text=text, raw_payload=item.payload(), title=item.title, url=curl, outlet=pub.outlet,
        published_at=item.published_at,
        language=detect_language(((item.title or "") + "\n" + text)[:4000]) or source.language,
        doc_type=source.doc_type, source_id=source.id, outlet_country=pub.country, outlet_alignment=pub.alignment,
        author=item.author,
        issuing_body=(source.issuing_body or source.outlet) if source.doc_type == "official_statement" else None,
    )
    if isinstance(doc, Reject):
        doc.source, doc.source_path = source.id, where
        return doc
    if doc.date_source == "metadata":
        doc.date_source = "feed"
    return doc


def fetch_feed(source: SourceConfig, fetcher: Fetcher, url: str | None = None, *,
               config: SourcesConfig | None = None) -> FetchResult | Reject | None:
    """The feed's body, a Reject, or None when the server says nothing changed (304). Conditional only when
    the configuration allows it (network.conditional_requests)."""
    conditional = config.network.conditional_requests if config is not None else True
    try:
        res = fetcher.get(url or source.url, conditional=conditional, accept=FEED_ACCEPT)
    except FetchError as e:
        return fetch_reject(source.id, e)
    return None if res.not_modified else res


def in_window(d: date | None, day: date | None, last: date | None = None) -> bool:
    """Whether a date falls in the window [day, last] (the one day `day` when `last` is None; every date when
    `day` is None). An unknown date is in every window."""
    return day is None or d is None or day <= d <= (last or day)


def forget_validators(fetcher: Fetcher, url: str | None) -> None:
    """Make the next run fetch `url` in full: its answer held items this run did not keep (later days, or
    pages that failed), and a 304 next time would hide them for good."""
    store = getattr(fetcher, "store", None)
    if url and store is not None and hasattr(store, "forget"):
        store.forget(url)


def items_documents(source: SourceConfig, items: list[FeedItem], day: date | None, fetcher: Fetcher,
                    notes: list[str] | None = None, last: date | None = None,
                    backlog: Backlog = NO_BACKLOG) -> list[Document | Reject]:
    """The Documents and Rejects of the feed items published in [day, last] (on `day` when last is None; all
    items when day is None; items without a date are kept and dated from their page), and of the items of
    other days the run's `backlog` still wants (a page that failed, a day whose feed could not be read)."""
    out: list[Document | Reject] = []
    seen: set[str] = set()
    todo: list[FeedItem] = []
    for it in items:
        d = it.published_date()
        if not in_window(d, day, last) and not backlog.wants(it.link, d):
            continue
        key = canonical_url(it.link) or it.guid or it.title or ""
        if key in seen:
            continue
        seen.add(key)
        todo.append(it)
    if len(todo) > source.max_items:
        msg = f"{source.id}: {len(todo)} items for the day, only the first {source.max_items} (max_items) were read"
        log.warning(msg)
        if notes is not None:
            notes.append(msg)
        todo = todo[:source.max_items]
    for it in todo:
        where = it.link or it.guid or source.url or source.id
        try:
            if not source.fetch_articles:
                out.append(item_document(source, it))
                continue
            if not it.link:
                out.append(Reject(source.id, where, "validate", "feed item has no link to its page",
                                  payload=it.payload()[:MAX_REJECT_PAYLOAD]))
                continue
            if not it.link.startswith(("http://", "https://")):
                out.append(Reject(source.id, it.link, "validate", "feed item link is not an http(s) URL"))
                continue
            if not source.allows(it.link):
                out.append(Reject(source.id, it.link, "policy", f"host not in allowlist: {host_of(it.link)}"))
                continue
            doc = page_document(source, it.link, fetcher, item=it, allowed=source.allows)
            if doc is not None:
                out.append(doc)
        except Exception as e:  # noqa: BLE001 - one broken item must not stop the feed
            log.exception("%s: unexpected error on %s", source.id, where)
            out.append(adapter_reject(source.id, where, e))
    return out


def collect_feed(source: SourceConfig, day: date | None, fetcher: Fetcher, *, config: SourcesConfig | None = None,
                 notes: list[str] | None = None, last: date | None = None,
                 backlog: Backlog = NO_BACKLOG) -> list[Document | Reject]:
    """Documents and Rejects of one RSS/Atom source for `day` (UTC), or for the window [day, last]."""
    res = fetch_feed(source, fetcher, config=config)
    if res is None:
        return []
    if isinstance(res, Reject):
        return [res]
    items = parse_feed(res, source.id)
    if isinstance(items, Reject):
        return [items]
    out = items_documents(source, items, day, fetcher, notes, last=last, backlog=backlog)
    if not keeps_everything(items, out, day, last):
        forget_validators(fetcher, source.url)
    return with_warning(items, out)


def with_warning(items: list[FeedItem], out: list[Document | Reject]) -> list[Document | Reject]:
    warning = getattr(items, "warning", None)
    return out + [warning] if warning is not None else out


def keeps_everything(items: list[FeedItem], out: list[Document | Reject], day: date | None,
                     last: date | None) -> bool:
    """Whether this run kept all a feed answer holds for now and later: no item dated after the window, no item
    whose page could not be fetched (a fault is retried by the next full fetch, not hidden behind a 304)."""
    end = last or day
    if end is not None and any((d := it.published_date()) is not None and d > end for it in items):
        return False
    return not has_fault(out)


def has_fault(out: list[Document | Reject]) -> bool:
    """Whether a page of this answer failed with a fault (RETRY_STAGES) that the next full fetch should retry."""
    return any(isinstance(o, Reject) and o.stage in RETRY_STAGES for o in out)


__all__ = [
    "FEED_ACCEPT", "HTML_ACCEPT", "FeedItem", "Publisher", "adapter_reject", "clean_text", "clean_title",
    "collect_feed", "error_page_reason", "fetch_feed", "fetch_reject", "forget_validators", "has_fault", "with_warning", "fragment_text", "in_window", "item_document",
    "items_documents", "keeps_everything", "looks_like_feed", "page_document", "parse_feed", "publisher_of", "host_allowed",
]
