"""Text helpers shared by the extractor: length-preserving folding and sentence boundaries.

``fold`` maps a string to a matching form of exactly the same length (so offsets found in the
folded text are offsets in the original): lower case, ё→е, curly quotes and apostrophes to
straight ones, non-breaking and other exotic spaces to a plain space, dashes to "-".

``Sentences`` computes sentence spans for one document (only documents that have hits are ever
split): newlines always end a sentence; ., !, ? and … end one when followed by space and an
upper-case letter, digit, quote or bullet, except after common abbreviations and initials, and
not inside an open quotation (quotes close at the end of a line at the latest).
"""

from __future__ import annotations

import bisect
import re

_FOLD_MAP = {
    "ё": "е", "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
    "\u2002": " ", "\u2003": " ", "\t": " ",
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
}
# lower() then a substitution of only the few mapped characters: str.translate with a dict costs a
# dict lookup per character (~20 MB/s on non-ASCII text), this is ~10x faster and gives the same string.
_FOLD_RE = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")


def _fold_sub(m: re.Match) -> str:
    return _FOLD_MAP[m.group()]


def fold(s: str) -> str:
    """Case-fold and normalise punctuation without changing the string's length."""
    low = s.lower()
    if len(low) != len(s):  # rare characters whose lower case is longer (e.g. "İ")
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
    return _FOLD_RE.sub(_fold_sub, low)


