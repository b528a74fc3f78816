"""Document metadata helpers: language detection and publication-date finding.

Plain functions, no I/O; safe to call from ingestion for every document.

* ``detect_language(text)`` – ISO 639-1 code or None.  A script-count fast path settles the
  common unambiguous cases (plain Russian, plain English); lingua, restricted to a handful of
  languages and built lazily once, decides the rest.
* ``find_date(text, title=None)`` – the publication date written in the text (dateline first).
* ``parse_published_at(value)`` – ISO date / date-time metadata to a UTC ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from .text import INVISIBLE_CHARS

__all__ = ["detect_language", "find_date", "parse_published_at"]

# ---------------------------------------------------------------------------------------------
# Language detection
# ---------------------------------------------------------------------------------------------

_SAMPLE_CHARS = 4000  # enough letters to decide; keeps detection O(1) per document
_UK_ONLY = set("іїєґІЇЄҐ")  # letters Ukrainian has and Russian lacks
_KK_ONLY = set("әғқңөұүһӘҒҚҢӨҰҮҺ")  # letters Kazakh has and Russian lacks (і is shared with uk)
_EN_FUNCTION_WORDS = frozenset(
    "the of and to in is that for on with as was by it are from at this be have has not which".split()
)
_DE_FR_HINTS = frozenset("der die und das nicht ist mit le la les des est une pas dans pour qui".split())
_WORD_RE = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1)
def _detector():
    """Build the lingua detector once, with a small language set (all languages cost >1 GB)."""
    from lingua import Language, LanguageDetectorBuilder

    langs = [Language.ENGLISH, Language.RUSSIAN, Language.UKRAINIAN, Language.KAZAKH,
             Language.GERMAN, Language.FRENCH]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def _lingua(text: str) -> str | None:
    lang = _detector().detect_language_of(text)
    if lang is None:
        return None
    return lang.iso_code_639_1.name.lower()


def detect_language(text: str | None) -> str | None:
    """Return an ISO 639-1 code ("en", "ru", "uk", "kk", "de", "fr") or None for empty text."""
    if not text or not text.strip():
        return None
    sample = text[:_SAMPLE_CHARS]
    cyr = lat = uk = kk = 0
    for ch in sample:
        if ch.isalpha():
            o = ord(ch)
            if 0x400 <= o <= 0x4FF:
                cyr += 1
                if ch in _UK_ONLY:
                    uk += 1
                elif ch in _KK_ONLY:
                    kk += 1
            elif o < 0x250:
                lat += 1
    letters = cyr + lat
    if letters == 0:
        return None
    if cyr >= 0.85 * letters:
        # Russian unless letters foreign to Russian show up at a non-trivial rate.
        if uk + kk <= max(1, cyr // 500):
            return "ru"
        return _lingua(sample)
    if lat >= 0.85 * letters:
        words = [w.lower() for w in _WORD_RE.findall(sample[:1500])]
        if words:
            en = sum(w in _EN_FUNCTION_WORDS for w in words)
            other = sum(w in _DE_FR_HINTS for w in words)
            if en >= 0.12 * len(words) and en > 3 * other:
                return "en"
        return _lingua(sample)
    return _lingua(sample)


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_MIN_YEAR, _MAX_YEAR = 1990, 2100
# zero-width and bidi characters inside a dateline ("6\u200b апреля 2024") hide it from the patterns below
_INVISIBLE_RE = re.compile("[" + INVISIBLE_CHARS + "]")
_HEAD_CHARS = 600  # a date this close to the top is a dateline

_EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
# Russian months in the genitive (the form used after a day number), plus common abbreviations.
_RU_MONTHS = {
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
}
# Day ordinals in the genitive ("восьмого апреля").
_RU_DAY_ORD = {
    "первого": 1, "второго": 2, "третьего": 3, "четвертого": 4, "пятого": 5, "шестого": 6,
    "седьмого": 7, "восьмого": 8, "девятого": 9, "десятого": 10, "одиннадцатого": 11,
    "двенадцатого": 12, "тринадцатого": 13, "четырнадцатого": 14, "пятнадцатого": 15,
    "шестнадцатого": 16, "семнадцатого": 17, "восемнадцатого": 18, "девятнадцатого": 19,
    "двадцатого": 20, "тридцатого": 30,
}
_RU_TENS_CARD = {"двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60,
                 "семьдесят": 70, "восемьдесят": 80, "девяносто": 90}
_RU_TENS_ORD = {"двадцатого": 20, "тридцатого": 30, "сорокового": 40, "пятидесятого": 50,
                "шестидесятого": 60, "семидесятого": 70, "восьмидесятого": 80, "девяностого": 90}
_RU_UNITS_ORD = {k: v for k, v in _RU_DAY_ORD.items() if v < 20}

_EN_MONTH_RE = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_RU_MONTH_RE = r"(января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|янв|февр|фев|мар|апр|июн|июл|авг|сент|сен|окт|нояб|ноя|дек)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"((?:19|20|21)\d\d)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"(?<!\d)" + _YEAR + r"[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")),
    ("dmy_num", re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\." + _YEAR + r"(?!\d)")),
    ("mdy_en", re.compile(r"\b" + _EN_MONTH_RE + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b", re.I)),
    ("dmy_en", re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _EN_MONTH_RE + r",?\s+" + _YEAR + r"\b", re.I)),
    ("dmy_ru", re.compile(r"(?<!\d)(\d{1,2})\s+" + _RU_MONTH_RE + r"\s+" + _YEAR + r"(?!\d)", re.I)),
]
_RU_WORDS_RE = re.compile(
    r"(?<![а-яё])((?:двадцать|тридцать)\s+)?([а-яё]+ого)\s+" + _RU_MONTH_RE
    + r"\s+(\d{4}|две\s+тысячи(?:\s+[а-яё]+){0,2})\s+г", re.I)


def _mk(y: int, m: int, d: int) -> dt.date | None:
    if not (_MIN_YEAR <= y <= _MAX_YEAR):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _ru_year_words(s: str) -> int | None:
    """'две тысячи двадцать четвертого' -> 2024; '2024' -> 2024."""
    s = s.strip().lower().replace("ё", "е")
    if s.isdigit():
        return int(s)
    words = s.split()
    if words[:2] != ["две", "тысячи"] and words[:2] != ["две", "тысяч"]:
        return None
    rest = words[2:]
    if not rest:
        return None
    total = 2000
    if rest[0] in _RU_TENS_CARD and len(rest) == 2 and rest[1] in _RU_UNITS_ORD and _RU_UNITS_ORD[rest[1]] < 10:
        return total + _RU_TENS_CARD[rest[0]] + _RU_UNITS_ORD[rest[1]]
    if len(rest) == 1 and rest[0] in _RU_TENS_ORD:
        return total + _RU_TENS_ORD[rest[0]]
    if len(rest) == 1 and rest[0] in _RU_UNITS_ORD:
        return total + _RU_UNITS_ORD[rest[0]]
    return None


_YEAR_ANCHOR = re.compile(r"(?<!\d)(?:19|20|21)\d\d(?!\d)")


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged windows around every 4-digit year: the only places a numeric-year date can be."""
    out: list[tuple[int, int]] = []
    for m in _YEAR_ANCHOR.finditer(text):
        a, b = max(0, m.start() - 48), min(len(text), m.end() + 8)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _candidates(text: str) -> list[tuple[int, dt.date]]:
    """All plausible dates in ``text`` as (offset, date)."""
    out: list[tuple[int, dt.date]] = []
    for wa, wb in _windows(text):
        out.extend((o + wa, d) for o, d in _window_candidates(text[wa:wb]))
    if "тысяч" in text:
        out.extend(_word_candidates(text))
    out.sort(key=lambda t: t[0])
    return out


