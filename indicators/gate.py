"""Relevance gate: which documents can hold a signal about the target at all, decided per column.

A signal needs a reference to the target: one of its aliases or a person/institution of the
target country (``reference.load_target(...).anchor``, the keys ``mentions_target`` looks for).
Most news never names the target, so ``extract()`` asks this gate first, for the whole column at
once, and only sends the documents that pass through the per-document path.

The gate is a *superset* of ``mentions_target`` on the text and on the title: it never drops a
document the exact path would find. It is one regular expression, run by polars (Rust, lazy DFA)
over the raw text column, built from the target's anchor keys:

* keys are folded (``text.fold``: lower case, ё→е, curly quotes/dashes/odd spaces normalised), so
  each key character becomes the class of every raw character that folds to it (``К|к`` for
  ``к``, ``Ё|ё|Е|е`` for ``е``, every dash for ``-``); the regex therefore matches exactly the raw
  spans whose folded form is the key, without folding or lower-casing the documents;
* a key in which a shorter key fires too is dropped, so a stem such as ``казах`` stands for all
  its case forms and the register collapses to about a hundred literals;
* the left word boundary is checked as ``reference.scan`` checks it (the preceding character must
  not be alphanumeric, by Python's own ``isalnum`` table), so «настанет» does not pass for
  ``астан``; the right boundary, stems and everything else are left to the exact path: the gate
  only has to be cheap and never miss;
* keys matched case-sensitively by the extractor (short upper-case aliases such as «РК») are
  matched on their original spelling only.
* a text holding a zero-width or bidi character (``text.INVISIBLE_CHARS``) passes whatever it says:
  the exact path removes those characters before matching ("Каза\\u200bхстан"), which no literal follows.

Everything is taken from the loaded ``Target``: nothing here names a country, so a target config
such as ``am.yaml`` gets its own gate.

``document_languages(texts, titles)`` is a batched stand-in for ``doc_meta.detect_language`` for
documents whose metadata has no language: the same script counts and decision, computed by polars
for all of them at once instead of a Python loop over characters, falling back to the exact
detector whenever the decision would need lingua.
"""

from __future__ import annotations

import array
import itertools
import re
import sys
from functools import cache

import polars as pl

from . import doc_meta
from .reference import Target
from .text import INVISIBLE_CHARS, fold

__all__ = ["candidate_mask", "document_language", "document_languages", "gate_keys", "gate_regex", "passes"]


# ---------------------------------------------------------------------------------------------
# Inverse of fold(): every raw character that folds to a given character
# ---------------------------------------------------------------------------------------------


@cache
def _all_chars() -> str:
    """Every Unicode scalar value, in order, as one string (decoded from UTF-32: C speed)."""
    codes = array.array("L" if array.array("I").itemsize < 4 else "I",
                        itertools.chain(range(0xD800), range(0xE000, 0x110000)))
    return codes.tobytes().decode(f"utf-32-{'le' if sys.byteorder == 'little' else 'be'}")


@cache
def _unfold_table() -> dict[str, str]:
    """folded char -> all raw chars (itself included) that ``fold`` maps to it, where more than one."""
    inv: dict[str, set[str]] = {}
    big = _all_chars()
    step = 4096  # small chunks: one with a char whose lower case is longer (İ) takes fold's slow path
    for lo in range(0, len(big), step):
        raw = big[lo:lo + step]
        folded = fold(raw)
        if folded == raw:
            continue
        if len(folded) != len(raw):  # fold preserves length; stay exact should that ever change
            folded = "".join(fold(c) if len(fold(c)) == 1 else c for c in raw)
        for x, y in zip(raw, folded, strict=True):
            if x != y:
                inv.setdefault(y, {y}).add(x)
    return {k: "".join(sorted(v)) for k, v in inv.items()}


