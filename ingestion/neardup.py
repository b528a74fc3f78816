"""Near-duplicates: the same story republished with other furniture (bylines, "Share", a different headline).

Two texts are near-duplicates when most of the shorter one's word 5-grams occur in the longer one. Comparing
shingle sets is exact enough for this and cheap at a day's volume; candidates are limited to documents of nearby
days in the same language."""

from __future__ import annotations

import re
import zlib

_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE_WORDS = 5
# Share of the shorter text's shingles found in the longer one above which the two are one story.
CONTAINMENT_THRESHOLD = 0.8
# Texts shorter than this many words are too short to call duplicates by shingles.
MIN_WORDS = 25


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