# Invisible format characters: soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width space,
# non-joiner and joiner, left-to-right and right-to-left marks, bidi embeddings and overrides (U+202A-U+202E),
# word joiner and invisible operators (U+2060-U+2064), bidi isolates (U+2066-U+2069) and the BOM / zero-width
# no-break space. Inside a word they hide it from any matcher ("Казах\u200bстан"); the extractor removes them
# before matching (``Visible``) and maps offsets back to the original text.
INVISIBLE_CHARS = ("\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                   "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff")
_INVISIBLE_RUN = re.compile("[" + INVISIBLE_CHARS + "]+")


class Visible:
    """A text without its invisible characters, and the way back to the original's offsets.

    ``Visible(original).text`` is what the extractor matches and splits ("Казах\\u200bстан" becomes
    "Казахстан"); ``span(a, b)`` turns a span of that text into the span of the original that shows the same
    characters (invisible ones inside it included, none at its ends), so an emitted sentence is the original's
    text and its offsets point into the original. A text without invisible characters costs one regex search.
    """

    __slots__ = ("_orig_starts", "_starts", "original", "text")

    def __init__(self, original: str):
        self.original = original
        starts, orig_starts, pieces = [0], [0], []
        pos = 0
        for m in _INVISIBLE_RUN.finditer(original):
            pieces.append(original[pos:m.start()])
            pos = m.end()
            starts.append(starts[-1] + len(pieces[-1]))
            orig_starts.append(pos)
        if not pieces:
            self.text = original
            self._starts = self._orig_starts = None
            return
        pieces.append(original[pos:])
        self.text = "".join(pieces)
        self._starts, self._orig_starts = starts, orig_starts  # the k-th visible run begins at these offsets

    @property
    def changed(self) -> bool:
        return self._starts is not None

    def _pos(self, i: int) -> int:
        """Offset in the original of the visible character at ``i``."""
        k = bisect.bisect_right(self._starts, i) - 1
        return self._orig_starts[k] + (i - self._starts[k])

    def span(self, a: int, b: int) -> tuple[int, int]:
        """The original's span of visible span [a, b)."""
        if self._starts is None:
            return a, b
        if b <= a:
            p = self._pos(a) if a < len(self.text) else len(self.original)
            return p, p
        return self._pos(a), self._pos(b - 1) + 1


_OPEN_Q = set("“«„")
_CLOSE_Q = set("”»")
_TERM = set(".!?…")
_ABBREV = frozenset(
    "mr mrs ms dr st gen lt col maj sgt capt prof sen rep gov jr sr vs etc inc ltd co corp no dept "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.g i.e approx fig "
    "г гг т.е т.д т.п им ул д проф ген см стр рис".split()
)
_MAX_QUOTE = 600  # an open quote longer than this is treated as unbalanced


# Only newlines, quotes and terminators can change the splitter's state, so the loop visits just those
# characters (the quote-expiry test is monotonic between two of them, so checking it at the next one is
# equivalent to checking it at every character).
_SPECIAL = re.compile("[\n\r" + re.escape("".join(sorted(_OPEN_Q | _CLOSE_Q))) + '".!?…]')


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text``, trimmed of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    in_quote = False
    quote_at = 0
    resume = 0
    for mt in _SPECIAL.finditer(text):
        i = mt.start()
        if i < resume:
            continue
        c = text[i]
        if c == "\n" or c == "\r":
            spans.append((start, i))
            start = i + 1
            in_quote = False
            continue
        if c in _OPEN_Q:
            in_quote, quote_at = True, i
        elif c in _CLOSE_Q:
            in_quote = False
        elif c == '"':
            # straight quote: opening when preceded by space/start, else closing
            prev = text[i - 1] if i > 0 else " "
            if prev.isspace() or prev in "([:—–-":
                in_quote, quote_at = True, i
            else:
                in_quote = False
        if in_quote and i - quote_at > _MAX_QUOTE:
            in_quote = False
        if c in _TERM and not in_quote:
            j = i + 1
            while j < n and text[j] in _TERM:
                j += 1
            k = j
            while k < n and text[k] in "\"'”’»)]":
                k += 1
            closed_quote = k > j and any(ch in "\"”»" for ch in text[j:k])
            if k < n and text[k] in " \u00a0\t":
                m = k
                while m < n and text[m] in " \u00a0\t":
                    m += 1
                if m < n and not closed_quote:
                    nxt = text[m]
                    if (nxt.isupper() or nxt.isdigit() or nxt in "\"“«'‘•-–—(") and not _is_abbrev(text, i):
                        spans.append((start, k))
                        start = m
                        resume = m
    spans.append((start, n))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def _is_abbrev(text: str, i: int) -> bool:
    """True when the '.' at ``i`` ends an abbreviation or an initial."""
    if text[i] != ".":
        return False
    j = i
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    tok = text[j:i].lower().strip(".")
    if not tok:
        return False
    if len(tok) == 1 and text[j].isupper():
        return True  # initial: "A. Gurulyov"
    return tok in _ABBREV


class Sentences:
    """Sentence spans of one document with offset lookup by bisection."""

    __slots__ = ("spans", "starts", "text")

    def __init__(self, text: str):
        self.text = text
        self.spans = sentence_spans(text)
        self.starts = [a for a, _ in self.spans]

    def index_of(self, pos: int) -> int:
        """Index of the sentence containing (or, between sentences, preceding) ``pos``."""
        i = bisect.bisect_right(self.starts, pos) - 1
        return max(i, 0)

    def __len__(self) -> int:
        return len(self.spans)

    def span(self, i: int) -> tuple[int, int]:
        return self.spans[i]

    def sentence(self, i: int) -> str:
        a, b = self.spans[i]
        return self.text[a:b]

    def line_start(self, i: int) -> bool:
        """True when sentence ``i`` begins a line (a heading, paragraph or list item)."""
        a = self.spans[i][0]
        k = a - 1
        while k >= 0 and self.text[k] in " \t\u00a0":
            k -= 1
        return k < 0 or self.text[k] == "\n"

    def same_paragraph(self, i: int, j: int) -> bool:
        """True when no blank line separates sentences ``i`` < ``j``."""
        a = self.spans[i][1]
        b = self.spans[j][0]
        return "\n" not in self.text[a:b]


_BULLET_RE = re.compile(r"^\s*[•·▪◦\-–—*]\s")


def is_bullet(text: str, start: int) -> bool:
    """True when the line holding offset ``start`` is a list item."""
    ls = text.rfind("\n", 0, start) + 1
    return bool(_BULLET_RE.match(text[ls:start + 2]))