@cache
def _not_alnum_class() -> str:
    """Rust-regex class of every character Python's ``str.isalnum`` rejects (a word boundary on the left).

    Built from Python's own table (``re``'s ``\\w`` is ``isalnum()`` or "_"), so the gate and
    ``reference.scan``'s boundary check agree whatever Unicode versions the two runtimes ship.
    """
    big = _all_chars()
    ranges = []
    for m in re.finditer(r"[^\W_]+", big):
        a, b = ord(big[m.start()]), ord(big[m.end() - 1])
        ranges.append((a, b))
    body = "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" if a != b else f"\\x{{{a:X}}}" for a, b in ranges)
    return "[^" + body + "]"


def _lit(c: str) -> str:
    """One character in Rust-regex syntax (non-alphanumerics as ``\\x{..}``, safe in and out of classes)."""
    return c if c.isalnum() else f"\\x{{{ord(c):X}}}"


def _char_class(c: str) -> str:
    alts = _unfold_table().get(c)
    if not alts:
        return _lit(c)
    return "[" + "".join(_lit(a) for a in alts) + "]"


def _key_regex(key: str) -> str:
    return "".join(_char_class(c) for c in key)


# ---------------------------------------------------------------------------------------------
# Gate keys and regex
# ---------------------------------------------------------------------------------------------


def gate_keys(target: Target) -> tuple[list[str], list[str]]:
    """(folded keys matched in any case, original spellings matched as written), minimised."""
    folded_keys: set[str] = set()
    exact: set[str] = set()
    for key in target.anchor.keys():
        _klen, vals = target.anchor.get(key)
        for _role, _ref, _prefix, orig, rx in vals:
            if orig is not None and rx is None:
                exact.add(orig)  # the extractor compares the raw span with this spelling
            else:
                folded_keys.add(key)  # a '*' stem inside a phrase: the key is its literal head
    return _minimise(folded_keys), _minimise(exact)


def _minimise(keys: set[str]) -> list[str]:
    """Drop every key in which a kept key fires too (the shorter one already opens the gate).

    A kept key ``s`` covers ``k`` when it occurs in ``k`` where its left-boundary condition holds
    inside ``k`` as well: at the start of ``k``, after a non-alphanumeric character of ``k``, or
    anywhere when ``s`` itself starts with a non-alphanumeric character (no boundary check).
    """
    out: list[str] = []
    for k in sorted(keys, key=lambda k: (len(k), k)):
        if not any(_covers(s, k) for s in out):
            out.append(k)
    return out


def _covers(s: str, k: str) -> bool:
    i = k.find(s)
    while i >= 0:
        if i == 0 or not s[0].isalnum() or not k[i - 1].isalnum():
            return True
        i = k.find(s, i + 1)
    return False


@cache
def _regex_for(folded_keys: tuple[str, ...], exact: tuple[str, ...]) -> str:
    """Alternation of the keys; keys starting with a letter or digit must not follow one (as in ``scan``)."""
    parts = [_key_regex(k) for k in folded_keys] + ["".join(_lit(c) for c in k) for k in exact]
    keys = list(folded_keys) + list(exact)
    bounded = [p for p, k in zip(parts, keys, strict=True) if k[0].isalnum()]
    free = [p for p, k in zip(parts, keys, strict=True) if not k[0].isalnum()]
    alts = []
    if bounded:
        alts.append(f"(?:^|{_not_alnum_class()})(?:{'|'.join(bounded)})")
    alts.extend(free)
    return "|".join(alts) if alts else r"[^\s\S]"  # the latter never matches


_REGEX_BY_TARGET: dict[int, tuple[object, str]] = {}


def gate_regex(target: Target) -> str:
    """The gate as one regular expression over raw (unfolded) text, in Rust-regex syntax."""
    hit = _REGEX_BY_TARGET.get(id(target))
    if hit is not None and hit[0] is target.anchor:
        return hit[1]
    fk, ex = gate_keys(target)
    # a text with zero-width or bidi characters passes: the exact path removes them before matching
    # ("Казах\u200bстан"), which no literal here could follow
    rx = _regex_for(tuple(fk), tuple(ex)) + "|[" + "".join(_lit(c) for c in INVISIBLE_CHARS) + "]"
    _REGEX_BY_TARGET[id(target)] = (target.anchor, rx)
    return rx


