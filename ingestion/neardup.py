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
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

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
assert SAMPLE_MOD & (SAMPLE_MOD - 1) == 0, "sampled() masks: SAMPLE_MOD must be a power of two"
PREFILTER_SHARE, PREFILTER_MIN = 0.5, 12
# Of the texts sharing a sampled shingle, only the earliest MAX_POSTING are candidates: a shingle that common is
# boilerplate ("subscribe to our channel") or a wire story republished many times, whose original is among the
# earliest (the index holds texts in date order). This bounds the work per text whatever the day's volume.
MAX_POSTING = 8

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
    cp = np.frombuffer(text.casefold().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not cp.size:
        return _EMPTY
    if cp.max() <= 0xFFFF:
        is_word = _IS_WORD[cp]
    else:  # beyond the BMP (rare): those code points one by one
        is_word = _IS_WORD[np.minimum(cp, 0xFFFF)]
        big = np.flatnonzero(cp > 0xFFFF)
        is_word[big] = [chr(int(c)).isalnum() for c in cp[big]]
    # (in-place and preallocated array operations throughout: on a text of a few hundred words each numpy
    # call's overhead is most of its cost)
    padded = np.zeros(cp.size + 2, dtype=np.int8)
    padded[1:-1] = is_word
    edges = padded[1:] - padded[:-1]
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    power, inverse = _powers(cp.size)
    prefix = np.zeros(cp.size + 1, dtype=np.uint64)
    terms = cp.astype(np.uint64)
    terms += np.uint64(1)
    terms *= power
    np.cumsum(terms, dtype=np.uint64, out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverse[starts]


def shingles(text: str, k: int = SHINGLE_WORDS) -> Shingles:
    w = word_hashes(text)
    if len(w) < MIN_WORDS:
        return _EMPTY
    n = len(w) - k + 1
    h = w[:n].copy()
    for j in range(1, k):  # uint64 arithmetic wraps: a polynomial hash modulo 2^64, w[0]*M^(k-1) + ... + w[k-1]
        h *= _MULT
        h += w[j:j + n]
    # the finaliser of MurmurHash3, so that every bit (the sample's included) depends on every word
    h ^= h >> _S33
    h *= _MIX1
    h ^= h >> _S33
    h *= _MIX2
    h ^= h >> _S33
    # sorted unique: sorting and dropping repeats costs a third of np.unique's hash table on a few hundred values
    h.sort()
    return h[_first_of_runs(h)]


def containment(a: Shingles, b: Shingles) -> float:
    """|a ∩ b| / min(|a|, |b|): 1.0 when the shorter text is wholly inside the longer one."""
    if not len(a) or not len(b):
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return np.intersect1d(small, large, assume_unique=True).size / len(small)


def is_near_duplicate(a: Shingles, b: Shingles) -> bool:
    return containment(a, b) >= CONTAINMENT_THRESHOLD


def sampled(sh: Shingles) -> Shingles:
    return sh[sh & np.uint64(SAMPLE_MOD - 1) == 0]  # (SAMPLE_MOD a power of two: a mask, not a division)


@dataclass
class Entry:
    published_date: date
    doc_id: str
    language: str | None
    shingles: Shingles
    near_duplicate_of: str | None
    sampled: Shingles = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sampled = sampled(self.shingles)

    @property
    def key(self) -> tuple[date, str]:
        return (self.published_date, self.doc_id)


Pairs = tuple[np.ndarray, np.ndarray]  # (hashes, entry numbers), sorted by hash, then number
_NO_PAIRS: Pairs = (_EMPTY, np.zeros(0, dtype=np.int64))


class NearDuplicateIndex:
    """Documents of a few consecutive days, for finding what a text republishes.

    Entries come in date order and are numbered once, so the expired ones are always the first: forgetting a day
    moves a boundary. Their sampled shingles are (hash, entry number) pairs sorted by hash, then number, in two
    arrays: the earlier days', rebuilt once a day, and the current day's, which each batch of that day merges
    into. A posting list is a run of the first followed by a run of the second, and a day's documents are looked
    up with array operations, not a Python loop per shingle (the loop cost 0.4 ms a document at 33,000 documents
    a day; one array merged with every batch grew with the index)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.entries: list[Entry] = []
        self._first = 0  # the number of entries[0]
        self._old: Pairs = _NO_PAIRS  # (hashes, numbers) of the days before the last entry's
        self._new: Pairs = _NO_PAIRS  # and of that day
        self._sizes = np.zeros(0, dtype=np.int64)  # sampled shingles of each entry, by number - _first
        # the last day whose documents, stored and new, are all in the index (set by the store's sweep)
        self.complete_through: date | None = None

    def keep_from(self, first: date) -> None:
        """Forget the documents published before `first`."""
        k = 0
        while k < len(self.entries) and self.entries[k].published_date < first:
            k += 1
        if k:
            self.entries = self.entries[k:]
            self._sizes = self._sizes[k:]
            self._first += k
            self._old, self._new = (_live(pairs, self._first) for pairs in (self._old, self._new))

    def sweep(self, items: list[tuple[Entry, bool]], max_days: int) -> list[Entry | None]:
        """Add `items` in their order (date order, after the entries already here) and, for each one marked
        True, return the earliest (date, id) entry before it, in its language, at most `max_days` earlier, that it
        republishes (None when there is none, and for items marked False). An item that republishes another
        gets near_duplicate_of: the other's original, or the other."""
        found: list[Entry | None] = [None] * len(items)
        i = 0
        while i < len(items):  # a day at a time: its live window is one boundary
            day, j = items[i][0].published_date, i
            while j < len(items) and items[j][0].published_date == day:
                j += 1
            current = self.entries[-1].published_date if self.entries else None
            if current is not None and day < current:
                raise ValueError(f"entries must come in date order: {day} after {current}")
            if day != current:  # the current day's pairs join the earlier days', the expired gone first
                self.keep_from(day - timedelta(days=max_days))  # (the merge then moves only those that stay)
                self._old, self._new = _merge(self._old, self._new), _NO_PAIRS
            found[i:j] = self._add_day(items[i:j], max_days)
            i = j
        return found

    def _add_day(self, items: list[tuple[Entry, bool]], max_days: int) -> list[Entry | None]:
        start = self._first + len(self.entries)
        self.entries.extend(e for e, _ in items)
        lens = np.array([len(e.sampled) for e, _ in items], dtype=np.int64)
        self._sizes = np.concatenate([self._sizes, lens])
        new_h = np.concatenate([e.sampled for e, _ in items]) if len(items) else _EMPTY
        new_n = np.repeat(np.arange(start, start + len(items), dtype=np.int64), lens)
        self._new = _merge(self._new, (new_h, new_n))
        hashes, numbers = self._new
        is_query = np.array([q for _, q in items], dtype=bool)
        pos = np.flatnonzero(numbers >= start)
        pos = pos[is_query[numbers[pos] - start]]
        if not pos.size:
            return [None] * len(items)
        # a posting list, as it stood when the text came: the entries before it under the hash, of which the
        # earliest MAX_POSTING (a shingle that common is boilerplate, or a story whose original is among them):
        # the earlier days' first, then the current day's before it
        # (each distinct hash looked up once: `mine` is sorted, and a day's texts share many)
        mine = hashes[pos]
        first_of_run = _first_of_runs(mine)
        distinct, which = mine[first_of_run], np.cumsum(first_of_run) - 1
        old_h, old_n = self._old
        old_at = np.searchsorted(old_h, distinct, side="left")
        old_take = np.minimum(np.searchsorted(old_h, distinct, side="right") - old_at, MAX_POSTING)[which]
        old_at = old_at[which]
        new_at = np.searchsorted(hashes, distinct, side="left")[which]
        new_take = np.maximum(np.minimum(MAX_POSTING - old_take, pos - new_at), 0)
        query = np.concatenate([np.repeat(numbers[pos], old_take), np.repeat(numbers[pos], new_take)])
        if not query.size:
            return [None] * len(items)
        cand = np.concatenate([old_n[_runs(old_at, old_take)], numbers[_runs(new_at, new_take)]])
        span = start + len(items)
        # shared sampled shingles per (text, candidate), which are hundreds a text: the runs of the sorted pairs
        # (polars' sort, then run lengths: faster than numpy's sort or polars' hash aggregation, and the pairs
        # come out in order)
        keys = pl.Series(query * span + cand).sort().to_numpy()
        at = np.flatnonzero(_first_of_runs(keys))
        pairs, counts = keys[at], np.diff(at, append=len(keys))
        # A copy shares about 80% of the shorter text's sampled shingles or more; texts sharing under half of
        # them (common phrases, boilerplate) are not compared in full. Small samples are always compared.
        query, cand = pairs // span, pairs % span
        smaller = np.minimum(self._sizes[query - self._first], self._sizes[cand - self._first])
        pairs = pairs[(counts >= PREFILTER_SHARE * smaller) | (smaller < PREFILTER_MIN)]
        query, cand = pairs // span, pairs % span
        found: list[Entry | None] = [None] * len(items)
        bounds = np.flatnonzero(np.diff(query, prepend=-1, append=span + 1))
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            own = self.entries[int(query[a]) - self._first]
            for e in sorted((self.entries[c - self._first] for c in cand[a:b].tolist()), key=lambda e: e.key):
                if e.language == own.language and e.key < own.key \
                        and (own.published_date - e.published_date).days <= max_days \
                        and is_near_duplicate(own.shingles, e.shingles):
                    found[int(query[a]) - start] = e
                    own.near_duplicate_of = e.near_duplicate_of or e.doc_id
                    break
        return found




def _first_of_runs(values: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it (and at the first), in a non-empty array."""
    first = np.empty(len(values), dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def _merge(a: Pairs, b: Pairs) -> Pairs:
    """Two pair arrays as one sorted array, when `a` is sorted and every number of `a` is below those of `b`:
    `b` is sorted by hash (stably, its numbers stay ascending) and its pairs go after `a`'s of the same hash.
    Placed by position, not by sorting the whole (a gather through a sort order over millions of pairs cost a
    sixth of a million documents' storing)."""
    by_hash = np.argsort(b[0], kind="stable")
    b_h, b_n = b[0][by_hash], b[1][by_hash]
    at = np.searchsorted(a[0], b_h, side="right") + np.arange(len(b_h))
    from_b = np.zeros(len(a[0]) + len(b_h), dtype=bool)
    from_b[at] = True
    hashes, numbers = np.empty(len(from_b), dtype=np.uint64), np.empty(len(from_b), dtype=np.int64)
    hashes[at], numbers[at] = b_h, b_n
    hashes[~from_b], numbers[~from_b] = a[0], a[1]
    return hashes, numbers


def _live(pairs: Pairs, first: int) -> Pairs:
    keep = pairs[1] >= first
    return (pairs[0][keep], pairs[1][keep]) if not keep.all() else pairs


def _runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions starts[i], ..., starts[i] + lengths[i] - 1, for every i in turn."""
    total = int(lengths.sum())
    return np.repeat(starts, lengths) + (np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths,
                                                                                        lengths))
