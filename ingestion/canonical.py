"""Canonical forms: the URL and text keys that make the same document recognisable twice."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the page itself.
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|yclid|mc_cid|mc_eid|ref|ref_src|igshid|from)$", re.I)
# Invisible format characters (soft hyphen, zero-width space/joiners, bidi marks, embeddings, overrides and
# isolates, word joiner, BOM): a copy carrying them is the same text. The same set as indicators.text.INVISIBLE_CHARS
# (a test checks), written out here because ingestion may not import the extractor's internals.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def canonical_url(url: str | None) -> str | None:
    """Lower-cased scheme and host, no fragment, no tracking parameters, no trailing slash."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. "http://[::1": kept as given, never a crash
        return url.strip()
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url.strip()
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = _strip_tail(parts.path) or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def _strip_tail(path: str) -> str:
    """The path without what it may end with that never names another page: slashes, and white space a copied
    link dragged along ("/a/ " and "/a" are one page; a regex would be quadratic on a long run of slashes)."""
    i = len(path)
    while i and (path[i - 1] == "/" or path[i - 1].isspace()):
        i -= 1
    return path[:i]


def normalized_text(text: str) -> str:
    """NFKC, folded case and white space, without invisible characters: what two copies of one text have in
    common."""
    # split() and join: the white space \s+ matches (str.isspace), at a third of the regex's cost
    return " ".join(unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).split()).casefold()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalized_text(text).encode("utf-8")).hexdigest()


def stable_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
