"""Near-duplicates: the same story republished with other furniture (bylines, "Share", a different headline).

Two texts are near-duplicates when most of the shorter one's word 5-grams occur in the longer one. Candidates
come from an inverted index of a fixed sample of shingles (those whose hash is 0 modulo SAMPLE_MOD, the same
sample for every text, so two copies share sampled shingles whenever they share many shingles), and only
candidates are compared in full: the cost grows with the documents, not with their pairs. Candidates are limited
to documents of nearby days in the same language."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date

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


def shingles(text: str, k: int = SHINGLE_WORDS) -> frozenset[int]:
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return frozenset()
    return frozenset(zlib.crc32(" ".join(words[i:i + k]).encode("utf-8")) for i in range(len(words) - k + 1))


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    """|a ∩ b| / min(|a|, |b|): 1.0 when the shorter text is wholly inside the longer one."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small)


def is_near_duplicate(a: frozenset[int], b: frozenset[int]) -> bool:
    return containment(a, b) >= CONTAINMENT_THRESHOLD


def sampled(sh: frozenset[int]) -> list[int]:
    return [h for h in sh if h % SAMPLE_MOD == 0]


@dataclass
class Entry:
    published_date: date
    doc_id: str
    language: str | None
    shingles: frozenset[int]
    near_duplicate_of: str | None
    n_sampled: int = 0

    def __post_init__(self) -> None:
        self.n_sampled = len(sampled(self.shingles))

    @property
    def key(self) -> tuple[date, str]:
        return (self.published_date, self.doc_id)


class NearDuplicateIndex:
    """Documents of a few consecutive days, indexed by sampled shingle, for finding what a text republishes."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._index: dict[int, list[Entry]] = {}
        self._oldest: date | None = None

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        if self._oldest is None or entry.published_date < self._oldest:
            self._oldest = entry.published_date
        for h in sampled(entry.shingles):
            self._index.setdefault(h, []).append(entry)

    def keep_from(self, first: date) -> None:
        """Forget the documents published before `first` (the index is rebuilt: days leave in bulk)."""
        if self._oldest is not None and self._oldest < first:
            kept = [e for e in self.entries if e.published_date >= first]
            self.entries, self._index, self._oldest = [], {}, None
            for e in kept:
                self.add(e)

    def original_of(self, own: frozenset[int], language: str | None, key: tuple[date, str], max_days: int
                    ) -> Entry | None:
        """The earliest (date, id) document before `key`, in the language, at most `max_days` away, that the
        text republishes; None when there is none."""
        mine = sampled(own)
        hits: Counter = Counter()
        by_id: dict[int, Entry] = {}
        for h in mine:
            for e in self._index.get(h, ())[:MAX_POSTING]:
                hits[id(e)] += 1
                by_id[id(e)] = e
        # A copy shares about 80% of the shorter text's sampled shingles or more; texts sharing under half of
        # them (common phrases, boilerplate) are not compared in full. Small samples are always compared.
        found = [by_id[i] for i, n in hits.items()
                 if n >= PREFILTER_SHARE * min(len(mine), by_id[i].n_sampled) or min(len(mine), by_id[i].n_sampled)
                 < PREFILTER_MIN]
        for e in sorted(found, key=lambda e: e.key):
            if e.language == language and e.key < key and abs((e.published_date - key[0]).days) <= max_days \
                    and is_near_duplicate(own, e.shingles):
                return e
        return None
