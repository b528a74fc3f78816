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
import zlib
from bisect import bisect_left
from collections import Counter
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


def shingles(text: str, k: int = SHINGLE_WORDS) -> Shingles:
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return _EMPTY
    w = np.fromiter((zlib.crc32(x.encode("utf-8")) for x in words), dtype=np.uint64, count=len(words))
    n = len(words) - k + 1
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
        self._live = 0  # entries before this number have expired
        # the last day whose documents, stored and new, are all in the index (set by the store's sweep)
        self.complete_through: date | None = None

    def add(self, entry: Entry) -> None:
        if self.entries and entry.published_date < self.entries[-1].published_date:
            raise ValueError(f"entries must come in date order: {entry.published_date} after "
                             f"{self.entries[-1].published_date}")
        n = len(self.entries)
        self.entries.append(entry)
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
            kept = entries[live:]
            self.entries, self._index, self._live = [], {}, 0
            for e in kept:
                self.add(e)

    def original_of(self, own: Shingles, language: str | None, key: tuple[date, str], max_days: int
                    ) -> Entry | None:
        """The earliest (date, id) document before `key`, in the language, at most `max_days` away, that the
        text republishes; None when there is none."""
        mine = sampled(own)
        live, index = self._live, self._index

        def candidates(posting: list[int]) -> list[int]:
            start = bisect_left(posting, live) if posting[0] < live else 0
            return posting[start:start + MAX_POSTING]

        hits = Counter(chain.from_iterable(candidates(p) for p in map(index.get, mine) if p))
        # A copy shares about 80% of the shorter text's sampled shingles or more; texts sharing under half of
        # them (common phrases, boilerplate) are not compared in full. Small samples are always compared.
        entries = self.entries
        found = []
        for n, count in hits.items():
            e = entries[n]
            smaller = min(len(mine), e.n_sampled)
            if count >= PREFILTER_SHARE * smaller or smaller < PREFILTER_MIN:
                found.append(e)
        for e in sorted(found, key=lambda e: e.key):
            if e.language == language and e.key < key and abs((e.published_date - key[0]).days) <= max_days \
                    and is_near_duplicate(own, e.shingles):
                return e
        return None
