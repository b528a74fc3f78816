"""Near-duplicates: the same story republished with other furniture (bylines, "Share", a different headline).

Two texts are near-duplicates when most of the shorter one's word 5-grams occur in the longer one. Candidates
come from an inverted index of a fixed sample of shingles (those whose hash is 0 modulo SAMPLE_MOD, the same
sample for every text, so two copies share sampled shingles whenever they share many shingles), and only
candidates are compared in full: the cost grows with the documents, not with their pairs. Candidates are limited
to documents of nearby days in the same language.

Shingles are 64-bit hashes computed with numpy from each word's CRC-32 (a polynomial over the five words, then a
mixing step so that the sample does not follow a few bits of the words), held as sorted unique arrays: hashing a
text and comparing two cost microseconds, not a Python object per shingle."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from itertools import chain

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE_WORDS = 5
# Share of the shorter text's shingles found in the longer one above which the two are one story.
CONTAINMENT_THRESHOLD = 0.8
# Texts shorter than this many words are too short to call duplicates by shingles.
MIN_WORDS = 25
# One shingle in SAMPLE_MOD is indexed. Two copies at the threshold share at least 80% of the shorter text's
# shingles; the chance that none of them is sampled is (1 - 1/4)^shared: 0.7% for the shortest texts (17 shared
# shingles), below 1e-10 from 80 on. tests/unit/ingestion/test_neardup.py counts pairs found and missed.
SAMPLE_MOD = 4
PREFILTER_SHARE, PREFILTER_MIN = 0.5, 12
# Of the texts sharing a sampled shingle, only the earliest MAX_POSTING are candidates: a shingle that common is
# boilerplate ("subscribe to our channel") or a wire story republished many times, whose original is among the
# earliest (the index holds texts in date order). This bounds the work per text whatever the day's volume.
MAX_POSTING = 20
# Expired entries are dropped in bulk once they are this share of the index (and at least COMPACT_MIN of them).
COMPACT_SHARE, COMPACT_MIN = 0.5, 1000

Shingles = np.ndarray  # sorted unique uint64
_EMPTY: Shingles = np.zeros(0, dtype=np.uint64)
_MULT = np.uint64(0x100000001B3)
_MIX1, _MIX2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
# Which code points of the Basic Multilingual Plane are word characters as the regex \w has them (alphanumeric
# or "_"): texts are split into words by array operations on their code points, not by a Python loop.
_IS_WORD = np.array([chr(c).isalnum() or c == 0x5F for c in range(0x10000)], dtype=bool)
_POWERS: list[np.ndarray] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]  # _MULT^i, its inverse^i
_INVERSE = np.uint64(pow(int(_MULT), -1, 2**64))


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """_MULT^i and _MULT^-i modulo 2^64 for i < n (grown as longer texts come)."""
    if len(_POWERS[0]) < n:
        size = max(n, 2 * len(_POWERS[0]))
        for k, base in ((0, _MULT), (1, _INVERSE)):
            p = np.full(size, base, dtype=np.uint64)
            p[0] = 1
            _POWERS[k] = np.cumprod(p, dtype=np.uint64)  # wraps: powers modulo 2^64
    return _POWERS[0][:n], _POWERS[1][:n]


def word_hashes(text: str) -> np.ndarray:
    """One 64-bit hash per word (\\w+) of the casefolded text, in order: a polynomial over the word's code points,
    computed for all words at once from prefix sums."""
    cp = np.frombuffer(text.casefold().encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    if not cp.size:
        return _EMPTY
    if cp.max() <= 0xFFFF:
        is_word = _IS_WORD[cp]
    else:  # beyond the BMP (rare): those code points one by one
        is_word = _IS_WORD[np.minimum(cp, 0xFFFF)]
        big = np.flatnonzero(cp > 0xFFFF)
        is_word[big] = [chr(int(c)).isalnum() for c in cp[big]]
    edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    power, inverse = _powers(cp.size)
    prefix = np.zeros(cp.size + 1, dtype=np.uint64)
    np.cumsum((cp + np.uint64(1)) * power, dtype=np.uint64, out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverse[starts]


def shingles(text: str, k: int = SHINGLE_WORDS) -> Shingles:
    w = word_hashes(text)
    if len(w) < MIN_WORDS:
        return _EMPTY
    n = len(w) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):  # uint64 arithmetic wraps: a polynomial hash modulo 2^64
        h = h * _MULT + w[j:j + n]
    # the finaliser of MurmurHash3, so that every bit (the sample's included) depends on every word
    h ^= h >> _S33
    h *= _MIX1
    h ^= h >> _S33
    h *= _MIX2
    h ^= h >> _S33
    return np.unique(h)


def containment(a: Shingles, b: Shingles) -> float:
    """|a ∩ b| / min(|a|, |b|): 1.0 when the shorter text is wholly inside the longer one."""
    if not len(a) or not len(b):
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return np.intersect1d(small, large, assume_unique=True).size / len(small)


def is_near_duplicate(a: Shingles, b: Shingles) -> bool:
    return containment(a, b) >= CONTAINMENT_THRESHOLD


def sampled(sh: Shingles) -> list[int]:
    return sh[sh % SAMPLE_MOD == 0].tolist()


@dataclass
class Entry:
    published_date: date
    doc_id: str
    language: str | None
    shingles: Shingles
    near_duplicate_of: str | None
    n_sampled: int = 0

    def __post_init__(self) -> None:
        self.n_sampled = int(np.count_nonzero(self.shingles % SAMPLE_MOD == 0))

    @property
    def key(self) -> tuple[date, str]:
        return (self.published_date, self.doc_id)


class NearDuplicateIndex:
    """Documents of a few consecutive days, indexed by sampled shingle, for finding what a text republishes.

    Entries are added in date order, so the expired ones are always the first: forgetting a day moves a
    boundary, and posting lists (ascending entry numbers) are read from it on."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.entries: list[Entry] = []
        self._index: dict[int, list[int]] = {}
        self._n_sampled = np.zeros(1024, dtype=np.int64)  # by entry number, for counting candidates in bulk
        self._live = 0  # entries before this number have expired
        # the last day whose documents, stored and new, are all in the index (set by the store's sweep)
        self.complete_through: date | None = None

    def add(self, entry: Entry) -> None:
        if self.entries and entry.published_date < self.entries[-1].published_date:
            raise ValueError(f"entries must come in date order: {entry.published_date} after "
                             f"{self.entries[-1].published_date}")
        n = len(self.entries)
        self.entries.append(entry)
        if n == len(self._n_sampled):
            self._n_sampled = np.concatenate([self._n_sampled, np.zeros(n, dtype=np.int64)])
        self._n_sampled[n] = entry.n_sampled
        index = self._index
        for h in sampled(entry.shingles):
            posting = index.get(h)
            if posting is None:
                index[h] = [n]
            else:
                posting.append(n)

    def keep_from(self, first: date) -> None:
        """Forget the documents published before `first`."""
        entries, live = self.entries, self._live
        while live < len(entries) and entries[live].published_date < first:
            live += 1
        self._live = live
        if live >= COMPACT_MIN and live >= COMPACT_SHARE * len(entries):
            kept, through = entries[live:], self.complete_through
            self.clear()
            self.complete_through = through
            for e in kept:
                self.add(e)

    def original_of(self, own: Shingles, language: str | None, key: tuple[date, str], max_days: int
                    ) -> Entry | None:
        """The earliest (date, id) document before `key`, in the language, at most `max_days` away, that the
        text republishes; None when there is none."""
        mine = sampled(own)
        live, index = self._live, self._index
        postings = (p[:MAX_POSTING] if p[0] >= live else p[(i := bisect_left(p, live)):i + MAX_POSTING]
                    for p in map(index.get, mine) if p)
        numbers, counts = np.unique(np.fromiter(chain.from_iterable(postings), dtype=np.int64), return_counts=True)
        if not numbers.size:
            return None
        # A copy shares about 80% of the shorter text's sampled shingles or more; texts sharing under half of
        # them (common phrases, boilerplate) are not compared in full. Small samples are always compared.
        smaller = np.minimum(len(mine), self._n_sampled[numbers])
        chosen = numbers[(counts >= PREFILTER_SHARE * smaller) | (smaller < PREFILTER_MIN)]
        entries = self.entries
        for e in sorted((entries[n] for n in chosen.tolist()), key=lambda e: e.key):
            if e.language == language and e.key < key and abs((e.published_date - key[0]).days) <= max_days \
                    and is_near_duplicate(own, e.shingles):
                return e
        return None