def candidate_mask(target: Target, docs: pl.DataFrame) -> pl.Series:
    """Boolean Series: True for documents whose text or title may refer to the target."""
    rx = gate_regex(target)
    exprs = []
    for col in ("text", "title"):
        if col in docs.columns:
            exprs.append(pl.col(col).str.contains(rx).fill_null(False))
    if not exprs:
        return pl.Series("gate", [False] * docs.height, dtype=pl.Boolean)
    return docs.select(pl.any_horizontal(exprs).alias("gate")).to_series()


def passes(target: Target, text: str | None, title: str | None = None) -> bool:
    """The gate for a single document (same rule as ``candidate_mask``)."""
    return bool(candidate_mask(target, pl.DataFrame({"text": [text], "title": [title]},
                                                    schema={"text": pl.Utf8, "title": pl.Utf8}))[0])


# ---------------------------------------------------------------------------------------------
# Cheap language of a document the gate dropped (metadata without a language)
# ---------------------------------------------------------------------------------------------


def _class_of(pred, lo: int, hi: int) -> str:
    """Rust-regex class of the characters in [lo, hi) that satisfy ``pred`` (Python's own tables)."""
    return "[" + "".join(_lit(chr(c)) for c in range(lo, hi) if pred(chr(c))) + "]"


_CYR_ALPHA = _class_of(str.isalpha, 0x400, 0x500)
_LAT_ALPHA = _class_of(str.isalpha, 0, 0x250)
_UK_OR_KK = "[" + "".join(sorted(doc_meta._UK_ONLY | doc_meta._KK_ONLY)) + "]"


def document_languages(texts: list[str | None], titles: list[str | None]) -> list[str | None]:
    """``doc_meta.detect_language(text or title)`` for many documents, the script counts done by polars.

    The plain-Russian and plain-English cases (nearly all news) are settled here exactly as
    ``detect_language`` settles them (same letter counts over the same 4000-character sample,
    same thresholds, same English function-word test); everything else goes to
    ``detect_language`` itself.
    """
    srcs = [(t or (ti or "")) for t, ti in zip(texts, titles, strict=True)]
    if not srcs:
        return []
    sample = pl.Series("s", srcs, dtype=pl.Utf8).str.slice(0, doc_meta._SAMPLE_CHARS)
    counts = pl.DataFrame({"s": sample}).select(
        cyr=pl.col("s").str.count_matches(_CYR_ALPHA), lat=pl.col("s").str.count_matches(_LAT_ALPHA),
        other=pl.col("s").str.count_matches(_UK_OR_KK))
    out: list[str | None] = []
    for src, cyr, lat, other in zip(srcs, counts["cyr"], counts["lat"], counts["other"], strict=True):
        out.append(_decide(src, cyr, lat, other))
    return out


def _decide(src: str, cyr: int, lat: int, other: int) -> str | None:
    letters = cyr + lat
    if src.strip() and letters:
        if cyr >= 0.85 * letters:
            if other <= max(1, cyr // 500):
                return "ru"
        elif lat >= 0.85 * letters:
            words = [w.lower() for w in doc_meta._WORD_RE.findall(src[: doc_meta._SAMPLE_CHARS][:1500])]
            if words:
                en = sum(w in doc_meta._EN_FUNCTION_WORDS for w in words)
                hints = sum(w in doc_meta._DE_FR_HINTS for w in words)
                if en >= 0.12 * len(words) and en > 3 * hints:
                    return "en"
    return doc_meta.detect_language(src)


def document_language(text: str | None, title: str | None = None) -> str | None:
    """``document_languages`` for one document."""
    return document_languages([text], [title])[0]