def _window_candidates(text: str) -> list[tuple[int, dt.date]]:
    out: list[tuple[int, dt.date]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            g = m.groups()
            if kind == "ymd":
                d = _mk(int(g[0]), int(g[1]), int(g[2]))
            elif kind == "dmy_num":
                d = _mk(int(g[2]), int(g[1]), int(g[0]))
            elif kind == "mdy_en":
                d = _mk(int(g[2]), _EN_MONTHS[g[0].lower()], int(g[1]))
            elif kind == "dmy_en":
                d = _mk(int(g[2]), _EN_MONTHS[g[1].lower()], int(g[0]))
            else:  # dmy_ru
                d = _mk(int(g[2]), _RU_MONTHS[g[1].lower()], int(g[0]))
            if d is not None:
                out.append((m.start(), d))
    if "ого" in text:
        out.extend(_word_candidates(text))
    return out


def _word_candidates(text: str) -> list[tuple[int, dt.date]]:
    """Russian dates with the day (and possibly the year) written out in words."""
    out: list[tuple[int, dt.date]] = []
    if "ого" in text:
        for m in _RU_WORDS_RE.finditer(text):
            tens, unit, month, year = m.groups()
            day = _RU_DAY_ORD.get(unit.lower().replace("ё", "е"))
            if day is None:
                continue
            if tens:
                if day >= 10:
                    continue
                day += _RU_TENS_CARD[tens.strip().lower()]
            y = _ru_year_words(year)
            if y is None:
                continue
            d = _mk(y, _RU_MONTHS[month.lower()], day)
            if d is not None:
                out.append((m.start(), d))
    return out


def find_date(text: str | None, title: str | None = None) -> dt.date | None:
    """The publication date written in a document, or None.

    Preference: a date in the dateline (first ~600 characters of the text), then one in the
    title, then the earliest date anywhere in the text (dates of past events tend to come later
    in the body than the dateline).
    """
    text = _INVISIBLE_RE.sub("", text or "").replace("\u00a0", " ")
    head = _candidates(text[:_HEAD_CHARS + 40]) if text else []
    if head and head[0][0] < _HEAD_CHARS:
        return head[0][1]
    cands = _candidates(text) if text else []
    if cands and cands[0][0] < _HEAD_CHARS:
        return cands[0][1]
    if title:
        tc = _candidates(_INVISIBLE_RE.sub("", title).replace("\u00a0", " "))
        if tc:
            return tc[0][1]
    return cands[0][1] if cands else None


def parse_published_at(value) -> dt.date | None:
    """ISO date or date-time (with 'Z' or an offset) -> the date in UTC; None when invalid."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, dt.date):
        return value
    else:
        s = str(value).strip()
        if not s:
            return None
        if len(s) == 10:
            try:
                return dt.date.fromisoformat(s)
            except ValueError:
                return None
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            ts = dt.datetime.fromisoformat(s.replace(" ", "T", 1) if "T" not in s else s)
        except ValueError:
            return None
    if ts.tzinfo is not None:
        try:
            ts = ts.astimezone(dt.UTC)
        except OverflowError:  # "0001-01-01T00:00:00+05:00": an instant before year 1 (or after 9999) in UTC
            return None
    d = ts.date()
    return d if _MIN_YEAR <= d.year <= _MAX_YEAR else None
